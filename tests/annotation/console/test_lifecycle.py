"""Creating a project from the console: role check, project and audit entry in one unit of
work (on the fake store, which lists the units of work opened through it)."""

from __future__ import annotations

import pytest

from annotation.access import AccessService
from annotation.console.lifecycle import LifecycleService
from annotation.errors import PermissionDenied
from annotation.intake.catalog import CatalogService
from annotation.models import ProjectStatus
from annotation.records import AuditAction
from tests.clocks import FakeClock
from tests.fakes.console import FakeAuditRepository
from tests.fakes.store import FakeStore
from tests.projects import make_items, make_spec

ADMIN, STRANGER = 1, 99


@pytest.fixture
def console(store: FakeStore, clock: FakeClock) -> LifecycleService:
    access = AccessService(store, clock=clock, admins={ADMIN})
    return LifecycleService(store, access, CatalogService(store, clock=clock), clock=clock)


async def test_creation_and_its_audit_entry_take_one_write_unit_of_work(
        console: LifecycleService, store: FakeStore) -> None:
    project = await console.create(ADMIN, make_spec(), make_items(3))

    assert store.opened == ["write"]
    assert project.status is ProjectStatus.DRAFT
    async with store.read() as uow:
        assert [p.id for p in await uow.projects.all()] == [project.id]
        entries = await uow.audit.recent(10)
    assert [(e.actor_id, e.action, e.subject) for e in entries] == [
        (ADMIN, AuditAction.PROJECT_CREATE, f"project {project.id}")]
    assert entries[0].details == "Animals: 3 items"


async def test_a_refused_creation_leaves_neither_project_nor_entry(
        console: LifecycleService, store: FakeStore) -> None:
    with pytest.raises(PermissionDenied):
        await console.create(STRANGER, make_spec(), make_items(3))

    async with store.read() as uow:
        assert await uow.projects.all() == []
        assert await uow.audit.recent(10) == []


async def test_a_failed_audit_entry_rolls_the_project_back(
        console: LifecycleService, store: FakeStore, monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(*_args: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(FakeAuditRepository, "add", refuse)
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        await console.create(ADMIN, make_spec(), make_items(3))

    async with store.read() as uow:
        assert await uow.projects.all() == []
