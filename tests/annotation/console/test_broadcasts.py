"""Broadcasts and reminders on the fake store: audiences, one outbox row per recipient,
claiming, recovery, and reminders once per idle spell.

The outbox queries themselves are checked on every engine in
``tests/contract/test_console_contract.py``; that the bulk insert lets other tasks run is
SQLite's (``tests/storage/test_outbox.py``).
"""

from __future__ import annotations

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
from annotation.intake.catalog import CatalogService
from annotation.loop.onboarding import OnboardingService
from annotation.models import AnnotatorId, ProjectId
from tests.clocks import FakeClock
from tests.fakes.store import FakeStore
from tests.projects import make_items, make_spec

ADMIN = 1


async def setup(store: FakeStore, clock: FakeClock) -> tuple[BroadcastService, str]:
    project = await CatalogService(store, clock=clock).create(make_spec(), make_items(3))
    people = OnboardingService(store, clock=clock, admins={ADMIN})
    await people.register(AnnotatorId(ADMIN), "Admin", "en")
    for user in (10, 11, 12):
        await people.register(AnnotatorId(user), f"A{user}", "fr", project.invite_code)
    await people.register(AnnotatorId(13), "Idle", "mg")
    await people.set_blocked(AnnotatorId(12), True)
    access = AccessService(store, clock=clock, admins={ADMIN})
    return BroadcastService(store, access, clock=clock), project.invite_code


async def test_audiences_and_one_row_per_recipient(store: FakeStore, clock: FakeClock) -> None:
    service, _invite = await setup(store, clock)
    everyone = await service.draft(ADMIN, AudienceRequest(AudienceKind.ALL), "hi")
    assert everyone.recipients == 4  # the blocked annotator is left out
    project = await service.draft(ADMIN, AudienceRequest(AudienceKind.PROJECT, "1"), "hi")
    assert project.recipients == 2
    clock.advance(3 * 86400)
    idle = await service.draft(ADMIN, AudienceRequest(AudienceKind.IDLE, idle_days=2), "hi")
    assert idle.recipients == 4
    assert await service.confirm(ADMIN, project.broadcast.id, 1, 1) == 2
    assert await service.confirm(ADMIN, project.broadcast.id, 1, 1) == 0  # double tap


async def test_claim_settle_and_recover(store: FakeStore, clock: FakeClock) -> None:
    service, _invite = await setup(store, clock)
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


async def test_reminders_go_once_per_idle_spell(store: FakeStore, clock: FakeClock) -> None:
    await setup(store, clock)
    async with store.write() as uow:
        await uow.reminders.set_period(ProjectId(1), 3600.0)
        await uow.reminders.set_muted(AnnotatorId(11), True)
    audience = Audience(AudienceKind.REMINDER, project_id=ProjectId(1))
    async with store.write() as uow:
        assert await queue_system_broadcast(uow, BroadcastKind.REMINDER, audience,
                                            clock()) == 0
    clock.advance(7200)
    async with store.write() as uow:
        assert await queue_system_broadcast(uow, BroadcastKind.REMINDER, audience,
                                            clock()) == 1  # 10 (11 muted, 12 blocked)
        again = await queue_system_broadcast(uow, BroadcastKind.REMINDER, audience, clock())
        assert again == 0
        done = await uow.outbox.sending()
    assert [b.status for b in done] == [BroadcastStatus.SENDING]
