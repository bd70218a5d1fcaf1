"""Ports of the annotator's loop: assignments handed out and the answers they got."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from annotation.models import AnnotatorId, Answer, Assignment, AssignmentId, ItemId, ProjectId
from annotation.records import ExportAnswer, RecordingRef


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

    async def source_assignment(self, source: str) -> AssignmentId | None:
        """Return the assignment an answer from this source answered, if one was recorded."""
        ...

    async def value_counts(self, item_id: ItemId) -> Mapping[str, int]:
        """Return how many accepted (not excluded) answers gave each value to an item."""
        ...

    async def unchecked_recordings(self, source_id: ProjectId, check_id: ProjectId,
                                   limit: int) -> Sequence[RecordingRef]:
        """Return the accepted answers of a recording project that no item of the check
        project names yet (item ``rec-<assignment id>``), oldest first."""
        ...

    async def review_counts(self, source_id: ProjectId, check_ids: Sequence[ProjectId]
                            ) -> Mapping[AssignmentId, Mapping[str, int]]:
        """Return, for each answer of ``source_id`` that items of the check projects name
        (``rec-<assignment id>``), how many accepted check answers gave each value, summed
        over the check projects."""
        ...

    async def recorded_file(self, project_id: ProjectId, file_unique_id: str) -> bool:
        """Return whether a recording with this Telegram ``file_unique_id`` is recorded
        in the project (an answer's detail names it)."""
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
        """Return up to ``limit`` answers after an ``(item, answer)`` key, in that order
        (none to a retired item)."""
        ...

    async def export_rows(self, project_id: ProjectId) -> Sequence[ExportAnswer]:
        """Return every answer of a project with its item and annotator, in answer order
        (none to a retired item)."""
        ...
