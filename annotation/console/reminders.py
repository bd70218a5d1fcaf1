"""Reminders to idle annotators: each project may choose an idle period; ``/mute`` opts out.

An annotator is reminded once per idle spell: when they work on an open project that
reminds, have not muted reminders, have not blocked the bot, gave no answer (nor joined)
within the project's period, and were not reminded since their last answer. Reminders go
through the broadcast outbox, so they are paced and survive restarts like any broadcast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from annotation.access import AccessService, require_coordinator
from annotation.console.broadcasts import queue_system_broadcast
from annotation.console.records import Audience, AudienceKind, BroadcastKind
from annotation.errors import DomainError, ErrorCode
from annotation.models import AnnotatorId, ProjectId
from annotation.ports.store import ReminderWork, Store
from annotation.records import AuditAction, AuditEntry

MIN_HOURS = 1
MAX_HOURS = 24 * 30


def reminder_hours(word: str) -> int | None:
    """Read ``/reminders`` hours: a whole number of hours, or ``off`` (None)."""
    if word.lower() in ("off", "0"):
        return None
    if word.isdigit() and MIN_HOURS <= int(word) <= MAX_HOURS:
        return int(word)
    raise DomainError(ErrorCode.USAGE, value=word)


class ReminderService:
    """Reminder periods for coordinators, ``/mute`` for annotators, the reminder job."""

    def __init__(self, store: Store[ReminderWork], access: AccessService, *,
                 clock: Callable[[], datetime]) -> None:
        self._store = store
        self._access = access
        self._clock = clock

    async def set_period(self, user_id: int, project_id: ProjectId, hours: int | None) -> None:
        """Choose a project's idle period, or turn its reminders off (coordinators only)."""
        now = self._clock()
        async with self._store.write() as uow:
            actor = await self._access.actor_in(uow, user_id)
            require_coordinator(actor)
            await uow.reminders.set_period(project_id, hours * 3600.0 if hours else None)
            await uow.audit.add(AuditEntry(now, actor.id, AuditAction.PROJECT_REMINDERS,
                                           f"project {project_id}", f"{hours or 'off'}"))

    async def mute(self, annotator_id: AnnotatorId, muted: bool) -> None:
        """Turn the annotator's reminders off (or back on)."""
        async with self._store.write() as uow:
            await uow.reminders.set_muted(annotator_id, muted)

    async def queue_due(self) -> int:
        """Queue a reminder for every idle annotator due one; return how many."""
        now = self._clock()
        queued = 0
        async with self._store.write(bulk=True) as uow:  # outbox rows: many at once
            for rule in await uow.reminders.rules():
                audience = Audience(AudienceKind.REMINDER, project_id=rule.project_id)
                queued += await queue_system_broadcast(uow, BroadcastKind.REMINDER, audience,
                                                       now)
        return queued
