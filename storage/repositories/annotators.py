"""Annotators: who they are, their language, role and current project."""

from __future__ import annotations

from datetime import datetime

from annotation.models import (
    Annotator,
    AnnotatorId,
    AnnotatorStats,
    ProjectId,
    Role,
)
from storage.codecs import to_ts
from storage.connection import Connection, Row
from storage.repositories import fetch_one

_COLUMNS = "id, name, language, role, current_project, blocked"


def _annotator(row: Row) -> Annotator:
    return Annotator(
        id=AnnotatorId(row[0]),
        name=row[1],
        language=row[2],
        role=Role(row[3]),
        current_project=ProjectId(row[4]) if row[4] is not None else None,
        blocked=bool(row[5]),
    )


class SqliteAnnotators:
    """The ``annotators`` table."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def get(self, annotator_id: AnnotatorId) -> Annotator | None:
        """Return the annotator or None."""
        row = await fetch_one(self._db, f"SELECT {_COLUMNS} FROM annotators WHERE id = ?",
                              (annotator_id,))
        return _annotator(row) if row else None

    async def upsert(self, annotator_id: AnnotatorId, name: str, language: str,
                     now: datetime) -> Annotator:
        """Create the annotator if new (keeping an existing one's settings) and return it."""
        row = await fetch_one(
            self._db,
            "INSERT INTO annotators (id, name, language, joined_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, blocked = 0 "
            f"RETURNING {_COLUMNS}",
            (annotator_id, name, language, to_ts(now)),
        )
        assert row is not None
        return _annotator(row)

    async def set_language(self, annotator_id: AnnotatorId, language: str) -> None:
        """Store the annotator's chosen language."""
        await self._db.execute("UPDATE annotators SET language = ? WHERE id = ?",
                               (language, annotator_id))

    async def set_project(self, annotator_id: AnnotatorId, project_id: ProjectId | None) -> None:
        """Store the project the annotator works on."""
        await self._db.execute("UPDATE annotators SET current_project = ? WHERE id = ?",
                               (project_id, annotator_id))

    async def set_role(self, annotator_id: AnnotatorId, role: Role) -> None:
        """Store the annotator's role."""
        await self._db.execute("UPDATE annotators SET role = ? WHERE id = ?",
                               (role.value, annotator_id))

    async def set_blocked(self, annotator_id: AnnotatorId, blocked: bool) -> None:
        """Mark whether the annotator blocked the bot."""
        await self._db.execute("UPDATE annotators SET blocked = ? WHERE id = ?",
                               (int(blocked), annotator_id))

    async def stats(self, annotator_id: AnnotatorId, project_id: ProjectId | None
                    ) -> AnnotatorStats:
        """Return tasks done and gold results, in one project or overall."""
        where = "annotator_id = ?" + (" AND project_id = ?" if project_id is not None else "")
        params: tuple[int, ...] = (
            (annotator_id, project_id) if project_id is not None else (annotator_id,)
        )
        row = await fetch_one(
            self._db,
            "SELECT COUNT(*), COALESCE(SUM(is_gold), 0), COALESCE(SUM(correct), 0) "
            f"FROM answers WHERE {where}",
            params,
        )
        assert row is not None
        return AnnotatorStats(answered=row[0], gold_answered=row[1], gold_correct=row[2])
