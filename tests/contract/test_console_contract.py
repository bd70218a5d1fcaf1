"""The console's repositories keep one contract on every engine: audit log, broadcasts and
their outbox, reminders, earnings and statistics (``annotation.ports.console``).

Each test runs once per engine of ``tests/contract/conftest.py``; rows are written through
the ports only (``tests.contract.crowd``).
"""

from __future__ import annotations

import pytest

from annotation.console.records import (
    AnnotatorScore,
    AnswerCount,
    Audience,
    AudienceKind,
    BroadcastKind,
    BroadcastProgress,
    BroadcastStatus,
    DeliveryStatus,
    EarningLine,
    HourCount,
    ItemValue,
    OutboxEntry,
    PaidTotal,
    ProjectCounts,
    ReminderRule,
)
from annotation.models import (
    AnnotatorId,
    AssignmentStatus,
    ProjectId,
    ProjectStatus,
    Role,
    Stage,
)
from annotation.ports import Store, UnitOfWork
from annotation.quality.qualification import Standing, Status
from annotation.records import AuditAction, AuditEntry, StaffMember
from tests.contract.crowd import T0, answered, at, hand_out, person, stock

HOUR, DAY = 3600, 86400
ALL = Audience(AudienceKind.ALL)


async def _broadcast(uow: UnitOfWork, audience: Audience = ALL,
                     status: BroadcastStatus = BroadcastStatus.DRAFT) -> int:
    broadcast = await uow.outbox.add(BroadcastKind.MESSAGE, AnnotatorId(1), T0, audience, "hi",
                                     None, status)
    return broadcast.id


# --- audit ---------------------------------------------------------------------------------

async def test_the_audit_log_lists_the_newest_entries_first(store: Store[UnitOfWork]) -> None:
    entries = [AuditEntry(at(i), AnnotatorId(1), action, f"project {i}", f"details {i}")
               for i, action in enumerate((AuditAction.PROJECT_CREATE, AuditAction.PROMOTE,
                                           AuditAction.BROADCAST))]
    async with store.write() as uow:
        for entry in entries:
            await uow.audit.add(entry)
    async with store.read() as uow:
        assert await uow.audit.recent(2) == [entries[2], entries[1]]
        assert await uow.audit.recent(10) == entries[::-1]


async def test_staff_are_the_coordinators_and_admins_in_id_order(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        await person(uow, 5, name="Eve", role=Role.ADMIN, language="fr")
        await person(uow, 3, name="Cy", role=Role.COORDINATOR)
        await person(uow, 4, name="Ann")
        await person(uow, 6, name="Bob", role=Role.COORDINATOR, blocked=True)
    async with store.read() as uow:
        assert await uow.audit.staff() == [
            StaffMember(AnnotatorId(3), "Cy", Role.COORDINATOR, "en"),
            StaffMember(AnnotatorId(5), "Eve", Role.ADMIN, "fr"),
            StaffMember(AnnotatorId(6), "Bob", Role.COORDINATOR, "en")]


# --- broadcasts and the outbox -----------------------------------------------------------

async def test_a_broadcast_is_stored_and_changes_status(store: Store[UnitOfWork]) -> None:
    audience = Audience(AudienceKind.IDLE, idle_days=3)
    async with store.write() as uow:
        added = await uow.outbox.add(BroadcastKind.MESSAGE, AnnotatorId(1), T0, audience,
                                     "hello", "photo-1", BroadcastStatus.DRAFT)
        system = await uow.outbox.add(BroadcastKind.REMINDER, None, at(1), ALL, "", None,
                                      BroadcastStatus.SENDING)
    assert (added.kind, added.created_by, added.created_at, added.audience, added.text,
            added.photo_file_id, added.status) == (
        BroadcastKind.MESSAGE, 1, T0, audience, "hello", "photo-1", BroadcastStatus.DRAFT)
    assert system.created_by is None and system.id > added.id
    async with store.read() as uow:
        assert await uow.outbox.get(added.id) == added
        assert await uow.outbox.get(added.id + 100) is None
        assert [b.id for b in await uow.outbox.sending()] == [system.id]
    async with store.write() as uow:
        await uow.outbox.set_progress_message(added.id, 50, 60)
        await uow.outbox.set_status(added.id, BroadcastStatus.SENDING, at(2))
        await uow.outbox.set_status(system.id, BroadcastStatus.DONE, at(2))
    async with store.read() as uow:
        stored = await uow.outbox.get(added.id)
        assert stored is not None
        assert (stored.status, stored.progress_chat, stored.progress_message) == (
            BroadcastStatus.SENDING, 50, 60)
        assert [b.id for b in await uow.outbox.sending()] == [added.id]


async def test_audiences_reach_who_they_name(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        first = await stock(uow)
        second = await stock(uow, name="Other", invite="invite2")
        for user in (10, 11):
            await person(uow, user, project=first.project)
        await person(uow, 12, project=first.project, blocked=True)
        await person(uow, 13, project=second.project)
        await person(uow, 14, joined=at(5 * DAY))  # joined later: not idle
        await answered(uow, first.project, first.regular[0], AnnotatorId(10), at(4 * DAY))
    now = at(6 * DAY)
    async with store.read() as uow:
        count = uow.outbox.count_audience
        assert await count(ALL, now) == 4  # the blocked annotator is left out
        assert await count(Audience(AudienceKind.PROJECT, first.project.id), now) == 2
        assert await count(Audience(AudienceKind.PROJECT, second.project.id), now) == 1
        # idle two days: 11 and 13 (joined at T0); 10 answered two days ago: not before
        assert await count(Audience(AudienceKind.IDLE, idle_days=2), now) == 2
        assert await count(Audience(AudienceKind.IDLE, idle_days=1), now) == 3
        assert await count(Audience(AudienceKind.IDLE, idle_days=7), now) == 0


async def test_fill_adds_one_row_per_recipient_once(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        for user in (10, 11, 12):
            await person(uow, user)
        broadcast = await _broadcast(uow)
        assert await uow.outbox.fill(broadcast, ALL, T0) == 3
        assert await uow.outbox.fill(broadcast, ALL, T0) == 0  # a second fill adds nothing
        await person(uow, 13)
        assert await uow.outbox.fill(broadcast, ALL, T0) == 1
    async with store.read() as uow:
        assert await uow.outbox.progress(broadcast) == BroadcastProgress(total=4)
        assert await uow.outbox.progress(broadcast + 1) == BroadcastProgress(total=0)


async def test_claim_mark_and_recover_walk_the_rows(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        await person(uow, 12, name="Zed", language="mg")
        await person(uow, 10, name="Ann", language="fr")
        await person(uow, 11)
        broadcast = await _broadcast(uow, status=BroadcastStatus.SENDING)
        await uow.outbox.fill(broadcast, ALL, T0)
    async with store.write() as uow:  # in annotator order, with what rendering needs
        first = await uow.outbox.claim(broadcast)
        second = await uow.outbox.claim(broadcast)
    assert first == OutboxEntry(broadcast, AnnotatorId(10), "Ann", "fr", 1)
    assert second is not None and second.annotator_id == 11
    async with store.write() as uow:
        await uow.outbox.mark(broadcast, AnnotatorId(10), DeliveryStatus.SENT, at(1))
        assert await uow.outbox.recover() == 1  # 11 was in flight at a "crash"
        assert await uow.outbox.recover() == 0
        third = await uow.outbox.claim(broadcast)
        assert third == OutboxEntry(broadcast, AnnotatorId(12), "Zed", "mg", 1)
        assert await uow.outbox.claim(broadcast) is None  # the uncertain row is never resent
        await uow.outbox.mark(broadcast, AnnotatorId(12), DeliveryStatus.BLOCKED, at(2))
    async with store.read() as uow:
        progress = await uow.outbox.progress(broadcast)
    assert progress == BroadcastProgress(total=3, sent=1, blocked=1, uncertain=1)
    assert progress.finished


async def test_a_failed_row_is_counted_and_an_unsent_one_is_not_done(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        for user in (10, 11):
            await person(uow, user)
        broadcast = await _broadcast(uow, status=BroadcastStatus.SENDING)
        await uow.outbox.fill(broadcast, ALL, T0)
        entry = await uow.outbox.claim(broadcast)
        assert entry is not None
        await uow.outbox.mark(broadcast, entry.annotator_id, DeliveryStatus.FAILED, at(1))
        progress = await uow.outbox.progress(broadcast)
    assert progress == BroadcastProgress(total=2, failed=1) and not progress.finished


async def test_reminders_reach_each_idle_annotator_once_per_spell(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow)
        for user in (10, 11, 13):
            await person(uow, user, project=work.project)
        await person(uow, 12, project=work.project, blocked=True)
        await person(uow, 14)  # on no project
        await uow.reminders.set_muted(AnnotatorId(11), True)
    reminder = Audience(AudienceKind.REMINDER, project_id=work.project.id)
    async with store.write() as uow:
        assert await uow.outbox.count_audience(reminder, at(2 * HOUR)) == 0  # no period yet
        await uow.reminders.set_period(work.project.id, float(HOUR))
        assert await uow.outbox.count_audience(reminder, at(HOUR / 2)) == 0  # not idle yet
        await answered(uow, work.project, work.regular[0], AnnotatorId(13), at(HOUR + 1))
        assert await uow.outbox.count_audience(reminder, at(2 * HOUR)) == 1  # 10 only
        broadcast = await _broadcast(uow, reminder, BroadcastStatus.SENDING)
        assert await uow.outbox.fill(broadcast, reminder, at(2 * HOUR)) == 1
        assert await uow.outbox.count_audience(reminder, at(3 * HOUR)) == 1  # 13 now
        again = await _broadcast(uow, reminder, BroadcastStatus.SENDING)
        assert await uow.outbox.fill(again, reminder, at(3 * HOUR)) == 1
        assert await uow.outbox.count_audience(reminder, at(9 * HOUR)) == 0  # reminded
        # a new answer starts a new idle spell
        await answered(uow, work.project, work.regular[1], AnnotatorId(10), at(10 * HOUR))
        assert await uow.outbox.count_audience(reminder, at(10 * HOUR + 1)) == 0
        assert await uow.outbox.count_audience(reminder, at(12 * HOUR)) == 1
        await uow.reminders.set_muted(AnnotatorId(11), False)
        assert await uow.outbox.count_audience(reminder, at(12 * HOUR)) == 2


# --- reminders -----------------------------------------------------------------------------

async def test_reminder_rules_are_the_open_projects_with_a_period(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        first = (await stock(uow)).project
        second = (await stock(uow, name="B", invite="b")).project
        paused = (await stock(uow, name="C", invite="c", status=ProjectStatus.PAUSED)).project
        await stock(uow, name="D", invite="d")  # no period
        for project, seconds in ((second, 7200.0), (first, 3600.0), (paused, 60.0)):
            await uow.reminders.set_period(project.id, seconds)
    async with store.read() as uow:
        assert await uow.reminders.rules() == [ReminderRule(first.id, 3600.0),
                                               ReminderRule(second.id, 7200.0)]
    async with store.write() as uow:
        await uow.reminders.set_period(first.id, None)
        assert await uow.reminders.rules() == [ReminderRule(second.id, 7200.0)]


# --- earnings ------------------------------------------------------------------------------

async def test_accepted_answers_count_production_work_within_the_period(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        first = await stock(uow, regular=4, gold=1, training=1)
        second = await stock(uow, name="B", invite="b", regular=2)
        ann, bob = await person(uow, 11, name="Ann"), await person(uow, 10, name="Bob")
        p, q = first.project, second.project
        await answered(uow, p, first.training[0], ann, at(1), correct=True,
                       stage=Stage.TRAINING)
        await answered(uow, p, first.gold[0], ann, at(2), correct=True, stage=Stage.EXAM,
                       attempt=1)
        await answered(uow, p, first.regular[0], ann, at(DAY))
        await answered(uow, p, first.regular[1], ann, at(2 * DAY))
        await answered(uow, q, second.regular[0], ann, at(2 * DAY))
        await answered(uow, p, first.regular[0], bob, at(3 * DAY))
        await hand_out(uow, p, first.regular[2], bob, at(3 * DAY))  # not answered
    async with store.read() as uow:
        accepted = uow.earnings.accepted
        assert await accepted(None, None) == [
            AnswerCount(bob, "Bob", p.id, 1), AnswerCount(ann, "Ann", p.id, 2),
            AnswerCount(ann, "Ann", q.id, 1)]
        assert await accepted(at(DAY), at(2 * DAY)) == [AnswerCount(ann, "Ann", p.id, 1)]
        assert await accepted(at(2 * DAY), None, ann) == [
            AnswerCount(ann, "Ann", p.id, 1), AnswerCount(ann, "Ann", q.id, 1)]
    async with store.write() as uow:  # a suspended annotator's answers are not accepted
        await uow.quality.exclude(p.id, ann)
        assert await uow.earnings.accepted(None, None, ann) == [
            AnswerCount(ann, "Ann", q.id, 1)]


async def test_payouts_are_recorded_once_and_summed_per_currency(
        store: Store[UnitOfWork]) -> None:
    ann = AnnotatorId(10)
    lines = [EarningLine(ann, "Ann", "USD", 3, 0.1), EarningLine(ann, "Ann", "EUR", 2, 1.5),
             EarningLine(AnnotatorId(11), "Bob", "USD", 1, 0.5)]
    async with store.write() as uow:
        await person(uow, 10, name="Ann")
        await person(uow, 11, name="Bob")
        assert not await uow.earnings.period_paid("2026-01")
        assert await uow.earnings.add_payouts("2026-01", lines, ["r1", "r2", "r3"], T0,
                                              AnnotatorId(1)) == 3
        assert await uow.earnings.add_payouts("2026-01", lines, ["r1", "r2", "r3"], T0,
                                              AnnotatorId(1)) == 0  # once each
        assert await uow.earnings.add_payouts(
            "2026-02", [EarningLine(ann, "Ann", "USD", 1, 0.2)], ["r4"], at(DAY),
            AnnotatorId(1)) == 1
    async with store.read() as uow:
        assert await uow.earnings.period_paid("2026-01")
        assert not await uow.earnings.period_paid("2026-03")
        assert await uow.earnings.paid(ann) == [PaidTotal("EUR", 1.5), PaidTotal("USD", 0.3)]
        assert await uow.earnings.paid(AnnotatorId(12)) == []


async def test_payout_lines_and_references_must_pair(store: Store[UnitOfWork]) -> None:
    line = EarningLine(AnnotatorId(10), "Ann", "USD", 1, 1.0)
    with pytest.raises(ValueError, match="zip"):
        async with store.write() as uow:
            await person(uow, 10)
            await uow.earnings.add_payouts("2026-01", [line], [], T0, AnnotatorId(1))
    async with store.read() as uow:
        assert not await uow.earnings.period_paid("2026-01")


# --- statistics ----------------------------------------------------------------------------

async def test_counts_cap_each_item_at_the_overlap(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow, regular=3, gold=2)
        other = await stock(uow, name="B", invite="b", regular=1)
        people = [await person(uow, user) for user in (10, 11, 12)]
        p = work.project
        for who in people:  # item0: 3 answers, item1: 1
            await answered(uow, p, work.regular[0], who, at(who))
        await answered(uow, p, work.regular[1], people[0], at(20))
        await answered(uow, p, work.gold[0], people[1], at(21), correct=True)
        await answered(uow, other.project, other.regular[0], people[2], at(22))
    async with store.read() as uow:
        assert await uow.stats.counts(p.id, 2) == ProjectCounts(
            items=3, gold_items=2, complete=1, answers=5, counted=3)
        assert await uow.stats.counts(p.id, 3) == ProjectCounts(
            items=3, gold_items=2, complete=1, answers=5, counted=4)
        assert await uow.stats.counts(ProjectId(other.project.id + 1), 3) == ProjectCounts(
            0, 0, 0, 0, 0)


async def test_hourly_counts_the_answers_of_each_hour_since(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow, regular=5)
        who = await person(uow, 10)
        p = work.project
        for item, seconds in zip(work.regular, (10, HOUR - 1, HOUR + 5, 3 * HOUR, 3 * HOUR + 9),
                                 strict=True):
            await answered(uow, p, item, who, at(seconds))
    async with store.read() as uow:
        assert await uow.stats.hourly(p.id, T0) == [
            HourCount(T0, 2), HourCount(at(HOUR), 1), HourCount(at(3 * HOUR), 2)]
        assert await uow.stats.hourly(p.id, at(HOUR)) == [
            HourCount(at(HOUR), 1), HourCount(at(3 * HOUR), 2)]
        assert await uow.stats.hourly(p.id, at(4 * HOUR)) == []


async def test_scores_and_values_read_every_answer_of_the_project(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow, regular=2, gold=2)
        ann, bob = await person(uow, 11, name="Ann"), await person(uow, 10, name="Bob")
        p = work.project
        await answered(uow, p, work.regular[0], ann, at(1), "cat")
        await answered(uow, p, work.gold[0], ann, at(2), "cat", correct=True)
        await answered(uow, p, work.gold[1], ann, at(3), "dog", correct=False)
        await answered(uow, p, work.regular[0], bob, at(4), "dog")
        await answered(uow, p, work.regular[1], bob, at(5), "bird")
        await uow.quality.exclude(p.id, bob)  # excluded answers still count here
    async with store.read() as uow:
        assert await uow.stats.scores(p.id) == [AnnotatorScore(bob, "Bob", 2, 0, 0),
                                                AnnotatorScore(ann, "Ann", 3, 2, 1)]
        values = await uow.stats.values(p.id)
    assert sorted(values, key=lambda v: (v.item_id, v.value)) == [
        ItemValue(work.regular[0], "cat"), ItemValue(work.regular[0], "dog"),
        ItemValue(work.regular[1], "bird")]


async def test_gold_exhausted_counts_active_annotators_who_had_every_gold_item(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow, regular=2, gold=2)
        bare = await stock(uow, name="B", invite="b", regular=1)
        ann, bob, cy = [await person(uow, user) for user in (10, 11, 12)]
        p = work.project
        for who, when in ((ann, 10), (cy, 1)):  # both had both gold items
            await answered(uow, p, work.gold[0], who, at(when), correct=True)
            second = await hand_out(uow, p, work.gold[1], who, at(when), gold=True)
            if who == ann:  # however it ended
                await uow.assignments.close(second, AssignmentStatus.EXPIRED)
        await answered(uow, p, work.gold[0], bob, at(10), correct=True)  # one of two
        await answered(uow, bare.project, bare.regular[0], bob, at(10))
    async with store.read() as uow:
        assert await uow.stats.gold_exhausted(p.id, at(5)) == 1  # cy was active before
        assert await uow.stats.gold_exhausted(p.id, T0) == 2
        assert await uow.stats.gold_exhausted(bare.project.id, T0) == 0  # no gold at all


async def test_suspended_since_counts_recent_suspensions(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow)
        p = work.project
        for user, status, when in ((10, Status.SUSPENDED, 10), (11, Status.SUSPENDED, 100),
                                   (12, Status.ACTIVE, 100)):
            who = await person(uow, user)
            await uow.quality.save(Standing(p.id, who, Stage.PRODUCTION, status), at(when))
    async with store.read() as uow:
        assert await uow.stats.suspended_since(p.id, at(50)) == 1
        assert await uow.stats.suspended_since(p.id, T0) == 2
        assert await uow.stats.suspended_since(p.id, at(101)) == 0
