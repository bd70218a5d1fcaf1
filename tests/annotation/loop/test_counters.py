"""The item counters on the fake store follow their rows through every use case of the loop,
as the SQL triggers keep them on SQLite (``tests/storage/test_counters.py``)."""

from __future__ import annotations

from annotation.models import AnnotatorId
from tests.annotators import Services, join
from tests.clocks import FakeClock
from tests.fakes.state import counter_drift
from tests.fakes.store import FakeStore
from tests.projects import make_items, make_spec


async def _work(services: Services, users: range) -> int:
    """Create a project; each user answers two tasks and keeps a third one open."""
    tasks, _onboarding, catalog = services
    project = await catalog.create(make_spec(overlap=2, gold_rate=0.3), make_items(6, gold=2))
    for user in users:
        await join(services, user, project.invite_code)
        task = await tasks.current_task(AnnotatorId(user))
        for _ in range(2):
            assert task is not None
            task = (await tasks.press(AnnotatorId(user), task.assignment.id, 0)).task
    return project.id


async def test_answers_and_open_tasks_are_counted(services: Services,
                                                  store: FakeStore) -> None:
    await _work(services, range(10, 14))
    assert counter_drift(store.state) == [] and len(store.state.items) == 8
    assert sum(i.answers for i in store.state.items.values()) == 8
    assert sum(i.live for i in store.state.items.values()) == 4


async def test_skips_undos_and_expiry_keep_the_counters(
        services: Services, store: FakeStore, clock: FakeClock) -> None:
    tasks = services[0]
    await _work(services, range(10, 14))
    task = await tasks.current_task(AnnotatorId(10))
    assert task is not None
    skipped = await tasks.skip(AnnotatorId(10), task.assignment.id)
    assert skipped.task is not None
    answered = await tasks.press(AnnotatorId(10), skipped.task.assignment.id, 1)
    await tasks.undo(AnnotatorId(10), skipped.task.assignment.id)  # discards the next task
    assert answered.answered == skipped.task.assignment.id
    assert counter_drift(store.state) == []
    clock.advance(3600)
    assert await tasks.expire_due() == 4
    assert counter_drift(store.state) == []
    assert sum(i.live for i in store.state.items.values()) == 0
    assert sum(i.answers for i in store.state.items.values()) == 8
