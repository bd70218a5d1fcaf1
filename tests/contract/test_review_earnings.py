"""Recordings earn once their checks accept them, checks earn as any answer: the earnings
repository's two queries (``accepted`` without the reviewed projects, ``votes``) and the
earnings use case over them, on every engine (``tests/contract/conftest.py``)."""

from __future__ import annotations

from datetime import UTC, datetime

from annotation.access import AccessService
from annotation.console.earnings import EarningsService
from annotation.console.records import AnswerCount, EarningLine, ReviewVote
from annotation.models import AnnotatorId, AssignmentId, MediaKind, Role
from annotation.ports import Store, UnitOfWork
from annotation.records import ItemDraftRecord
from tests.clocks import FakeClock
from tests.contract.crowd import answered, at, person, stock
from tests.contract.speech import CHECK_REWARD, READ_REWARD, Studio, record, studio, vote

HOUR, DAY = 3600, 86400
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
RAVO, SOA, CHECKERS = AnnotatorId(20), AnnotatorId(21), (30, 31, 32, 33)
ADMIN = 1


async def _month_of_checks(store: Store[UnitOfWork]) -> tuple[Studio, dict[str, AssignmentId]]:
    """Four recordings checked in January (one accepted on 1 February):

    - ``rejected`` (Ravo): two "no";
    - ``pending`` (Soa): one "yes" and one "yes" by checker 32, whose check answers quality
      control then sets aside;
    - ``january`` (Soa): "yes", "can't hear", "no" (set aside), "yes" on 6 January;
    - ``february`` (Ravo, recorded 31 January): "yes" the same night, "yes" on 1 February.
    """
    async with store.write() as uow:
        place = await studio(uow)
        await person(uow, ADMIN, name="Admin", role=Role.ADMIN)
        await person(uow, RAVO, name="Ravo")
        await person(uow, SOA, name="Soa")
        c30, c31, c32, c33 = [await person(uow, c, name=f"c{c}") for c in CHECKERS]
        rejected, item = await record(uow, place, 1, RAVO, at(DAY))
        await vote(uow, place, item, c30, at(DAY + HOUR), "no")
        await vote(uow, place, item, c31, at(DAY + 2 * HOUR), "no")
        pending, item = await record(uow, place, 0, SOA, at(2 * DAY))
        await vote(uow, place, item, c30, at(3 * DAY), "yes")
        await vote(uow, place, item, c32, at(3 * DAY + HOUR), "yes")
        january, item = await record(uow, place, 1, SOA, at(4 * DAY))
        await vote(uow, place, item, c30, at(5 * DAY), "yes")
        await vote(uow, place, item, c31, at(6 * DAY), "unclear")
        await vote(uow, place, item, c32, at(6 * DAY + HOUR), "no")  # set aside below
        await vote(uow, place, item, c33, at(6 * DAY + 2 * HOUR), "yes")
        february, item = await record(uow, place, 0, RAVO, at(30 * DAY + 23 * HOUR))
        await vote(uow, place, item, c30, at(30 * DAY + 23.5 * HOUR), "yes")
        await vote(uow, place, item, c31, at(31 * DAY + HOUR), "yes")
        # an item of an ordinary project named like a check, by nobody: not a check
        other = await stock(uow, name="Animals", invite="animals", regular=0)
        await uow.items.add_many(other.project.id, [ItemDraftRecord(
            f"rec-{january.assignment_id}", MediaKind.TEXT, "x", None, None, None, False)])
        (lookalike,) = [t.item_id for t in await uow.items.tallies(other.project.id)]
        await answered(uow, other.project, lookalike, c30, at(5 * DAY), "yes")
        await uow.quality.exclude(place.check.id, c32)
    return place, {"rejected": rejected.assignment_id, "pending": pending.assignment_id,
                   "january": january.assignment_id, "february": february.assignment_id}


async def test_votes_are_the_checks_of_each_recording_in_the_order_given(
        store: Store[UnitOfWork]) -> None:
    place, ids = await _month_of_checks(store)
    read, check = place.recording.id, place.check.id
    async with store.read() as uow:
        votes = await uow.earnings.votes({read}, None)
        feb = await uow.earnings.votes({read}, FEBRUARY, RAVO)
        none = await uow.earnings.votes({check}, None)

    def given(vote: ReviewVote) -> tuple[AssignmentId, AnnotatorId, str, str, datetime]:
        return (vote.assignment_id, vote.annotator_id, vote.name, vote.value, vote.at)

    assert all(v.project_id == read and v.reviewer_project == check for v in votes)
    assert [given(v) for v in votes] == [
        (ids["rejected"], RAVO, "Ravo", "no", at(DAY + HOUR)),
        (ids["rejected"], RAVO, "Ravo", "no", at(DAY + 2 * HOUR)),
        (ids["pending"], SOA, "Soa", "yes", at(3 * DAY)),  # checker 32's is set aside
        (ids["january"], SOA, "Soa", "yes", at(5 * DAY)),
        (ids["january"], SOA, "Soa", "unclear", at(6 * DAY)),
        (ids["january"], SOA, "Soa", "yes", at(6 * DAY + 2 * HOUR)),
        (ids["february"], RAVO, "Ravo", "yes", at(30 * DAY + 23.5 * HOUR)),
        (ids["february"], RAVO, "Ravo", "yes", at(31 * DAY + HOUR))]
    # before February, Ravo's: the late vote is not given yet
    assert [given(v) for v in feb] == [given(v) for v in votes if v.annotator_id == RAVO][:-1]
    assert none == []  # a check project's own answers are checked by nobody


async def test_accepted_answers_leave_out_the_projects_paid_on_review(
        store: Store[UnitOfWork]) -> None:
    place, _ids = await _month_of_checks(store)
    read, check = place.recording.id, place.check.id
    async with store.read() as uow:
        every = await uow.earnings.accepted(None, None)
        checks_only = await uow.earnings.accepted(None, None, reviewed={read})
    assert AnswerCount(RAVO, "Ravo", read, 2) in every
    assert [c for c in checks_only if c.project_id in (read, check)] == [
        AnswerCount(AnnotatorId(30), "c30", check, 4),
        AnswerCount(AnnotatorId(31), "c31", check, 3),
        AnswerCount(AnnotatorId(33), "c33", check, 1)]


async def test_a_recording_earns_when_its_checks_accept_it_and_checks_earn_their_own(
        store: Store[UnitOfWork]) -> None:
    await _month_of_checks(store)
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    service = EarningsService(store, AccessService(store, clock=clock, admins={ADMIN}),
                              clock=clock)
    january = await service.payout_file(ADMIN, "2026-01")
    assert january.lines == (  # Ravo's recording of 31 January is accepted in February
        EarningLine(SOA, "Soa", "MGA", 1, READ_REWARD),  # accepted on 6 January
        # four checks, and an answer in the unpaid "Animals" project
        EarningLine(AnnotatorId(30), "c30", "MGA", 5, round(4 * CHECK_REWARD, 2)),
        EarningLine(AnnotatorId(31), "c31", "MGA", 2, round(2 * CHECK_REWARD, 2)),
        EarningLine(AnnotatorId(33), "c33", "MGA", 1, CHECK_REWARD))
    february = await service.payout_file(ADMIN, "2026-02")
    assert february.lines == (EarningLine(RAVO, "Ravo", "MGA", 1, READ_REWARD),
                              EarningLine(AnnotatorId(31), "c31", "MGA", 1, CHECK_REWARD))
    (ravo,) = await service.balance(RAVO)  # the rejected recording earns nothing
    assert (ravo.answers, ravo.earned, ravo.due) == (1, READ_REWARD, READ_REWARD)
    (soa,) = await service.balance(SOA)  # the pending recording earns nothing yet
    assert (soa.answers, soa.earned) == (1, READ_REWARD)
    assert await service.mark_paid(ADMIN, "2026-01") == 4
    (soa,) = await service.balance(SOA)
    assert soa.due == 0
