"""Answers: the system of record. Idempotent by UNIQUE constraints, never check-then-insert."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from annotation.models import (
    AnnotatorId,
    Answer,
    AssignmentId,
    ItemId,
    MediaKey,
    ProjectId,
)
from annotation.records import ExportAnswer, RecordingRef
from storage.codecs import checks_from_json, checks_to_json, from_ts, to_ts
from storage.connection import Connection, Row
from storage.repositories import build_in_steps, fetch_all, fetch_one

_COLUMNS = ("assignment_id, item_id, annotator_id, value, seconds, is_gold, correct, "
            "answered_at, detail, checks")


def _answer(row: Row) -> Answer:
    return Answer(
        assignment_id=AssignmentId(row[0]),
        item_id=ItemId(row[1]),
        annotator_id=AnnotatorId(row[2]),
        value=row[3],
        seconds=row[4],
        is_gold=bool(row[5]),
        correct=None if row[6] is None else bool(row[6]),
        answered_at=from_ts(row[7]),
        detail=row[8],
        checks=checks_from_json(row[9]),
    )


class SqliteAnswers:
    """The ``answers`` table."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def add(self, answer: Answer, source: str | None, project_id: ProjectId) -> bool:
        """Record an answer; return False if this assignment or source was already recorded."""
        changed = await self._db.execute(
            "INSERT INTO answers (assignment_id, project_id, item_id, annotator_id, value, "
            "seconds, is_gold, correct, source, answered_at, detail, checks) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                answer.assignment_id, project_id, answer.item_id, answer.annotator_id,
                answer.value, answer.seconds, int(answer.is_gold),
                None if answer.correct is None else int(answer.correct), source,
                to_ts(answer.answered_at), answer.detail, checks_to_json(answer.checks),
            ),
        )
        return changed == 1

    async def for_assignment(self, assignment_id: AssignmentId) -> Answer | None:
        """Return the answer given to an assignment, if any."""
        row = await fetch_one(
            self._db, f"SELECT {_COLUMNS} FROM answers WHERE assignment_id = ?", (assignment_id,)
        )
        return _answer(row) if row else None

    async def seen_source(self, source: str) -> bool:
        """Return whether an answer from this source (message) was already recorded."""
        row = await fetch_one(self._db, "SELECT 1 FROM answers WHERE source = ?", (source,))
        return row is not None

    async def source_assignment(self, source: str) -> AssignmentId | None:
        """Return the assignment an answer from this source answered, if one was recorded."""
        row = await fetch_one(self._db, "SELECT assignment_id FROM answers WHERE source = ?",
                              (source,))
        return AssignmentId(row[0]) if row else None

    async def value_counts(self, item_id: ItemId) -> Mapping[str, int]:
        """Return how many accepted (not excluded) answers gave each value to an item."""
        rows = await fetch_all(
            self._db, "SELECT value, COUNT(*) FROM answers WHERE item_id = ? AND excluded = 0 "
            "GROUP BY value ORDER BY value", (item_id,))
        return {str(row[0]): int(row[1]) for row in rows}

    async def unchecked_recordings(self, source_id: ProjectId, check_id: ProjectId,
                                   limit: int) -> Sequence[RecordingRef]:
        """Return the accepted answers of a recording project that no item of the check
        project names yet (item ``rec-<assignment id>``), oldest first; none that its
        speaker withdrew (at or before ``speakers.withdrawn_at``, migration 013)."""
        rows = await fetch_all(
            self._db,
            "SELECT a.assignment_id, a.annotator_id, a.value, i.text FROM answers AS a "
            "JOIN items AS i ON i.id = a.item_id WHERE a.project_id = ? AND a.excluded = 0 "
            "AND NOT EXISTS (SELECT 1 FROM items AS c WHERE c.project_id = ? "
            "                AND c.external_id = 'rec-' || a.assignment_id) "
            "AND NOT EXISTS (SELECT 1 FROM speakers AS w WHERE w.annotator_id = a.annotator_id "
            "                AND w.withdrawn_at >= a.answered_at) "
            "ORDER BY a.id LIMIT ?", (source_id, check_id, limit))
        return [RecordingRef(AssignmentId(r[0]), AnnotatorId(r[1]), MediaKey(r[2]), r[3])
                for r in rows]

    async def review_counts(self, source_id: ProjectId, check_ids: Sequence[ProjectId]
                            ) -> Mapping[AssignmentId, Mapping[str, int]]:
        """Return, for each answer of ``source_id`` that items of the check projects name
        (``rec-<assignment id>``), how many accepted check answers gave each value, summed
        over the check projects. The checks of a take taken back are not among them: their
        item was renamed when it was retired (``annotation.loop.checks``)."""
        if not check_ids:
            return {}
        marks = ", ".join("?" * len(check_ids))
        rows = await fetch_all(
            self._db,
            "SELECT r.assignment_id, v.value, COUNT(*) FROM answers AS r "
            f"JOIN items AS c ON c.project_id IN ({marks}) "
            "                AND c.external_id = 'rec-' || r.assignment_id "
            "JOIN answers AS v ON v.item_id = c.id AND v.excluded = 0 "
            "WHERE r.project_id = ? GROUP BY r.assignment_id, v.value "
            "ORDER BY r.assignment_id, v.value", (*check_ids, source_id))
        counts: dict[AssignmentId, dict[str, int]] = {}
        for assignment_id, value, count in rows:
            counts.setdefault(AssignmentId(assignment_id), {})[str(value)] = int(count)
        return counts

    async def recorded_file(self, project_id: ProjectId, file_unique_id: str) -> bool:
        """Return whether a recording with this ``file_unique_id`` is recorded in the
        project (index ``answers_recorded_file``, migration 011)."""
        row = await fetch_one(
            self._db, "SELECT 1 FROM answers WHERE project_id = ? AND detail != '' "
            "AND json_valid(detail) AND json_extract(detail, '$.file_unique_id') = ?",
            (project_id, file_unique_id))
        return row is not None

    async def last_by(self, annotator_id: AnnotatorId) -> Answer | None:
        """Return the annotator's most recent answer."""
        row = await fetch_one(
            self._db,
            f"SELECT {_COLUMNS} FROM answers WHERE annotator_id = ? ORDER BY id DESC LIMIT 1",
            (annotator_id,),
        )
        return _answer(row) if row else None

    async def delete(self, assignment_id: AssignmentId) -> None:
        """Remove the answer to an assignment (undo)."""
        await self._db.execute("DELETE FROM answers WHERE assignment_id = ?", (assignment_id,))

    async def item_votes(self, item_id: ItemId) -> Sequence[tuple[AnnotatorId, str]]:
        """Return the accepted (annotator, answer) pairs of one item."""
        rows = await fetch_all(
            self._db,
            "SELECT annotator_id, value FROM answers WHERE item_id = ? AND excluded = 0",
            (item_id,),
        )
        return [(AnnotatorId(r[0]), r[1]) for r in rows]

    async def gold_record(self, project_id: ProjectId, annotator_ids: Sequence[AnnotatorId]
                          ) -> dict[AnnotatorId, tuple[int, int]]:
        """Return each annotator's (correct, total) gold answers in the project."""
        if not annotator_ids:
            return {}
        marks = ", ".join("?" * len(annotator_ids))
        rows = await fetch_all(
            self._db,
            "SELECT annotator_id, COALESCE(SUM(correct), 0), COUNT(*) FROM answers "
            f"WHERE project_id = ? AND is_gold = 1 AND annotator_id IN ({marks}) "
            "GROUP BY annotator_id",
            (project_id, *annotator_ids),
        )
        return {AnnotatorId(r[0]): (int(r[1]), int(r[2])) for r in rows}

    async def export_batch(self, project_id: ProjectId, after: tuple[int, int] | None,
                           limit: int) -> Sequence[tuple[tuple[int, int], ExportAnswer]]:
        """Return up to ``limit`` answers after the ``(item, answer)`` key, in that order,
        each with its key (for the next batch); none to a retired item (migration 014)."""
        item, answer = after or (-1, -1)
        rows = await fetch_all(
            self._db,
            "SELECT a.item_id, a.id, a.assignment_id, a.annotator_id, a.value, a.seconds, "
            "a.is_gold, a.correct, a.answered_at, i.external_id, a.excluded, a.detail "
            "FROM answers AS a INDEXED BY answers_export JOIN items AS i ON i.id = a.item_id "
            "WHERE a.project_id = ? AND (a.item_id, a.id) > (?, ?) AND i.retired_at IS NULL "
            "ORDER BY a.item_id, a.id LIMIT ?",
            (project_id, item, answer, limit),
        )
        return [
            ((r[0], r[1]), ExportAnswer(
                AssignmentId(r[2]), ItemId(r[0]), AnnotatorId(r[3]), r[4], r[5], bool(r[6]),
                None if r[7] is None else bool(r[7]), from_ts(r[8]), r[9], bool(r[10]),
                detail=r[11],
            ))
            for r in rows
        ]

    async def export_rows(self, project_id: ProjectId) -> Sequence[ExportAnswer]:
        """Return every answer of a project with its item and annotator, in answer order;
        none to a retired item."""
        rows = await fetch_all(
            self._db,
            "SELECT a.assignment_id, a.item_id, a.annotator_id, a.value, a.seconds, a.is_gold, "
            "a.correct, a.answered_at, i.external_id, a.excluded "
            "FROM answers AS a JOIN items AS i ON i.id = a.item_id "
            "WHERE a.project_id = ? AND i.retired_at IS NULL ORDER BY a.id",
            (project_id,),
        )
        return await build_in_steps(rows, lambda r: ExportAnswer(
            AssignmentId(r[0]), ItemId(r[1]), AnnotatorId(r[2]), r[3], r[4], bool(r[5]),
            None if r[6] is None else bool(r[6]), from_ts(r[7]), r[8], bool(r[9])))
