"""Running the real bot: polling by default, webhook when a URL is configured."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlparse

from bot.application import ALLOWED_UPDATES, BotSettings, build_application
from bot.config import Config

logger = logging.getLogger(__name__)


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
    )


def run_forever(config: Config) -> None:
    """Run the bot until interrupted (SIGINT/SIGTERM)."""
    application = build_application(settings_from(config))
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
