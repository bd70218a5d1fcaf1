"""Statistics queries for ``/stats`` and the daily digest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from annotation.console.records import AnnotatorScore, HourCount, ItemValue, ProjectCounts
from annotation.models import AnnotatorId, ItemId, ProjectId
from storage.codecs import from_ts, to_ts
from storage.connection import Connection
from storage.repositories import fetch_all, fetch_one


class SqliteStats:
    """Read-only counts over ``items``, ``answers`` and ``assignments``."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def counts(self, project_id: ProjectId, overlap: int) -> ProjectCounts:
        """Return a project's item and answer counts."""
        row = await fetch_one(
            self._db,
            "SELECT COALESCE(SUM(gold_answer IS NULL), 0), "
            "COALESCE(SUM(gold_answer IS NOT NULL), 0), "
            "COALESCE(SUM(gold_answer IS NULL AND answers >= ?), 0), "
            "COALESCE(SUM(CASE WHEN gold_answer IS NULL THEN MIN(answers, ?) ELSE 0 END), 0) "
            "FROM items WHERE project_id = ?",
            (overlap, overlap, project_id))
        total = await fetch_one(self._db, "SELECT COUNT(*) FROM answers WHERE project_id = ?",
                                (project_id,))
        assert row is not None and total is not None
        return ProjectCounts(items=int(row[0]), gold_items=int(row[1]), complete=int(row[2]),
                             answers=int(total[0]), counted=int(row[3]))

    async def hourly(self, project_id: ProjectId, since: datetime) -> Sequence[HourCount]:
        """Return answers per hour since ``since`` (hours with none omitted)."""
        rows = await fetch_all(
            self._db,
            "SELECT CAST(answered_at / 3600 AS INTEGER) AS hour, COUNT(*) FROM answers "
            "WHERE project_id = ? AND answered_at >= ? GROUP BY hour ORDER BY hour",
            (project_id, to_ts(since)))
        return [HourCount(from_ts(r[0] * 3600), int(r[1])) for r in rows]

    async def scores(self, project_id: ProjectId) -> Sequence[AnnotatorScore]:
        """Return each annotator's answers and gold results in the project."""
        rows = await fetch_all(
            self._db,
            "SELECT s.annotator_id, a.name, COUNT(*), SUM(s.is_gold), "
            "SUM(COALESCE(s.correct, 0)) FROM answers s "
            "JOIN annotators a ON a.id = s.annotator_id WHERE s.project_id = ? "
            "GROUP BY s.annotator_id ORDER BY s.annotator_id",
            (project_id,))
        return [AnnotatorScore(AnnotatorId(r[0]), r[1], int(r[2]), int(r[3]), int(r[4]))
                for r in rows]

    async def values(self, project_id: ProjectId) -> Sequence[ItemValue]:
        """Return the answers to non-gold items (item and value)."""
        rows = await fetch_all(
            self._db,
            "SELECT item_id, value FROM answers WHERE project_id = ? AND is_gold = 0",
            (project_id,))
        return [ItemValue(ItemId(r[0]), r[1]) for r in rows]

    async def gold_exhausted(self, project_id: ProjectId, active_since: datetime) -> int:
        """Count annotators active since then who have seen every gold item."""
        row = await fetch_one(
            self._db,
            "WITH gold AS (SELECT COUNT(*) AS n FROM items "
            "WHERE project_id = ? AND gold_answer IS NOT NULL), "
            "active AS (SELECT DISTINCT annotator_id FROM answers "
            "WHERE project_id = ? AND answered_at >= ?) "
            "SELECT COUNT(*) FROM active, gold WHERE gold.n > 0 AND "
            "(SELECT COUNT(*) FROM assignments g WHERE g.project_id = ? "
            "AND g.annotator_id = active.annotator_id AND g.is_gold = 1) >= gold.n",
            (project_id, project_id, to_ts(active_since), project_id))
        return int(row[0]) if row else 0

    async def suspended_since(self, project_id: ProjectId, since: datetime) -> int:
        """Count annotators suspended in the project since ``since`` (quality control)."""
        row = await fetch_one(
            self._db,
            "SELECT COUNT(*) FROM standings WHERE project_id = ? AND status = 'suspended' "
            "AND updated_at >= ?",
            (project_id, to_ts(since)))
        return int(row[0]) if row else 0
