"""Running the real bot: polling by default, webhook when a URL is configured (its updates
arrive at the bot's own HTTP server, the one that serves the Mini App).

The token is checked first (``getMe``, on the loop the bot then runs on): a token the server
rejects, or a server that cannot be reached, becomes one line naming the problem, with the
token left out, instead of a traceback that quotes it.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot.application import ALLOWED_UPDATES, build_application, serving
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
    if settings.webhook is not None:
        try:
            loop.run_until_complete(_serve_until_stopped(application, loop))
        finally:
            loop.close()
    else:  # the Mini App's server starts with the bot (post_init) and stops with it
        application.run_polling(allowed_updates=ALLOWED_UPDATES)


async def _serve_until_stopped(application: Application,
                               loop: asyncio.AbstractEventLoop) -> None:
    """Run the bot in webhook mode, its updates taken by the bot's own HTTP server (which
    also serves the Mini App), until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    async with serving(application):
        logger.info("annobot is running (webhook); stop it with Ctrl-C")
        await stop.wait()
