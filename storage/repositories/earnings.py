"""Earnings: accepted answers counted per annotator and project, the checks' votes on
the answers paid once reviewed (recordings), and payouts made."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from annotation.console.records import AnswerCount, EarningLine, PaidTotal, ReviewVote
from annotation.models import AnnotatorId, AssignmentId, ProjectId
from storage.codecs import from_ts, to_ts
from storage.connection import Connection
from storage.repositories import fetch_all, fetch_one


class SqliteEarnings:
    """Counts over ``answers`` and the ``payouts`` table.

    Accepted answers: production answers (not training or exam) that quality control has not
    excluded (``answers.excluded``, migration 002). The answers of a project paid on review
    (a recording) are checked in projects of items made from them (012): an item
    ``rec-<assignment>`` authored by the answer's annotator, found by the UNIQUE
    (project, external id) index in each project that holds authored items.
    """

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def accepted(self, start: datetime | None, end: datetime | None,
                       annotator_id: AnnotatorId | None = None, *,
                       reviewed: Collection[ProjectId] = ()) -> Sequence[AnswerCount]:
        """Count accepted answers per annotator and project within [start, end), but
        none of the projects in ``reviewed``."""
        where = ["s.excluded = 0", "g.stage = 'production'"]
        params: list[Any] = []
        if reviewed:
            where.append(f"s.project_id NOT IN ({', '.join('?' * len(reviewed))})")
            params += sorted(reviewed)
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

    async def votes(self, reviewed: Collection[ProjectId], end: datetime | None,
                    annotator_id: AnnotatorId | None = None) -> Sequence[ReviewVote]:
        """Return the votes given before ``end`` on the accepted answers of the
        ``reviewed`` projects, by reviewed answer, then in the order given."""
        if not reviewed:
            return []
        where = [f"s.project_id IN ({', '.join('?' * len(reviewed))})", "s.excluded = 0",
                 "g.stage = 'production'"]
        params: list[Any] = sorted(reviewed)
        if end is not None:
            where += ["s.answered_at < ?", "c.answered_at < ?"]
            params += [to_ts(end), to_ts(end)]
        if annotator_id is not None:
            where.append("s.annotator_id = ?")
            params.append(annotator_id)
        rows = await fetch_all(
            self._db,
            "WITH reviewers AS (SELECT DISTINCT project_id FROM items "
            "                   WHERE author IS NOT NULL) "
            "SELECT s.assignment_id, s.annotator_id, n.name, s.project_id, c.project_id, "
            "c.value, c.answered_at FROM answers AS s "
            "JOIN assignments AS g ON g.id = s.assignment_id "
            "JOIN annotators AS n ON n.id = s.annotator_id "
            "JOIN reviewers AS r "
            "JOIN items AS i ON i.project_id = r.project_id "
            "     AND i.external_id = 'rec-' || s.assignment_id AND i.author = s.annotator_id "
            "JOIN answers AS c ON c.item_id = i.id AND c.excluded = 0 "
            f"WHERE {' AND '.join(where)} "
            "ORDER BY s.assignment_id, c.project_id, c.answered_at, c.id",
            tuple(params))
        return [ReviewVote(AssignmentId(r[0]), AnnotatorId(r[1]), r[2], ProjectId(r[3]),
                           ProjectId(r[4]), r[5], from_ts(r[6])) for r in rows]

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
