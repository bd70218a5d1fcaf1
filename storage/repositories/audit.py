"""The audit log, and who holds a console role."""

from __future__ import annotations

from collections.abc import Sequence

from annotation.models import AnnotatorId, Role
from annotation.records import AuditAction, AuditEntry, StaffMember
from storage.codecs import from_ts, to_ts
from storage.connection import Connection
from storage.repositories import fetch_all


class SqliteAudit:
    """The ``audit_log`` table (and a view of ``annotators`` by role)."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def add(self, entry: AuditEntry) -> None:
        """Append an entry."""
        await self._db.execute(
            "INSERT INTO audit_log (at, actor_id, action, subject, details) "
            "VALUES (?, ?, ?, ?, ?)",
            (to_ts(entry.at), entry.actor_id, entry.action.value, entry.subject, entry.details),
        )

    async def recent(self, limit: int) -> Sequence[AuditEntry]:
        """Return the newest entries, newest first."""
        rows = await fetch_all(
            self._db,
            "SELECT at, actor_id, action, subject, details FROM audit_log "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [AuditEntry(from_ts(r[0]), AnnotatorId(r[1]), AuditAction(r[2]), r[3], r[4])
                for r in rows]

    async def staff(self) -> Sequence[StaffMember]:
        """Return the annotators holding the coordinator or admin role."""
        rows = await fetch_all(
            self._db,
            "SELECT id, name, role, language FROM annotators "
            "WHERE role IN ('coordinator', 'admin') ORDER BY id",
        )
        return [StaffMember(AnnotatorId(r[0]), r[1], Role(r[2]), r[3]) for r in rows]
