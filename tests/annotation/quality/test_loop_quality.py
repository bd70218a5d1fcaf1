"""Quality control in the annotator loop, on the fake store with a fake clock.

The quality repository under it keeps the contract ``tests/contract/test_quality_contract.py``
checks on SQLite too.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from annotation.console.quality import QualityService
from annotation.errors import PermissionDenied, StaleTask
from annotation.intake.catalog import CatalogService
from annotation.intake.item_drafts import ItemDraft
from annotation.loop.onboarding import OnboardingService
from annotation.loop.tasks import Result, TaskService
from annotation.models import AnnotatorId, MediaKind, Stage
from annotation.quality.checking import adaptive_gold_rate
from annotation.quality.notices import CoordinatorNote, NoteKind
from annotation.quality.qualification import Appeal
from annotation.quality.settings import QualitySettings, Rule, RuleAction
from tests.annotators import Services, join
from tests.clocks import FakeClock
from tests.fakes.store import FakeStore
from tests.projects import make_spec

# Fixed-size training and exam, fixed gold rate (the switches: test_sized_training_...).
QC = QualitySettings(enabled=True, training=2, exam=3, exam_pass=0.6, exam_retries=1,
                     exam_cooldown=600, probation_tasks=0, gold_min_answers=4,
                     speed_min_seconds=0.0, run_max_same=0, training_streak=0,
                     exam_stop_early=False, adaptive_gold=False)
ADMIN = AnnotatorId(1)
CAT, DOG = 0, 1  # option indexes: every gold answer is "cat"


def items(regular: int, gold: int, training: int = 2) -> list[ItemDraft]:
    def draft(n: int, name: str, gold_answer: str | None, is_training: bool) -> ItemDraft:
        return ItemDraft(line=n, external_id=name, kind=MediaKind.TEXT, text=name, media=None,
                         gold_answer=gold_answer, explanation="Look at the ears." if
                         gold_answer else None, training=is_training)
    drafts = [draft(i, f"item{i}", None, False) for i in range(regular)]
    drafts += [draft(100 + i, f"train{i}", "cat", True) for i in range(training)]
    drafts += [draft(200 + i, f"gold{i}", "cat", False) for i in range(gold)]
    return drafts


async def answer(tasks: TaskService, user: int, option: int):  # type: ignore[no-untyped-def]
    task = await tasks.current_task(AnnotatorId(user))
    assert task is not None
    return task, await tasks.press(AnnotatorId(user), task.assignment.id, option)


async def qualify(tasks: TaskService, user: int) -> None:
    """Answer training and the exam right."""
    for _ in range(QC.training + QC.exam):
        _task, outcome = await answer(tasks, user, CAT)
    assert outcome.notice is not None and outcome.notice.exam is not None
    assert outcome.notice.exam.passed


async def test_training_gives_feedback_then_the_exam_then_real_work(services: Services) -> None:
    tasks, _a, projects = services
    project = await projects.create(make_spec(quality=QC, gold_rate=0.0), items(5, 6))
    await join(services, 7, project.invite_code)
    task, outcome = await answer(tasks, 7, DOG)
    assert task.stage is Stage.TRAINING
    feedback = outcome.notice.feedback if outcome.notice else None
    assert feedback is not None and not feedback.correct and feedback.answer == "cat"
    assert feedback.explanation == "Look at the ears."
    task, outcome = await answer(tasks, 7, CAT)
    assert outcome.notice is not None and outcome.notice.feedback is not None
    assert outcome.notice.feedback.correct
    stages = []
    for _ in range(QC.exam):
        task, outcome = await answer(tasks, 7, CAT)
        stages.append(task.stage)
        assert outcome.notice is None or outcome.notice.feedback is None  # no hints
    assert stages == [Stage.EXAM] * QC.exam
    assert outcome.notice is not None and outcome.notice.exam is not None
    assert outcome.notice.exam.passed and outcome.task is not None
    assert outcome.task.stage is Stage.PRODUCTION and not outcome.task.item.is_gold


async def test_a_failed_exam_waits_for_the_cool_down_and_retries_run_out(
        services: Services, clock: FakeClock) -> None:
    tasks, _a, projects = services
    project = await projects.create(make_spec(quality=QC), items(5, 8))
    await join(services, 7, project.invite_code)
    for _ in range(QC.training + QC.exam):
        _task, outcome = await answer(tasks, 7, DOG)
    exam = outcome.notice.exam if outcome.notice else None
    assert exam is not None and not exam.passed and exam.retries_left == 1
    assert exam.correct == 0 and exam.needed == 2
    assert outcome.task is None and await tasks.current_task(AnnotatorId(7)) is None
    clock.advance(599)
    assert await tasks.current_task(AnnotatorId(7)) is None
    clock.advance(1)
    for _ in range(QC.exam):
        task, outcome = await answer(tasks, 7, DOG)
        assert task.stage is Stage.EXAM
    notice = outcome.notice
    assert notice is not None and notice.suspension is not None
    assert notice.suspension.rule is Rule.EXAM and outcome.task is None
    clock.advance(10_000)
    assert await tasks.current_task(AnnotatorId(7)) is None


async def test_gold_suspension_excludes_answers_and_reopens_items(
        services: Services, store: FakeStore, clock: FakeClock) -> None:
    tasks, _a, projects = services
    spec = make_spec(quality=replace(QC, probation_tasks=100, probation_gold_rate=0.5),
                     gold_rate=0.1, overlap=2)
    project = await projects.create(spec, items(6, 12))
    for user in (7, 8):
        await join(services, user, project.invite_code)
        await qualify(tasks, user)
    suspension = None
    regular_answered: set[int] = set()
    while suspension is None:
        task, outcome = await answer(tasks, 7, DOG)
        if not task.item.is_gold:
            regular_answered.add(task.item.id)
        suspension = outcome.notice.suspension if outcome.notice else None
        assert outcome.notice is None or not outcome.notice.warnings
    assert suspension.rule is Rule.GOLD and suspension.action is RuleAction.SUSPEND
    assert outcome.task is None
    snapshot = await projects.snapshot(project.id)
    mine = [a for a in snapshot.answers if a.annotator_id == 7]
    assert mine and all(a.excluded for a in mine)
    assert not any(a.excluded for a in snapshot.answers if a.annotator_id == 8)
    # the reopened items go to annotators in good standing until each holds 2 answers
    for user in (8, 9, 10):
        if user != 8:
            await join(services, user, project.invite_code)
            await qualify(tasks, user)
        task = await tasks.current_task(AnnotatorId(user))
        while task is not None:
            option = CAT if task.item.is_gold else DOG
            task = (await tasks.press(AnnotatorId(user), task.assignment.id, option)).task
    snapshot = await projects.snapshot(project.id)
    counted: dict[str, int] = {}
    for a in snapshot.answers:
        if not a.excluded and not a.is_gold:
            counted[a.external_id] = counted.get(a.external_id, 0) + 1
    assert counted == {f"item{i}": 2 for i in range(6)}
    assert regular_answered  # the suspended annotator had touched real items

    quality = QualityService(store, clock=clock, admins={ADMIN})
    note = await quality.appeal(AnnotatorId(7), project.id)
    assert note.kind is NoteKind.APPEAL and note.verdict is not None
    assert int(str(note.verdict.params["total"])) >= QC.gold_min_answers
    with pytest.raises(StaleTask):
        await quality.appeal(AnnotatorId(7), project.id)  # once per suspension
    with pytest.raises(PermissionDenied):
        await quality.decide(8, project.id, AnnotatorId(7), reinstate=True)
    decided = await quality.decide(ADMIN, project.id, AnnotatorId(7), reinstate=True)
    assert decided.reinstated
    snapshot = await projects.snapshot(project.id)
    assert not any(a.excluded for a in snapshot.answers)
    card = await quality.score(AnnotatorId(7))
    assert card is not None and card.standing.appeal is Appeal.REINSTATED
    assert not card.standing.suspended and card.standing.grace > 0


async def test_a_coordinator_suspends_and_the_list_shows_it(
        services: Services, store: FakeStore, clock: FakeClock) -> None:
    tasks, annotators, projects = services
    project = await projects.create(make_spec(quality=QC), items(5, 6))
    await join(services, 7, project.invite_code)
    await qualify(tasks, 7)
    await annotators.register(ADMIN, "Admin", "en")
    quality = QualityService(store, clock=clock, admins={ADMIN})
    note = await quality.suspend(ADMIN, project.id, AnnotatorId(7))
    assert note.verdict.rule is Rule.MANUAL and note.language == "en"
    assert await tasks.current_task(AnnotatorId(7)) is None
    page = await quality.roster(ADMIN, project.id, 0)
    assert [e.row.annotator_id for e in page.entries] == [7]
    row = page.entries[0].row
    assert row.standing.suspended and row.answered == QC.training + QC.exam
    assert row.gold.total == QC.exam and row.gold.correct == QC.exam
    with pytest.raises(PermissionDenied):
        await quality.roster(7, project.id, 0)


async def test_daily_cap_and_skip_runs(services: Services, clock: FakeClock) -> None:
    tasks, _a, projects = services
    settings = replace(QC, training=0, exam=0, daily_cap=3, run_max_skips=2)
    project = await projects.create(make_spec(quality=settings), items(10, 0, training=0))
    await join(services, 7, project.invite_code)
    for _ in range(2):
        _task, outcome = await answer(tasks, 7, CAT)
    _task, outcome = await answer(tasks, 7, CAT)
    assert outcome.notice is not None
    assert [w.rule for w in outcome.notice.warnings] == [Rule.DAILY_CAP]
    assert outcome.task is None
    clock.advance(24 * 3600 + 1)  # a rolling 24 hours
    task = await tasks.current_task(AnnotatorId(7))
    assert task is not None
    first = await tasks.skip(AnnotatorId(7), task.assignment.id)
    assert first.result is Result.SKIPPED and first.task is not None
    second = await tasks.skip(AnnotatorId(7), first.task.assignment.id)
    assert second.notice is not None and second.notice.suspension is not None
    assert second.notice.suspension.rule is Rule.SKIPS and second.task is None


async def test_coordinators_hear_once_that_gold_ran_out(services: Services) -> None:
    tasks, annotators, projects = services
    settings = replace(QC, training=0, exam=0)
    project = await projects.create(make_spec(quality=settings, gold_rate=0.5), items(8, 1, 0))
    await annotators.register(ADMIN, "Admin", "fr")
    notes: list[CoordinatorNote] = []
    for user in (7, 8):
        await join(services, user, project.invite_code)
        for _ in range(3):
            _task, outcome = await answer(tasks, user, CAT)
            notes += outcome.notice.notes if outcome.notice else ()
    gold_notes = [n for n in notes if n.kind is NoteKind.NEEDS_GOLD]
    assert len(gold_notes) == 1
    assert [(r.annotator_id, r.language) for r in gold_notes[0].recipients] == [(ADMIN, "fr")]


async def test_agreement_review_flags_an_outlier(services: Services, store: FakeStore,
                                                 clock: FakeClock) -> None:
    tasks, annotators, projects = services
    settings = replace(QC, training=0, exam=0, agreement_min_answers=4)
    project = await projects.create(make_spec(quality=settings, overlap=4), items(6, 0, 0))
    await annotators.register(ADMIN, "Admin", "en")
    for user, option in ((7, CAT), (8, CAT), (9, DOG), (10, CAT)):
        await join(services, user, project.invite_code)
        task = await tasks.current_task(AnnotatorId(user))
        while task is not None:
            task = (await tasks.press(AnnotatorId(user), task.assignment.id, option)).task
    quality = QualityService(store, clock=clock, admins={ADMIN})
    review = await quality.review_all()
    assert [(n.kind, n.annotator_id) for n in review.coordinators] == [(NoteKind.FLAG, 9)]
    assert review.coordinators[0].verdict is not None
    assert review.coordinators[0].verdict.rule is Rule.AGREEMENT
    assert (await quality.review_all()).coordinators == ()  # flagged once


SIZED = replace(QC, training=3, exam=5, training_streak=2, exam_stop_early=True,
                adaptive_gold=True, gold_rate_floor=0.0, gold_rate_ceiling=1.0)


async def test_sized_training_and_exam_stop_once_they_have_shown_enough(
        services: Services, store: FakeStore) -> None:
    tasks, _a, projects = services
    project = await projects.create(make_spec(quality=SIZED), items(6, 8, training=4))
    await join(services, 7, project.invite_code)
    stages = []
    for option in (DOG, CAT, CAT, CAT, CAT, CAT):  # training: wrong, right, right; exam 3/3
        task, outcome = await answer(tasks, 7, option)
        stages.append(task.stage)
    assert stages == [Stage.TRAINING] * 3 + [Stage.EXAM] * 3
    exam = outcome.notice.exam if outcome.notice else None
    assert exam is not None and exam.passed and (exam.correct, exam.total) == (3, 3)
    async with store.read() as uow:
        progress = await uow.quality.progress(project.id, AnnotatorId(7), 1)
        record = await uow.quality.gold_record(project.id, AnnotatorId(7), 64)
        latest = await uow.quality.gold_record(project.id, AnnotatorId(7), 2)
    assert (progress.training_done, progress.training_streak) == (3, 2)
    assert record == [False, True, True, True, True, True]  # training included, oldest first
    assert latest == [True, True]


class Halfway(random.Random):
    """An rng whose ``random()`` is always 0.5: gold comes exactly when the share is over 0.5."""

    def random(self) -> float:
        return 0.5


async def test_the_gold_share_follows_the_annotators_record(
        store: FakeStore, clock: FakeClock) -> None:
    tasks = TaskService(store, clock=clock, rng=Halfway(1))
    services = (tasks, OnboardingService(store, clock=clock, admins={1}),
                CatalogService(store, clock=clock, invite_codes=lambda: "invite1"))
    # no training, no suspension; spec gold_rate 0: gold in production comes from the record
    settings = replace(SIZED, training=0, exam=3, gold_min_answers=100)
    project = await services[2].create(make_spec(quality=settings, gold_rate=0.0),
                                       items(30, 12, training=0))
    for user, exam in ((7, (DOG, CAT, CAT)), (8, (CAT, CAT))):  # both pass, 7 barely
        await join(services, user, project.invite_code)
        for option in exam:
            task, outcome = await answer(tasks, user, option)
            assert task.stage is Stage.EXAM
        assert outcome.notice is not None and outcome.notice.exam is not None
        assert outcome.notice.exam.passed
    record = {7: [False, True, True], 8: [True, True]}
    gold = {7: [], 8: []}  # type: dict[int, list[bool]]
    for user, plan in ((7, [DOG, CAT, CAT, CAT, CAT, CAT, CAT, CAT]), (8, [CAT] * 4)):
        for option in plan:
            expected = adaptive_gold_rate(record[user], settings, options=3) > 0.5
            task, _outcome = await answer(tasks, user, option)
            assert task.stage is Stage.PRODUCTION and task.item.is_gold is expected
            gold[user].append(task.item.is_gold)
            if task.item.is_gold:
                record[user].append(option == CAT)
    # the doubtful annotator is checked until the record recovers; the trusted one is not
    assert gold[7][:2] == [True, True] and gold[7][-1] is False
    assert gold[8] == [False] * 4
