"""Scheduled work. Jobs hold no state of their own: each run reads the database, so a
restart rebuilds them simply by scheduling them again."""

from __future__ import annotations

import logging
from datetime import timedelta

from handlers.context import AnnobotContext

logger = logging.getLogger(__name__)

EXPIRY_INTERVAL = timedelta(seconds=15)


async def job_expire_assignments(context: AnnobotContext) -> None:
    """Release assignments past their time limit so other annotators get the items."""
    released = await context.services.tasks.expire_due()
    if released:
        logger.info("released %d expired assignments", released)
