"""Broadcasts and the outbox: one row per recipient, walked by the sender."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from annotation.console.records import (
    Audience,
    AudienceKind,
    Broadcast,
    BroadcastKind,
    BroadcastProgress,
    BroadcastStatus,
    DeliveryStatus,
    OutboxEntry,
)
from annotation.models import AnnotatorId, ProjectId
from storage.codecs import from_ts, to_ts
from storage.connection import Connection, Row
from storage.repositories import fetch_all, fetch_one

_COLUMNS = ("id, kind, created_by, created_at, audience, project_id, idle_days, text, "
            "photo_file_id, status, progress_chat, progress_message")
# Annotators who have not blocked the bot, with the time of their last answer (or joining).
_ACTIVITY = (
    "SELECT a.id, a.current_project, a.muted, a.reminded_at, "
    "COALESCE((SELECT MAX(s.answered_at) FROM answers s WHERE s.annotator_id = a.id), "
    "a.joined_at) AS last FROM annotators a WHERE a.blocked = 0"
)


def _broadcast(row: Row) -> Broadcast:
    project = ProjectId(row[5]) if row[5] is not None else None
    return Broadcast(
        id=row[0], kind=BroadcastKind(row[1]),
        created_by=AnnotatorId(row[2]) if row[2] is not None else None,
        created_at=from_ts(row[3]),
        audience=Audience(AudienceKind(row[4]), project, row[6]),
        text=row[7], photo_file_id=row[8], status=BroadcastStatus(row[9]),
        progress_chat=row[10], progress_message=row[11],
    )


def _audience(audience: Audience, now: datetime) -> tuple[str, tuple[Any, ...]]:
    """Return the SELECT of recipient ids and its parameters."""
    base = f"SELECT id FROM ({_ACTIVITY}) WHERE "
    if audience.kind is AudienceKind.PROJECT:
        return base + "current_project = ?", (audience.project_id,)
    if audience.kind is AudienceKind.IDLE:
        return base + "last < ?", (to_ts(now) - 86400 * (audience.idle_days or 0),)
    if audience.kind is AudienceKind.REMINDER:
        return (base + "current_project = ? AND muted = 0 "
                "AND last < ? - (SELECT remind_after FROM projects WHERE id = ?) "
                "AND (reminded_at IS NULL OR reminded_at < last)",
                (audience.project_id, to_ts(now), audience.project_id))
    return base + "1", ()


class SqliteOutbox:
    """The ``broadcasts`` and ``outbox`` tables."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def add(self, kind: BroadcastKind, created_by: AnnotatorId | None, now: datetime,
                  audience: Audience, text: str, photo_file_id: str | None,
                  status: BroadcastStatus) -> Broadcast:
        """Store a broadcast and return it."""
        row = await fetch_one(
            self._db,
            "INSERT INTO broadcasts (kind, created_by, created_at, audience, project_id, "
            "idle_days, text, photo_file_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            f"RETURNING {_COLUMNS}",
            (kind.value, created_by, to_ts(now), audience.kind.value, audience.project_id,
             audience.idle_days, text, photo_file_id, status.value),
        )
        assert row is not None
        return _broadcast(row)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """Return the broadcast or None."""
        row = await fetch_one(self._db, f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?",
                              (broadcast_id,))
        return _broadcast(row) if row else None

    async def set_status(self, broadcast_id: int, status: BroadcastStatus,
                         now: datetime) -> None:
        """Change a broadcast's status."""
        finished = to_ts(now) if status in (BroadcastStatus.DONE,
                                            BroadcastStatus.CANCELLED) else None
        await self._db.execute(
            "UPDATE broadcasts SET status = ?, finished_at = ? WHERE id = ?",
            (status.value, finished, broadcast_id))

    async def set_progress_message(self, broadcast_id: int, chat_id: int,
                                   message_id: int) -> None:
        """Remember the coordinator's message that shows the progress."""
        await self._db.execute(
            "UPDATE broadcasts SET progress_chat = ?, progress_message = ? WHERE id = ?",
            (chat_id, message_id, broadcast_id))

    async def count_audience(self, audience: Audience, now: datetime) -> int:
        """Return how many annotators the audience reaches now."""
        select, params = _audience(audience, now)
        row = await fetch_one(self._db, f"SELECT COUNT(*) FROM ({select})", params)
        return int(row[0]) if row else 0

    async def fill(self, broadcast_id: int, audience: Audience, now: datetime) -> int:
        """Add an outbox row per recipient (once each); return how many were added."""
        select, params = _audience(audience, now)
        changed = await self._db.execute(
            "INSERT INTO outbox (broadcast_id, annotator_id) "
            f"SELECT ?, id FROM ({select}) WHERE 1 ON CONFLICT DO NOTHING",
            (broadcast_id, *params))
        added = changed
        if audience.kind is AudienceKind.REMINDER:
            await self._db.execute(
                "UPDATE annotators SET reminded_at = ? WHERE id IN "
                "(SELECT annotator_id FROM outbox WHERE broadcast_id = ?)",
                (to_ts(now), broadcast_id))
        return added

    async def sending(self) -> Sequence[Broadcast]:
        """Return the broadcasts being sent, oldest first."""
        rows = await fetch_all(
            self._db, f"SELECT {_COLUMNS} FROM broadcasts WHERE status = 'sending' ORDER BY id")
        return [_broadcast(row) for row in rows]

    async def recover(self) -> int:
        """Mark rows left ``sending`` by a dead process uncertain; return how many."""
        changed = await self._db.execute(
            "UPDATE outbox SET status = 'uncertain' WHERE status = 'sending'")
        count = changed
        return count

    async def claim(self, broadcast_id: int) -> OutboxEntry | None:
        """Mark the next pending row ``sending`` and return it (None: none left)."""
        row = await fetch_one(
            self._db,
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 "
            "WHERE broadcast_id = ? AND annotator_id = (SELECT annotator_id FROM outbox "
            "WHERE broadcast_id = ? AND status = 'pending' ORDER BY annotator_id LIMIT 1) "
            "RETURNING annotator_id, attempts",
            (broadcast_id, broadcast_id))
        if row is None:
            return None
        who = await fetch_one(self._db, "SELECT name, language FROM annotators WHERE id = ?",
                              (row[0],))
        name, language = (who[0], who[1]) if who else ("", "en")
        return OutboxEntry(broadcast_id, AnnotatorId(row[0]), name, language, row[1])

    async def mark(self, broadcast_id: int, annotator_id: AnnotatorId,
                   status: DeliveryStatus, now: datetime) -> None:
        """Record the outcome of one row."""
        sent_at = to_ts(now) if status is DeliveryStatus.SENT else None
        await self._db.execute(
            "UPDATE outbox SET status = ?, sent_at = ? "
            "WHERE broadcast_id = ? AND annotator_id = ?",
            (status.value, sent_at, broadcast_id, annotator_id))

    async def progress(self, broadcast_id: int) -> BroadcastProgress:
        """Return the counts of a broadcast's rows."""
        rows = await fetch_all(
            self._db,
            "SELECT status, COUNT(*) FROM outbox WHERE broadcast_id = ? GROUP BY status",
            (broadcast_id,))
        counts = {DeliveryStatus(r[0]): int(r[1]) for r in rows}
        return BroadcastProgress(
            total=sum(counts.values()),
            sent=counts.get(DeliveryStatus.SENT, 0),
            blocked=counts.get(DeliveryStatus.BLOCKED, 0),
            failed=counts.get(DeliveryStatus.FAILED, 0),
            uncertain=counts.get(DeliveryStatus.UNCERTAIN, 0),
        )
