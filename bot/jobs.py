"""Scheduled work. Jobs hold no state of their own: each run reads the database, so a
restart rebuilds them simply by scheduling them again."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, timedelta
from datetime import time as dtime

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.broadcaster import Broadcaster
from handlers.context import AnnobotContext
from handlers.quality_view import send_annotator_note, send_coordinator_notes
from handlers.stats import digest_text

logger = logging.getLogger(__name__)

EXPIRY_INTERVAL = timedelta(seconds=15)
QUALITY_INTERVAL = timedelta(seconds=60)
SKILLS_POLL = timedelta(seconds=2)  # how often to look whether a refit is due
CHECK_FEED = timedelta(seconds=5)  # how often new recordings are made into checks


async def job_expire_assignments(context: AnnobotContext) -> None:
    """Release assignments past their time limit so other annotators get the items."""
    released = await context.services.tasks.expire_due()
    if released:
        logger.info("released %d expired assignments", released)


async def job_feed_checks(context: AnnobotContext) -> None:
    """Make check items of the recordings accepted since the last run."""
    made = await context.services.tasks.feed_checks()
    if made:
        logger.info("made %d recordings into check items", made)


async def job_refresh_skills(context: AnnobotContext) -> None:
    """Refit annotators' skills for adaptive overlap where enough new answers came in
    (kept in memory, rebuilt at start); the fit itself runs off the event loop."""
    refreshed = await context.services.tasks.refresh_skills()
    if refreshed:
        logger.info("refitted annotator skills in %d adaptive projects", refreshed)


async def job_review_quality(context: AnnobotContext) -> None:
    """Check every annotator's agreement with the crowd and send what the rules decided."""
    services = context.services
    review = await services.quality.review_all()
    for note in review.annotators:
        await send_annotator_note(context.bot, services.catalogs, note)
    await send_coordinator_notes(context.bot, services.catalogs, review.coordinators)
    if review.annotators or review.coordinators:
        logger.info("quality review: %d annotator and %d coordinator notes",
                    len(review.annotators), len(review.coordinators))


# --- the coordinator's console (issue 6) ---------------------------------------------------
BROADCAST_POLL = timedelta(seconds=1)
REMINDER_INTERVAL = timedelta(minutes=10)
DIGEST_TIME = dtime(hour=6, tzinfo=UTC)  # 09:00 in Madagascar (UTC+3)
BROADCASTER_KEY = "annobot.broadcaster"


async def job_send_broadcasts(context: AnnobotContext) -> None:
    """Start the broadcast sender if broadcasts are queued and it is not running."""
    broadcaster = context.bot_data[BROADCASTER_KEY]
    assert isinstance(broadcaster, Broadcaster)
    broadcaster.kick()


async def job_queue_reminders(context: AnnobotContext) -> None:
    """Queue reminders to annotators idle longer than their project's period."""
    queued = await context.services.reminders.queue_due()
    if queued:
        logger.info("queued %d reminders", queued)
        await job_send_broadcasts(context)


async def job_daily_digest(context: AnnobotContext) -> None:
    """Send each coordinator and admin the day's digest, in their language."""
    recipients, lines = await context.services.stats.digest()
    if not lines:
        return
    for recipient in recipients:
        t = context.services.catalogs.get(recipient.language)
        with contextlib.suppress(Forbidden, BadRequest):
            await context.bot.send_message(recipient.annotator_id, digest_text(lines, t),
                                           parse_mode=ParseMode.HTML)
