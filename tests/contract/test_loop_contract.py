"""Assignments and answers keep one contract on every engine (``annotation.ports.loop``):
an item once per annotator, one active task each, answers recorded once, the counters that
follow them, undo, expiry, and the export's paging."""

from __future__ import annotations

from datetime import timedelta

import pytest

from annotation.models import (
    AnnotatorId,
    Answer,
    Assignment,
    AssignmentId,
    AssignmentStatus,
    ItemId,
    ProjectId,
)
from annotation.ports import Store, UnitOfWork
from annotation.records import ExportAnswer
from tests.contract.conftest import CONSTRAINT_ERRORS
from tests.contract.crowd import T0, answered, at, hand_out, person, stock

HOUR = timedelta(hours=1)


async def test_an_assignment_is_handed_out_active_and_found_again(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=2, gold=1)
        ann = await person(uow, 1)
        regular = await uow.assignments.add(s.project.id, s.regular[1], ann, False, at(10),
                                            at(10) + HOUR)
    assert regular == Assignment(regular.id, s.project.id, s.regular[1], ann,
                                 AssignmentStatus.ACTIVE, False, at(10), at(10) + HOUR, "")
    async with store.read() as uow:
        assert await uow.assignments.get(regular.id) == regular
        assert await uow.assignments.get(AssignmentId(404)) is None
        assert await uow.assignments.active_for(ann) == regular
        assert await uow.assignments.active_for(AnnotatorId(2)) is None
    async with store.write() as uow:
        await uow.assignments.close(regular, AssignmentStatus.SKIPPED)
        gold = await uow.assignments.add(s.project.id, s.gold[0], ann, True, at(20),
                                         at(20) + HOUR)
    assert gold.is_gold and gold.id != regular.id
    async with store.read() as uow:
        assert await uow.assignments.active_for(ann) == gold


async def test_an_annotator_gets_an_item_once_and_one_task_at_a_time(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=2)
        ann = await person(uow, 1)
        first = await hand_out(uow, s.project, s.regular[0], ann, at(1))
    with pytest.raises(CONSTRAINT_ERRORS):  # a second active task
        async with store.write() as uow:
            await hand_out(uow, s.project, s.regular[1], ann, at(2))
    async with store.write() as uow:
        await uow.assignments.close(first, AssignmentStatus.EXPIRED)
    with pytest.raises(CONSTRAINT_ERRORS):  # the same item again, even expired
        async with store.write() as uow:
            await hand_out(uow, s.project, s.regular[0], ann, at(3))
    with pytest.raises(CONSTRAINT_ERRORS):  # nobody known by that id
        async with store.write() as uow:
            await hand_out(uow, s.project, s.regular[1], AnnotatorId(404), at(3))
    async with store.read() as uow:
        assert await uow.assignments.active_for(ann) is None


async def test_closing_ends_an_active_assignment_only(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=1)
        ann = await person(uow, 1)
        assignment = await hand_out(uow, s.project, s.regular[0], ann, at(1))
        await uow.assignments.set_draft(assignment.id, "cat|dog")
    async with store.read() as uow:
        found = await uow.assignments.get(assignment.id)
        assert found is not None and found.draft == "cat|dog"
    with pytest.raises(ValueError, match="final status"):
        async with store.write() as uow:
            await uow.assignments.close(assignment, AssignmentStatus.ACTIVE)
    async with store.write() as uow:
        await uow.assignments.close(assignment, AssignmentStatus.SKIPPED)
        await uow.assignments.close(assignment, AssignmentStatus.ANSWERED)  # not active: no-op
        await uow.assignments.set_draft(assignment.id, "bird")  # not active: no-op
    async with store.read() as uow:
        closed = await uow.assignments.get(assignment.id)
    assert closed is not None and closed.status is AssignmentStatus.SKIPPED and closed.draft == ""


async def test_undo_reopens_an_answered_assignment_and_discards_the_next_one(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=2)
        ann, other = await person(uow, 1), await person(uow, 2)
        answer = await answered(uow, s.project, s.regular[0], ann, at(1))
        following = await hand_out(uow, s.project, s.regular[1], ann, at(2))
    async with store.write() as uow:  # what TaskService.undo does
        await uow.assignments.discard(following)
        await uow.answers.delete(answer.assignment_id)
        done = await uow.assignments.get(answer.assignment_id)
        assert done is not None
        await uow.assignments.reopen(done, at(3), at(3) + HOUR)
    async with store.read() as uow:
        reopened = await uow.assignments.get(answer.assignment_id)
        assert reopened is not None and reopened.status is AssignmentStatus.ACTIVE
        assert (reopened.assigned_at, reopened.deadline) == (at(3), at(3) + HOUR)
        assert await uow.assignments.get(following.id) is None  # as if never handed out
        assert await uow.answers.for_assignment(answer.assignment_id) is None
        assert [t.answers for t in await uow.items.tallies(s.project.id)] == [0, 0]
        # the discarded item is free again, even for the same annotator
        assert await uow.items.next_regular(s.project.id, ann, 1, 1) == s.regular[1]
        # the reopened one is live again: closed to others at overlap 1
        assert await uow.items.next_regular(s.project.id, other, 1, 1) == s.regular[1]
    async with store.write() as uow:  # reopen only an answered one, discard only an active one
        active = await uow.assignments.get(answer.assignment_id)
        assert active is not None
        await uow.assignments.reopen(active, at(4), at(4) + HOUR)
        await uow.assignments.close(active, AssignmentStatus.EXPIRED)
        expired = await uow.assignments.get(answer.assignment_id)
        assert expired is not None
        await uow.assignments.discard(expired)
        await uow.assignments.reopen(expired, at(5), at(5) + HOUR)
    async with store.read() as uow:
        kept = await uow.assignments.get(answer.assignment_id)
    assert kept is not None and kept.status is AssignmentStatus.EXPIRED
    assert kept.assigned_at == at(3)


async def test_overdue_assignments_expire_and_free_their_items(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=3)
        people = [await person(uow, n) for n in (1, 2, 3, 4)]
        due = await uow.assignments.add(s.project.id, s.regular[0], people[0], False, T0,
                                        at(100))
        on_time = await uow.assignments.add(s.project.id, s.regular[1], people[1], False, T0,
                                            at(200))
        await uow.assignments.set_draft(due.id, "cat")
        await answered(uow, s.project, s.regular[2], people[2], T0)  # not active: stays
    async with store.read() as uow:
        assert await uow.assignments.next_deadline() == at(100)
        assert await uow.items.next_regular(s.project.id, people[3], 1, 1) is None
    async with store.write() as uow:
        assert await uow.assignments.expire_due(at(100)) == 0  # strictly past the deadline
        assert await uow.assignments.expire_due(at(150)) == 1
        assert await uow.assignments.expire_due(at(150)) == 0
    async with store.read() as uow:
        expired = await uow.assignments.get(due.id)
        assert expired is not None and expired.status is AssignmentStatus.EXPIRED
        assert expired.draft == ""
        assert await uow.assignments.get(on_time.id) == on_time
        assert await uow.assignments.next_deadline() == at(200)
        assert await uow.items.next_regular(s.project.id, people[3], 1, 1) == s.regular[0]
    async with store.write() as uow:
        assert await uow.assignments.expire_due(at(300)) == 1
        assert await uow.assignments.next_deadline() is None


async def test_an_answer_is_recorded_once(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=2)
        ann = await person(uow, 1)
        first = await hand_out(uow, s.project, s.regular[0], ann, at(1))
        answer = Answer(first.id, s.regular[0], ann, "cat", 4.5, False, None, at(5))
        assert await uow.answers.add(answer, "msg:1", s.project.id)
        # the same assignment, the same source, the same item by the same annotator
        assert not await uow.answers.add(answer, None, s.project.id)
        await uow.assignments.close(first, AssignmentStatus.ANSWERED)
        other = await hand_out(uow, s.project, s.regular[1], ann, at(6))
        assert not await uow.answers.add(
            Answer(other.id, s.regular[1], ann, "dog", 1.0, False, None, at(7)), "msg:1",
            s.project.id)
        assert not await uow.answers.add(
            Answer(other.id, s.regular[0], ann, "dog", 1.0, False, None, at(7)), "msg:2",
            s.project.id)
    async with store.read() as uow:
        assert await uow.answers.for_assignment(first.id) == answer
        assert await uow.answers.for_assignment(other.id) is None
        assert await uow.answers.seen_source("msg:1")
        assert not await uow.answers.seen_source("msg:2")
        assert await uow.answers.source_assignment("msg:1") == first.id
        assert await uow.answers.source_assignment("msg:2") is None
        assert [t.answers for t in await uow.items.tallies(s.project.id)] == [1, 0]


async def test_an_answer_to_nothing_is_refused(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=1)
        ann = await person(uow, 1)
    with pytest.raises(CONSTRAINT_ERRORS):
        async with store.write() as uow:
            await uow.answers.add(Answer(AssignmentId(404), s.regular[0], ann, "cat", 1.0,
                                         False, None, T0), None, s.project.id)


async def test_the_last_answer_is_the_newest_anywhere(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        one = await stock(uow, regular=2)
        two = await stock(uow, regular=1, name="Other", invite="invite2")
        ann, other = await person(uow, 1), await person(uow, 2)
        assert await uow.answers.last_by(ann) is None
        await answered(uow, one.project, one.regular[0], ann, at(1))
        newest = await answered(uow, two.project, two.regular[0], ann, at(2), "dog")
        await answered(uow, one.project, one.regular[1], other, at(3))
    async with store.read() as uow:
        assert await uow.answers.last_by(ann) == newest


async def test_item_votes_and_gold_records(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=1, gold=2)
        other = await stock(uow, regular=0, gold=1, name="Other", invite="invite2")
        people = [await person(uow, n) for n in (3, 1, 2)]
        pid = s.project.id
        await answered(uow, s.project, s.regular[0], people[0], at(1), "dog")
        await answered(uow, s.project, s.regular[0], people[1], at(2), "cat")
        await answered(uow, s.project, s.regular[0], people[2], at(3), "bird")
        await answered(uow, s.project, s.gold[0], people[0], at(4), correct=True)
        await answered(uow, s.project, s.gold[1], people[0], at(5), "dog", correct=False)
        await answered(uow, s.project, s.gold[0], people[1], at(6), correct=True)
        await answered(uow, other.project, other.gold[0], people[2], at(7), correct=True)
    async with store.read() as uow:
        assert await uow.answers.item_votes(s.regular[0]) == [
            (people[0], "dog"), (people[1], "cat"), (people[2], "bird")]
        assert await uow.answers.item_votes(ItemId(404)) == []
        record = await uow.answers.gold_record(pid, [people[2], people[0], people[1]])
        assert record == {people[0]: (1, 2), people[1]: (1, 1)}  # no gold here: absent
        assert list(record) == sorted(record)
        assert await uow.answers.gold_record(pid, []) == {}
    async with store.write() as uow:  # excluded: out of the votes, still in the record
        await uow.quality.exclude(pid, people[0])
    async with store.read() as uow:
        assert await uow.answers.item_votes(s.regular[0]) == [
            (people[1], "cat"), (people[2], "bird")]
        assert await uow.answers.gold_record(pid, [people[0]]) == {people[0]: (1, 2)}


async def test_exports_page_by_item_then_answer(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=3)
        other = await stock(uow, regular=1, name="Other", invite="invite2")
        people = [await person(uow, n) for n in (1, 2, 3)]
        order = [(2, 0), (0, 0), (2, 1), (1, 2), (0, 1), (0, 2)]  # (item, person), by time
        answers = [await answered(uow, s.project, s.regular[i], people[p], at(k), f"v{k}",
                                  seconds=float(k))
                   for k, (i, p) in enumerate(order)]
        await answered(uow, other.project, other.regular[0], people[0], at(9))
        await uow.quality.exclude(s.project.id, people[2])
    excluded = {a.assignment_id for a in answers if a.annotator_id == people[2]}

    def exported(answer: Answer) -> ExportAnswer:
        external = f"item{s.regular.index(answer.item_id)}"
        return ExportAnswer(answer.assignment_id, answer.item_id, answer.annotator_id,
                            answer.value, answer.seconds, answer.is_gold, answer.correct,
                            answer.answered_at, external, answer.assignment_id in excluded)

    async with store.read() as uow:
        rows = await uow.answers.export_rows(s.project.id)
        assert rows == [exported(a) for a in answers]  # answer order
        pages, after = [], None
        while True:
            page = await uow.answers.export_batch(s.project.id, after, 2)
            if not page:
                break
            pages.append([answer for _key, answer in page])
            after = page[-1][0]
        assert after is not None and after[0] == s.regular[2]
        assert [len(p) for p in pages] == [2, 2, 2]
        by_item = sorted(answers, key=lambda a: (a.item_id, answers.index(a)))
        assert [a for p in pages for a in p] == [exported(a) for a in by_item]
        assert await uow.answers.export_batch(s.project.id, None, 0) == []
        everything = await uow.answers.export_batch(s.project.id, None, -1)
        assert [a for _k, a in everything] == [exported(a) for a in by_item]
        assert await uow.answers.export_rows(ProjectId(404)) == []


async def test_an_answers_detail_is_kept_beside_its_label(store: Store[UnitOfWork]) -> None:
    detail = '{"level":2,"position":0,"shown":"ba"}'
    async with store.write() as uow:
        work = await stock(uow, regular=2)
        ann = await person(uow, 10)
        plain = await answered(uow, work.project, work.regular[0], ann, at(1), "a")
        judged = await answered(uow, work.project, work.regular[1], ann, at(2), "b",
                                detail=detail)
    async with store.read() as uow:
        assert (await uow.answers.last_by(ann)) == judged
        assert (await uow.answers.for_assignment(plain.assignment_id)) == plain
        page = await uow.answers.export_batch(work.project.id, None, 10)
        assert [answer.detail for _key, answer in page] == ["", detail]
