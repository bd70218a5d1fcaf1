"""Wiring of the coordinator's console (issue 6): its services, jobs and the sender.

Kept apart from ``bot/application.py`` so the composition root only calls three functions:
:func:`console_services` (fields of ``Services``), :func:`start_console` and
:func:`stop_console`. Its handlers are registered with all others in ``bot/handlers_list.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime, time, timedelta
from typing import Any

from telegram.ext import Application

from annotation.access import AccessService
from annotation.console.broadcasts import BroadcastService
from annotation.console.earnings import EarningsService
from annotation.console.lifecycle import LifecycleService
from annotation.console.pacing import DEFAULT_RATE
from annotation.console.reminders import ReminderService
from annotation.console.stats import StatsService
from annotation.intake.catalog import CatalogService
from annotation.ports import Store, UnitOfWork
from bot.broadcaster import Broadcaster
from bot.jobs import (
    BROADCAST_POLL,
    BROADCASTER_KEY,
    job_daily_digest,
    job_queue_reminders,
    job_send_broadcasts,
)
from bot.rate_limiter import ChatRateLimiter
from handlers.services import SERVICES_KEY, Services

logger = logging.getLogger(__name__)


def console_services(store: Store[UnitOfWork], clock: Callable[[], datetime],
                     admins: Collection[int]) -> dict[str, Any]:
    """Return the console's fields of ``Services``."""
    access = AccessService(store, clock=clock, admins=admins)
    return {
        "access": access,
        "lifecycle": LifecycleService(store, access, CatalogService(store, clock=clock),
                                      clock=clock),
        "broadcasts": BroadcastService(store, access, clock=clock),
        "reminders": ReminderService(store, access, clock=clock),
        "earnings": EarningsService(store, access, clock=clock),
        "stats": StatsService(store, access, clock=clock, admins=admins),
    }


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
