"""Running the real bot: polling by default, webhook when a URL is configured.

The token is checked first (``getMe``, on the loop the bot then runs on): a token the server
rejects, or a server that cannot be reached, becomes one line naming the problem, with the
token left out, instead of a traceback that quotes it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from urllib.parse import urlparse

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot.application import ALLOWED_UPDATES, BotSettings, build_application
from bot.config import Config, ConfigError
from bot.logs import redact
from bot.update_processor import BacklogPolicy

logger = logging.getLogger(__name__)

TELEGRAM = "https://api.telegram.org"


class StartupError(Exception):
    """The bot could not start (the Bot API server cannot be reached); one line, no token."""


def settings_from(config: Config) -> BotSettings:
    """Translate the command-line configuration into bot settings."""
    return BotSettings(
        token=config.token,
        database=config.database,
        admins=config.admins,
        base_url=config.base_url,
        base_file_url=config.base_file_url,
        export_dir=config.export_dir,
        flood_retries=config.flood_retries,
        backlog=BacklogPolicy(rate=config.limits.sender_rate, burst=config.limits.sender_burst,
                              backlog=config.limits.sender_backlog),
        reply_interval=config.limits.reply_interval,
        max_concurrent_updates=config.limits.max_updates,
        upload_pixels=config.limits.upload_pixels,
    )


def check_token(application: Application, config: Config,
                loop: asyncio.AbstractEventLoop) -> None:
    """Ask the server who the bot is; raise ConfigError or StartupError, never the token."""
    bot = application.bot
    try:
        loop.run_until_complete(bot.initialize())
    except InvalidToken:
        loop.run_until_complete(bot.shutdown())
        raise ConfigError("ANNOBOT_TOKEN: the Bot API server rejected the token (revoked or "
                          "mistyped? @BotFather shows the current one)") from None
    except NetworkError as error:  # TimedOut included
        loop.run_until_complete(bot.shutdown())
        where = config.api_url or TELEGRAM
        raise StartupError(redact(f"cannot reach the Bot API server at {where}: {error}",
                                  config.token)) from None


def run_forever(config: Config) -> None:
    """Run the bot until interrupted (SIGINT/SIGTERM)."""
    application = build_application(settings_from(config))
    # PTB runs on the current event loop: set one, check the token on it, then run.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    check_token(application, config, loop)
    if config.webhook_url:
        path = urlparse(config.webhook_url).path.lstrip("/")
        application.run_webhook(
            listen=config.webhook_listen,
            port=config.webhook_port,
            url_path=path,
            webhook_url=config.webhook_url,
            secret_token=config.webhook_secret or secrets.token_urlsafe(32),
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
