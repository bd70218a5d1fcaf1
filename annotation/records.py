"""Flat records that cross the storage boundary for bulk work (imports, exports)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from annotation.models import (
    DEFAULT_LANGUAGE,
    AnnotatorId,
    Answer,
    AssignmentId,
    ItemId,
    MediaKey,
    MediaKind,
    Project,
    Role,
)


@dataclass(frozen=True, slots=True)
class ItemDraftRecord:
    """An item ready to store, its media already stored under ``media_key``."""

    external_id: str
    kind: MediaKind
    text: str
    media_key: MediaKey | None
    gold_answer: str | None
    explanation: str | None
    training: bool
    payload: str = ""  # the kind's own data (annotation/kinds/)
    author: AnnotatorId | None = None  # whose work the item is made of: never handed to them


@dataclass(frozen=True, slots=True)
class RecordingRef:
    """A recording (an answer to a recording task) that no check item names yet."""

    assignment_id: AssignmentId
    annotator_id: AnnotatorId
    media_key: MediaKey
    text: str  # what the speaker was asked to read (or talk about)


@dataclass(frozen=True, slots=True)
class ItemTally:
    """An item with what an export needs to know of it."""

    item_id: ItemId
    external_id: str
    kind: MediaKind
    text: str
    media_filename: str | None
    gold_answer: str | None
    answers: int
    media_key: MediaKey | None = None
    payload: str = ""  # the kind's own data (annotation/kinds/)


@dataclass(frozen=True, slots=True)
class ItemVotes:
    """A regular item's accepted votes, for the adaptive-overlap sweep."""

    item_id: ItemId
    answers: int  # the item's answer counter when read
    settled: bool
    votes: tuple[tuple[AnnotatorId, str], ...]


@dataclass(frozen=True, slots=True)
class ExportAnswer(Answer):
    """One raw answer as exported: the answer, its item's external id, and whether it counts."""

    external_id: str
    excluded: bool = False  # a suspended annotator's: kept, left out of aggregation


@dataclass(frozen=True, slots=True)
class ProjectSnapshot:
    """A project with all its items and answers, read in one snapshot (checks, benchmarks)."""

    project: Project
    items: Sequence[ItemTally]
    answers: Sequence[ExportAnswer]


class AuditAction(StrEnum):
    """What the audit log records."""

    PROMOTE = "role.promote"
    DEMOTE = "role.demote"
    PROJECT_CREATE = "project.create"
    PROJECT_OPEN = "project.open"
    PROJECT_PAUSE = "project.pause"
    PROJECT_CLOSE = "project.close"
    PROJECT_REMINDERS = "project.reminders"
    BROADCAST = "broadcast.send"
    PAYOUT_EXPORT = "payout.export"
    PAYOUT_MARK = "payout.mark_paid"
    EXPORT = "project.export"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log."""

    at: datetime
    actor_id: AnnotatorId
    action: AuditAction
    subject: str = ""
    details: str = ""


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A coordinator (or admin) as listed by ``/promote``, with their chosen language."""

    id: AnnotatorId
    name: str
    role: Role
    language: str = DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Speaker:
    """What an annotator who records said about themselves (``/speaker``, each detail
    optional), and when they last withdrew their recordings (``/withdraw``).

    Details are codes (``annotation.loop.speakers``), None where not given. Every
    recording made at or before ``withdrawn_at`` is withdrawn; the speaker records again
    only after consenting anew (``consented_at`` later than ``withdrawn_at``).
    """

    annotator_id: AnnotatorId
    gender: str | None = None
    age_band: str | None = None
    region: str | None = None
    consented_at: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def withdrawn(self) -> bool:
        """Return whether the speaker withdrew and has not consented since."""
        return self.withdrawn_at is not None and (
            self.consented_at is None or self.consented_at <= self.withdrawn_at)
