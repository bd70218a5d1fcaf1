"""The quality repository keeps one contract on every engine: standings, stages, exam
progress, rule evidence, exclusions, events and the roster (``annotation.ports.quality``).

Each test runs once per engine of ``tests/contract/conftest.py``; rows are written through
the ports only (``tests.contract.crowd``).
"""

from __future__ import annotations

import json

import pytest

from annotation.models import AnnotatorId, AssignmentId, AssignmentStatus, Recipient, Role, Stage
from annotation.ports import Store, UnitOfWork
from annotation.quality.agreement import CastVote
from annotation.quality.qualification import Appeal, Progress, Standing, Status
from annotation.quality.records import History, TaskStage
from annotation.quality.rules import POSITION_WINDOW
from annotation.quality.scores import GoldScore
from annotation.quality.settings import Rule
from storage import repositories
from tests.contract.crowd import T0, answered, at, hand_out, person, skipped, stock

DAY = 86400


async def test_a_standing_is_saved_whole_and_replaced(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow)
        who = await person(uow, 10)
        p = work.project.id
        assert await uow.quality.standing(p, who) is None
        first = Standing(p, who, Stage.TRAINING)
        await uow.quality.save(first, T0)
    full = Standing(p, who, Stage.EXAM, Status.SUSPENDED, attempt=2, failures=1,
                    retry_at=at(600), rule=Rule.GOLD, evidence={"correct": 1, "total": 4},
                    appeal=Appeal.PENDING, grace=7,
                    notified=frozenset({Rule.SPEED, Rule.AGREEMENT}))
    async with store.read() as uow:
        assert await uow.quality.standing(p, who) == first
        assert await uow.quality.standing(p, AnnotatorId(11)) is None
    async with store.write() as uow:
        await uow.quality.save(full, at(1))
    async with store.read() as uow:
        assert await uow.quality.standing(p, who) == full
        assert await uow.quality.roster_size(p) == 1


async def test_an_assignment_remembers_its_stage(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow, gold=1)
        who = await person(uow, 10)
        plain = await hand_out(uow, work.project, work.regular[0], who, T0)
        await uow.assignments.close(plain, AssignmentStatus.SKIPPED)
        exam = await hand_out(uow, work.project, work.gold[0], who, T0, gold=True,
                              stage=Stage.EXAM, attempt=2)
        assert await uow.quality.stage_of(exam.id) == TaskStage(Stage.EXAM, 2)
        assert await uow.quality.stage_of(plain.id) == TaskStage(Stage.PRODUCTION, 0)
        assert await uow.quality.stage_of(AssignmentId(999)) == TaskStage(Stage.PRODUCTION, 0)


async def test_training_and_exam_progress(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow, regular=1, gold=4, training=4)
        other = await stock(uow, name="B", invite="b", gold=1, training=1)
        ann, bob = await person(uow, 10), await person(uow, 11)
        p, train, gold = work.project, work.training, work.gold
        assert await uow.quality.unseen_training(p.id, ann, 3) == list(train[:3])
        assert await uow.quality.progress(p.id, ann, 1) == Progress(training_left=4,
                                                                    gold_left=4)
        for item, right in zip(train[:3], (True, False, True), strict=True):
            await answered(uow, p, item, ann, at(1), correct=right, stage=Stage.TRAINING)
        # a training item handed out but not answered is had, not done
        had = await hand_out(uow, p, train[3], ann, at(2), gold=True, stage=Stage.TRAINING)
        await uow.assignments.close(had, AssignmentStatus.EXPIRED)
        for item, right, attempt in ((gold[0], False, 1), (gold[1], True, 2),
                                     (gold[2], True, 2)):
            await answered(uow, p, item, ann, at(3), correct=right, stage=Stage.EXAM,
                           attempt=attempt)
        await answered(uow, p, gold[0], bob, at(3), correct=True, stage=Stage.EXAM, attempt=2)
        await answered(uow, other.project, other.training[0], ann, at(4), correct=False,
                       stage=Stage.TRAINING)
    async with store.read() as uow:
        assert await uow.quality.unseen_training(p.id, ann, 3) == []
        assert await uow.quality.unseen_training(p.id, bob, 2) == list(train[:2])
        assert await uow.quality.progress(p.id, ann, 2) == Progress(
            training_done=3, training_left=0, training_streak=1, exam_done=2,
            exam_correct=2, gold_left=1)
        assert await uow.quality.progress(p.id, ann, 1) == Progress(
            training_done=3, training_left=0, training_streak=1, exam_done=1,
            exam_correct=0, gold_left=1)
        assert await uow.quality.progress(p.id, bob, 2) == Progress(
            training_left=4, exam_done=1, exam_correct=1, gold_left=3)


async def test_the_gold_record_is_the_latest_checked_answers_oldest_first(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow, regular=1, gold=3, training=1)
        ann = await person(uow, 10)
        p = work.project
        await answered(uow, p, work.training[0], ann, at(1), correct=False,
                       stage=Stage.TRAINING)
        await answered(uow, p, work.regular[0], ann, at(2))
        for i, right in enumerate((True, False, True)):
            await answered(uow, p, work.gold[i], ann, at(3 + i), correct=right)
        await uow.quality.exclude(p.id, ann)  # excluded answers still show accuracy
    async with store.read() as uow:
        assert await uow.quality.gold_record(p.id, ann, 64) == [False, True, False, True]
        assert await uow.quality.gold_record(p.id, ann, 2) == [False, True]
        assert await uow.quality.gold_record(p.id, AnnotatorId(11), 5) == []


async def test_history_reads_the_evidence_after_the_grace_point(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow, regular=6, gold=2, training=1)
        ann, bob = await person(uow, 10), await person(uow, 11)
        p, item = work.project, work.regular
        await answered(uow, p, work.training[0], ann, at(1), correct=True, seconds=1,
                       stage=Stage.TRAINING)  # answer 1
        await answered(uow, p, work.gold[0], ann, at(2), correct=False, seconds=2,
                       stage=Stage.EXAM, attempt=1)  # answer 2
        await answered(uow, p, item[0], bob, at(3))  # answer 3
        await answered(uow, p, item[0], ann, at(DAY), "dog", seconds=3)  # answer 4
        await answered(uow, p, item[1], ann, at(DAY + 1), "cat", seconds=4)  # answer 5
        await skipped(uow, p, item[2], ann, at(DAY + 2))
        await answered(uow, p, work.gold[1], ann, at(DAY + 3), "cat", correct=True,
                       seconds=6)  # answer 6
        await skipped(uow, p, item[3], ann, at(DAY + 4))
        await skipped(uow, p, item[4], ann, at(DAY + 5))
        assert await uow.quality.last_answer_id(p.id, ann) == 6
        assert await uow.quality.last_answer_id(p.id, bob) == 3
        assert await uow.quality.last_answer_id(p.id, AnnotatorId(12)) == 0
    async with store.read() as uow:
        history = uow.quality.history
        assert await history(p.id, ann, after_answer=0, recent=10, since=at(DAY)) == History(
            gold=GoldScore(1, 2), values=["cat", "cat", "dog", "cat", "cat"],
            seconds=[3.0, 4.0, 6.0], skips_in_row=2, tasks_today=3, production_done=3)
        assert await history(p.id, ann, after_answer=4, recent=2, since=T0) == History(
            gold=GoldScore(1, 1), values=["cat", "cat"], seconds=[4.0, 6.0],
            skips_in_row=2, tasks_today=5, production_done=3)
        # the grace point's own assignment and those before it are forgotten
        assert (await history(p.id, ann, after_answer=6, recent=10, since=T0)) == History(
            gold=GoldScore(0, 0), values=[], seconds=[], skips_in_row=2, tasks_today=5,
            production_done=3)
        assert (await history(p.id, ann, after_answer=5, recent=1, since=T0)).skips_in_row == 1


async def test_history_scores_each_question_from_the_answers_checks(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow, regular=1, gold=5, training=1)
        ann = await person(uow, 10)
        p, gold = work.project, work.gold
        await answered(uow, p, work.training[0], ann, at(1), correct=False,
                       stage=Stage.TRAINING, checks=(("safe", False),))  # training: not scored
        two = await answered(uow, p, gold[0], ann, at(2), correct=False, stage=Stage.EXAM,
                             checks=(("safe", False), ("pref", True)))  # answer 2
        await answered(uow, p, gold[1], ann, at(3), correct=True, checks=(("safe", True),))
        await answered(uow, p, work.regular[0], ann, at(4))  # no gold: no checks
        await answered(uow, p, gold[2], ann, at(5), correct=False,
                       checks=(("pref", False), ("safe", True)))
        await answered(uow, p, gold[3], ann, at(6), correct=True)  # a one-question answer
    async with store.read() as uow:
        history = await uow.quality.history(p.id, ann, after_answer=0, recent=10, since=T0)
        assert history.gold_parts == (("pref", GoldScore(1, 2)), ("safe", GoldScore(2, 3)))
        later = await uow.quality.history(p.id, ann, after_answer=2, recent=10, since=T0)
        assert later.gold_parts == (("pref", GoldScore(0, 1)), ("safe", GoldScore(2, 2)))
        stored = await uow.answers.for_assignment(two.assignment_id)
        assert stored is not None and stored.checks == (("safe", False), ("pref", True))
    async with store.read() as uow:
        assert (await uow.quality.history(p.id, AnnotatorId(11), after_answer=0, recent=10,
                                          since=T0)).gold_parts == ()


async def test_history_counts_picks_of_the_first_shown_response_after_the_grace_point(
        store: Store[UnitOfWork]) -> None:
    positions = [0, 0, None, 1, 0, 0]  # None: a tie, no position
    async with store.write() as uow:
        work = await stock(uow, regular=len(positions) + 1)
        ann = await person(uow, 10)
        p = work.project
        await answered(uow, p, work.regular[0], ann, at(1), "a")  # no detail: another kind
        for n, position in enumerate(positions, start=1):
            detail = json.dumps({"level": 1, "position": position, "shown": "ab"})
            await answered(uow, p, work.regular[n], ann, at(1 + n), "a", detail=detail)
    async with store.read() as uow:
        history = await uow.quality.history(p.id, ann, after_answer=0, recent=1, since=T0)
        assert (history.first_picks, history.positioned) == (4, 5)
        later = await uow.quality.history(p.id, ann, after_answer=5, recent=1, since=T0)
        assert (later.first_picks, later.positioned) == (2, 2)


async def test_history_sums_the_chance_of_a_first_pick_over_the_window(
        store: Store[UnitOfWork]) -> None:
    details = [  # oldest first; a comparison says no ``choices``: it has two
        {"level": 1, "position": 0, "shown": "ab"},  # 1/2
        {"ranking": [2, 0, 1], "shown": [2, 1, 0], "position": 0, "choices": 3},  # 1/3
        {"ranking": [1, 0, 3, 2], "shown": [0, 2, 3, 1], "position": 3, "choices": 4},  # 1/4
        {"level": 0, "position": None, "shown": "ba"},  # a tie: no position, not counted
        {"ranking": [1, 0], "shown": [1, 0], "position": 0, "choices": 2},  # 1/2
        {"ranking": [0, 1, 2], "shown": [0, 1, 2]},  # recorded without a position
    ]
    window = POSITION_WINDOW
    async with store.write() as uow:
        work = await stock(uow, regular=len(details) + window)
        ann = await person(uow, 10)
        p = work.project
        for n, detail in enumerate(details):
            await answered(uow, p, work.regular[n], ann, at(1 + n), "1",
                           detail=json.dumps(detail))
    async with store.read() as uow:
        history = await uow.quality.history(p.id, ann, after_answer=0, recent=1, since=T0)
        assert (history.first_picks, history.positioned) == (3, 4)
        assert history.expected_first == pytest.approx(1 / 2 + 1 / 3 + 1 / 4 + 1 / 2)
        later = await uow.quality.history(p.id, ann, after_answer=2, recent=1, since=T0)
        assert (later.first_picks, later.positioned) == (1, 2)
        assert later.expected_first == pytest.approx(1 / 4 + 1 / 2)
        none = await uow.quality.history(p.id, ann, after_answer=6, recent=1, since=T0)
        assert (none.first_picks, none.positioned, none.expected_first) == (0, 0, 0.0)
    async with store.write() as uow:  # a full window of rankings of four, all top picks
        ranking = {"ranking": [0, 1, 2, 3], "shown": [0, 1, 2, 3], "position": 0,
                   "choices": 4}
        for n in range(window):
            await answered(uow, p, work.regular[len(details) + n], ann, at(100 + n), "1",
                           detail=json.dumps(ranking))
    async with store.read() as uow:
        full = await uow.quality.history(p.id, ann, after_answer=0, recent=1, since=T0)
        assert (full.first_picks, full.positioned) == (window, window)
        assert full.expected_first == pytest.approx(window / 4)  # the older ones left out


async def test_history_forgets_skips_before_the_grace_point(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow, regular=3)
        other = await stock(uow, name="B", invite="b", regular=1)
        ann = await person(uow, 10)
        p = work.project
        await skipped(uow, p, work.regular[0], ann, at(1))
        await skipped(uow, p, work.regular[1], ann, at(2))
        await answered(uow, other.project, other.regular[0], ann, at(3))  # answer 1
        await skipped(uow, p, work.regular[2], ann, at(4))
    async with store.read() as uow:
        history = uow.quality.history
        assert (await history(p.id, ann, after_answer=0, recent=10, since=T0)).skips_in_row == 3
        assert (await history(p.id, ann, after_answer=1, recent=10, since=T0)).skips_in_row == 1


async def test_exclusion_sets_answers_aside_and_reopens_items(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow, regular=3)
        other = await stock(uow, name="B", invite="b", regular=1)
        ann, bob = await person(uow, 10), await person(uow, 11)
        p, item = work.project, work.regular
        await answered(uow, p, item[0], ann, at(1))
        await answered(uow, p, item[1], ann, at(2))
        await answered(uow, p, item[0], bob, at(3))
        await answered(uow, other.project, other.regular[0], ann, at(4))
        await uow.items.settle(item[0])
        await hand_out(uow, p, item[2], ann, at(5))
        assert await uow.quality.exclude(p.id, ann) == 2
        assert await uow.quality.exclude(p.id, ann) == 0
    async with store.read() as uow:
        assert await uow.assignments.active_for(ann) is None  # the open task is withdrawn
        assert [t.answers for t in await uow.items.tallies(p.id)] == [1, 0, 0]
        assert await uow.quality.votes(p.id) == [CastVote(item[0], bob, "cat")]
        assert (await uow.stats.counts(p.id, 3)).answers == 3  # kept, not counted
        # the settled item is handed out again, up to the overlap
        assert await uow.items.next_regular(p.id, AnnotatorId(12), 3, 3) == item[0]
    async with store.write() as uow:
        assert await uow.quality.include(p.id, ann) == 2
        assert await uow.quality.include(p.id, ann) == 0
    async with store.read() as uow:
        assert [t.answers for t in await uow.items.tallies(p.id)] == [2, 1, 0]
        votes = await uow.quality.votes(p.id)
    assert len(votes) == 3 and set(votes) == {  # in no particular order
        CastVote(item[0], ann, "cat"), CastVote(item[1], ann, "cat"), CastVote(item[0], bob, "cat")}


async def test_votes_leave_out_gold_and_other_projects(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow, regular=2, gold=1)
        other = await stock(uow, name="B", invite="b", regular=1)
        ann, bob = await person(uow, 10), await person(uow, 11)
        p = work.project
        await answered(uow, p, work.regular[1], ann, at(1), "dog")
        await answered(uow, p, work.gold[0], ann, at(2), "cat", correct=True)
        await answered(uow, p, work.regular[0], bob, at(3), "bird")
        await answered(uow, other.project, other.regular[0], bob, at(4), "cat")
    async with store.read() as uow:
        votes = await uow.quality.votes(p.id)
    assert len(votes) == 2 and set(votes) == {CastVote(work.regular[0], bob, "bird"),
                                              CastVote(work.regular[1], ann, "dog")}


async def test_votes_built_in_small_steps_are_the_same(store: Store[UnitOfWork],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repositories, "STEP", 3)  # SQLite builds them over many loop turns
    async with store.write() as uow:
        work = await stock(uow, regular=4)
        people = [await person(uow, user) for user in (10, 11)]
        cast = set()
        for who in people:
            for item in work.regular:
                await answered(uow, work.project, item, who, at(1), f"v{item}{who}")
                cast.add(CastVote(item, who, f"v{item}{who}"))
    async with store.read() as uow:
        votes = await uow.quality.votes(work.project.id)
    assert len(votes) == 8 and set(votes) == cast


async def test_needs_gold_is_recorded_once_per_project(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        first = (await stock(uow)).project
        second = (await stock(uow, name="B", invite="b")).project
        add = uow.quality.add_event
        assert await add(first.id, None, "needs_gold", None, {"left": 0}, None, T0)
        assert not await add(first.id, None, "needs_gold", None, {}, None, at(1))
        assert await add(second.id, None, "needs_gold", None, {}, None, at(1))
        for _ in range(2):  # any other kind, as often as it happens
            assert await add(first.id, AnnotatorId(10), "warn", "speed", {"s": 1.5}, 1, T0)


async def test_coordinators_are_the_reachable_staff(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        await person(uow, 5, role=Role.ADMIN, language="fr")
        await person(uow, 3, role=Role.COORDINATOR, language="mg")
        await person(uow, 4)
        await person(uow, 6, role=Role.COORDINATOR, blocked=True)
    async with store.read() as uow:
        assert await uow.quality.coordinators() == [Recipient(AnnotatorId(3), "mg"),
                                                    Recipient(AnnotatorId(5), "fr")]


async def test_production_standings_and_the_roster(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        work = await stock(uow, regular=4, gold=2, training=1)
        other = await stock(uow, name="B", invite="b", regular=1)
        p, item = work.project, work.regular
        ann = await person(uow, 10, name="Ann")
        bob = await person(uow, 11, name="Bob")
        cy = await person(uow, 12, name="Cy")
        dee = await person(uow, 13, name="Dee")
        standings = {
            ann: Standing(p.id, ann, Stage.PRODUCTION),
            bob: Standing(p.id, bob, Stage.PRODUCTION, Status.SUSPENDED, rule=Rule.GOLD),
            cy: Standing(p.id, cy, Stage.TRAINING),
            dee: Standing(p.id, dee, Stage.PRODUCTION),
        }
        for standing in standings.values():
            await uow.quality.save(standing, T0)
        await uow.quality.save(Standing(other.project.id, ann, Stage.PRODUCTION), T0)
        await answered(uow, p, work.training[0], bob, at(1), correct=True, seconds=1,
                       stage=Stage.TRAINING)
        await answered(uow, p, work.gold[0], bob, at(2), correct=False, seconds=2,
                       stage=Stage.EXAM, attempt=1)
        await answered(uow, p, work.gold[1], bob, at(3), correct=True, seconds=9)
        await answered(uow, p, item[0], bob, at(4), seconds=4)
        for i, seconds in enumerate((2.0, 3.0)):
            await answered(uow, p, item[i], cy, at(5 + i), seconds=seconds)
        for i, seconds in enumerate((6.0, 7.0)):
            await answered(uow, p, item[i + 2], ann, at(7 + i), seconds=seconds)
        await answered(uow, other.project, other.regular[0], dee, at(9))
    async with store.read() as uow:
        working = await uow.quality.production_standings(p.id)
        assert sorted(working, key=lambda s: s.annotator_id) == [standings[ann],
                                                                   standings[dee]]
        assert await uow.quality.roster_size(p.id) == 4
        page = await uow.quality.roster(p.id, 0, 3)
        assert [(r.annotator_id, r.name, r.answered) for r in page] == [
            (bob, "Bob", 4), (ann, "Ann", 2), (cy, "Cy", 2)]  # ties by id
        assert page[0].standing == standings[bob]
        assert page[0].gold == GoldScore(1, 2)  # exam and production gold, not training
        assert page[0].median_seconds == 3.0
        assert (page[1].gold, page[1].median_seconds) == (GoldScore(0, 0), 6.5)
        rest = await uow.quality.roster(p.id, 3, 3)
        assert [(r.annotator_id, r.answered, r.median_seconds) for r in rest] == [
            (dee, 0, None)]
        assert await uow.quality.roster(p.id, 4, 3) == []
