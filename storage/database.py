"""The SQLite database: connections, migrations and serialized transactions.

One write connection in autocommit mode guarded by an ``asyncio.Lock``: each unit of work
is ``BEGIN IMMEDIATE`` … ``COMMIT`` with nothing interleaved, and rolls back unless
committed. The write connection runs inline on the event loop (``storage.connection``
says why); a ``bulk`` transaction runs its statements on a worker thread instead. Readers
use a second connection on aiosqlite's thread (WAL lets them read a consistent snapshot
while a write is under way). ``synchronous=NORMAL`` with WAL keeps every committed
transaction across a killed process; checkpoints run on a worker thread every
``CHECKPOINT_EVERY`` commits, so their file I/O never stalls the loop.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import TypeVar

from annotation.errors import StorageFull
from storage.cache import RowCache
from storage.connection import (
    SLOW_INLINE_SECONDS,
    InlineConnection,
    ThreadedConnection,
    checkpoint,
)
from storage.migrations import apply_migrations
from storage.unit_of_work import SqliteUnitOfWork

logger = logging.getLogger(__name__)

CHECKPOINT_EVERY = 200  # commits between two checkpoints (a few MB of WAL at most)
BUSY_TIMEOUT = 10.0  # seconds to wait for another process's write lock
C = TypeVar("C", InlineConnection, ThreadedConnection)


def _disk_full(error: BaseException) -> bool:
    """Whether an error says the disk (or the database's size limit) is full."""
    if isinstance(error, sqlite3.Error):
        return (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF == sqlite3.SQLITE_FULL
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


class DatabaseBusy(RuntimeError):
    """Another process held the write lock longer than ``BUSY_TIMEOUT``."""


class Database:
    """The system of record; implements the domain's ``Store`` port."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._writer: InlineConnection | None = None
        self._reader: ThreadedConnection | None = None
        self._write_lock = asyncio.Lock()
        self._cache = RowCache()
        self._read_lock = asyncio.Lock()
        self._commits = 0
        self._checkpointing: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Open both connections and bring the schema up to date."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        writer = await asyncio.to_thread(InlineConnection.open, self.path)
        with writer.off_loop():
            await apply_migrations(writer)
        # From now on the writer never waits for a lock on the loop: ``_begin`` does.
        writer.execute_now("PRAGMA busy_timeout=0")
        self._writer = writer
        self._reader = await ThreadedConnection.open(self.path)

    async def close(self) -> None:
        """Close both connections (waiting for a running write and checkpoint to finish)."""
        async with self._write_lock:
            if self._checkpointing is not None:
                await asyncio.wait([self._checkpointing])
                self._checkpointing = None
            if self._reader is not None:
                await self._reader.close()
            if self._writer is not None:
                await asyncio.to_thread(self._writer.close)  # the last one checkpoints
            self._reader = self._writer = None

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @asynccontextmanager
    async def write(self, *, bulk: bool = False) -> AsyncIterator[SqliteUnitOfWork]:
        """Run one serialized write transaction; commit on clean exit, else roll back.

        ``bulk``: a long transaction (an import, a payout): its statements run on a worker
        thread so that the annotators' short transactions are not stalled behind it.
        """
        connection = self._require(self._writer)
        async with self._write_lock:
            await self._begin(connection)
            connection.reset_busy()
            with connection.off_loop() if bulk else nullcontext():
                try:
                    yield SqliteUnitOfWork(connection, self._cache)
                    await connection.execute("COMMIT")
                except BaseException as error:
                    self._cache.clear()  # it may hold rows this transaction changed
                    if connection.in_transaction:
                        connection.execute_now("ROLLBACK")
                    if _disk_full(error):
                        logger.error("the disk is full: a write transaction was rolled back")
                        raise StorageFull() from error
                    raise
            busy = connection.reset_busy()
            if busy > SLOW_INLINE_SECONDS:
                logger.warning("a write transaction ran %.0f ms on the event loop "
                               "(open it with bulk=True)", busy * 1000)
            self._after_commit(bulk)

    async def _begin(self, connection: InlineConnection) -> None:
        """``BEGIN IMMEDIATE``, waiting (without blocking the loop) for another process."""
        deadline = time.monotonic() + BUSY_TIMEOUT
        pause = 0.001
        while True:
            try:
                connection.execute_now("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    raise
                if time.monotonic() > deadline:
                    raise DatabaseBusy(f"{self.path} stayed locked by another process "
                                       f"for {BUSY_TIMEOUT:.0f} s") from error
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _after_commit(self, bulk: bool) -> None:
        self._commits += 1
        if (self._commits >= CHECKPOINT_EVERY or bulk) and self._checkpointing is None:
            self._commits = 0
            self._checkpointing = asyncio.create_task(self._checkpoint())

    async def _checkpoint(self) -> None:
        try:
            busy, frames, done = await asyncio.to_thread(checkpoint, self.path)
            logger.debug("checkpoint: %d of %d WAL frames (busy=%d)", done, frames, busy)
        except sqlite3.Error:
            logger.exception("checkpoint failed (the next one will retry)")
        finally:
            self._checkpointing = None

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
        connection = await ThreadedConnection.open(self.path)
        try:
            await connection.execute("BEGIN")
            yield SqliteUnitOfWork(connection)
        finally:
            await asyncio.shield(connection.close())

    @staticmethod
    def _require(connection: C | None) -> C:
        if connection is None:
            raise RuntimeError("database is not open")
        return connection
