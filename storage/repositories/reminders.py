"""Reminder settings: a project's idle period and an annotator's /mute."""

from __future__ import annotations

from collections.abc import Sequence

from annotation.console.records import ReminderRule
from annotation.models import AnnotatorId, ProjectId
from storage.connection import Connection
from storage.repositories import fetch_all


class SqliteReminders:
    """``projects.remind_after`` and ``annotators.muted``."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def set_period(self, project_id: ProjectId, seconds: float | None) -> None:
        """Store a project's idle period (None: no reminders)."""
        await self._db.execute("UPDATE projects SET remind_after = ? WHERE id = ?",
                               (seconds, project_id))

    async def rules(self) -> Sequence[ReminderRule]:
        """Return the open projects that remind idle annotators."""
        rows = await fetch_all(
            self._db,
            "SELECT id, remind_after FROM projects "
            "WHERE status = 'open' AND remind_after IS NOT NULL ORDER BY id",
        )
        return [ReminderRule(ProjectId(r[0]), r[1]) for r in rows]

    async def set_muted(self, annotator_id: AnnotatorId, muted: bool) -> None:
        """Store whether the annotator muted reminders."""
        await self._db.execute("UPDATE annotators SET muted = ? WHERE id = ?",
                               (int(muted), annotator_id))
