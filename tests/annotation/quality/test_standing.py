"""A suspended annotator changes nothing, and the item counters never drift from the rows
(on the fake store).

Quality control suspends an annotator, sets their answers aside (``answers.excluded``) and
reopens their items. Every write they can still trigger from a message on their screen
(answer, toggle, submit, skip, undo, a typed answer, asking for a task) must be refused
with the suspension notice, and ``items.answers`` / ``items.live`` must keep counting the
rows they stand for (``tests.fakes.state.counter_drift``; on SQLite the triggers keep them,
``tests/storage/test_counters.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import astuple

import pytest

from annotation.console.quality import QualityService
from annotation.kinds.base import DONE_CODE
from annotation.loop.quality import suspend
from annotation.loop.tasks import Outcome, Result, TaskService
from annotation.models import AnnotatorId, AnswerType, AssignmentId, Task
from annotation.quality.rules import Verdict
from annotation.quality.settings import QualitySettings, Rule, RuleAction
from tests.annotators import Services, join
from tests.clocks import FakeClock
from tests.fakes.state import counter_drift
from tests.fakes.store import FakeStore
from tests.projects import make_items, make_spec

ADMIN = AnnotatorId(1)
CAT = 0  # option index; every gold answer is "cat"
# Straight to production, and no rule fires on its own: only the coordinator suspends.
QC = QualitySettings(enabled=True, training=0, exam=0, probation_tasks=0, adaptive_gold=False,
                     gold_min_answers=100,
                     speed_min_seconds=0.0, run_max_same=0, run_max_skips=0,
                     agreement_min_answers=1000)


async def answer_all(tasks: TaskService, user: int) -> int:
    """Answer every task the user gets; return how many."""
    count = 0
    task = await tasks.current_task(AnnotatorId(user))
    while task is not None:
        task = (await tasks.press(AnnotatorId(user), task.assignment.id, CAT)).task
        count += 1
    return count


def refused(outcome: Outcome, project_id: int) -> bool:
    """Return whether the outcome is the suspension notice, with nothing else to show."""
    notice = outcome.notice
    return (outcome.result is Result.SUSPENDED and outcome.task is None
            and notice is not None and notice.suspension is not None
            and notice.suspension.action is RuleAction.SUSPEND
            and notice.project is not None and notice.project.id == project_id)


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "alone"])
@pytest.mark.parametrize("gold", [False, True], ids=["regular", "gold"])
async def test_suspend_undo_answer_keeps_counters_and_pays_nothing(
        services: Services, store: FakeStore, clock: FakeClock, gold: bool,
        shared: bool) -> None:
    """``shared``: another annotator answered the item first (the counter drifted below
    the rows); alone, the old Undo broke ``CHECK (answers >= 0)``."""
    tasks, annotators, projects = services
    spec = make_spec(quality=QC, overlap=2, gold_rate=1.0 if gold else 0.0)
    project = await projects.create(spec, make_items(3, gold=1))
    await annotators.register(ADMIN, "Admin", "en")
    for user in (8, 7):
        await join(services, user, project.invite_code)
    other = await tasks.current_task(AnnotatorId(8)) if shared else None
    if other is not None:
        await tasks.press(AnnotatorId(8), other.assignment.id, CAT)
    first = await tasks.current_task(AnnotatorId(7))
    assert first is not None and first.item.is_gold is gold
    if other is not None:  # the same item: it holds 2 answers
        assert first.item.id == other.item.id
    answered = await tasks.press(AnnotatorId(7), first.assignment.id, CAT)
    assert answered.result is Result.RECORDED and answered.task is not None

    quality = QualityService(store, clock=clock, admins={ADMIN})
    await quality.suspend(ADMIN, project.id, AnnotatorId(7))
    assert counter_drift(store.state) == []
    # The Undo button under the task shown next, then an answer to the task undone.
    undo = await tasks.undo(AnnotatorId(7), first.assignment.id)
    again = await tasks.press(AnnotatorId(7), first.assignment.id, CAT)
    assert counter_drift(store.state) == [] and len(store.state.items) == 4
    assert refused(undo, project.id) and refused(again, project.id)
    assert await tasks.current_task(AnnotatorId(7)) is None
    async with store.read() as uow:
        assert await uow.earnings.accepted(None, None, AnnotatorId(7)) == []  # /earnings
    kept = [a for a in (await projects.snapshot(project.id)).answers if a.annotator_id == 7]
    assert [(a.item_id, a.excluded) for a in kept] == [(first.item.id, True)]

    # The reopened item goes to someone else, and never beyond its overlap.
    for user in (8, 9, 10):
        if user != 8:
            await join(services, user, project.invite_code)
        await answer_all(tasks, user)
    assert counter_drift(store.state) == []
    counted: dict[int, int] = {}
    for a in (await projects.snapshot(project.id)).answers:
        if not a.excluded and not a.is_gold:
            counted[a.item_id] = counted.get(a.item_id, 0) + 1
    assert set(counted.values()) == {2}

    # Reinstated: the set-aside answer counts again, counters still equal the rows.
    await quality.decide(ADMIN, project.id, AnnotatorId(7), reinstate=True)
    assert counter_drift(store.state) == []


Write = Callable[[TaskService, AnnotatorId, AssignmentId, AssignmentId],
                 Awaitable[Outcome | Task | None]]
WRITES: dict[str, tuple[AnswerType, Write]] = {
    "choose": (AnswerType.SINGLE, lambda t, u, shown, _done: t.press(u, shown, CAT)),
    "answer": (AnswerType.SINGLE, lambda t, u, shown, _done: t.answer(u, shown, "cat")),
    "toggle": (AnswerType.MULTI, lambda t, u, shown, _done: t.press(u, shown, CAT)),
    "submit": (AnswerType.MULTI, lambda t, u, shown, _done: t.press(u, shown, DONE_CODE)),
    "skip": (AnswerType.SINGLE, lambda t, u, shown, _done: t.skip(u, shown)),
    "undo": (AnswerType.SINGLE, lambda t, u, _shown, done: t.undo(u, done)),
    "typed": (AnswerType.TEXT, lambda t, u, _shown, _done: t.answer_typed(u, "a cat", "7:99")),
    "current_task": (AnswerType.SINGLE, lambda t, u, _shown, _done: t.current_task(u)),
}


def _rows(store: FakeStore) -> list[list[tuple[object, ...]]]:
    state = store.state
    return [[astuple(row) for _id, row in sorted(state.answers.items())],
            [astuple(row) for _id, row in sorted(state.assignments.items())],
            [(i.id, i.answers, i.live, i.settled) for _id, i in sorted(state.items.items())]]


@pytest.mark.parametrize("still_open", [False, True], ids=["suspended", "left-open"])
@pytest.mark.parametrize("write", list(WRITES))
async def test_every_write_of_a_suspended_annotator_is_refused(
        services: Services, store: FakeStore, clock: FakeClock, write: str,
        still_open: bool) -> None:
    """``still_open``: the task on screen is still an active assignment (what the old Undo
    left behind); otherwise the suspension removed it, as it does today."""
    tasks, annotators, projects = services
    answer_type, call = WRITES[write]
    options = () if answer_type is AnswerType.TEXT else ("cat", "dog", "bird")
    project = await projects.create(
        make_spec(quality=QC, answer_type=answer_type, options=options), make_items(4))
    await annotators.register(ADMIN, "Admin", "en")
    await join(services, 7, project.invite_code)
    first = await tasks.current_task(AnnotatorId(7))
    assert first is not None
    if answer_type is AnswerType.TEXT:
        done = await tasks.answer_typed(AnnotatorId(7), "a dog", "7:1")
    else:
        if answer_type is AnswerType.MULTI:
            await tasks.press(AnnotatorId(7), first.assignment.id, 1)
            done = await tasks.press(AnnotatorId(7), first.assignment.id, DONE_CODE)
        else:
            done = await tasks.press(AnnotatorId(7), first.assignment.id, 1)
    assert done.result is Result.RECORDED and done.task is not None
    if still_open:
        async with store.write() as uow:
            standing = await uow.quality.standing(project.id, AnnotatorId(7))
            assert standing is not None
            await uow.quality.save(suspend(standing, Verdict(Rule.MANUAL, RuleAction.SUSPEND,
                                                             {})), clock())
    else:
        quality = QualityService(store, clock=clock, admins={ADMIN})
        await quality.suspend(ADMIN, project.id, AnnotatorId(7))
    before = _rows(store)

    result = await call(tasks, AnnotatorId(7), done.task.assignment.id, first.assignment.id)

    if write == "current_task":
        assert result is None
    else:
        assert isinstance(result, Outcome) and refused(result, project.id), result
    assert _rows(store) == before
    if not still_open:
        assert counter_drift(store.state) == []


async def test_a_reinstated_annotator_works_again(
        services: Services, store: FakeStore, clock: FakeClock) -> None:
    tasks, annotators, projects = services
    project = await projects.create(make_spec(quality=QC, overlap=2), make_items(3))
    await annotators.register(ADMIN, "Admin", "en")
    await join(services, 7, project.invite_code)
    task = await tasks.current_task(AnnotatorId(7))
    assert task is not None
    done = await tasks.press(AnnotatorId(7), task.assignment.id, CAT)
    quality = QualityService(store, clock=clock, admins={ADMIN})
    await quality.suspend(ADMIN, project.id, AnnotatorId(7))
    assert refused(await tasks.undo(AnnotatorId(7), task.assignment.id), project.id)
    await quality.decide(ADMIN, project.id, AnnotatorId(7), reinstate=True)
    undone = await tasks.undo(AnnotatorId(7), task.assignment.id)
    assert undone.result is Result.UNDONE and done.answered == task.assignment.id
    assert counter_drift(store.state) == []
    assert await answer_all(tasks, 7) == 3
    assert counter_drift(store.state) == []
