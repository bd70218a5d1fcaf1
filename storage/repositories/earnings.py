"""Earnings: accepted answers counted per annotator and project, and payouts made."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from annotation.console.records import AnswerCount, EarningLine, PaidTotal
from annotation.models import AnnotatorId, ProjectId
from storage.codecs import to_ts
from storage.connection import Connection
from storage.repositories import fetch_all, fetch_one


class SqliteEarnings:
    """Counts over ``answers`` and the ``payouts`` table.

    Accepted answers: production answers (not training or exam) that quality control has not
    excluded (``answers.excluded``, migration 002).
    """

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def accepted(self, start: datetime | None, end: datetime | None,
                       annotator_id: AnnotatorId | None = None) -> Sequence[AnswerCount]:
        """Count accepted answers per annotator and project within [start, end)."""
        where = ["s.excluded = 0", "g.stage = 'production'"]
        params: list[Any] = []
        if start is not None:
            where.append("s.answered_at >= ?")
            params.append(to_ts(start))
        if end is not None:
            where.append("s.answered_at < ?")
            params.append(to_ts(end))
        if annotator_id is not None:
            where.append("s.annotator_id = ?")
            params.append(annotator_id)
        rows = await fetch_all(
            self._db,
            "SELECT s.annotator_id, a.name, s.project_id, COUNT(*) FROM answers s "
            "JOIN annotators a ON a.id = s.annotator_id "
            "JOIN assignments g ON g.id = s.assignment_id "
            f"WHERE {' AND '.join(where)} "
            "GROUP BY s.annotator_id, s.project_id ORDER BY s.annotator_id, s.project_id",
            tuple(params))
        return [AnswerCount(AnnotatorId(r[0]), r[1], ProjectId(r[2]), int(r[3])) for r in rows]

    async def paid(self, annotator_id: AnnotatorId) -> Sequence[PaidTotal]:
        """Return what the annotator was paid, per currency."""
        rows = await fetch_all(
            self._db,
            "SELECT currency, SUM(amount) FROM payouts WHERE annotator_id = ? "
            "GROUP BY currency ORDER BY currency",
            (annotator_id,))
        return [PaidTotal(r[0], round(float(r[1]), 2)) for r in rows]

    async def period_paid(self, period: str) -> bool:
        """Return whether the period was marked paid."""
        row = await fetch_one(self._db, "SELECT 1 FROM payouts WHERE period = ? LIMIT 1",
                              (period,))
        return row is not None

    async def add_payouts(self, period: str, lines: Sequence[EarningLine],
                          references: Sequence[str], now: datetime,
                          paid_by: AnnotatorId) -> int:
        """Record the lines of a period as paid (once each); return how many were added."""
        added = 0
        for line, reference in zip(lines, references, strict=True):
            changed = await self._db.execute(
                "INSERT INTO payouts (period, annotator_id, currency, amount, answers, "
                "reference, paid_at, paid_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (period, line.annotator_id, line.currency, line.amount, line.answers,
                 reference, to_ts(now), paid_by))
            added += changed
        return added
