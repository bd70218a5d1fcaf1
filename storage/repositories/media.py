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
                  data: bytes, phone_key: MediaKey | None = None) -> None:
        """Store media bytes once (a second store of the same key changes nothing but a
        missing ``phone_key``: the stored copy sent to phones instead)."""
        await self._db.execute(
            "INSERT INTO media (key, kind, filename, mime, send_as, data, phone_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE "
            "SET phone_key = COALESCE(media.phone_key, excluded.phone_key)",
            (key, kind, filename, mime, send_as, data, phone_key),
        )

    async def get(self, key: MediaKey) -> Media | None:
        """Return the metadata (no bytes) of what is sent for a media file: its phone copy
        when it has one, else itself; None if unknown."""
        row = await fetch_one(
            self._db,
            "SELECT sent.key, sent.kind, sent.filename, sent.mime, sent.send_as, sent.file_id "
            "FROM media AS m JOIN media AS sent ON sent.key = COALESCE(m.phone_key, m.key) "
            "WHERE m.key = ?",
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
