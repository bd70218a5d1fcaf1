"""Creating a project from the console: role check, project and audit entry in one unit of work."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

import pytest

from annotation.access import AccessService
from annotation.console.lifecycle import LifecycleService
from annotation.errors import PermissionDenied
from annotation.intake.catalog import CatalogService
from annotation.models import ProjectStatus
from annotation.ports import UnitOfWork
from annotation.records import AuditAction
from storage.database import Database
from storage.repositories.audit import SqliteAudit
from tests.clocks import FakeClock
from tests.projects import make_items, make_spec

ADMIN, STRANGER = 1, 99


class CountingStore:
    """The database, counting the units of work opened through it."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self.opened: list[str] = []

    def write(self, *, bulk: bool = False) -> AbstractAsyncContextManager[UnitOfWork]:
        self.opened.append("write")
        return self._database.write(bulk=bulk)

    def read(self) -> AbstractAsyncContextManager[UnitOfWork]:
        self.opened.append("read")
        return self._database.read()

    def snapshot(self) -> AbstractAsyncContextManager[UnitOfWork]:
        self.opened.append("snapshot")
        return self._database.snapshot()


@pytest.fixture
def store(database: Database) -> CountingStore:
    return CountingStore(database)


@pytest.fixture
def console(store: CountingStore, clock: FakeClock) -> LifecycleService:
    access = AccessService(store, clock=clock, admins={ADMIN})
    return LifecycleService(store, access, CatalogService(store, clock=clock), clock=clock)


async def test_creation_and_its_audit_entry_take_one_write_unit_of_work(
        console: LifecycleService, store: CountingStore, database: Database) -> None:
    project = await console.create(ADMIN, make_spec(), make_items(3))

    assert store.opened == ["write"]
    assert project.status is ProjectStatus.DRAFT
    async with database.read() as uow:
        assert [p.id for p in await uow.projects.all()] == [project.id]
        entries = await uow.audit.recent(10)
    assert [(e.actor_id, e.action, e.subject) for e in entries] == [
        (ADMIN, AuditAction.PROJECT_CREATE, f"project {project.id}")]
    assert entries[0].details == "Animals: 3 items"


async def test_a_refused_creation_leaves_neither_project_nor_entry(
        console: LifecycleService, database: Database) -> None:
    with pytest.raises(PermissionDenied):
        await console.create(STRANGER, make_spec(), make_items(3))

    async with database.read() as uow:
        assert await uow.projects.all() == []
        assert await uow.audit.recent(10) == []


async def test_a_failed_audit_entry_rolls_the_project_back(
        console: LifecycleService, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(*_args: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(SqliteAudit, "add", refuse)
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        await console.create(ADMIN, make_spec(), make_items(3))

    async with database.read() as uow:
        assert await uow.projects.all() == []
