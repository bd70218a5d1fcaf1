"""The SQLite database: connections, migrations and serialized transactions.

One write connection in autocommit mode (``isolation_level=None``) guarded by an
``asyncio.Lock``: each unit of work is ``BEGIN IMMEDIATE`` … ``COMMIT`` with nothing
interleaved, and rolls back unless committed. Readers use a second connection (WAL lets
them read a consistent snapshot while a write is under way). ``synchronous=NORMAL`` with
WAL keeps every committed transaction across a killed process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage.cache import RowCache
from storage.migrations import apply_migrations
from storage.unit_of_work import SqliteUnitOfWork

logger = logging.getLogger(__name__)

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA temp_store=MEMORY",
)


async def _connect(path: Path) -> aiosqlite.Connection:
    connection = await aiosqlite.connect(path, isolation_level=None)
    for pragma in _PRAGMAS:
        await connection.execute(pragma)
    return connection


class Database:
    """The system of record; implements the domain's ``Store`` port."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._cache = RowCache()
        self._read_lock = asyncio.Lock()

    async def open(self) -> None:
        """Open both connections and bring the schema up to date."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await _connect(self.path)
        await apply_migrations(self._writer)
        self._reader = await _connect(self.path)

    async def close(self) -> None:
        """Close both connections (waiting for a running write to finish)."""
        async with self._write_lock:
            for connection in (self._reader, self._writer):
                if connection is not None:
                    await connection.close()
            self._reader = self._writer = None

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqliteUnitOfWork]:
        """Run one serialized write transaction; commit on clean exit, else roll back."""
        connection = self._require(self._writer)
        async with self._write_lock:
            await connection.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteUnitOfWork(connection, self._cache)
            except BaseException:
                self._cache.clear()  # it may hold rows this transaction changed
                await asyncio.shield(connection.execute("ROLLBACK"))
                raise
            await asyncio.shield(connection.execute("COMMIT"))

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqliteUnitOfWork]:
        """Read a consistent snapshot on the reader connection."""
        connection = self._require(self._reader)
        async with self._read_lock:
            await connection.execute("BEGIN")
            try:
                yield SqliteUnitOfWork(connection)
            finally:
                await asyncio.shield(connection.execute("ROLLBACK"))

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[SqliteUnitOfWork]:
        """Read one consistent snapshot on a connection of its own, for long reads."""
        self._require(self._reader)
        connection = await _connect(self.path)
        try:
            await connection.execute("BEGIN")
            yield SqliteUnitOfWork(connection)
        finally:
            await asyncio.shield(connection.close())

    @staticmethod
    def _require(connection: aiosqlite.Connection | None) -> aiosqlite.Connection:
        if connection is None:
            raise RuntimeError("database is not open")
        return connection
