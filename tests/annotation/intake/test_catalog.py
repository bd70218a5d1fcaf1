"""The catalog on the fake store: a project with its items and media stored all or nothing,
found by id or name, steered, and read back in one snapshot."""

from __future__ import annotations

from dataclasses import replace

import pytest

from annotation.errors import NotFound
from annotation.media.preparation import PreparedMedia
from annotation.models import MediaKey, MediaKind, ProjectId, ProjectStatus
from tests.annotators import Services
from tests.fakes.state import IntegrityError
from tests.fakes.store import FakeStore
from tests.projects import make_items, make_spec

PHOTO = PreparedMedia(MediaKey("f" * 64), MediaKind.IMAGE, "cat.png", "image/png", b"png",
                      4, 3, None, "photo")


async def test_a_project_is_stored_with_its_items_and_media_in_one_write(
        services: Services, store: FakeStore) -> None:
    catalog = services[2]
    drafts = make_items(2, gold=1)
    drafts[1] = replace(drafts[1], kind=MediaKind.IMAGE, text="", media=PHOTO)
    drafts.append(replace(drafts[1], line=9, external_id="again"))  # the same photo twice
    project = await catalog.create(make_spec(), drafts, status=ProjectStatus.DRAFT)
    assert store.opened == ["write"] and store.commits == 1
    assert project.status is ProjectStatus.DRAFT and project.invite_code == "invite1"
    snapshot = await catalog.snapshot(project.id)
    assert snapshot.project == project and snapshot.answers == []
    assert [(t.external_id, t.media_filename, t.gold_answer) for t in snapshot.items] == [
        ("item0", None, None), ("item1", "cat.png", None), ("gold0", None, "cat"),
        ("again", "cat.png", None)]
    async with store.read() as uow:
        assert await uow.media.data(PHOTO.key) == b"png"
    assert list(store.state.media) == [PHOTO.key]


async def test_a_failed_creation_stores_nothing(services: Services, store: FakeStore) -> None:
    catalog = services[2]
    drafts = make_items(2)
    drafts[1] = replace(drafts[1], external_id="item0", media=PHOTO)  # twice the same id
    with pytest.raises(IntegrityError):
        await catalog.create(make_spec(), drafts)
    assert store.commits == 0 and store.rollbacks == 1
    assert await catalog.all() == [] and store.state.media == {}


async def test_projects_are_found_by_id_or_newest_name(services: Services) -> None:
    catalog = services[2]
    first = await catalog.create(make_spec(name="Birds"), make_items(1))
    second = await catalog.create(make_spec(name="Birds"), make_items(1))
    other = await catalog.create(make_spec(name="42"), make_items(1))
    assert await catalog.all() == [other, second, first]
    assert await catalog.find(str(first.id)) == first
    assert await catalog.find("Birds") == second
    assert await catalog.find("42") == other  # no project 42: then by name
    with pytest.raises(NotFound):
        await catalog.find("Cats")


async def test_a_status_change_needs_a_project(services: Services, store: FakeStore) -> None:
    catalog = services[2]
    project = await catalog.create(make_spec(), make_items(1))
    await catalog.set_status(project.id, ProjectStatus.CLOSED)
    assert (await catalog.find(str(project.id))).status is ProjectStatus.CLOSED
    commits = store.commits
    with pytest.raises(NotFound):
        await catalog.set_status(ProjectId(404), ProjectStatus.OPEN)
    assert store.commits == commits
    with pytest.raises(NotFound):
        await catalog.snapshot(ProjectId(404))
