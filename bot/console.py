"""Wiring of the coordinator's console (issue 6): services, handlers, jobs, the sender.

Kept apart from ``bot/application.py`` so the composition root only calls four functions:
:func:`console_services` (fields of ``Services``), :func:`console_handlers` (registered
before the catch-all handlers), :func:`start_console` and :func:`stop_console`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime, time, timedelta
from typing import Any

from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from annotation.broadcast import DEFAULT_RATE
from annotation.broadcasting import BroadcastService
from annotation.earnings import EarningsService
from annotation.lifecycle import ProjectConsole
from annotation.ports import Store
from annotation.projects import ProjectService
from annotation.reminders import ReminderService
from annotation.roles import AccessService
from annotation.stats import StatsService
from bot.broadcaster import Broadcaster
from bot.jobs import (
    BROADCAST_POLL,
    BROADCASTER_KEY,
    job_daily_digest,
    job_queue_reminders,
    job_send_broadcasts,
)
from bot.rate_limiter import ChatRateLimiter
from handlers import (
    broadcast,
    earnings,
    exports,
    preview,
    project_upload,
    reminders,
    roles,
    stats,
)
from handlers.callbacks import CONSOLE_PATTERN, Action, decode
from handlers.context import AnnobotContext
from handlers.services import SERVICES_KEY, Services

logger = logging.getLogger(__name__)

GUIDED_GROUP = -1  # before the task loop's typed answers


def console_services(store: Store, clock: Callable[[], datetime],
                     admins: Collection[int]) -> dict[str, Any]:
    """Return the console's fields of ``Services``."""
    access = AccessService(store, clock=clock, admins=admins)
    return {
        "access": access,
        "console": ProjectConsole(store, access, ProjectService(store, clock=clock),
                                  clock=clock),
        "broadcasts": BroadcastService(store, access, clock=clock),
        "reminders": ReminderService(store, access, clock=clock),
        "earnings": EarningsService(store, access, clock=clock),
        "stats": StatsService(store, access, clock=clock, admins=admins),
    }


async def on_console_button(update: Any, context: AnnobotContext) -> None:
    """Route a console button to its handler (each checks the role again)."""
    callback = decode(update.callback_query.data if update.callback_query else None)
    action = callback.action if callback else None
    if action is Action.PREVIEW:
        await preview.on_preview_button(update, context)
    elif action is Action.LIFECYCLE:
        await preview.on_lifecycle_button(update, context)
    elif action in (Action.BROADCAST_SEND, Action.BROADCAST_CANCEL):
        await broadcast.on_broadcast_button(update, context)
    elif action is Action.PAY:
        await earnings.on_pay_button(update, context)
    elif action is Action.ROLE:
        await roles.on_role_button(update, context)
    elif action is Action.EXPORT:
        await exports.on_export_button(update, context)
    elif update.callback_query is not None:
        await update.callback_query.answer()


COMMANDS: dict[str, Callable[..., Any]] = {
    "promote": roles.cmd_promote,
    "demote": roles.cmd_demote,
    "audit": roles.cmd_audit,
    "newproject": project_upload.cmd_newproject,
    "cancel": project_upload.cmd_cancel,
    "preview": preview.cmd_preview,
    "open": preview.cmd_open,
    "pause": preview.cmd_pause,
    "close": preview.cmd_close,
    "broadcast": broadcast.cmd_broadcast,
    "reminders": reminders.cmd_reminders,
    "mute": reminders.cmd_mute,
    "unmute": reminders.cmd_unmute,
    "stats": stats.cmd_stats,
    "earnings": earnings.cmd_earnings,
    "payouts": earnings.cmd_payouts,
}


def console_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Return the console's handlers, to register before the catch-all ones."""
    private = filters.ChatType.PRIVATE
    handlers: list[BaseHandler[Any, Any, Any]] = [
        CommandHandler(name, callback, filters=private) for name, callback in COMMANDS.items()
    ]
    handlers += [
        CallbackQueryHandler(on_console_button, pattern=CONSOLE_PATTERN),
        MessageHandler(filters.Document.ALL & private, project_upload.on_document),
        MessageHandler(filters.PHOTO & filters.CaptionRegex(r"^/broadcast(@\w+)?(\s|$)")
                       & private, broadcast.on_broadcast_photo),
        MessageHandler(filters.FORWARDED & private, roles.on_forwarded),
    ]
    return handlers


def add_guided_handler(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the guided conversation ahead of the typed answers."""
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE,
                       project_upload.on_guided_text), group=GUIDED_GROUP)


async def start_console(application: Application[Any, Any, Any, Any, Any, Any], *,
                        rate: float = DEFAULT_RATE, reminder_interval: timedelta,
                        digest_time: time) -> None:
    """Recover the outbox after a crash, then schedule the sender, reminders and digest."""
    services: Services = application.bot_data[SERVICES_KEY]
    uncertain = await services.broadcasts.recover()
    if uncertain:
        logger.warning("%d broadcast messages were in flight at a crash: not resent",
                       uncertain)
    limiter = application.bot.rate_limiter
    turn = limiter.bulk_turn if isinstance(limiter, ChatRateLimiter) else None
    application.bot_data[BROADCASTER_KEY] = Broadcaster(application.bot, services, rate=rate,
                                                        turn=turn)
    job_queue = application.job_queue
    assert job_queue is not None
    job_queue.run_repeating(job_send_broadcasts, interval=BROADCAST_POLL, first=0.0,
                            name="send_broadcasts")
    job_queue.run_repeating(job_queue_reminders, interval=reminder_interval,
                            first=reminder_interval, name="queue_reminders")
    job_queue.run_daily(job_daily_digest, time=digest_time, name="daily_digest")


async def stop_console(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop the sender cleanly (messages in flight are recorded before the database closes)."""
    broadcaster = application.bot_data.get(BROADCASTER_KEY)
    if isinstance(broadcaster, Broadcaster):
        await broadcaster.stop()
