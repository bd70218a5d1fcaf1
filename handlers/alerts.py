"""Alerts to the admins when the bot keeps working in a degraded way (the disk is full).

The annotators' path never waits for an alert: it is sent in the background, at most once
per ``ALERT_INTERVAL``, to each admin in their language, best effort (a 429 or an admin
who blocked the bot loses the alert, never an annotator's task).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application

from annotation.access import Role
from handlers.delivery import BEST_EFFORT
from handlers.services import SERVICES_KEY, Services
from handlers.task_flow import UPLOADER_KEY
from handlers.task_view import MediaUploader
from handlers.throttle import ReplyThrottle

logger = logging.getLogger(__name__)

ALERT_INTERVAL = 3600.0  # seconds between two alerts of one kind


class AdminAlerts:
    """Sends the admins an alert, at most once per interval."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], *,
                 interval: float = ALERT_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._application = application
        self._throttle = ReplyThrottle(interval, clock)

    async def storage_full(self) -> None:
        """Tell the admins a write failed because the disk is full (once per interval)."""
        if not self._throttle.allow(0, "storage_full"):
            return
        self._application.create_task(self._send(), name="storage-full alert")

    async def _send(self) -> None:
        services: Services = self._application.bot_data[SERVICES_KEY]
        for member in await services.access.menu_holders():
            if member.role is not Role.ADMIN:
                continue
            t = services.catalogs.get(member.language)
            text = t.gettext("⚠️ The bot could not save to its database: is the disk full? "
                             "Annotators can keep working, but please free some space.")
            with contextlib.suppress(TelegramError):
                await self._application.bot.send_message(
                    member.id, text, rate_limit_args=BEST_EFFORT)
        logger.warning("the admins were told that the disk is full")


def install_media_uploader(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Give the handlers their one media uploader, which alerts the admins on a full disk."""
    services: Services = application.bot_data[SERVICES_KEY]
    alerts = AdminAlerts(application)
    application.bot_data[UPLOADER_KEY] = MediaUploader(services.media,
                                                       on_unsaved=alerts.storage_full)
