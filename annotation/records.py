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
