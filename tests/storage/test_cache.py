"""The write side's row cache never serves a project status that changed or rolled back."""

from __future__ import annotations

import pytest

from annotation.models import AnnotatorId, ProjectStatus
from storage.database import Database
from tests.annotators import Services, join
from tests.projects import make_items, make_spec


async def test_pausing_stops_assignments_at_once(services: Services) -> None:
    tasks, _a, projects = services
    project = await projects.create(make_spec(), make_items(5))
    await join(services, 7, project.invite_code)
    await join(services, 8, project.invite_code)
    assert await tasks.current_task(AnnotatorId(7)) is not None  # project now cached
    await projects.set_status(project.id, ProjectStatus.PAUSED)
    assert await tasks.current_task(AnnotatorId(8)) is None
    await projects.set_status(project.id, ProjectStatus.OPEN)
    assert await tasks.current_task(AnnotatorId(8)) is not None


async def test_a_rolled_back_status_change_is_not_remembered(services: Services,
                                                            database: Database) -> None:
    tasks, _a, projects = services
    project = await projects.create(make_spec(), make_items(5))
    await join(services, 7, project.invite_code)
    with pytest.raises(RuntimeError):
        async with database.write() as uow:
            await uow.projects.set_status(project.id, ProjectStatus.PAUSED)
            assert (await uow.projects.get(project.id)).status is ProjectStatus.PAUSED  # type: ignore[union-attr]
            raise RuntimeError("roll back")
    async with database.write() as uow:
        assert (await uow.projects.get(project.id)).status is ProjectStatus.OPEN  # type: ignore[union-attr]
    assert await tasks.current_task(AnnotatorId(7)) is not None
