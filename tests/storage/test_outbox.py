"""The outbox on a real SQLite file: queueing a broadcast or reminders to thousands inserts
their rows on the bulk path, off the event loop.

The broadcast use cases run on the fake store (``tests/annotation/console/test_broadcasts.py``)
and the outbox queries on every engine (``tests/contract/test_console_contract.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from typing import Any

import pytest

from annotation.access import AccessService
from annotation.console.broadcasts import BroadcastService
from annotation.console.records import AudienceKind, AudienceRequest
from annotation.console.reminders import ReminderService
from annotation.intake.catalog import CatalogService
from annotation.loop.onboarding import OnboardingService
from annotation.models import AnnotatorId, ProjectId
from storage.database import Database
from storage.repositories.outbox import SqliteOutbox
from tests.clocks import FakeClock
from tests.projects import make_items, make_spec

ADMIN = 1


async def setup(database: Database, clock: FakeClock) -> tuple[BroadcastService, str]:
    project = await CatalogService(database, clock=clock).create(make_spec(), make_items(3))
    people = OnboardingService(database, clock=clock, admins={ADMIN})
    await people.register(AnnotatorId(ADMIN), "Admin", "en")
    for user in (10, 11, 12):
        await people.register(AnnotatorId(user), f"A{user}", "fr", project.invite_code)
    await people.register(AnnotatorId(13), "Idle", "mg")
    await people.set_blocked(AnnotatorId(12), True)
    access = AccessService(database, clock=clock, admins={ADMIN})
    return BroadcastService(database, access, clock=clock), project.invite_code


class LoopTurns:
    """Counts the event loop's turns while it runs (a task that yields each turn)."""

    def __init__(self) -> None:
        self.count = 0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            self.count += 1
            await asyncio.sleep(0)

    async def __aenter__(self) -> LoopTurns:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


def _watch_fill(monkeypatch: pytest.MonkeyPatch, turns: LoopTurns) -> list[tuple[int, int]]:
    """Record (rows inserted, loop turns taken by other tasks meanwhile) for every fill."""
    original = SqliteOutbox.fill
    seen: list[tuple[int, int]] = []

    async def fill(self: SqliteOutbox, *args: Any) -> int:
        before = turns.count
        added = await original(self, *args)
        seen.append((added, turns.count - before))
        return added

    monkeypatch.setattr(SqliteOutbox, "fill", fill)
    return seen


def _add_annotators(database: Database, count: int, project: int) -> None:
    with sqlite3.connect(database.path) as connection:
        connection.executemany(
            "INSERT INTO annotators (id, name, language, current_project, joined_at) "
            "VALUES (?, ?, 'en', ?, 0)",
            [(i, f"A{i}", project) for i in range(1000, 1000 + count)])


async def test_queueing_a_large_broadcast_lets_other_tasks_run(
        database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The outbox insert (a row per recipient) runs on the bulk path, off the event loop."""
    service, _invite = await setup(database, clock)
    _add_annotators(database, 5000, 1)
    draft = await service.draft(ADMIN, AudienceRequest(AudienceKind.ALL), "hi")
    async with LoopTurns() as turns:
        seen = _watch_fill(monkeypatch, turns)
        assert await service.confirm(ADMIN, draft.broadcast.id, 1, 1) == 5004
    [(added, other_turns)] = seen
    assert added == 5004 and other_turns > 0  # another task ran while the rows went in


async def test_queueing_reminders_lets_other_tasks_run(
        database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    await setup(database, clock)
    _add_annotators(database, 3000, 1)
    async with database.write() as uow:
        await uow.reminders.set_period(ProjectId(1), 3600.0)
    clock.advance(7200)
    reminders = ReminderService(database, AccessService(database, clock=clock, admins={ADMIN}),
                                clock=clock)
    async with LoopTurns() as turns:
        seen = _watch_fill(monkeypatch, turns)
        assert await reminders.queue_due() == 3002
    assert [other > 0 for _added, other in seen] == [True]
