"""The annotator loop's use cases on the fake store: rules that must hold.

The repositories under them keep the contract ``tests/contract`` checks on SQLite too.
"""

from __future__ import annotations

import asyncio

import pytest

from annotation.errors import AnswerRejected, StaleTask
from annotation.loop.tasks import Result
from annotation.models import AnnotatorId, AnswerType, AssignmentId, NumberRange
from tests.annotators import Services, join
from tests.clocks import FakeClock
from tests.fakes.state import counter_drift
from tests.fakes.store import FakeStore
from tests.projects import make_items, make_spec


async def test_every_item_gets_exactly_overlap_answers_from_distinct_annotators(
        services: Services, store: FakeStore) -> None:
    tasks, _annotators, projects = services
    project = await projects.create(make_spec(gold_rate=0.2), make_items(20, gold=4))
    users = range(100, 110)
    for user in users:
        await join(services, user, project.invite_code)

    async def work(user: int) -> None:
        task = await tasks.current_task(AnnotatorId(user))
        while task is not None:
            await asyncio.sleep(0)  # transactions run inline: interleave the annotators
            outcome = await tasks.press(AnnotatorId(user), task.assignment.id, user % 3)
            assert outcome.result is Result.RECORDED
            task = outcome.task

    await asyncio.gather(*(work(user) for user in users))
    snapshot = await projects.snapshot(project.id)
    per_item: dict[str, list[int]] = {}
    for answer in snapshot.answers:
        per_item.setdefault(answer.external_id, []).append(answer.annotator_id)
    for tally in snapshot.items:
        annotators = per_item.get(tally.external_id, [])
        assert len(set(annotators)) == len(annotators)
        if tally.gold_answer is None:
            assert len(annotators) == 3
    gold_answers = [a for a in snapshot.answers if a.is_gold]
    assert gold_answers and all(a.correct == (a.value == "cat") for a in gold_answers)
    assert counter_drift(store.state) == [] and store.state.items


async def test_double_tap_records_once(services: Services) -> None:
    tasks, _a, projects = services
    project = await projects.create(make_spec(), make_items(3))
    await join(services, 7, project.invite_code)
    task = await tasks.current_task(AnnotatorId(7))
    assert task is not None
    first, second = await asyncio.gather(
        tasks.press(AnnotatorId(7), task.assignment.id, 0),
        tasks.press(AnnotatorId(7), task.assignment.id, 1),
    )
    assert {first.result, second.result} == {Result.RECORDED, Result.DUPLICATE}
    snapshot = await projects.snapshot(project.id)
    assert len(snapshot.answers) == 1


async def test_someone_elses_assignment_is_refused(services: Services) -> None:
    tasks, _a, projects = services
    project = await projects.create(make_spec(), make_items(3))
    await join(services, 7, project.invite_code)
    await join(services, 8, project.invite_code)
    task = await tasks.current_task(AnnotatorId(7))
    assert task is not None
    with pytest.raises(StaleTask):
        await tasks.press(AnnotatorId(8), task.assignment.id, 0)
    with pytest.raises(StaleTask):
        await tasks.press(AnnotatorId(8), AssignmentId(999_999), 0)


async def test_expired_assignment_is_released_and_late_tap_gets_a_new_task(
        services: Services, clock: FakeClock) -> None:
    tasks, _a, projects = services
    project = await projects.create(make_spec(overlap=1), make_items(2))
    await join(services, 7, project.invite_code)
    await join(services, 8, project.invite_code)
    first = await tasks.current_task(AnnotatorId(7))
    assert first is not None
    clock.advance(301)
    assert await tasks.expire_due() == 1
    taken = await tasks.current_task(AnnotatorId(8))
    assert taken is not None and taken.item.id == first.item.id
    late = await tasks.press(AnnotatorId(7), first.assignment.id, 0)
    assert late.result is Result.EXPIRED
    assert late.task is not None and late.task.item.id != first.item.id


async def test_skip_never_returns_the_item(services: Services) -> None:
    tasks, _a, projects = services
    project = await projects.create(make_spec(), make_items(2))
    await join(services, 7, project.invite_code)
    task = await tasks.current_task(AnnotatorId(7))
    assert task is not None
    outcome = await tasks.skip(AnnotatorId(7), task.assignment.id)
    assert outcome.task is not None and outcome.task.item.id != task.item.id
    final = await tasks.skip(AnnotatorId(7), outcome.task.assignment.id)
    assert final.task is None


async def test_undo_reopens_the_answer_and_releases_the_next_task(
        services: Services, clock: FakeClock) -> None:
    tasks, _a, projects = services
    project = await projects.create(make_spec(), make_items(3))
    await join(services, 7, project.invite_code)
    task = await tasks.current_task(AnnotatorId(7))
    assert task is not None
    answered = await tasks.press(AnnotatorId(7), task.assignment.id, 1)
    assert answered.answered == task.assignment.id
    undone = await tasks.undo(AnnotatorId(7), task.assignment.id)
    assert undone.result is Result.UNDONE
    assert undone.task is not None and undone.task.item.id == task.item.id
    assert (await projects.snapshot(project.id)).answers == []
    again = await tasks.press(AnnotatorId(7), task.assignment.id, 2)
    assert again.result is Result.RECORDED
    clock.advance(120)
    with pytest.raises(StaleTask):
        await tasks.undo(AnnotatorId(7), task.assignment.id)


async def test_typed_number_out_of_range_changes_nothing(services: Services) -> None:
    tasks, _a, projects = services
    spec = make_spec(answer_type=AnswerType.NUMBER, options=(),
                     number_range=NumberRange(0, 10))
    project = await projects.create(spec, make_items(2))
    await join(services, 7, project.invite_code)
    assert await tasks.current_task(AnnotatorId(7)) is not None
    with pytest.raises(AnswerRejected):
        await tasks.answer_typed(AnnotatorId(7), "42", "7:1")
    recorded = await tasks.answer_typed(AnnotatorId(7), "4,5", "7:2")
    assert recorded.result is Result.RECORDED
    again = await tasks.answer_typed(AnnotatorId(7), "4,5", "7:2")
    assert again.result is Result.DUPLICATE
    snapshot = await projects.snapshot(project.id)
    assert [a.value for a in snapshot.answers] == ["4.5"]


async def test_typed_text_on_a_choice_task_is_refused(services: Services) -> None:
    tasks, _a, projects = services
    project = await projects.create(make_spec(), make_items(2))
    await join(services, 7, project.invite_code)
    assert await tasks.current_task(AnnotatorId(7)) is not None
    with pytest.raises(AnswerRejected):
        await tasks.answer_typed(AnnotatorId(7), "cat", "7:5")
