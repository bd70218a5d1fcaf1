"""Joining on the fake store: registering, admins, invites, languages, the profile."""

from __future__ import annotations

import pytest

from annotation.errors import NotFound
from annotation.loop.onboarding import pick_language
from annotation.models import AnnotatorId, AnnotatorStats, Role
from tests.annotators import ADMIN, Services, answer_all, join
from tests.fakes.store import FakeStore
from tests.projects import make_items, make_spec


@pytest.mark.parametrize(("code", "language"), [
    ("fr-FR", "fr"), ("MG", "mg"), ("de", "en"), (None, "en"), ("", "en")])
def test_the_language_is_the_closest_supported_one(code: str | None, language: str) -> None:
    assert pick_language(code) == language


async def test_a_newcomer_is_registered_in_their_language(services: Services) -> None:
    _tasks, onboarding, _catalog = services
    joined = await onboarding.register(AnnotatorId(7), "Ann", "fr-FR")
    assert (joined.annotator.name, joined.annotator.language) == ("Ann", "fr")
    assert joined.annotator.role is Role.ANNOTATOR and joined.project is None
    assert not joined.invite_unknown
    assert await onboarding.get(AnnotatorId(7)) == joined.annotator
    assert await onboarding.is_known(AnnotatorId(7))
    assert not await onboarding.is_known(AnnotatorId(8))
    assert await onboarding.get(AnnotatorId(8)) is None


async def test_a_configured_admin_is_known_at_once_and_stored_as_admin(
        services: Services) -> None:
    onboarding = services[1]
    assert await onboarding.is_known(AnnotatorId(ADMIN))  # before ever writing
    joined = await onboarding.register(AnnotatorId(ADMIN), "Boss", "en")
    assert joined.annotator.role is Role.ADMIN


async def test_an_invite_joins_its_project_and_a_new_one_moves_the_annotator(
        services: Services, store: FakeStore) -> None:
    tasks, onboarding, catalog = services
    first = await catalog.create(make_spec(name="First"), make_items(3))
    second = await catalog.create(make_spec(name="Second"), make_items(3))
    joined = await onboarding.register(AnnotatorId(7), "Ann", "en", first.invite_code)
    assert joined.project == first and joined.annotator.current_project == first.id
    task = await tasks.current_task(AnnotatorId(7))
    assert task is not None and task.project.id == first.id
    again = await onboarding.register(AnnotatorId(7), "Ann", "en")  # /start, no invite
    assert again.project == first
    moved = await onboarding.register(AnnotatorId(7), "Ann", "en", second.invite_code)
    assert moved.project == second and moved.annotator.current_project == second.id
    # the open task of the first project was handed back, as if never handed out
    async with store.read() as uow:
        assert await uow.assignments.get(task.assignment.id) is None
        assert [t.answers for t in await uow.items.tallies(first.id)] == [0, 0, 0]
    nxt = await tasks.current_task(AnnotatorId(7))
    assert nxt is not None and nxt.project.id == second.id


async def test_an_unknown_invite_registers_but_joins_nothing(services: Services) -> None:
    onboarding, catalog = services[1], services[2]
    project = await catalog.create(make_spec(), make_items(2))
    await onboarding.register(AnnotatorId(7), "Ann", "en", project.invite_code)
    joined = await onboarding.register(AnnotatorId(7), "Ann", "en", "no-such-code")
    assert joined.invite_unknown and joined.project is None
    assert joined.annotator.current_project == project.id  # still where they were


async def test_language_and_blocking_are_stored(services: Services) -> None:
    onboarding = services[1]
    await onboarding.register(AnnotatorId(7), "Ann", "en")
    await onboarding.set_language(AnnotatorId(7), "mg")
    with pytest.raises(NotFound):
        await onboarding.set_language(AnnotatorId(7), "de")
    await onboarding.set_blocked(AnnotatorId(7), True)
    found = await onboarding.get(AnnotatorId(7))
    assert found is not None and found.language == "mg" and found.blocked
    again = await onboarding.register(AnnotatorId(7), "Ann B.", "fr")  # wrote to the bot again
    assert not again.annotator.blocked and again.annotator.language == "mg"
    assert again.annotator.name == "Ann B."


async def test_the_profile_counts_the_project_and_everything(services: Services) -> None:
    onboarding, catalog = services[1], services[2]
    assert await onboarding.profile(AnnotatorId(7)) is None
    first = await catalog.create(make_spec(name="First", gold_rate=0.5), make_items(2, gold=2))
    second = await catalog.create(make_spec(name="Second"), make_items(1))
    await join(services, 7, first.invite_code)
    await answer_all(services, 7, lambda _user: 0)  # "cat": every gold answer right
    await join(services, 7, second.invite_code)
    await answer_all(services, 7, lambda _user: 1)
    profile = await onboarding.profile(AnnotatorId(7))
    assert profile is not None and profile.project == second
    assert profile.in_project == AnnotatorStats(1, 0, 0)
    assert profile.overall == AnnotatorStats(5, 2, 2)
