"""The outbox on a real SQLite file: audiences, one row per recipient, claiming, recovery."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from typing import Any

import pytest

from annotation.access import AccessService
from annotation.console.broadcasts import BroadcastService, queue_system_broadcast
from annotation.console.records import (
    Audience,
    AudienceKind,
    AudienceRequest,
    BroadcastKind,
    BroadcastStatus,
    DeliveryStatus,
)
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


async def test_audiences_and_one_row_per_recipient(database: Database, clock: FakeClock) -> None:
    service, _invite = await setup(database, clock)
    everyone = await service.draft(ADMIN, AudienceRequest(AudienceKind.ALL), "hi")
    assert everyone.recipients == 4  # the blocked annotator is left out
    project = await service.draft(ADMIN, AudienceRequest(AudienceKind.PROJECT, "1"), "hi")
    assert project.recipients == 2
    clock.advance(3 * 86400)
    idle = await service.draft(ADMIN, AudienceRequest(AudienceKind.IDLE, idle_days=2), "hi")
    assert idle.recipients == 4
    assert await service.confirm(ADMIN, project.broadcast.id, 1, 1) == 2
    assert await service.confirm(ADMIN, project.broadcast.id, 1, 1) == 0  # double tap


async def test_claim_settle_and_recover(database: Database, clock: FakeClock) -> None:
    service, _invite = await setup(database, clock)
    draft = await service.draft(ADMIN, AudienceRequest(AudienceKind.ALL), "hi")
    await service.confirm(ADMIN, draft.broadcast.id, 1, 1)
    first = await service.claim(draft.broadcast.id)
    second = await service.claim(draft.broadcast.id)
    assert first is not None and second is not None and first.annotator_id != second.annotator_id
    await service.settle(first, DeliveryStatus.SENT)
    assert await service.recover() == 1  # the second was in flight at a "crash"
    progress = await service.progress(draft.broadcast.id)
    assert (progress.total, progress.sent, progress.uncertain) == (4, 1, 1)
    claimed = []
    while (recipient := await service.claim(draft.broadcast.id)) is not None:
        claimed.append(recipient.annotator_id)
        await service.settle(recipient, DeliveryStatus.BLOCKED)
    assert len(claimed) == 2 and second.annotator_id not in claimed  # never resent
    assert (await service.progress(draft.broadcast.id)).finished
    [sending] = await service.sending()
    await service.finish(sending.id)
    assert await service.sending() == []


async def test_reminders_go_once_per_idle_spell(database: Database, clock: FakeClock) -> None:
    await setup(database, clock)
    async with database.write() as uow:
        await uow.reminders.set_period(ProjectId(1), 3600.0)
        await uow.reminders.set_muted(AnnotatorId(11), True)
    audience = Audience(AudienceKind.REMINDER, project_id=ProjectId(1))
    async with database.write() as uow:
        assert await queue_system_broadcast(uow, BroadcastKind.REMINDER, audience,
                                            clock()) == 0
    clock.advance(7200)
    async with database.write() as uow:
        assert await queue_system_broadcast(uow, BroadcastKind.REMINDER, audience,
                                            clock()) == 1  # 10 (11 muted, 12 blocked)
        again = await queue_system_broadcast(uow, BroadcastKind.REMINDER, audience, clock())
        assert again == 0
        done = await uow.outbox.sending()
    assert [b.status for b in done] == [BroadcastStatus.SENDING]


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
