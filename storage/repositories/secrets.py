"""Secrets of this installation (the key behind annotators' pseudonyms in exports)."""

from __future__ import annotations

from storage.connection import Connection
from storage.repositories import fetch_one


class SqliteSecrets:
    """The ``secrets`` table."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def get_or_create(self, name: str, value: bytes) -> bytes:
        """Return the secret ``name``, storing ``value`` first if there is none yet."""
        await self._db.execute(
            "INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (name, value),
        )
        row = await fetch_one(self._db, "SELECT value FROM secrets WHERE name = ?", (name,))
        assert row is not None
        return bytes(row[0])
