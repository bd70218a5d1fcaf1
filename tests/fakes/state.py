"""The in-memory tables behind the fake store, one per SQL table of ``storage/migrations``.

Each row is a small mutable dataclass whose fields are the table's columns, with the same
stored forms: times as Unix seconds (``to_ts``/``from_ts``), enums as their string values,
JSON columns as JSON text, flags as ``bool``. Tables are dicts keyed by the primary key, in
insertion order. ``new_id`` hands out ids as SQLite does for an ``INTEGER PRIMARY KEY``
(the largest id so far plus one), so ids match the real engine's row for row.

Fake repositories (``tests/fakes/*.py``) are built per unit of work as ``Cls(state)`` over
the state that unit of work sees (a deep copy while writing): no clock, every time comes in
as an argument, as in ``storage/repositories``. They keep the counters the SQL triggers keep
(``ItemRow.answers`` and ``ItemRow.live``, migrations 006-007) themselves.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, TypeVar

from annotation.models import ProjectSpec

T = TypeVar("T")


def to_ts(moment: datetime) -> float:
    """Return a timezone-aware datetime as Unix seconds (as ``storage.codecs`` stores it)."""
    return moment.timestamp()


def from_ts(seconds: float) -> datetime:
    """Return Unix seconds as an aware UTC datetime (as ``storage.codecs`` reads it)."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def new_id(table: dict[int, Any]) -> int:
    """Return the id SQLite gives the next row of a table keyed by ``INTEGER PRIMARY KEY``."""
    return next(reversed(table), 0) + 1


def limited(rows: Sequence[T], limit: int) -> list[T]:
    """Return the first ``limit`` rows, as SQL ``LIMIT`` does (a negative limit: all)."""
    return list(rows) if limit < 0 else list(rows[:limit])


def counter_drift(state: FakeState) -> list[tuple[int, ...]]:
    """Return ``(item, answers, counted rows, live, active rows)`` for every item whose
    counters differ from its rows (empty when the invariant holds), as
    ``tests/storage/counters.py`` checks it on SQLite."""
    counted = {item_id: 0 for item_id in state.items}
    active = dict(counted)
    for answer in state.answers.values():
        if not answer.excluded:
            counted[answer.item_id] += 1
    for assignment in state.assignments.values():
        if assignment.status == "active":
            active[assignment.item_id] += 1
    return [(i.id, i.answers, counted[i.id], i.live, active[i.id])
            for i in state.items.values()
            if (i.answers, i.live) != (counted[i.id], active[i.id])]


class IntegrityError(Exception):
    """A UNIQUE or CHECK constraint the SQL schema enforces was violated."""


@dataclass
class ProjectRow:
    """A row of ``projects`` (001, ``remind_after`` from 003); ``spec`` kept decoded."""

    id: int
    name: str
    spec: ProjectSpec
    status: str
    invite_code: str
    created_by: int | None
    created_at: float
    remind_after: float | None = None


@dataclass
class AnnotatorRow:
    """A row of ``annotators`` (001; ``muted`` and ``reminded_at`` from 003)."""

    id: int
    name: str
    language: str
    joined_at: float
    role: str = "annotator"
    current_project: int | None = None
    blocked: bool = False
    muted: bool = False
    reminded_at: float | None = None


@dataclass
class MediaRow:
    """A row of ``media`` (001), keyed by the sha256 of its bytes."""

    key: str
    kind: str
    filename: str
    mime: str
    send_as: str
    data: bytes
    file_id: str | None = None
    phone_key: str | None = None  # 015: the copy sent to phones instead


@dataclass
class ItemRow:
    """A row of ``items`` (001; ``settled`` from 005, ``payload`` from 009); ``answers``
    counts the answers not excluded, ``live`` the active assignments (triggers of 006-007)."""

    id: int
    project_id: int
    external_id: str
    kind: str
    text: str
    media_key: str | None
    gold_answer: str | None
    explanation: str | None
    training: bool = False
    answers: int = 0
    live: int = 0
    settled: bool = False
    payload: str = ""  # the kind's own data (009)
    author: int | None = None  # whose work the item is made of (012)
    retired_at: float | None = None  # a check of a take taken back (014)

    @property
    def is_gold(self) -> bool:
        """The generated column ``is_gold``: the item has a gold answer."""
        return self.gold_answer is not None

    @property
    def fill(self) -> int:
        """The generated column ``fill``: answers plus live assignments."""
        return self.answers + self.live


@dataclass
class AssignmentRow:
    """A row of ``assignments`` (001; ``stage`` and ``attempt`` from 002)."""

    id: int
    project_id: int
    item_id: int
    annotator_id: int
    status: str
    is_gold: bool
    assigned_at: float
    deadline: float
    draft: str = ""
    stage: str = "production"
    attempt: int = 0


@dataclass
class AnswerRow:
    """A row of ``answers`` (001; ``excluded`` from 002, ``detail`` from 009, ``checks``
    from 010)."""

    id: int
    assignment_id: int
    project_id: int
    item_id: int
    annotator_id: int
    value: str
    seconds: float
    is_gold: bool
    correct: bool | None
    source: str | None
    answered_at: float
    excluded: bool = False
    detail: str = ""  # what the answer says beyond its label (009)
    checks: tuple[tuple[str, bool], ...] = ()  # per-question gold checks (010)


@dataclass
class StandingRow:
    """A row of ``standings`` (002), keyed by (project, annotator); ``evidence`` is JSON
    text, ``notified`` the comma-joined rule codes."""

    project_id: int
    annotator_id: int
    phase: str
    updated_at: float
    status: str = "active"
    attempt: int = 1
    failures: int = 0
    retry_at: float | None = None
    rule: str | None = None
    evidence: str = "{}"
    appeal: str = "none"
    grace: int = 0
    notified: str = ""


@dataclass
class QualityEventRow:
    """A row of ``quality_events`` (002); at most one ``needs_gold`` per project."""

    id: int
    project_id: int
    annotator_id: int | None
    kind: str
    rule: str | None
    evidence: str
    actor_id: int | None
    created_at: float


@dataclass
class AuditRow:
    """A row of ``audit_log`` (003)."""

    id: int
    at: float
    actor_id: int
    action: str
    subject: str = ""
    details: str = ""


@dataclass
class BroadcastRow:
    """A row of ``broadcasts`` (003)."""

    id: int
    kind: str
    created_by: int | None
    created_at: float
    audience: str
    project_id: int | None
    idle_days: int | None
    text: str
    photo_file_id: str | None
    status: str
    progress_chat: int | None = None
    progress_message: int | None = None
    finished_at: float | None = None


@dataclass
class OutboxRow:
    """A row of ``outbox`` (003), keyed by (broadcast, annotator)."""

    broadcast_id: int
    annotator_id: int
    status: str = "pending"
    attempts: int = 0
    sent_at: float | None = None


@dataclass
class PayoutRow:
    """A row of ``payouts`` (003), keyed by (period, annotator, currency)."""

    period: str
    annotator_id: int
    currency: str
    amount: float
    answers: int
    reference: str
    paid_at: float
    paid_by: int


@dataclass
class SpeakerRow:
    """A row of ``speakers`` (013), keyed by annotator."""

    annotator_id: int
    gender: str | None = None
    age_band: str | None = None
    region: str | None = None
    consented_at: float | None = None
    withdrawn_at: float | None = None


@dataclass
class FakeState:
    """Every table of the schema: what one committed database holds."""

    projects: dict[int, ProjectRow] = field(default_factory=dict)
    annotators: dict[int, AnnotatorRow] = field(default_factory=dict)
    media: dict[str, MediaRow] = field(default_factory=dict)
    items: dict[int, ItemRow] = field(default_factory=dict)
    assignments: dict[int, AssignmentRow] = field(default_factory=dict)
    answers: dict[int, AnswerRow] = field(default_factory=dict)
    standings: dict[tuple[int, int], StandingRow] = field(default_factory=dict)
    quality_events: dict[int, QualityEventRow] = field(default_factory=dict)
    audit_log: dict[int, AuditRow] = field(default_factory=dict)
    broadcasts: dict[int, BroadcastRow] = field(default_factory=dict)
    outbox: dict[tuple[int, int], OutboxRow] = field(default_factory=dict)
    payouts: dict[tuple[str, int, str], PayoutRow] = field(default_factory=dict)
    secrets: dict[str, bytes] = field(default_factory=dict)
    speakers: dict[int, SpeakerRow] = field(default_factory=dict)

    def copy(self) -> FakeState:
        """Return a copy sharing no row with this state (a transaction's working copy).

        Every field of a row is an immutable value, so copying each row is a deep copy.
        """
        return FakeState(**{
            f.name: {key: copy.copy(row) for key, row in getattr(self, f.name).items()}
            for f in fields(self)
        })
