"""The training → exam → production state machine, and agreement with the crowd."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from annotation.models import AnnotatorId, ItemId, ProjectId, Stage
from annotation.quality.agreement import CastVote, agreement_by_annotator
from annotation.quality.qualification import (
    Appeal,
    Progress,
    Standing,
    Step,
    advance,
    exam_due,
    first_phase,
    gold_rate,
    grade_exam,
    needed_right,
    next_step,
    reinstated,
)
from annotation.quality.settings import QualitySettings, Rule

# Today's fixed-size training and exam, and the fixed probation (the switches are tested in
# test_checking.py and below).
ON = QualitySettings(enabled=True, training=3, exam=5, exam_pass=0.6, exam_retries=1,
                     exam_cooldown=600, training_streak=0, exam_stop_early=False,
                     adaptive_gold=False)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def newcomer(settings: QualitySettings = ON) -> Standing:
    return Standing(ProjectId(1), AnnotatorId(7), first_phase(settings))


def test_newcomers_start_with_training_then_the_exam_then_work() -> None:
    standing = newcomer()
    assert standing.phase is Stage.TRAINING
    assert advance(standing, Progress(training_done=2, training_left=5, gold_left=9),
                   ON) == standing
    examined = advance(standing, Progress(training_done=3, training_left=5, gold_left=9), ON)
    assert examined.phase is Stage.EXAM
    assert next_step(examined, Progress(gold_left=9), ON, NOW) is Step.EXAM
    assert first_phase(QualitySettings(training=0)) is Stage.EXAM
    assert first_phase(QualitySettings(training=0, exam=0)) is Stage.PRODUCTION


def test_training_ends_early_when_no_training_item_is_left() -> None:
    moved = advance(newcomer(), Progress(training_done=1, training_left=0, gold_left=9), ON)
    assert moved.phase is Stage.EXAM


def test_a_project_without_gold_skips_the_first_exam_but_not_a_retake() -> None:
    exam = replace(newcomer(), phase=Stage.EXAM)
    assert advance(exam, Progress(gold_left=0), ON).phase is Stage.PRODUCTION
    retake = replace(exam, failures=1, attempt=2)
    assert advance(retake, Progress(gold_left=0), ON).phase is Stage.EXAM
    assert next_step(retake, Progress(gold_left=0), ON, NOW) is Step.NOTHING


@pytest.mark.parametrize(("done", "gold_left", "due"), [
    (0, 0, False), (4, 3, False), (5, 3, True), (2, 0, True)])
def test_exam_is_due_after_n_answers_or_when_gold_runs_out(done: int, gold_left: int,
                                                           due: bool) -> None:
    assert exam_due(Progress(exam_done=done, gold_left=gold_left), ON) is due


@pytest.mark.parametrize(("total", "needed"), [(5, 3), (4, 3), (10, 6), (1, 1)])
def test_pass_mark_is_the_threshold_rounded_up(total: int, needed: int) -> None:
    assert needed_right(total, ON) == needed


def test_passing_the_exam_qualifies() -> None:
    exam = replace(newcomer(), phase=Stage.EXAM)
    passed, result = grade_exam(exam, Progress(exam_done=5, exam_correct=3), ON, NOW)
    assert result.passed and passed.phase is Stage.PRODUCTION
    assert next_step(passed, Progress(), ON, NOW) is Step.PRODUCTION


def test_failing_schedules_a_retake_after_the_cool_down_then_suspends() -> None:
    exam = replace(newcomer(), phase=Stage.EXAM)
    again, result = grade_exam(exam, Progress(exam_done=5, exam_correct=2), ON, NOW)
    assert not result.passed and result.retries_left == 1 and result.needed == 3
    assert again.attempt == 2 and again.retry_at == NOW + timedelta(seconds=600)
    assert next_step(again, Progress(gold_left=5), ON, NOW) is Step.WAIT
    later = NOW + timedelta(seconds=600)
    assert next_step(again, Progress(gold_left=5), ON, later) is Step.EXAM
    out, final = grade_exam(again, Progress(exam_done=5, exam_correct=1), ON, later)
    assert out.suspended and out.rule is Rule.EXAM and final.retries_left == 0
    assert out.evidence == {"correct": 1, "total": 5, "needed": 3, "attempts": 2}
    assert next_step(out, Progress(gold_left=5), ON, later) is Step.NOTHING
    back = reinstated(out, last_answer=42)
    assert not back.suspended and back.appeal is Appeal.REINSTATED and back.grace == 42
    assert back.phase is Stage.EXAM and back.retry_at is None
    assert next_step(back, Progress(gold_left=5), ON, later) is Step.EXAM


def test_probation_raises_the_gold_rate_for_the_first_tasks() -> None:
    settings = replace(ON, probation_tasks=10, probation_gold_rate=0.5)
    assert gold_rate(0.1, 0, settings) == 0.5
    assert gold_rate(0.1, 9, settings) == 0.5
    assert gold_rate(0.1, 10, settings) == 0.1
    assert gold_rate(0.1, 0, QualitySettings()) == 0.1  # quality control off


def _votes(rows: list[tuple[int, int, str]]) -> list[CastVote]:
    return [CastVote(ItemId(i), AnnotatorId(a), v) for i, a, v in rows]


def test_agreement_is_leave_one_out_and_skips_ties() -> None:
    votes = _votes([
        (1, 10, "a"), (1, 11, "a"), (1, 12, "b"), (1, 13, "a"),  # 12 alone disagrees
        (2, 10, "a"), (2, 11, "b"),  # only one other answer each: skipped
        (3, 10, "a"), (3, 11, "b"), (3, 12, "c"),  # the others tie: skipped
    ])
    stats = agreement_by_annotator(votes)
    assert (stats[AnnotatorId(10)].matches, stats[AnnotatorId(10)].total) == (1, 1)
    assert (stats[AnnotatorId(12)].matches, stats[AnnotatorId(12)].total) == (0, 1)
    assert stats[AnnotatorId(10)].crowd_rate == pytest.approx(3 / 4)
    assert agreement_by_annotator([]) == {}


SIZED = replace(ON, training_streak=2, exam_stop_early=True)


def _exam(answers: tuple[bool, ...], settings: QualitySettings
          ) -> tuple[bool, int, int] | None:
    """Answer an exam attempt until it is due; return passed, questions and needed."""
    exam = replace(newcomer(settings), phase=Stage.EXAM)
    for done in range(1, len(answers) + 1):
        progress = Progress(exam_done=done, exam_correct=sum(answers[:done]), gold_left=50)
        if exam_due(progress, settings):
            _standing, result = grade_exam(exam, progress, settings, NOW)
            return result.passed, done, result.needed
    return None


@pytest.mark.parametrize("size", [1, 2, 5, 8])
@pytest.mark.parametrize("share", [0.5, 0.6, 0.8, 1.0])
def test_an_exam_stopped_early_decides_as_the_full_exam(size: int, share: float) -> None:
    settings = replace(SIZED, exam=size, exam_pass=share)
    full_settings = replace(settings, exam_stop_early=False)
    for mask in range(2 ** size):
        answers = tuple(bool(mask >> k & 1) for k in range(size))
        early, full = _exam(answers, settings), _exam(answers, full_settings)
        assert early is not None and full is not None
        assert early[0] == full[0] and early[1] <= full[1] == size
        assert early[2] == full[2] == needed_right(size, settings)


@pytest.mark.parametrize(("answers", "passed", "asked"), [
    ((True, True, True), True, 3),  # 3 of 5 needed: reached
    ((False, False, False), False, 3),  # 3 right out of the 2 left: impossible
    ((True, False, True, True), True, 4),
    ((True, False, False, True, False), False, 5),
])
def test_the_exam_stops_once_its_outcome_cannot_change(answers: tuple[bool, ...],
                                                        passed: bool, asked: int) -> None:
    assert _exam(answers, SIZED) == (passed, asked, 3)
    undecided = Progress(exam_done=4, exam_correct=2, gold_left=9)
    assert not exam_due(undecided, SIZED)


def test_a_settled_exam_shows_the_full_exams_pass_mark() -> None:
    exam = replace(newcomer(SIZED), phase=Stage.EXAM)
    failed, result = grade_exam(exam, Progress(exam_done=3, exam_correct=0, gold_left=9),
                                SIZED, NOW)
    assert (result.passed, result.correct, result.total, result.needed) == (False, 0, 3, 3)
    assert failed.attempt == 2 and failed.failures == 1


def test_an_exam_that_runs_out_of_gold_is_graded_on_what_was_answered() -> None:
    assert _exam((True, True), replace(SIZED, exam=5)) is None  # not settled, gold left
    exam = replace(newcomer(SIZED), phase=Stage.EXAM)
    progress = Progress(exam_done=2, exam_correct=2, gold_left=0)
    assert exam_due(progress, SIZED)
    _standing, result = grade_exam(exam, progress, SIZED, NOW)
    assert result.passed and result.needed == 2


@pytest.mark.parametrize(("done", "streak", "phase"), [
    (1, 1, Stage.TRAINING), (2, 1, Stage.TRAINING), (2, 2, Stage.EXAM), (3, 0, Stage.EXAM)])
def test_training_ends_after_a_streak_of_right_answers(done: int, streak: int,
                                                      phase: Stage) -> None:
    progress = Progress(training_done=done, training_left=5, training_streak=streak,
                        gold_left=9)
    assert advance(newcomer(SIZED), progress, SIZED).phase is phase
    assert advance(newcomer(ON), replace(progress, training_streak=done), ON).phase is (
        Stage.EXAM if done >= ON.training else Stage.TRAINING)
