"""In-memory repositories of the coordinator's console: audit log, broadcasts and outbox,
reminders, earnings and statistics (``annotation.ports.console``).

Each mirrors its SQLite twin in ``storage/repositories`` (``audit``, ``outbox``,
``reminders``, ``earnings``, ``stats``) query by query: the same rows, order, idempotency
(``ON CONFLICT DO NOTHING`` on the outbox and payouts' primary keys) and aggregates. They
are built per unit of work over the ``FakeState`` it sees, as ``Cls(state)``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import TypeVar

from annotation.console.records import (
    AnnotatorScore,
    AnswerCount,
    Audience,
    AudienceKind,
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
from annotation.models import AnnotatorId, AssignmentId, ItemId, ProjectId, Role
from annotation.records import AuditAction, AuditEntry, StaffMember
from tests.fakes.state import (
    AnnotatorRow,
    AuditRow,
    BroadcastRow,
    FakeState,
    IntegrityError,
    OutboxRow,
    PayoutRow,
    from_ts,
    new_id,
    to_ts,
)

T = TypeVar("T")
STAFF = (Role.COORDINATOR.value, Role.ADMIN.value)
DAY = 86400


def limited(rows: Sequence[T], limit: int) -> list[T]:
    """Return the first ``limit`` rows, as SQL ``LIMIT`` does (a negative limit: all)."""
    return list(rows) if limit < 0 else list(rows[:limit])


class FakeAuditRepository:
    """``audit_log`` (and a view of ``annotators`` by role), as ``SqliteAudit``."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def add(self, entry: AuditEntry) -> None:
        """Append an entry."""
        table = self._state.audit_log
        row_id = new_id(table)
        table[row_id] = AuditRow(row_id, to_ts(entry.at), entry.actor_id, entry.action.value,
                                 entry.subject, entry.details)

    async def recent(self, limit: int) -> Sequence[AuditEntry]:
        """Return the newest entries, newest first."""
        rows = sorted(self._state.audit_log.values(), key=lambda r: r.id, reverse=True)
        return [AuditEntry(from_ts(r.at), AnnotatorId(r.actor_id), AuditAction(r.action),
                           r.subject, r.details) for r in limited(rows, limit)]

    async def staff(self) -> Sequence[StaffMember]:
        """Return the annotators holding the coordinator or admin role."""
        return [StaffMember(AnnotatorId(a.id), a.name, Role(a.role), a.language)
                for a in sorted(self._state.annotators.values(), key=lambda a: a.id)
                if a.role in STAFF]


def _broadcast(row: BroadcastRow) -> Broadcast:
    project = ProjectId(row.project_id) if row.project_id is not None else None
    return Broadcast(
        id=row.id, kind=BroadcastKind(row.kind),
        created_by=AnnotatorId(row.created_by) if row.created_by is not None else None,
        created_at=from_ts(row.created_at),
        audience=Audience(AudienceKind(row.audience), project, row.idle_days),
        text=row.text, photo_file_id=row.photo_file_id, status=BroadcastStatus(row.status),
        progress_chat=row.progress_chat, progress_message=row.progress_message,
    )


def _last_activity(state: FakeState, annotator: AnnotatorRow) -> float:
    """The time of the annotator's last answer (any project), else when they joined."""
    times = [a.answered_at for a in state.answers.values() if a.annotator_id == annotator.id]
    return max(times) if times else annotator.joined_at


def _recipients(state: FakeState, audience: Audience, now: datetime) -> Iterator[int]:
    """Yield the ids the audience reaches now (``_audience`` over ``_ACTIVITY`` in SQL)."""
    moment = to_ts(now)
    remind_after = None
    if audience.kind is AudienceKind.REMINDER and audience.project_id in state.projects:
        remind_after = state.projects[audience.project_id].remind_after
    for annotator in sorted(state.annotators.values(), key=lambda a: a.id):
        if annotator.blocked:
            continue
        last = _last_activity(state, annotator)
        if audience.kind is AudienceKind.PROJECT:
            reached = annotator.current_project == audience.project_id
        elif audience.kind is AudienceKind.IDLE:
            reached = last < moment - DAY * (audience.idle_days or 0)
        elif audience.kind is AudienceKind.REMINDER:
            reached = (annotator.current_project == audience.project_id
                       and not annotator.muted and remind_after is not None
                       and last < moment - remind_after
                       and (annotator.reminded_at is None or annotator.reminded_at < last))
        else:
            reached = True
        if reached:
            yield annotator.id


class FakeOutboxRepository:
    """``broadcasts`` and ``outbox``, as ``SqliteOutbox``."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def add(self, kind: BroadcastKind, created_by: AnnotatorId | None, now: datetime,
                  audience: Audience, text: str, photo_file_id: str | None,
                  status: BroadcastStatus) -> Broadcast:
        """Store a broadcast and return it."""
        table = self._state.broadcasts
        row = BroadcastRow(new_id(table), kind.value, created_by, to_ts(now),
                           audience.kind.value, audience.project_id, audience.idle_days, text,
                           photo_file_id, status.value)
        table[row.id] = row
        return _broadcast(row)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """Return the broadcast or None."""
        row = self._state.broadcasts.get(broadcast_id)
        return _broadcast(row) if row else None

    async def set_status(self, broadcast_id: int, status: BroadcastStatus,
                         now: datetime) -> None:
        """Change a broadcast's status."""
        row = self._state.broadcasts.get(broadcast_id)
        if row is not None:
            row.status = status.value
            row.finished_at = to_ts(now) if status in (BroadcastStatus.DONE,
                                                       BroadcastStatus.CANCELLED) else None

    async def set_progress_message(self, broadcast_id: int, chat_id: int,
                                   message_id: int) -> None:
        """Remember the coordinator's message that shows the progress."""
        row = self._state.broadcasts.get(broadcast_id)
        if row is not None:
            row.progress_chat, row.progress_message = chat_id, message_id

    async def count_audience(self, audience: Audience, now: datetime) -> int:
        """Return how many annotators the audience reaches now."""
        return sum(1 for _ in _recipients(self._state, audience, now))

    async def fill(self, broadcast_id: int, audience: Audience, now: datetime) -> int:
        """Add an outbox row per recipient (once each); return how many were added."""
        outbox = self._state.outbox
        added = 0
        for annotator_id in list(_recipients(self._state, audience, now)):
            if broadcast_id not in self._state.broadcasts:  # the foreign key
                raise IntegrityError("FOREIGN KEY constraint failed")
            if (broadcast_id, annotator_id) not in outbox:
                outbox[broadcast_id, annotator_id] = OutboxRow(broadcast_id, annotator_id)
                added += 1
        if audience.kind is AudienceKind.REMINDER:
            for (broadcast, annotator_id) in outbox:
                if broadcast == broadcast_id and annotator_id in self._state.annotators:
                    self._state.annotators[annotator_id].reminded_at = to_ts(now)
        return added

    async def sending(self) -> Sequence[Broadcast]:
        """Return the broadcasts being sent, oldest first."""
        return [_broadcast(row) for row in sorted(self._state.broadcasts.values(),
                                                  key=lambda r: r.id)
                if row.status == BroadcastStatus.SENDING.value]

    async def recover(self) -> int:
        """Mark rows left ``sending`` by a dead process uncertain; return how many."""
        count = 0
        for row in self._state.outbox.values():
            if row.status == DeliveryStatus.SENDING.value:
                row.status = DeliveryStatus.UNCERTAIN.value
                count += 1
        return count

    async def claim(self, broadcast_id: int) -> OutboxEntry | None:
        """Mark the next pending row ``sending`` and return it (None: none left)."""
        pending = [row for row in self._state.outbox.values()
                   if row.broadcast_id == broadcast_id
                   and row.status == DeliveryStatus.PENDING.value]
        if not pending:
            return None
        row = min(pending, key=lambda r: r.annotator_id)
        row.status = DeliveryStatus.SENDING.value
        row.attempts += 1
        who = self._state.annotators.get(row.annotator_id)
        name, language = (who.name, who.language) if who else ("", "en")
        return OutboxEntry(broadcast_id, AnnotatorId(row.annotator_id), name, language,
                           row.attempts)

    async def mark(self, broadcast_id: int, annotator_id: AnnotatorId,
                   status: DeliveryStatus, now: datetime) -> None:
        """Record the outcome of one row."""
        row = self._state.outbox.get((broadcast_id, annotator_id))
        if row is not None:
            row.status = status.value
            row.sent_at = to_ts(now) if status is DeliveryStatus.SENT else None

    async def progress(self, broadcast_id: int) -> BroadcastProgress:
        """Return the counts of a broadcast's rows."""
        counts = Counter(DeliveryStatus(row.status) for row in self._state.outbox.values()
                         if row.broadcast_id == broadcast_id)
        return BroadcastProgress(
            total=sum(counts.values()),
            sent=counts[DeliveryStatus.SENT],
            blocked=counts[DeliveryStatus.BLOCKED],
            failed=counts[DeliveryStatus.FAILED],
            uncertain=counts[DeliveryStatus.UNCERTAIN],
        )


class FakeReminderRepository:
    """``projects.remind_after`` and ``annotators.muted``, as ``SqliteReminders``."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def set_period(self, project_id: ProjectId, seconds: float | None) -> None:
        """Store a project's idle period (None: no reminders)."""
        project = self._state.projects.get(project_id)
        if project is not None:
            project.remind_after = seconds

    async def rules(self) -> Sequence[ReminderRule]:
        """Return the open projects that remind idle annotators."""
        return [ReminderRule(ProjectId(p.id), p.remind_after)
                for p in sorted(self._state.projects.values(), key=lambda p: p.id)
                if p.status == "open" and p.remind_after is not None]

    async def set_muted(self, annotator_id: AnnotatorId, muted: bool) -> None:
        """Store whether the annotator muted reminders."""
        annotator = self._state.annotators.get(annotator_id)
        if annotator is not None:
            annotator.muted = muted


class FakeEarningsRepository:
    """Counts over ``answers`` and the ``payouts`` table, as ``SqliteEarnings``.

    Accepted answers: production answers (not training or exam) not excluded.
    """

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def accepted(self, start: datetime | None, end: datetime | None,
                       annotator_id: AnnotatorId | None = None, *,
                       reviewed: Collection[ProjectId] = ()) -> Sequence[AnswerCount]:
        """Count accepted answers per annotator and project within [start, end), but
        none of the projects in ``reviewed``."""
        state = self._state
        counts: Counter[tuple[int, int]] = Counter()
        for answer in state.answers.values():
            assignment = state.assignments.get(answer.assignment_id)
            if (answer.excluded or assignment is None or assignment.stage != "production"
                    or answer.project_id in reviewed
                    or answer.annotator_id not in state.annotators
                    or (start is not None and answer.answered_at < to_ts(start))
                    or (end is not None and answer.answered_at >= to_ts(end))
                    or (annotator_id is not None and answer.annotator_id != annotator_id)):
                continue
            counts[answer.annotator_id, answer.project_id] += 1
        return [AnswerCount(AnnotatorId(who), state.annotators[who].name, ProjectId(project),
                            count) for (who, project), count in sorted(counts.items())]

    async def votes(self, reviewed: Collection[ProjectId], end: datetime | None,
                    annotator_id: AnnotatorId | None = None) -> Sequence[ReviewVote]:
        """Return the votes given before ``end`` on the accepted answers of the
        ``reviewed`` projects, by reviewed answer, then in the order given."""
        state = self._state
        limit = None if end is None else to_ts(end)
        authored = {(item.project_id, item.external_id, item.author): item.id
                    for item in state.items.values() if item.author is not None}
        reviewers = sorted({project for project, _external, _author in authored})
        found: list[tuple[tuple[int, int, float, int], ReviewVote]] = []
        for answer in state.answers.values():
            assignment = state.assignments.get(answer.assignment_id)
            if (answer.project_id not in reviewed or answer.excluded or assignment is None
                    or assignment.stage != "production"
                    or answer.annotator_id not in state.annotators
                    or (limit is not None and answer.answered_at >= limit)
                    or (annotator_id is not None and answer.annotator_id != annotator_id)):
                continue
            items = {authored.get((reviewer, f"rec-{answer.assignment_id}",
                                   answer.annotator_id)) for reviewer in reviewers} - {None}
            for vote in state.answers.values():
                if vote.item_id not in items or vote.excluded or (
                        limit is not None and vote.answered_at >= limit):
                    continue
                found.append(((answer.assignment_id, vote.project_id, vote.answered_at,
                               vote.id), ReviewVote(
                    AssignmentId(answer.assignment_id), AnnotatorId(answer.annotator_id),
                    state.annotators[answer.annotator_id].name, ProjectId(answer.project_id),
                    ProjectId(vote.project_id), vote.value, from_ts(vote.answered_at))))
        return [vote for _key, vote in sorted(found, key=lambda pair: pair[0])]

    async def paid(self, annotator_id: AnnotatorId) -> Sequence[PaidTotal]:
        """Return what the annotator was paid, per currency."""
        amounts: dict[str, list[float]] = {}
        for row in self._state.payouts.values():
            if row.annotator_id == annotator_id:
                amounts.setdefault(row.currency, []).append(row.amount)
        return [PaidTotal(currency, round(math.fsum(amounts[currency]), 2))
                for currency in sorted(amounts)]

    async def period_paid(self, period: str) -> bool:
        """Return whether the period was marked paid."""
        return any(row.period == period for row in self._state.payouts.values())

    async def add_payouts(self, period: str, lines: Sequence[EarningLine],
                          references: Sequence[str], now: datetime,
                          paid_by: AnnotatorId) -> int:
        """Record the lines of a period as paid (once each); return how many were added."""
        added = 0
        for line, reference in zip(lines, references, strict=True):
            key = (period, line.annotator_id, line.currency)
            if key not in self._state.payouts:
                self._state.payouts[key] = PayoutRow(
                    period, line.annotator_id, line.currency, line.amount, line.answers,
                    reference, to_ts(now), paid_by)
                added += 1
        return added


class FakeStatsRepository:
    """Read-only counts over ``items``, ``answers`` and ``assignments``, as ``SqliteStats``."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def counts(self, project_id: ProjectId, overlap: int) -> ProjectCounts:
        """Return a project's item and answer counts."""
        items = [i for i in self._state.items.values() if i.project_id == project_id]
        regular = [i for i in items if not i.is_gold]
        return ProjectCounts(
            items=len(regular), gold_items=len(items) - len(regular),
            complete=sum(1 for i in regular if i.answers >= overlap),
            answers=sum(1 for a in self._state.answers.values() if a.project_id == project_id),
            counted=sum(min(i.answers, overlap) for i in regular))

    async def hourly(self, project_id: ProjectId, since: datetime) -> Sequence[HourCount]:
        """Return answers per hour since ``since`` (hours with none omitted)."""
        hours = Counter(int(a.answered_at / 3600) for a in self._state.answers.values()
                        if a.project_id == project_id and a.answered_at >= to_ts(since))
        return [HourCount(from_ts(hour * 3600), count) for hour, count in sorted(hours.items())]

    async def scores(self, project_id: ProjectId) -> Sequence[AnnotatorScore]:
        """Return each annotator's answers and gold results in the project."""
        totals: dict[int, list[int]] = {}
        for answer in self._state.answers.values():
            if answer.project_id != project_id or answer.annotator_id not in \
                    self._state.annotators:
                continue
            total = totals.setdefault(answer.annotator_id, [0, 0, 0])
            total[0] += 1
            total[1] += int(answer.is_gold)
            total[2] += int(answer.correct or 0)
        return [AnnotatorScore(AnnotatorId(who), self._state.annotators[who].name, *totals[who])
                for who in sorted(totals)]

    async def values(self, project_id: ProjectId) -> Sequence[ItemValue]:
        """Return the answers to non-gold items (item and value)."""
        return [ItemValue(ItemId(a.item_id), a.value) for a in self._state.answers.values()
                if a.project_id == project_id and not a.is_gold]

    async def gold_exhausted(self, project_id: ProjectId, active_since: datetime) -> int:
        """Count annotators active since then who have seen every gold item."""
        state = self._state
        gold = sum(1 for i in state.items.values() if i.project_id == project_id and i.is_gold)
        if gold == 0:
            return 0
        active = {a.annotator_id for a in state.answers.values()
                  if a.project_id == project_id and a.answered_at >= to_ts(active_since)}
        handed = Counter(g.annotator_id for g in state.assignments.values()
                         if g.project_id == project_id and g.is_gold)
        return sum(1 for who in active if handed[who] >= gold)

    async def suspended_since(self, project_id: ProjectId, since: datetime) -> int:
        """Count annotators suspended in the project since ``since`` (quality control)."""
        return sum(1 for s in self._state.standings.values()
                   if s.project_id == project_id and s.status == "suspended"
                   and s.updated_at >= to_ts(since))
