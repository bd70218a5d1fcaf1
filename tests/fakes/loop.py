"""In-memory assignments and answers (``annotation.ports.loop``), as ``SqliteAssignments``
and ``SqliteAnswers`` do them.

The SQL triggers of migrations 006-007 are done by hand here: ``ItemRow.live`` follows every
insert, status change and delete of an active assignment, ``ItemRow.answers`` every insert,
delete and exclusion of an answer. Constraints are checked as the schema does: an annotator
never gets an item twice nor holds two active assignments (``IntegrityError``); a second
answer to an assignment, from a source, or to an item by one annotator is ignored
(``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from annotation.models import (
    AnnotatorId,
    Answer,
    Assignment,
    AssignmentId,
    AssignmentStatus,
    ItemId,
    MediaKey,
    ProjectId,
)
from annotation.records import ExportAnswer, RecordingRef
from tests.fakes.state import (
    AnswerRow,
    AssignmentRow,
    FakeState,
    IntegrityError,
    from_ts,
    limited,
    new_id,
    to_ts,
)

ACTIVE = AssignmentStatus.ACTIVE.value
ANSWERED = AssignmentStatus.ANSWERED.value


def assignment_of(row: AssignmentRow) -> Assignment:
    """Return the domain assignment of a row."""
    return Assignment(
        id=AssignmentId(row.id),
        project_id=ProjectId(row.project_id),
        item_id=ItemId(row.item_id),
        annotator_id=AnnotatorId(row.annotator_id),
        status=AssignmentStatus(row.status),
        is_gold=row.is_gold,
        assigned_at=from_ts(row.assigned_at),
        deadline=from_ts(row.deadline),
        draft=row.draft,
    )


def answer_of(row: AnswerRow) -> Answer:
    """Return the domain answer of a row."""
    return Answer(AssignmentId(row.assignment_id), ItemId(row.item_id),
                  AnnotatorId(row.annotator_id), row.value, row.seconds, row.is_gold,
                  row.correct, from_ts(row.answered_at), detail=row.detail,
                  checks=row.checks)


def export_of(row: AnswerRow, state: FakeState, *, detail: bool = False) -> ExportAnswer:
    """Return an answer as exported, with its item's external id (and its ``detail``, which
    ``export_rows`` leaves out, as ``SqliteAnswers`` does)."""
    return ExportAnswer(AssignmentId(row.assignment_id), ItemId(row.item_id),
                        AnnotatorId(row.annotator_id), row.value, row.seconds, row.is_gold,
                        row.correct, from_ts(row.answered_at),
                        state.items[row.item_id].external_id, row.excluded,
                        detail=row.detail if detail else "")


def set_status(state: FakeState, row: AssignmentRow, status: str) -> None:
    """Change an assignment's status, moving its item's live counter (trigger
    ``assignments_count_status``)."""
    if status == row.status:
        return
    if status == ACTIVE and any(g.annotator_id == row.annotator_id and g.status == ACTIVE
                                for g in state.assignments.values()):
        raise IntegrityError("UNIQUE constraint failed: assignments.annotator_id")
    item = state.items.get(row.item_id)
    if item is not None:
        item.live += (status == ACTIVE) - (row.status == ACTIVE)
    row.status = status


class FakeAssignmentRepository:
    """The ``assignments`` table."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def add(self, project_id: ProjectId, item_id: ItemId, annotator_id: AnnotatorId,
                  is_gold: bool, now: datetime, deadline: datetime) -> Assignment:
        """Hand an item to an annotator (counts it as live on the item)."""
        state = self._state
        if (project_id not in state.projects or item_id not in state.items
                or annotator_id not in state.annotators):
            raise IntegrityError("FOREIGN KEY constraint failed")
        for g in state.assignments.values():
            if g.annotator_id == annotator_id and g.item_id == item_id:
                raise IntegrityError("UNIQUE constraint failed: assignments.item_id, "
                                     "assignments.annotator_id")
            if g.annotator_id == annotator_id and g.status == ACTIVE:
                raise IntegrityError("UNIQUE constraint failed: assignments.annotator_id")
        row_id = new_id(state.assignments)
        row = AssignmentRow(row_id, project_id, item_id, annotator_id, ACTIVE, bool(is_gold),
                            to_ts(now), to_ts(deadline))
        state.assignments[row_id] = row
        state.items[item_id].live += 1  # trigger assignments_count_insert
        return assignment_of(row)

    async def get(self, assignment_id: AssignmentId) -> Assignment | None:
        """Return the assignment or None."""
        row = self._state.assignments.get(assignment_id)
        return assignment_of(row) if row else None

    async def active_for(self, annotator_id: AnnotatorId) -> Assignment | None:
        """Return the annotator's active assignment, if any."""
        for row in self._state.assignments.values():
            if row.annotator_id == annotator_id and row.status == ACTIVE:
                return assignment_of(row)
        return None

    async def close(self, assignment: Assignment, status: str) -> None:
        """Mark an active assignment answered, skipped or expired (adjusting item counters)."""
        closed = AssignmentStatus(status)
        if closed is AssignmentStatus.ACTIVE:
            raise ValueError("close() needs a final status")
        row = self._state.assignments.get(assignment.id)
        if row is not None and row.status == ACTIVE:
            set_status(self._state, row, closed.value)
            row.draft = ""

    async def reopen(self, assignment: Assignment, now: datetime, deadline: datetime) -> None:
        """Make an answered assignment active again (undo)."""
        row = self._state.assignments.get(assignment.id)
        if row is not None and row.status == ANSWERED:
            set_status(self._state, row, ACTIVE)
            row.assigned_at, row.deadline = to_ts(now), to_ts(deadline)

    async def discard(self, assignment: Assignment) -> None:
        """Delete a never-answered active assignment, as if it had not been handed out."""
        row = self._state.assignments.get(assignment.id)
        if row is not None and row.status == ACTIVE:
            del self._state.assignments[row.id]
            if row.item_id in self._state.items:  # trigger assignments_count_delete
                self._state.items[row.item_id].live -= 1

    async def set_draft(self, assignment_id: AssignmentId, draft: str) -> None:
        """Store the multiple-choice toggles of an active assignment."""
        row = self._state.assignments.get(assignment_id)
        if row is not None and row.status == ACTIVE:
            row.draft = draft

    async def expire_due(self, now: datetime) -> int:
        """Expire every active assignment past its deadline; return how many."""
        moment = to_ts(now)
        due = [g for g in self._state.assignments.values()
               if g.status == ACTIVE and g.deadline < moment]
        for row in due:
            set_status(self._state, row, AssignmentStatus.EXPIRED.value)
            row.draft = ""
        return len(due)

    async def next_deadline(self) -> datetime | None:
        """Return the earliest deadline of an active assignment."""
        deadlines = [g.deadline for g in self._state.assignments.values() if g.status == ACTIVE]
        return from_ts(min(deadlines)) if deadlines else None


class FakeAnswerRepository:
    """The ``answers`` table."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def add(self, answer: Answer, source: str | None, project_id: ProjectId) -> bool:
        """Record an answer; return False if this assignment or source was already recorded."""
        state = self._state
        for a in state.answers.values():  # UNIQUE ... ON CONFLICT DO NOTHING
            if (a.assignment_id == answer.assignment_id
                    or (source is not None and a.source == source)
                    or (a.item_id == answer.item_id and a.annotator_id == answer.annotator_id)):
                return False
        if (answer.assignment_id not in state.assignments or project_id not in state.projects
                or answer.item_id not in state.items
                or answer.annotator_id not in state.annotators):
            raise IntegrityError("FOREIGN KEY constraint failed")
        row_id = new_id(state.answers)
        state.answers[row_id] = AnswerRow(
            row_id, answer.assignment_id, project_id, answer.item_id, answer.annotator_id,
            answer.value, answer.seconds, bool(answer.is_gold),
            None if answer.correct is None else bool(answer.correct), source,
            to_ts(answer.answered_at), detail=answer.detail, checks=answer.checks)
        state.items[answer.item_id].answers += 1  # trigger answers_count_insert
        return True

    async def for_assignment(self, assignment_id: AssignmentId) -> Answer | None:
        """Return the answer given to an assignment, if any."""
        for row in self._state.answers.values():
            if row.assignment_id == assignment_id:
                return answer_of(row)
        return None

    async def seen_source(self, source: str) -> bool:
        """Return whether an answer from this source (message) was already recorded."""
        return any(a.source == source for a in self._state.answers.values())

    async def source_assignment(self, source: str) -> AssignmentId | None:
        """Return the assignment an answer from this source answered, if one was recorded."""
        return next((AssignmentId(a.assignment_id) for a in self._state.answers.values()
                     if a.source == source), None)

    async def value_counts(self, item_id: ItemId) -> Mapping[str, int]:
        """Return how many accepted (not excluded) answers gave each value to an item."""
        counts: dict[str, int] = {}
        for answer in self._state.answers.values():
            if answer.item_id == item_id and not answer.excluded:
                counts[answer.value] = counts.get(answer.value, 0) + 1
        return dict(sorted(counts.items()))

    async def unchecked_recordings(self, source_id: ProjectId, check_id: ProjectId,
                                   limit: int) -> Sequence[RecordingRef]:
        """Return the accepted answers of a recording project that no item of the check
        project names yet (item ``rec-<assignment id>``), oldest first; none that its
        speaker withdrew (at or before ``speakers.withdrawn_at``)."""
        made = {i.external_id for i in self._state.items.values() if i.project_id == check_id}
        cutoffs = {s.annotator_id: s.withdrawn_at for s in self._state.speakers.values()
                   if s.withdrawn_at is not None}
        fresh = [a for a in sorted(self._state.answers.values(), key=lambda a: a.id)
                 if a.project_id == source_id and not a.excluded
                 and f"rec-{a.assignment_id}" not in made
                 and a.answered_at > cutoffs.get(a.annotator_id, float("-inf"))]
        return [RecordingRef(AssignmentId(a.assignment_id), AnnotatorId(a.annotator_id),
                             MediaKey(a.value), self._state.items[a.item_id].text)
                for a in fresh[:limit]]

    async def review_counts(self, source_id: ProjectId, check_ids: Sequence[ProjectId]
                            ) -> Mapping[AssignmentId, Mapping[str, int]]:
        """Return, for each answer of ``source_id`` that items of the check projects name
        (``rec-<assignment id>``), how many accepted check answers gave each value, summed
        over the check projects."""
        state = self._state
        named = {f"rec-{a.assignment_id}": AssignmentId(a.assignment_id)
                 for a in state.answers.values() if a.project_id == source_id}
        checks = {i.id: named[i.external_id] for i in state.items.values()
                  if i.project_id in check_ids and i.external_id in named}
        counts: dict[AssignmentId, dict[str, int]] = {}
        for vote in state.answers.values():
            if vote.item_id in checks and not vote.excluded:
                tally = counts.setdefault(checks[vote.item_id], {})
                tally[vote.value] = tally.get(vote.value, 0) + 1
        return {key: dict(sorted(tally.items())) for key, tally in sorted(counts.items())}

    async def recorded_file(self, project_id: ProjectId, file_unique_id: str) -> bool:
        """Return whether a recording with this ``file_unique_id`` is recorded in the
        project (an answer's detail names it)."""
        return any(a.project_id == project_id and a.detail and _file_of(a.detail)
                   == file_unique_id for a in self._state.answers.values())

    async def last_by(self, annotator_id: AnnotatorId) -> Answer | None:
        """Return the annotator's most recent answer."""
        mine = [a for a in self._state.answers.values() if a.annotator_id == annotator_id]
        return answer_of(max(mine, key=lambda a: a.id)) if mine else None

    async def delete(self, assignment_id: AssignmentId) -> None:
        """Remove the answer to an assignment (undo)."""
        state = self._state
        for row in [a for a in state.answers.values() if a.assignment_id == assignment_id]:
            del state.answers[row.id]
            if not row.excluded and row.item_id in state.items:  # answers_count_delete
                state.items[row.item_id].answers -= 1

    async def item_votes(self, item_id: ItemId) -> Sequence[tuple[AnnotatorId, str]]:
        """Return the accepted (annotator, answer) pairs of one item."""
        return [(AnnotatorId(a.annotator_id), a.value) for a in self._sorted()
                if a.item_id == item_id and not a.excluded]

    async def gold_record(self, project_id: ProjectId, annotator_ids: Sequence[AnnotatorId]
                          ) -> dict[AnnotatorId, tuple[int, int]]:
        """Return each annotator's (correct, total) gold answers in the project."""
        wanted = set(annotator_ids)
        record: dict[AnnotatorId, tuple[int, int]] = {}
        for a in self._state.answers.values():
            if a.project_id == project_id and a.is_gold and a.annotator_id in wanted:
                correct, total = record.get(AnnotatorId(a.annotator_id), (0, 0))
                record[AnnotatorId(a.annotator_id)] = (correct + bool(a.correct), total + 1)
        return dict(sorted(record.items()))

    async def export_batch(self, project_id: ProjectId, after: tuple[int, int] | None,
                           limit: int) -> Sequence[tuple[tuple[int, int], ExportAnswer]]:
        """Return up to ``limit`` answers after an ``(item, answer)`` key, in that order
        (none to a retired item)."""
        start = after or (-1, -1)
        rows = sorted((a for a in self._state.answers.values()
                       if a.project_id == project_id and (a.item_id, a.id) > start
                       and self._state.items[a.item_id].retired_at is None),
                      key=lambda a: (a.item_id, a.id))
        return [((row.item_id, row.id), export_of(row, self._state, detail=True))
                for row in limited(rows, limit)]

    async def export_rows(self, project_id: ProjectId) -> Sequence[ExportAnswer]:
        """Return every answer of a project with its item and annotator, in answer order
        (none to a retired item)."""
        return [export_of(a, self._state) for a in self._sorted()
                if a.project_id == project_id
                and self._state.items[a.item_id].retired_at is None]

    def _sorted(self) -> list[AnswerRow]:
        return sorted(self._state.answers.values(), key=lambda a: a.id)


def _file_of(detail: str) -> object:
    """Return the ``file_unique_id`` an answer's detail names (None: none, or not JSON)."""
    try:
        found = json.loads(detail)
    except json.JSONDecodeError:
        return None
    return found.get("file_unique_id") if isinstance(found, dict) else None
