"""Prepared media bytes and the Telegram file ids they were uploaded as."""

from __future__ import annotations

from annotation.models import Media, MediaKey, MediaKind
from storage.connection import Connection
from storage.repositories import fetch_one


class SqliteMedia:
    """The ``media`` table."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def add(self, key: MediaKey, kind: str, filename: str, mime: str, send_as: str,
                  data: bytes) -> None:
        """Store media bytes once (a second store of the same key changes nothing)."""
        await self._db.execute(
            "INSERT INTO media (key, kind, filename, mime, send_as, data) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (key, kind, filename, mime, send_as, data),
        )

    async def get(self, key: MediaKey) -> Media | None:
        """Return media metadata (no bytes) or None."""
        row = await fetch_one(
            self._db, "SELECT key, kind, filename, mime, send_as, file_id FROM media WHERE key = ?",
            (key,),
        )
        if row is None:
            return None
        return Media(MediaKey(row[0]), MediaKind(row[1]), row[2], row[3], row[4], row[5])

    async def data(self, key: MediaKey) -> bytes:
        """Return the media bytes."""
        row = await fetch_one(self._db, "SELECT data FROM media WHERE key = ?", (key,))
        if row is None:
            raise KeyError(key)
        return bytes(row[0])

    async def set_file_id(self, key: MediaKey, file_id: str) -> None:
        """Remember the Telegram file id of uploaded media."""
        await self._db.execute("UPDATE media SET file_id = ? WHERE key = ?", (file_id, key))
