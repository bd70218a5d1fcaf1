"""Annotators and secrets keep one contract on every engine (``annotation.ports.people``)."""

from __future__ import annotations

import pytest

from annotation.models import Annotator, AnnotatorId, AnnotatorStats, ProjectId, Role
from annotation.ports import Store, UnitOfWork
from tests.contract.conftest import CONSTRAINT_ERRORS
from tests.contract.crowd import T0, answered, at, person, stock


async def test_an_upsert_registers_once_and_keeps_the_settings(store: Store[UnitOfWork]) -> None:
    who = AnnotatorId(7)
    async with store.write() as uow:
        first = await uow.annotators.upsert(who, "Ann", "fr", T0)
        assert first == Annotator(who, "Ann", "fr", Role.ANNOTATOR, None, False)
        await uow.annotators.set_role(who, Role.COORDINATOR)
        await uow.annotators.set_blocked(who, True)
    async with store.write() as uow:
        again = await uow.annotators.upsert(who, "Anne", "mg", at(60))
    # a new name, unblocked (they wrote again), the language and role kept
    assert again == Annotator(who, "Anne", "fr", Role.COORDINATOR, None, False)
    async with store.read() as uow:
        assert await uow.annotators.get(who) == again
        assert await uow.annotators.get(AnnotatorId(8)) is None


async def test_settings_change_one_annotator_and_ignore_strangers(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        project = (await stock(uow)).project
        await person(uow, 1)
        await person(uow, 2)
        await uow.annotators.set_language(AnnotatorId(1), "mg")
        await uow.annotators.set_project(AnnotatorId(1), project.id)
        await uow.annotators.set_role(AnnotatorId(1), Role.ADMIN)
        await uow.annotators.set_blocked(AnnotatorId(1), True)
        for stranger in (AnnotatorId(99),):  # UPDATE of no row: nothing happens
            await uow.annotators.set_language(stranger, "fr")
            await uow.annotators.set_project(stranger, project.id)
            await uow.annotators.set_role(stranger, Role.COORDINATOR)
            await uow.annotators.set_blocked(stranger, True)
    async with store.read() as uow:
        assert await uow.annotators.get(AnnotatorId(1)) == Annotator(
            AnnotatorId(1), "user1", "mg", Role.ADMIN, project.id, True)
        assert await uow.annotators.get(AnnotatorId(2)) == Annotator(
            AnnotatorId(2), "user2", "en", Role.ANNOTATOR, None, False)
        assert await uow.annotators.get(AnnotatorId(99)) is None
    async with store.write() as uow:
        await uow.annotators.set_project(AnnotatorId(1), None)
    async with store.read() as uow:
        found = await uow.annotators.get(AnnotatorId(1))
        assert found is not None and found.current_project is None


async def test_joining_a_project_that_does_not_exist_is_refused(
        store: Store[UnitOfWork]) -> None:
    with pytest.raises(CONSTRAINT_ERRORS):
        async with store.write() as uow:
            await person(uow, 1)
            await uow.annotators.set_project(AnnotatorId(1), ProjectId(404))


async def test_stats_count_answers_and_gold_per_project_and_overall(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        one = await stock(uow, regular=2, gold=2)
        two = await stock(uow, regular=1, name="Other", invite="invite2")
        ann = await person(uow, 1)
        await answered(uow, one.project, one.regular[0], ann, at(1))
        await answered(uow, one.project, one.gold[0], ann, at(2), correct=True)
        await answered(uow, one.project, one.gold[1], ann, at(3), "dog", correct=False)
        await answered(uow, two.project, two.regular[0], ann, at(4))
    async with store.read() as uow:
        assert await uow.annotators.stats(ann, one.project.id) == AnnotatorStats(3, 2, 1)
        assert await uow.annotators.stats(ann, two.project.id) == AnnotatorStats(1, 0, 0)
        assert await uow.annotators.stats(ann, None) == AnnotatorStats(4, 2, 1)
        assert await uow.annotators.stats(AnnotatorId(2), None) == AnnotatorStats(0, 0, 0)


async def test_a_secret_is_created_once(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        assert await uow.secrets.get_or_create("pseudonyms", b"first") == b"first"
        assert await uow.secrets.get_or_create("pseudonyms", b"second") == b"first"
        assert await uow.secrets.get_or_create("other", b"x") == b"x"
    async with store.write() as uow:  # committed
        assert await uow.secrets.get_or_create("pseudonyms", b"third") == b"first"
