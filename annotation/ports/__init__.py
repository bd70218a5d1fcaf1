"""Ports: what the use cases need from storage, as Protocols.

``storage/`` implements them on SQLite; tests may implement them in memory. A write unit of
work is one serialized transaction: every repository call inside it sees and changes one
consistent state, and nothing is visible to others until it commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from annotation.models import (
    Annotator,
    AnnotatorId,
    AnnotatorStats,
    Answer,
    Assignment,
    AssignmentId,
    Item,
    ItemId,
    Media,
    MediaKey,
    Project,
    ProjectId,
    ProjectSpec,
    ProjectStatus,
    Role,
)
from annotation.ports.console import (
    AuditRepository,
    EarningsRepository,
    OutboxRepository,
    ReminderRepository,
    StatsRepository,
)
from annotation.ports.quality import QualityRepository
from annotation.records import ExportAnswer, ItemDraftRecord, ItemTally, ItemVotes


class AnnotatorRepository(Protocol):
    """Annotators and their settings."""

    async def get(self, annotator_id: AnnotatorId) -> Annotator | None:
        """Return the annotator or None."""
        ...

    async def upsert(self, annotator_id: AnnotatorId, name: str, language: str,
                     now: datetime) -> Annotator:
        """Create the annotator if new (keeping an existing one's settings) and return it."""
        ...

    async def set_language(self, annotator_id: AnnotatorId, language: str) -> None:
        """Store the annotator's chosen language."""
        ...

    async def set_project(self, annotator_id: AnnotatorId, project_id: ProjectId | None) -> None:
        """Store the project the annotator works on."""
        ...

    async def set_role(self, annotator_id: AnnotatorId, role: Role) -> None:
        """Store the annotator's role."""
        ...

    async def set_blocked(self, annotator_id: AnnotatorId, blocked: bool) -> None:
        """Mark whether the annotator blocked the bot."""
        ...

    async def stats(self, annotator_id: AnnotatorId, project_id: ProjectId | None
                    ) -> AnnotatorStats:
        """Return tasks done and gold results, in one project or overall."""
        ...


class ProjectRepository(Protocol):
    """Projects."""

    async def add(self, spec: ProjectSpec, status: ProjectStatus, invite_code: str,
                  created_by: AnnotatorId | None, now: datetime) -> Project:
        """Store a new project and return it."""
        ...

    async def get(self, project_id: ProjectId) -> Project | None:
        """Return the project or None."""
        ...

    async def by_invite(self, invite_code: str) -> Project | None:
        """Return the project with this invite code or None."""
        ...

    async def by_name(self, name: str) -> Project | None:
        """Return the newest project with this name or None."""
        ...

    async def all(self) -> Sequence[Project]:
        """Return every project, newest first."""
        ...

    async def set_status(self, project_id: ProjectId, status: ProjectStatus) -> None:
        """Change a project's status."""
        ...


class ItemRepository(Protocol):
    """Items and the counters that drive assignment."""

    async def add_many(self, project_id: ProjectId, drafts: Sequence[ItemDraftRecord]) -> int:
        """Store items (media already stored) and return how many were added."""
        ...

    async def get(self, item_id: ItemId) -> Item | None:
        """Return the item or None."""
        ...

    async def next_regular(self, project_id: ProjectId, annotator_id: AnnotatorId,
                           overlap: int, min_overlap: int) -> ItemId | None:
        """Return the open non-gold item closest to completion the annotator has never had
        (unsettled, under :func:`annotation.loop.assignment.slots_allowed`)."""
        ...

    async def settle(self, item_id: ItemId, settled: bool = True) -> None:
        """Stop (or resume) handing out an item, as the adaptive-overlap rule decides."""
        ...

    async def undecided(self, project_id: ProjectId, min_answers: int,
                        overlap: int) -> Sequence[ItemVotes]:
        """Return the regular items with ``min_answers`` to ``overlap - 1`` answers and
        their votes, in id order."""
        ...

    async def set_settled(self, changes: Sequence[tuple[ItemId, bool, int]]) -> int:
        """Apply (item, settled, answers) decisions to items whose answer count is still
        ``answers``; return how many changed."""
        ...

    async def unseen_gold(self, project_id: ProjectId, annotator_id: AnnotatorId,
                          limit: int) -> Sequence[ItemId]:
        """Return up to ``limit`` gold items the annotator has never had."""
        ...

    async def tallies(self, project_id: ProjectId) -> Sequence[ItemTally]:
        """Return every item with its answer count, in id order."""
        ...


class AssignmentRepository(Protocol):
    """Assignments: items handed to annotators."""

    async def add(self, project_id: ProjectId, item_id: ItemId, annotator_id: AnnotatorId,
                  is_gold: bool, now: datetime, deadline: datetime) -> Assignment:
        """Hand an item to an annotator (counts it as live on the item)."""
        ...

    async def get(self, assignment_id: AssignmentId) -> Assignment | None:
        """Return the assignment or None."""
        ...

    async def active_for(self, annotator_id: AnnotatorId) -> Assignment | None:
        """Return the annotator's active assignment, if any."""
        ...

    async def close(self, assignment: Assignment, status: str) -> None:
        """Mark an active assignment answered, skipped or expired (adjusting item counters)."""
        ...

    async def reopen(self, assignment: Assignment, now: datetime, deadline: datetime) -> None:
        """Make an answered assignment active again (undo)."""
        ...

    async def discard(self, assignment: Assignment) -> None:
        """Delete a never-answered active assignment, as if it had not been handed out."""
        ...

    async def set_draft(self, assignment_id: AssignmentId, draft: str) -> None:
        """Store the multiple-choice toggles of an active assignment."""
        ...

    async def expire_due(self, now: datetime) -> int:
        """Expire every active assignment past its deadline; return how many."""
        ...

    async def next_deadline(self) -> datetime | None:
        """Return the earliest deadline of an active assignment."""
        ...


class AnswerRepository(Protocol):
    """Answers: the system of record."""

    async def add(self, answer: Answer, source: str | None, project_id: ProjectId) -> bool:
        """Record an answer; return False if this assignment or source was already recorded."""
        ...

    async def for_assignment(self, assignment_id: AssignmentId) -> Answer | None:
        """Return the answer given to an assignment, if any."""
        ...

    async def seen_source(self, source: str) -> bool:
        """Return whether an answer from this source (message) was already recorded."""
        ...

    async def last_by(self, annotator_id: AnnotatorId) -> Answer | None:
        """Return the annotator's most recent answer."""
        ...

    async def delete(self, assignment_id: AssignmentId) -> None:
        """Remove the answer to an assignment (undo)."""
        ...

    async def item_votes(self, item_id: ItemId) -> Sequence[tuple[AnnotatorId, str]]:
        """Return the accepted (annotator, answer) pairs of one item."""
        ...

    async def gold_record(self, project_id: ProjectId, annotator_ids: Sequence[AnnotatorId]
                          ) -> dict[AnnotatorId, tuple[int, int]]:
        """Return each annotator's (correct, total) gold answers in the project."""
        ...

    async def export_batch(self, project_id: ProjectId, after: tuple[int, int] | None,
                           limit: int) -> Sequence[tuple[tuple[int, int], ExportAnswer]]:
        """Return up to ``limit`` answers after an ``(item, answer)`` key, in that order."""
        ...

    async def export_rows(self, project_id: ProjectId) -> Sequence[ExportAnswer]:
        """Return every answer of a project with its item and annotator, in answer order."""
        ...


class MediaRepository(Protocol):
    """Prepared media and the Telegram file ids they were uploaded as."""

    async def add(self, key: MediaKey, kind: str, filename: str, mime: str, send_as: str,
                  data: bytes) -> None:
        """Store media bytes once (a second store of the same key changes nothing)."""
        ...

    async def get(self, key: MediaKey) -> Media | None:
        """Return media metadata (no bytes) or None."""
        ...

    async def data(self, key: MediaKey) -> bytes:
        """Return the media bytes."""
        ...

    async def set_file_id(self, key: MediaKey, file_id: str) -> None:
        """Remember the Telegram file id of uploaded media."""
        ...


class SecretRepository(Protocol):
    """Secrets of the installation."""

    async def get_or_create(self, name: str, value: bytes) -> bytes:
        """Return the secret ``name``, storing ``value`` first if there is none yet."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository."""

    @property
    def annotators(self) -> AnnotatorRepository:
        """Return the annotators repository of this transaction."""
        ...

    @property
    def projects(self) -> ProjectRepository:
        """Return the projects repository of this transaction."""
        ...

    @property
    def items(self) -> ItemRepository:
        """Return the items repository of this transaction."""
        ...

    @property
    def assignments(self) -> AssignmentRepository:
        """Return the assignments repository of this transaction."""
        ...

    @property
    def answers(self) -> AnswerRepository:
        """Return the answers repository of this transaction."""
        ...

    @property
    def media(self) -> MediaRepository:
        """Return the media repository of this transaction."""
        ...

    @property
    def quality(self) -> QualityRepository:
        """Return the quality repository (standings, evidence, exclusions) of this transaction."""
        ...

    @property
    def audit(self) -> AuditRepository:
        """Return the audit log of this transaction."""
        ...

    @property
    def outbox(self) -> OutboxRepository:
        """Return the broadcasts and outbox of this transaction."""
        ...

    @property
    def reminders(self) -> ReminderRepository:
        """Return the reminder settings of this transaction."""
        ...

    @property
    def earnings(self) -> EarningsRepository:
        """Return the earnings and payouts of this transaction."""
        ...

    @property
    def stats(self) -> StatsRepository:
        """Return the statistics queries of this transaction."""
        ...

    @property
    def secrets(self) -> SecretRepository:
        """Return the secrets repository of this transaction."""
        ...


class Store(Protocol):
    """Opens units of work."""

    def write(self, *, bulk: bool = False) -> AbstractAsyncContextManager[UnitOfWork]:
        """Open a serialized write transaction, committed when the block exits cleanly.

        ``bulk``: a long transaction (an import, a payout): the store runs it so that the
        annotators' short transactions are not stalled behind it.
        """
        ...

    def read(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """Open a read-only snapshot."""
        ...

    def snapshot(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """Open a long read on a connection of its own (exports), blocking no one."""
        ...
