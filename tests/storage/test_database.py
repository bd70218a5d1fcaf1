"""The database itself: transactions inline and off the loop, another process's lock, WAL.

What every engine must do (rollback, serialized writes, snapshots) is in
``tests/contract/test_store_contract.py``; here is what only SQLite has to get right.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotation.models import AnnotatorId
from bot.sandbox.testing import wait_until
from storage import database as database_module
from storage.connection import InlineConnection
from storage.database import Database, DatabaseBusy
from tests.annotators import Services, join
from tests.projects import make_items, make_spec

NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def _names(database: Database) -> list[str]:
    async with database.read() as uow:
        return [p.spec.name for p in await uow.projects.all()]


async def test_cancelling_a_statement_on_the_thread_waits_for_it(tmp_path: Path) -> None:
    """The rollback must not touch the connection while the thread still uses it."""
    started, release = threading.Event(), threading.Event()

    def block() -> int:
        started.set()
        release.wait(10)
        return 1

    raw = sqlite3.connect(tmp_path / "t.db", isolation_level=None, check_same_thread=False)
    raw.create_function("block", 0, block)
    connection = InlineConnection(raw)
    with connection.off_loop():
        task = asyncio.create_task(connection.fetch_all("SELECT block()"))
        await asyncio.to_thread(started.wait, 10)
        task.cancel()
        for _ in range(5):
            await asyncio.sleep(0)
        assert not task.done()  # still waiting for the statement
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert await connection.fetch_all("SELECT 2") == [(2,)]
    connection.close()


async def test_a_bulk_import_and_answers_interleave(database: Database,
                                                   services: Services) -> None:
    tasks, _annotators, projects = services
    small = await projects.create(make_spec(name="Small"), make_items(5))
    await join(services, 100, small.invite_code)
    task = await tasks.current_task(AnnotatorId(100))
    assert task is not None

    async def answer() -> None:
        assert task is not None
        await tasks.press(AnnotatorId(100), task.assignment.id, 0)

    await asyncio.gather(projects.create(make_spec(name="Big"), make_items(3000)), answer())
    snapshot = await projects.snapshot(small.id)
    assert len(snapshot.answers) == 1
    assert sorted(await _names(database)) == ["Big", "Small"]
    async with database.read() as uow:
        big = await uow.projects.by_name("Big")
        assert big is not None
        assert len(await uow.items.tallies(big.id)) == 3000


async def test_a_write_waits_for_another_process_without_blocking_the_loop(
        database: Database, services: Services) -> None:
    async with database.write() as uow:  # the writer itself never sleeps on a lock
        assert await uow.connection.fetch_all("PRAGMA busy_timeout") == [(0,)]
    other = sqlite3.connect(database.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    task = asyncio.create_task(services[2].create(make_spec(name="Waited"), make_items(2)))
    for _ in range(5):  # the write found the lock taken and backs off: the loop turns
        await asyncio.sleep(0)
    assert not task.done()
    other.execute("COMMIT")
    other.close()
    await task
    assert await _names(database) == ["Waited"]


async def test_a_lock_held_too_long_is_a_clear_error(database: Database,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database_module, "BUSY_TIMEOUT", 0.05)
    other = sqlite3.connect(database.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(DatabaseBusy, match="locked by another process"):
        async with database.write():
            pass
    other.execute("ROLLBACK")
    other.close()
    async with database.write() as uow:
        await uow.annotators.upsert(AnnotatorId(7), "Seven", "en", NOW)


async def test_checkpoints_run_on_a_thread_after_enough_commits(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database_module, "CHECKPOINT_EVERY", 3)
    before = database.path.stat().st_size
    for user in range(3):
        async with database.write() as uow:
            await uow.annotators.upsert(AnnotatorId(user), "x" * 200_000, "en", NOW)
    # nothing reaches the main file until the checkpoint (automatic ones are off)
    await wait_until(lambda: database.path.stat().st_size > before + 500_000,
                     what="the checkpoint copying the WAL into the database file")
