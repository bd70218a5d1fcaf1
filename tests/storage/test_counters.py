"""The item counters follow their rows in triggers (migration 007), and the migration
repairs counters an older database let drift."""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from annotation.intake.catalog import CatalogService
from annotation.loop.onboarding import OnboardingService
from annotation.loop.tasks import TaskService
from annotation.models import AnnotatorId
from storage import migrations
from storage.database import Database
from tests.clocks import FakeClock
from tests.projects import make_items, make_spec
from tests.storage.counters import counted_rows, counter_drift


async def _work(database: Database, clock: FakeClock, users: range) -> None:
    """Create a project; each user answers two tasks and keeps a third one open."""
    tasks = TaskService(database, clock=clock, rng=random.Random(1))
    annotators = OnboardingService(database, clock=clock, admins=set())
    project = await CatalogService(database, clock=clock).create(
        make_spec(overlap=2, gold_rate=0.3), make_items(6, gold=2))
    for user in users:
        await annotators.register(AnnotatorId(user), f"user{user}", "en", project.invite_code)
        task = await tasks.current_task(AnnotatorId(user))
        for _ in range(2):
            assert task is not None
            task = (await tasks.press(AnnotatorId(user), task.assignment.id, 0)).task


async def test_the_migration_counts_drifted_counters_again(
        tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "annobot.db"
    every = migrations.available_migrations()
    assert (7, "007_counters.sql") in [(v, name) for v, name, _sql in every]
    monkeypatch.setattr(migrations, "available_migrations",
                        lambda: [m for m in every if m[0] < 7])
    async with Database(path):
        pass
    with closing(sqlite3.connect(path)) as connection, connection:
        # today's queue query needs the index of migration 008 (which creates it only if
        # it is missing)
        connection.execute("CREATE INDEX items_open_queue ON items "
                           "(project_id, is_gold, settled, fill DESC, id)")
        # and the kinds' columns of migrations 009 to 012 and the queue's of 014 (recorded
        # as applied: they must not run twice)
        for version in (9, 10, 11, 12, 14):
            name, sql = next((n, q) for v, n, q in every if v == version)
            connection.executescript(sql)
            connection.execute("INSERT INTO schema_migrations (version, name, applied_at) "
                               "VALUES (?, ?, 0)", (version, name))
    async with Database(path) as database:
        await _work(database, clock, range(10, 14))
    with closing(sqlite3.connect(path)) as connection, connection:
        # what the old Undo of a suspended annotator and its exclusion left behind
        connection.execute("UPDATE answers SET excluded = 1 WHERE id IN (1, 4)")
        connection.execute("UPDATE items SET answers = answers - 1 WHERE id = 2")
        connection.execute("UPDATE items SET live = live + 1 WHERE id = 3")
    assert counter_drift(path)  # drifted
    monkeypatch.setattr(migrations, "available_migrations", lambda: every)
    async with Database(path) as database:
        assert counter_drift(path) == [] and counted_rows(path) == 8
        await _work(database, clock, range(20, 23))
    assert counter_drift(path) == []
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT 1 FROM schema_migrations WHERE version = 7").fetchone()


@pytest.mark.parametrize("statement", [
    "UPDATE answers SET excluded = 1 WHERE id = 2",
    "UPDATE answers SET excluded = 1",
    "UPDATE answers SET excluded = 0",
    "DELETE FROM answers WHERE excluded = 1",
    "DELETE FROM assignments WHERE status = 'active'",
    "UPDATE assignments SET status = 'expired' WHERE status = 'active'",
])
async def test_counters_follow_every_change_of_the_rows(
        tmp_path: Path, clock: FakeClock, statement: str) -> None:
    path = tmp_path / "annobot.db"
    async with Database(path) as database:
        await _work(database, clock, range(10, 14))
    for sql in ("UPDATE answers SET excluded = 1 WHERE id IN (1, 3)", statement):
        with closing(sqlite3.connect(path)) as connection, connection:
            connection.execute("PRAGMA foreign_keys = ON")
            assert connection.execute(sql).rowcount > 0
        assert counter_drift(path) == []


def test_migration_versions_are_unique() -> None:
    """Two files with one number would apply one and fail on the other's record."""
    versions = [version for version, _name, _sql in migrations.available_migrations()]
    assert len(versions) == len(set(versions)) and versions == sorted(versions)
