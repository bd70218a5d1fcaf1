"""Assignments: items handed to annotators, with deadlines.

The item counters follow the rows they count through triggers, so they never drift and
cost no extra round trip: ``items.live`` every insert, status change and delete of an
active assignment here; ``items.answers`` the answers not excluded by quality control
(migration 007, on the ``answers`` table).
"""

from __future__ import annotations

from datetime import datetime

from annotation.models import (
    AnnotatorId,
    Assignment,
    AssignmentId,
    AssignmentStatus,
    ItemId,
    ProjectId,
)
from storage.codecs import from_ts, to_ts
from storage.connection import Connection, Row
from storage.repositories import fetch_one

_COLUMNS = (
    "id, project_id, item_id, annotator_id, status, is_gold, assigned_at, deadline, draft"
)


def _assignment(row: Row) -> Assignment:
    return Assignment(
        id=AssignmentId(row[0]),
        project_id=ProjectId(row[1]),
        item_id=ItemId(row[2]),
        annotator_id=AnnotatorId(row[3]),
        status=AssignmentStatus(row[4]),
        is_gold=bool(row[5]),
        assigned_at=from_ts(row[6]),
        deadline=from_ts(row[7]),
        draft=row[8],
    )


class SqliteAssignments:
    """The ``assignments`` table."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def add(self, project_id: ProjectId, item_id: ItemId, annotator_id: AnnotatorId,
                  is_gold: bool, now: datetime, deadline: datetime) -> Assignment:
        """Hand an item to an annotator (counts it as live on the item)."""
        row = await fetch_one(
            self._db,
            "INSERT INTO assignments (project_id, item_id, annotator_id, status, is_gold, "
            "assigned_at, deadline) VALUES (?, ?, ?, 'active', ?, ?, ?) "
            f"RETURNING {_COLUMNS}",
            (project_id, item_id, annotator_id, int(is_gold), to_ts(now), to_ts(deadline)),
        )
        assert row is not None
        return _assignment(row)

    async def get(self, assignment_id: AssignmentId) -> Assignment | None:
        """Return the assignment or None."""
        row = await fetch_one(self._db, f"SELECT {_COLUMNS} FROM assignments WHERE id = ?",
                              (assignment_id,))
        return _assignment(row) if row else None

    async def active_for(self, annotator_id: AnnotatorId) -> Assignment | None:
        """Return the annotator's active assignment, if any."""
        row = await fetch_one(
            self._db,
            f"SELECT {_COLUMNS} FROM assignments WHERE annotator_id = ? AND status = 'active'",
            (annotator_id,),
        )
        return _assignment(row) if row else None

    async def close(self, assignment: Assignment, status: str) -> None:
        """Mark an active assignment answered, skipped or expired (adjusting item counters)."""
        closed = AssignmentStatus(status)
        if closed is AssignmentStatus.ACTIVE:
            raise ValueError("close() needs a final status")
        await self._db.execute(
            "UPDATE assignments SET status = ?, draft = '' WHERE id = ? AND status = 'active'",
            (closed.value, assignment.id),
        )

    async def reopen(self, assignment: Assignment, now: datetime, deadline: datetime) -> None:
        """Make an answered assignment active again (undo)."""
        await self._db.execute(
            "UPDATE assignments SET status = 'active', assigned_at = ?, deadline = ? "
            "WHERE id = ? AND status = 'answered'",
            (to_ts(now), to_ts(deadline), assignment.id),
        )

    async def discard(self, assignment: Assignment) -> None:
        """Delete a never-answered active assignment, as if it had not been handed out."""
        await self._db.execute(
            "DELETE FROM assignments WHERE id = ? AND status = 'active'", (assignment.id,)
        )

    async def set_draft(self, assignment_id: AssignmentId, draft: str) -> None:
        """Store the multiple-choice toggles of an active assignment."""
        await self._db.execute(
            "UPDATE assignments SET draft = ? WHERE id = ? AND status = 'active'",
            (draft, assignment_id),
        )

    async def expire_due(self, now: datetime) -> int:
        """Expire every active assignment past its deadline; return how many."""
        moment = to_ts(now)
        changed = await self._db.execute(
            "UPDATE assignments SET status = 'expired', draft = '' "
            "WHERE status = 'active' AND deadline < ?",
            (moment,),
        )
        return changed

    async def next_deadline(self) -> datetime | None:
        """Return the earliest deadline of an active assignment."""
        row = await fetch_one(
            self._db, "SELECT MIN(deadline) FROM assignments WHERE status = 'active'"
        )
        return from_ts(row[0]) if row and row[0] is not None else None
