"""Ports of the coordinator's console: audit log, broadcasts and outbox, reminders,
earnings and statistics. ``UnitOfWork`` (``annotation.ports``) exposes one of each.

The values they carry live in ``annotation.console.records`` and ``annotation.records``,
never in a service module, so no import here leads back to the ports.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from annotation.console.records import (
    AnnotatorScore,
    AnswerCount,
    Audience,
    Broadcast,
    BroadcastKind,
    BroadcastProgress,
    BroadcastStatus,
    DeliveryStatus,
    EarningLine,
    HourCount,
    ItemValue,
    OutboxEntry,
    PaidTotal,
    ProjectCounts,
    ReminderRule,
    ReviewVote,
)
from annotation.models import AnnotatorId, ProjectId
from annotation.records import AuditEntry, StaffMember


class AuditRepository(Protocol):
    """The audit log, and who holds a console role."""

    async def add(self, entry: AuditEntry) -> None:
        """Append an entry."""
        ...

    async def recent(self, limit: int) -> Sequence[AuditEntry]:
        """Return the newest entries, newest first."""
        ...

    async def staff(self) -> Sequence[StaffMember]:
        """Return the annotators holding the coordinator or admin role."""
        ...


class OutboxRepository(Protocol):
    """Broadcasts and their per-recipient outbox rows."""

    async def add(self, kind: BroadcastKind, created_by: AnnotatorId | None, now: datetime,
                  audience: Audience, text: str, photo_file_id: str | None,
                  status: BroadcastStatus) -> Broadcast:
        """Store a broadcast and return it."""
        ...

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """Return the broadcast or None."""
        ...

    async def set_status(self, broadcast_id: int, status: BroadcastStatus,
                         now: datetime) -> None:
        """Change a broadcast's status."""
        ...

    async def set_progress_message(self, broadcast_id: int, chat_id: int,
                                   message_id: int) -> None:
        """Remember the coordinator's message that shows the progress."""
        ...

    async def count_audience(self, audience: Audience, now: datetime) -> int:
        """Return how many annotators the audience reaches now."""
        ...

    async def fill(self, broadcast_id: int, audience: Audience, now: datetime) -> int:
        """Add an outbox row per recipient (once each); return how many were added."""
        ...

    async def sending(self) -> Sequence[Broadcast]:
        """Return the broadcasts being sent, oldest first."""
        ...

    async def recover(self) -> int:
        """Mark rows left ``sending`` by a dead process uncertain; return how many."""
        ...

    async def claim(self, broadcast_id: int) -> OutboxEntry | None:
        """Mark the next pending row ``sending`` and return it (None: none left)."""
        ...

    async def mark(self, broadcast_id: int, annotator_id: AnnotatorId,
                   status: DeliveryStatus, now: datetime) -> None:
        """Record the outcome of one row."""
        ...

    async def progress(self, broadcast_id: int) -> BroadcastProgress:
        """Return the counts of a broadcast's rows."""
        ...


class ReminderRepository(Protocol):
    """Projects' reminder periods and annotators' mute setting."""

    async def set_period(self, project_id: ProjectId, seconds: float | None) -> None:
        """Store a project's idle period (None: no reminders)."""
        ...

    async def rules(self) -> Sequence[ReminderRule]:
        """Return the open projects that remind idle annotators."""
        ...

    async def set_muted(self, annotator_id: AnnotatorId, muted: bool) -> None:
        """Store whether the annotator muted reminders."""
        ...


class EarningsRepository(Protocol):
    """Accepted answers counted for pay, and payouts made."""

    async def accepted(self, start: datetime | None, end: datetime | None,
                       annotator_id: AnnotatorId | None = None, *,
                       reviewed: Collection[ProjectId] = ()) -> Sequence[AnswerCount]:
        """Count accepted answers per annotator and project within [start, end), but
        none of the projects in ``reviewed`` (their answers earn once checks accept them:
        ``votes``)."""
        ...

    async def votes(self, reviewed: Collection[ProjectId], end: datetime | None,
                    annotator_id: AnnotatorId | None = None) -> Sequence[ReviewVote]:
        """Return the votes given before ``end`` on the accepted answers of the
        ``reviewed`` projects: the answers (not excluded) to the items made from each one
        (its checks), by reviewed answer, then in the order given."""
        ...

    async def paid(self, annotator_id: AnnotatorId) -> Sequence[PaidTotal]:
        """Return what the annotator was paid, per currency."""
        ...

    async def period_paid(self, period: str) -> bool:
        """Return whether the period was marked paid."""
        ...

    async def add_payouts(self, period: str, lines: Sequence[EarningLine],
                          references: Sequence[str], now: datetime,
                          paid_by: AnnotatorId) -> int:
        """Record the lines of a period as paid (once each); return how many were added."""
        ...


class StatsRepository(Protocol):
    """What ``/stats`` and the daily digest read."""

    async def counts(self, project_id: ProjectId, overlap: int) -> ProjectCounts:
        """Return a project's item and answer counts."""
        ...

    async def hourly(self, project_id: ProjectId, since: datetime) -> Sequence[HourCount]:
        """Return answers per hour since ``since`` (hours with none omitted)."""
        ...

    async def scores(self, project_id: ProjectId) -> Sequence[AnnotatorScore]:
        """Return each annotator's answers and gold results in the project."""
        ...

    async def values(self, project_id: ProjectId) -> Sequence[ItemValue]:
        """Return the answers to non-gold items (item and value)."""
        ...

    async def gold_exhausted(self, project_id: ProjectId, active_since: datetime) -> int:
        """Count annotators active since then who have seen every gold item."""
        ...

    async def suspended_since(self, project_id: ProjectId, since: datetime) -> int:
        """Count annotators suspended in the project since ``since`` (quality control)."""
        ...
