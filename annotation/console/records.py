"""Values of the coordinator's console that cross the storage boundary: broadcasts and
their outbox, reminder rules, earnings counts and statistics rows.

They live apart from the services that use them so that the ports (``annotation.ports``)
can name them without importing a service module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from annotation.models import AnnotatorId, AssignmentId, ItemId, ProjectId

MIN_GOLD = 3  # checked answers before an annotator's gold accuracy is shown


class BroadcastKind(StrEnum):
    """What is sent: a coordinator's message, or a text the bot writes per language."""

    MESSAGE = "message"
    PROJECT_OPENED = "project_opened"
    REMINDER = "reminder"


class AudienceKind(StrEnum):
    """Who receives a broadcast."""

    ALL = "all"
    PROJECT = "project"  # the annotators working on a project
    IDLE = "idle"  # annotators with no answer for N days
    REMINDER = "reminder"  # a project's idle, unmuted annotators not yet reminded


class BroadcastStatus(StrEnum):
    """A broadcast's life: drafted, confirmed (sending), done or cancelled."""

    DRAFT = "draft"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    """An outbox row's state."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a broadcast goes to."""

    kind: AudienceKind
    project_id: ProjectId | None = None
    idle_days: int | None = None


@dataclass(frozen=True, slots=True)
class AudienceRequest:
    """An audience as typed by a coordinator (the project not yet looked up)."""

    kind: AudienceKind
    project_ref: str = ""
    idle_days: int | None = None


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A stored broadcast."""

    id: int
    kind: BroadcastKind
    created_by: AnnotatorId | None
    created_at: datetime
    audience: Audience
    text: str
    photo_file_id: str | None
    status: BroadcastStatus
    progress_chat: int | None = None
    progress_message: int | None = None


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One outbox row claimed for sending, with what rendering needs."""

    broadcast_id: int
    annotator_id: AnnotatorId
    name: str
    language: str
    attempts: int


@dataclass(frozen=True, slots=True)
class BroadcastProgress:
    """How far a broadcast has got."""

    total: int
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    uncertain: int = 0

    @property
    def done(self) -> int:
        """Return how many rows reached a final state."""
        return self.sent + self.blocked + self.failed + self.uncertain

    @property
    def finished(self) -> bool:
        """Return whether every row reached a final state."""
        return self.done >= self.total

    def plus(self, status: DeliveryStatus) -> BroadcastProgress:
        """Return the progress with one more row in ``status``."""
        return BroadcastProgress(
            self.total,
            self.sent + (status is DeliveryStatus.SENT),
            self.blocked + (status is DeliveryStatus.BLOCKED),
            self.failed + (status is DeliveryStatus.FAILED),
            self.uncertain + (status is DeliveryStatus.UNCERTAIN),
        )


@dataclass(frozen=True, slots=True)
class AnswerCount:
    """Accepted answers of one annotator in one project."""

    annotator_id: AnnotatorId
    name: str
    project_id: ProjectId
    answers: int


@dataclass(frozen=True, slots=True)
class ReviewVote:
    """One vote of a reviewing project (a check) on an answer that earns once accepted
    (a recording, ``TaskKind.paid_on_review``), with who gave that answer."""

    assignment_id: AssignmentId  # the reviewed answer's
    annotator_id: AnnotatorId  # who gave the reviewed answer
    name: str
    project_id: ProjectId  # the reviewed answer's project
    reviewer_project: ProjectId  # the project the vote was given in
    value: str
    at: datetime


@dataclass(frozen=True, slots=True)
class EarningLine:
    """What one annotator earned in one currency."""

    annotator_id: AnnotatorId
    name: str
    currency: str
    answers: int
    amount: float


@dataclass(frozen=True, slots=True)
class PaidTotal:
    """What an annotator was paid in one currency."""

    currency: str
    amount: float


@dataclass(frozen=True, slots=True)
class ReminderRule:
    """An open project that reminds annotators idle for ``seconds``."""

    project_id: ProjectId
    seconds: float


@dataclass(frozen=True, slots=True)
class ProjectCounts:
    """Items and answers of a project."""

    items: int  # regular (non-gold) items
    gold_items: int
    complete: int  # regular items with ``overlap`` answers
    answers: int  # every answer, gold included
    counted: int  # answers to regular items, at most ``overlap`` per item

    def progress(self, overlap: int) -> float:
        """Return the share of the wanted answers given (0..1)."""
        needed = self.items * overlap
        return min(1.0, self.counted / needed) if needed else 1.0


@dataclass(frozen=True, slots=True)
class HourCount:
    """Answers given in one hour."""

    hour: datetime
    answers: int


@dataclass(frozen=True, slots=True)
class AnnotatorScore:
    """One annotator's work in a project."""

    annotator_id: AnnotatorId
    name: str
    answers: int
    gold_answered: int
    gold_correct: int

    @property
    def accuracy(self) -> float | None:
        """Return the gold accuracy, or None without enough checked answers."""
        return self.gold_correct / self.gold_answered if self.gold_answered >= MIN_GOLD else None


@dataclass(frozen=True, slots=True)
class ItemValue:
    """One answer to a regular item."""

    item_id: ItemId
    value: str
