"""Undo of a recording that a check project checks, as use cases on the fake store: the
take taken back leaves its checks in the Undo itself (``annotation.loop.checks``). A check
nobody was handed is deleted; one a checker was handed is retired with the checks given
on it; the take recorded next is made into a fresh check, heard and decided on its own."""

from __future__ import annotations

from annotation.kinds.check import LABELS
from annotation.loop.tasks import Result
from annotation.loop.voice import VoiceNote
from annotation.models import AnnotatorId, AnswerType, AssignmentId, ProjectId, Scale
from bot.samples.voices import voice_note
from tests.annotators import Services, join
from tests.fakes.store import FakeStore
from tests.projects import make_items, make_spec

RAVO = AnnotatorId(20)
READ = make_spec(name="Read", answer_type=AnswerType.RECORDING, options=(), overlap=1)
CHECK = make_spec(name="Check", answer_type=AnswerType.CHECK, options=(), overlap=3,
                  scale=Scale(points=2, labels=LABELS, source="Read"))
YES, NO = LABELS.index("yes"), LABELS.index("no")
CHECK_PROJECT = ProjectId(2)


async def _record(services: Services, number: int) -> AssignmentId:
    """Have Ravo record his open task with a new voice note; return its assignment."""
    data = voice_note(3.0, seed=number)

    async def fetch() -> bytes:
        return data

    note = VoiceNote(f"file-{number}", f"unique-{number}", 3, len(data), "audio/ogg",
                     f"{RAVO}:{number}")
    outcome = await services[0].answer_voice(RAVO, note, fetch)
    assert outcome.result is Result.RECORDED and outcome.answered is not None
    return outcome.answered


def _checks(store: FakeStore) -> list[tuple[str, str | None, bool]]:
    """Return the check project's items in use (not retired): external id, media key,
    settled."""
    return [(i.external_id, i.media_key, i.settled) for i in store.state.items.values()
            if i.project_id == CHECK_PROJECT and i.retired_at is None]


async def _key(store: FakeStore, assignment: AssignmentId) -> str:
    async with store.read() as uow:
        answer = await uow.answers.for_assignment(assignment)
    assert answer is not None
    return answer.value


async def _studio(services: Services) -> None:
    await services[2].create(READ, make_items(3))
    await services[2].create(CHECK, [])
    await join(services, RAVO, "invite1")
    assert await services[0].current_task(RAVO) is not None


async def test_a_take_taken_back_before_anyone_had_its_check_is_replaced(
        services: Services, store: FakeStore) -> None:
    tasks = services[0]
    await _studio(services)
    first = await _record(services, 1)
    assert [c[0] for c in _checks(store)] == [f"rec-{first}"]
    undone = await tasks.undo(RAVO, first)
    assert undone.result is Result.UNDONE and undone.task is not None
    # nobody was handed it: deleted, not retired
    assert [i for i in store.state.items.values() if i.project_id == CHECK_PROJECT] == []
    again = await _record(services, 2)
    assert again == first  # the same assignment, answered anew
    assert _checks(store) == [(f"rec-{first}", await _key(store, first), False)]
    await join(services, 30, "invite2")
    task = await tasks.current_task(AnnotatorId(30))
    assert task is not None and task.item.media_key == await _key(store, first)


async def test_checks_of_a_take_taken_back_stay_on_a_retired_item_and_decide_nothing(
        services: Services, store: FakeStore) -> None:
    tasks = services[0]
    await _studio(services)
    first = await _record(services, 1)
    old_key = await _key(store, first)
    for checker in (30, 31):
        await join(services, checker, "invite2")
    early = await tasks.current_task(AnnotatorId(30))
    assert early is not None
    await tasks.press(AnnotatorId(30), early.assignment.id, NO)
    held = await tasks.current_task(AnnotatorId(31))  # handed out, not answered yet
    assert held is not None and held.item.id == early.item.id
    await tasks.undo(RAVO, first)
    retired = store.state.items[early.item.id]
    assert (retired.external_id, retired.settled, retired.retired_at is not None) == (
        f"rec-{first}~{early.item.id}", True, True)
    assert _checks(store) == []
    async with store.read() as uow:  # out of the check project's exports
        assert await uow.items.tallies(CHECK_PROJECT) == []
    await _record(services, 2)
    new_key = await _key(store, first)
    assert new_key != old_key
    assert _checks(store) == [(f"rec-{first}", new_key, False)]
    # the holder may still answer the old take: recorded on the retired item, paid as a
    # check, counted for no recording; the new take comes next
    answered = await tasks.press(AnnotatorId(31), held.assignment.id, NO)
    assert answered.result is Result.RECORDED
    assert answered.task is not None and answered.task.item.media_key == new_key
    async with store.read() as uow:
        assert await uow.answers.value_counts(early.item.id) == {"no": 2}
        assert await uow.answers.review_counts(ProjectId(1), [CHECK_PROJECT]) == {}
    await tasks.press(AnnotatorId(31), answered.task.assignment.id, YES)
    await join(services, 32, "invite2")
    late = await tasks.current_task(AnnotatorId(32))
    assert late is not None and late.item.media_key == new_key
    await tasks.press(AnnotatorId(32), late.assignment.id, YES)
    async with store.read() as uow:
        assert await uow.answers.review_counts(ProjectId(1), [CHECK_PROJECT]) == {
            first: {"yes": 2}}
    assert _checks(store) == [(f"rec-{first}", new_key, True)]  # decided
    # the checker who rejected the old take is never handed it again, nor is anyone
    assert await tasks.current_task(AnnotatorId(30)) is None
