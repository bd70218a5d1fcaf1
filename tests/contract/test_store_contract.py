"""The store keeps one contract on every engine (``annotation.ports.Store``): a write is one
serialized transaction, committed whole or not at all; a read sees one committed state."""

from __future__ import annotations

import asyncio

import pytest

from annotation.models import AnnotatorId, ProjectStatus
from annotation.ports import Store, UnitOfWork
from tests.contract.crowd import T0
from tests.projects import make_spec


async def _names(store: Store[UnitOfWork]) -> list[str]:
    async with store.read() as uow:
        return [p.spec.name for p in await uow.projects.all()]


@pytest.mark.parametrize("bulk", [False, True])
async def test_a_failed_transaction_leaves_nothing_and_the_next_one_works(
        store: Store[UnitOfWork], bulk: bool) -> None:
    with pytest.raises(RuntimeError):
        async with store.write(bulk=bulk) as uow:
            await uow.annotators.upsert(AnnotatorId(5), "Five", "en", T0)
            await uow.projects.add(make_spec(name="Lost"), ProjectStatus.OPEN, "c1", None, T0)
            raise RuntimeError("boom")
    async with store.read() as uow:
        assert await uow.annotators.get(AnnotatorId(5)) is None
    async with store.write(bulk=bulk) as uow:
        await uow.projects.add(make_spec(name="After"), ProjectStatus.OPEN, "c1", None, T0)
    assert await _names(store) == ["After"]


async def test_a_cancelled_bulk_transaction_rolls_back(store: Store[UnitOfWork]) -> None:
    inside = asyncio.Event()

    async def long_import() -> None:
        async with store.write(bulk=True) as uow:
            await uow.annotators.upsert(AnnotatorId(6), "Six", "en", T0)
            inside.set()
            await asyncio.Event().wait()  # cancelled here

    task = asyncio.create_task(long_import())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with store.read() as uow:
        assert await uow.annotators.get(AnnotatorId(6)) is None


async def test_writes_are_serialized(store: Store[UnitOfWork]) -> None:
    first_in, release = asyncio.Event(), asyncio.Event()
    order: list[str] = []

    async def first() -> None:
        async with store.write() as uow:
            order.append("first in")
            first_in.set()
            await release.wait()
            await uow.annotators.upsert(AnnotatorId(1), "One", "en", T0)
        order.append("first out")

    async def second() -> None:
        await first_in.wait()
        async with store.write() as uow:
            order.append("second in")
            found = await uow.annotators.get(AnnotatorId(1))
            order.append(f"second sees {found.name if found else None}")

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await first_in.wait()
    for _ in range(5):  # the second writer waits for the lock however long
        await asyncio.sleep(0)
    assert order == ["first in"]
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["first in", "first out", "second in", "second sees One"]


async def test_a_read_sees_one_committed_state(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        await uow.annotators.upsert(AnnotatorId(1), "Before", "en", T0)
    async with store.read() as reading:
        before = await reading.annotators.get(AnnotatorId(1))
        async with store.write() as uow:
            await uow.annotators.upsert(AnnotatorId(1), "After", "en", T0)
            await uow.annotators.upsert(AnnotatorId(2), "New", "en", T0)
        assert await reading.annotators.get(AnnotatorId(1)) == before
        assert await reading.annotators.get(AnnotatorId(2)) is None
    assert before is not None and before.name == "Before"
    async with store.read() as uow:
        after = await uow.annotators.get(AnnotatorId(1))
        assert after is not None and after.name == "After"
        assert await uow.annotators.get(AnnotatorId(2)) is not None


async def test_a_snapshot_sees_one_committed_state(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        await uow.projects.add(make_spec(name="First"), ProjectStatus.OPEN, "c1", None, T0)
    async with store.snapshot() as snapshot:
        assert [p.spec.name for p in await snapshot.projects.all()] == ["First"]
        async with store.write() as uow:
            await uow.projects.add(make_spec(name="Second"), ProjectStatus.OPEN, "c2", None,
                                   T0)
        assert [p.spec.name for p in await snapshot.projects.all()] == ["First"]
    assert await _names(store) == ["Second", "First"]
