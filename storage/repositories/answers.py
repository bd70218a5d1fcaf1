"""Answers: the system of record. Idempotent by UNIQUE constraints, never check-then-insert."""

from __future__ import annotations

from collections.abc import Sequence

from annotation.models import (
    AnnotatorId,
    Answer,
    AssignmentId,
    ItemId,
    ProjectId,
)
from annotation.records import ExportAnswer
from storage.codecs import from_ts, to_ts
from storage.connection import Connection, Row
from storage.repositories import build_in_steps, fetch_all, fetch_one

_COLUMNS = ("assignment_id, item_id, annotator_id, value, seconds, is_gold, correct, "
            "answered_at, detail")


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
    )


class SqliteAnswers:
    """The ``answers`` table."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def add(self, answer: Answer, source: str | None, project_id: ProjectId) -> bool:
        """Record an answer; return False if this assignment or source was already recorded."""
        changed = await self._db.execute(
            "INSERT INTO answers (assignment_id, project_id, item_id, annotator_id, value, "
            "seconds, is_gold, correct, source, answered_at, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                answer.assignment_id, project_id, answer.item_id, answer.annotator_id,
                answer.value, answer.seconds, int(answer.is_gold),
                None if answer.correct is None else int(answer.correct), source,
                to_ts(answer.answered_at), answer.detail,
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
        each with its key (for the next batch)."""
        item, answer = after or (-1, -1)
        rows = await fetch_all(
            self._db,
            "SELECT a.item_id, a.id, a.assignment_id, a.annotator_id, a.value, a.seconds, "
            "a.is_gold, a.correct, a.answered_at, i.external_id, a.excluded, a.detail "
            "FROM answers AS a INDEXED BY answers_export JOIN items AS i ON i.id = a.item_id "
            "WHERE a.project_id = ? AND (a.item_id, a.id) > (?, ?) "
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
        """Return every answer of a project with its item and annotator, in answer order."""
        rows = await fetch_all(
            self._db,
            "SELECT a.assignment_id, a.item_id, a.annotator_id, a.value, a.seconds, a.is_gold, "
            "a.correct, a.answered_at, i.external_id, a.excluded "
            "FROM answers AS a JOIN items AS i ON i.id = a.item_id "
            "WHERE a.project_id = ? ORDER BY a.id",
            (project_id,),
        )
        return await build_in_steps(rows, lambda r: ExportAnswer(
            AssignmentId(r[0]), ItemId(r[1]), AnnotatorId(r[2]), r[3], r[4], bool(r[5]),
            None if r[6] is None else bool(r[6]), from_ts(r[7]), r[8], bool(r[9])))
