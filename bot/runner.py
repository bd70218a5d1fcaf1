"""Running the real bot: polling by default, webhook when a URL is configured.

The token is checked first (``getMe``, on the loop the bot then runs on): a token the server
rejects, or a server that cannot be reached, becomes one line naming the problem, with the
token left out, instead of a traceback that quotes it.
"""

from __future__ import annotations

import asyncio
import logging

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot.application import ALLOWED_UPDATES, build_application
from bot.config import BotSettings, ConfigError
from bot.logs import redact

logger = logging.getLogger(__name__)

TELEGRAM = "https://api.telegram.org"


class StartupError(Exception):
    """The bot could not start (the Bot API server cannot be reached); one line, no token."""


def check_token(application: Application, settings: BotSettings,
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
        where = settings.base_url.removesuffix("/bot") if settings.base_url else TELEGRAM
        raise StartupError(redact(f"cannot reach the Bot API server at {where}: {error}",
                                  settings.token)) from None


def run_forever(settings: BotSettings) -> None:
    """Run the bot until interrupted (SIGINT/SIGTERM)."""
    application = build_application(settings)
    # PTB runs on the current event loop: set one, check the token on it, then run.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    check_token(application, settings, loop)
    webhook = settings.webhook
    if webhook is not None:
        application.run_webhook(
            listen=webhook.listen,
            port=webhook.port,
            url_path=webhook.path,
            webhook_url=webhook.url,
            secret_token=webhook.secret,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
