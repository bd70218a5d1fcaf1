"""Two ways to run SQL: inline on the event loop's thread, or on a thread of its own.

The write connection runs **inline**: a statement on a small, hot WAL database takes tens
of microseconds, far less than a round trip to a worker thread, which under load completes
only when the busy event loop gets back to it. An answer's transaction (about ten
statements) used to hold the write lock across ten such round trips, and taps queued
behind it (docs/PERFORMANCE.md: held p99 9 ms, waited p99 35 ms); inline, the whole
transaction runs in one step of the loop. Long transactions (imports, payouts) switch the
same connection to a worker thread for their duration (``off_loop``), so they stall no one.

Readers and long snapshots keep aiosqlite's thread (``ThreadedConnection``): their queries
can be long, and nothing waits on them while holding a lock.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeAlias, TypeVar, cast

import aiosqlite

logger = logging.getLogger(__name__)

Row: TypeAlias = tuple[Any, ...]
Params: TypeAlias = Sequence[Any]
T = TypeVar("T")

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA temp_store=MEMORY",
)
SLOW_INLINE_SECONDS = 0.05  # an inline transaction busier than this is logged


class Connection(Protocol):
    """What repositories need from a connection."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        ...

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Run one query and return all its rows."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        """Run one statement for each parameter row; return the rows changed."""
        ...


def _execute(raw: sqlite3.Connection, sql: str, params: Params) -> int:
    cursor = raw.execute(sql, params)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def _fetch_all(raw: sqlite3.Connection, sql: str, params: Params) -> list[Row]:
    cursor = raw.execute(sql, params)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _executemany(raw: sqlite3.Connection, sql: str, rows: list[Params]) -> int:
    cursor = raw.executemany(sql, rows)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


class InlineConnection:
    """A ``sqlite3`` connection used from the event loop, one statement at a time.

    The owner (``Database``) serializes every use with its write lock, so the connection
    is never used by two tasks at once, inline or off the loop.
    """

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw
        self._off_loop = False
        self.busy = 0.0  # seconds spent inline since the last ``reset_busy``

    @classmethod
    def open(cls, path: Path) -> InlineConnection:
        """Open a connection with the project's pragmas, automatic checkpoints off.

        Blocking: call it on a worker thread. ``Database`` runs the checkpoints on a
        thread, and sets ``busy_timeout`` to 0 once migrations are done (a wait would
        freeze the event loop: it retries ``BEGIN IMMEDIATE`` with a back-off instead).
        """
        raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in PRAGMAS:
            raw.execute(pragma).close()
        raw.execute("PRAGMA wal_autocheckpoint=0").close()
        return cls(raw)

    @contextmanager
    def off_loop(self) -> Iterator[None]:
        """Run every statement of the block on a worker thread (long transactions)."""
        previous, self._off_loop = self._off_loop, True
        try:
            yield
        finally:
            self._off_loop = previous

    def reset_busy(self) -> float:
        """Return the inline time spent since the last call, and start counting anew."""
        busy, self.busy = self.busy, 0.0
        return busy

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if not self._off_loop:
            started = time.perf_counter()
            try:
                return fn(self._raw, *args)
            finally:
                self.busy += time.perf_counter() - started
        work = asyncio.ensure_future(asyncio.to_thread(fn, self._raw, *args))
        try:
            return await asyncio.shield(work)
        except asyncio.CancelledError:
            # The thread still uses the connection: let it finish before anyone (the
            # rollback first) touches the connection again.
            await asyncio.wait([work])
            raise

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        return await self._run(_execute, sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Run one query and return all its rows."""
        return await self._run(_fetch_all, sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        """Run one statement for each parameter row; return the rows changed."""
        return await self._run(_executemany, sql, list(rows))

    def execute_now(self, sql: str) -> None:
        """Run one statement inline whatever the mode (BEGIN, COMMIT, ROLLBACK)."""
        self._raw.execute(sql).close()

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open."""
        return self._raw.in_transaction

    def close(self) -> None:
        """Close the connection."""
        self._raw.close()


class ThreadedConnection:
    """An aiosqlite connection: every statement on aiosqlite's own thread."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    @classmethod
    async def open(cls, path: Path) -> ThreadedConnection:
        """Open a connection with the project's pragmas."""
        connection = await aiosqlite.connect(path, isolation_level=None)
        for pragma in PRAGMAS:
            await connection.execute(pragma)
        return cls(connection)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        cursor = await self._connection.execute(sql, params)
        return cursor.rowcount

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Run one query and return all its rows (one trip to the thread)."""
        rows = await self._connection.execute_fetchall(sql, params)
        return cast(list[Row], rows)  # a list of tuples: no row factory is set

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        """Run one statement for each parameter row; return the rows changed."""
        cursor = await self._connection.executemany(sql, list(rows))
        return cursor.rowcount

    async def close(self) -> None:
        """Close the connection (and stop its thread)."""
        await self._connection.close()


def checkpoint(path: Path) -> tuple[int, int, int]:
    """Copy committed pages from the WAL into the database file, blocking no writer.

    Blocking (file I/O and fsync): call it on a worker thread. Returns SQLite's
    (busy, frames in the WAL, frames checkpointed).
    """
    raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        row = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(row[0]), int(row[1]), int(row[2])
    finally:
        raw.close()
