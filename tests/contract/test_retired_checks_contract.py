"""The checks of a take taken back, on every engine (``ItemRepository.authored``,
``remove_unassigned``, ``retire``; ``annotation.loop.checks.retract_checks`` uses them): a
check nobody was handed is deleted; a retired one keeps its answers (they earn) but is
never handed out again, leaves the exports, and no longer counts for the recording, whose
name it frees for the new take's check."""

from __future__ import annotations

from dataclasses import replace

from annotation.models import AnnotatorId, AssignmentStatus
from annotation.ports import Store, UnitOfWork
from tests.contract.crowd import at, hand_out, person
from tests.contract.speech import check_name, record, studio, vote

RAVO, SOA = AnnotatorId(20), AnnotatorId(21)


async def test_a_retired_check_keeps_its_answers_and_leaves_the_queue_exports_and_the_take(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        place = await studio(uow)
        await person(uow, RAVO)
        c30, c31, c32 = [await person(uow, n) for n in (30, 31, 32)]
        taken_back, item = await record(uow, place, 0, RAVO, at(0))
        kept, other = await record(uow, place, 1, RAVO, at(1))
        name = check_name(taken_back.assignment_id)
        await vote(uow, place, item, c30, at(10), "no")
        await vote(uow, place, item, c31, at(11), "no")
        await vote(uow, place, other, c30, at(12), "yes")
        assert await uow.items.authored(RAVO, name) == [item]
        assert await uow.items.authored(c30, name) == []  # made from someone else's work
        assert not await uow.items.remove_unassigned(item)  # checkers were handed it
        await uow.answers.delete(taken_back.assignment_id)  # Undo
        await uow.items.retire(item, f"{name}~{item}", at(20))
        retired = await uow.items.get(item)  # what the write side reads is the new row
        assert retired is not None and retired.external_id == f"{name}~{item}"
        await uow.items.settle(item, False)  # quality control or adaptive overlap reopen it
    async with store.read() as uow:
        assert await uow.items.authored(RAVO, name) == []
        assert [t.item_id for t in await uow.items.tallies(place.check.id)] == [other]
        assert {a.item_id for a in await uow.answers.export_rows(place.check.id)} == {other}
        assert {a.item_id for _, a in await uow.answers.export_batch(place.check.id, None,
                                                                      10)} == {other}
        assert await uow.items.next_regular(place.check.id, c32, 5, 1) == other  # not item
        assert await uow.answers.value_counts(item) == {"no": 2}  # its checks stay
        assert await uow.answers.review_counts(place.recording.id, [place.check.id]) == {
            kept.assignment_id: {"yes": 1}}
        assert {v.assignment_id for v in await uow.earnings.votes(
            {place.recording.id}, None)} == {kept.assignment_id}
        paid = {(c.annotator_id, c.answers) for c in await uow.earnings.accepted(
            None, None, reviewed={place.recording.id})}
        assert paid == {(c30, 2), (c31, 1)}  # a check of the take taken back still earns
    # the take recorded again under the same assignment is offered to the feed afresh
    async with store.write() as uow:
        again = replace(taken_back, value="voice-again", answered_at=at(30))
        assert await uow.answers.add(again, None, place.recording.id)
        fresh = await uow.answers.unchecked_recordings(place.recording.id, place.check.id, 10)
        assert [(r.assignment_id, r.media_key) for r in fresh] == [
            (taken_back.assignment_id, "voice-again")]

async def test_a_check_nobody_was_handed_is_deleted_and_one_sent_to_anyone_is_not(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        place = await studio(uow)
        await person(uow, RAVO)
        c30 = await person(uow, 30)
        taken_back, unseen = await record(uow, place, 0, RAVO, at(0))
        _answer, expired = await record(uow, place, 1, RAVO, at(1))
        handed = await hand_out(uow, place.check, expired, c30, at(2))
        await uow.assignments.close(handed, AssignmentStatus.EXPIRED)
        await uow.answers.delete(taken_back.assignment_id)
        assert await uow.items.remove_unassigned(unseen)
        assert await uow.items.get(unseen) is None
        assert not await uow.items.remove_unassigned(expired)  # sent once, never answered
        assert [r.assignment_id for r in await uow.answers.unchecked_recordings(
            place.recording.id, place.check.id, 10)] == []
    async with store.read() as uow:
        assert [t.item_id for t in await uow.items.tallies(place.check.id)] == [expired]
        assert await uow.items.authored(RAVO, check_name(taken_back.assignment_id)) == []
