"""The qualification state machine: training, then the exam, then production.

::

    TRAINING --(training items answered, the last ``training_streak`` right, or none
                left)--> EXAM
    EXAM --(exam passed, or the project has no gold to examine with)--> PRODUCTION
    EXAM --(failed, retries left)--> EXAM, after the cool-down (``retry_at``)
    EXAM --(failed, no retries left)--> suspended (rule ``exam``)
    any --(a rule's suspension, or a coordinator)--> suspended --(reinstated)--> as before

Pure: the caller reads the counts (:class:`Progress`) and the clock, and stores the
:class:`Standing` returned. Exam answers are every answer to an exam-stage task of the
current attempt; skipped exam items do not count. With ``exam_stop_early`` an attempt ends
as soon as its outcome is settled (enough right answers to pass the full exam, or too few
questions left to reach them): the same decision as the full exam, in fewer questions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from annotation.models import AnnotatorId, ProjectId, Stage
from annotation.quality.checking import adaptive_gold_rate
from annotation.quality.settings import QualitySettings, Rule

EPSILON = 1e-9


class Status(StrEnum):
    """Whether an annotator may work on the project."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class Appeal(StrEnum):
    """Where an annotator's appeal against a suspension stands."""

    NONE = "none"
    PENDING = "pending"
    REINSTATED = "reinstated"
    CONFIRMED = "confirmed"


@dataclass(frozen=True, slots=True)
class Standing:
    """An annotator's place in one project's quality process."""

    project_id: ProjectId
    annotator_id: AnnotatorId
    phase: Stage
    status: Status = Status.ACTIVE
    attempt: int = 1  # the exam attempt under way (or the last one)
    failures: int = 0  # exams failed
    retry_at: datetime | None = None
    rule: Rule | None = None  # why the annotator is (or was last) suspended
    evidence: Mapping[str, object] = field(default_factory=dict)
    appeal: Appeal = Appeal.NONE
    grace: int = 0  # rules ignore answers up to this answer id (set on reinstatement)
    notified: frozenset[Rule] = frozenset()  # warnings and flags already given

    @property
    def suspended(self) -> bool:
        """Return whether the annotator is suspended from the project."""
        return self.status is Status.SUSPENDED


@dataclass(frozen=True, slots=True)
class Progress:
    """Counts the state machine needs, read in the same transaction."""

    training_done: int = 0
    training_left: int = 0  # training items the annotator has not had
    training_streak: int = 0  # the latest training answers right in a row
    exam_done: int = 0  # answers in the current attempt
    exam_correct: int = 0
    gold_left: int = 0  # non-training gold items the annotator has not had


class Step(StrEnum):
    """What to hand out next."""

    TRAINING = "training"
    EXAM = "exam"
    PRODUCTION = "production"
    WAIT = "wait"  # the exam cool-down is running
    NOTHING = "nothing"  # suspended, or no gold left for a retake


@dataclass(frozen=True, slots=True)
class ExamResult:
    """How an exam went."""

    passed: bool
    correct: int
    total: int
    needed: int  # right answers needed (of a full exam when it stopped early)
    retries_left: int
    retry_at: datetime | None


def first_phase(settings: QualitySettings) -> Stage:
    """Return where a newcomer starts."""
    if settings.training > 0:
        return Stage.TRAINING
    if settings.exam > 0:
        return Stage.EXAM
    return Stage.PRODUCTION


def advance(standing: Standing, progress: Progress, settings: QualitySettings) -> Standing:
    """Move past a finished training, or an exam there is no gold for (first attempt)."""
    if standing.phase is Stage.TRAINING and (
            progress.training_done >= settings.training or progress.training_left == 0
            or 0 < settings.training_streak <= progress.training_streak):
        standing = replace(standing, phase=Stage.EXAM if settings.exam > 0
                           else Stage.PRODUCTION)
    if (standing.phase is Stage.EXAM and standing.failures == 0 and progress.exam_done == 0
            and (settings.exam == 0 or progress.gold_left == 0)):
        standing = replace(standing, phase=Stage.PRODUCTION)
    return standing


def next_step(standing: Standing, progress: Progress, settings: QualitySettings,
              now: datetime) -> Step:
    """Return what the annotator gets next (call :func:`advance` first)."""
    if standing.suspended:
        return Step.NOTHING
    if standing.phase is Stage.TRAINING:
        return Step.TRAINING
    if standing.phase is Stage.EXAM:
        if standing.retry_at is not None and now < standing.retry_at:
            return Step.WAIT
        return Step.EXAM if progress.gold_left > 0 else Step.NOTHING
    return Step.PRODUCTION


def exam_due(progress: Progress, settings: QualitySettings) -> bool:
    """Return whether the current exam attempt is complete and must be graded now."""
    if progress.exam_done == 0:
        return False
    return (progress.exam_done >= settings.exam or progress.gold_left == 0
            or _settled(progress, settings))


def _settled(progress: Progress, settings: QualitySettings) -> bool:
    # Whether the rest of a full exam cannot change its outcome: enough right answers
    # already, or too few questions left to reach them.
    if not settings.exam_stop_early or progress.exam_done >= settings.exam:
        return False
    needed = needed_right(settings.exam, settings)
    left = settings.exam - progress.exam_done
    return progress.exam_correct >= needed or progress.exam_correct + left < needed


def needed_right(total: int, settings: QualitySettings) -> int:
    """Return how many right answers out of ``total`` pass the exam."""
    return math.ceil(settings.exam_pass * total - EPSILON)


def grade_exam(standing: Standing, progress: Progress, settings: QualitySettings,
               now: datetime) -> tuple[Standing, ExamResult]:
    """Grade the current attempt: qualify, schedule a retake, or suspend."""
    total, correct = progress.exam_done, progress.exam_correct
    # A settled attempt is graded as the full exam; the decision is the same as grading
    # the answers given (``needed_right`` rounds up), the count shown is the full exam's.
    needed = needed_right(settings.exam if _settled(progress, settings) else total, settings)
    if total > 0 and correct >= needed:
        passed = replace(standing, phase=Stage.PRODUCTION, retry_at=None)
        return passed, ExamResult(True, correct, total, needed, 0, None)
    failures = standing.failures + 1
    retries_left = max(0, settings.exam_retries + 1 - failures)
    if retries_left == 0:
        failed = replace(standing, failures=failures, status=Status.SUSPENDED, rule=Rule.EXAM,
                         evidence={"correct": correct, "total": total, "needed": needed,
                                   "attempts": failures},
                         appeal=Appeal.NONE, retry_at=None)
        return failed, ExamResult(False, correct, total, needed, 0, None)
    retry_at = now + timedelta(seconds=settings.exam_cooldown)
    again = replace(standing, failures=failures, attempt=standing.attempt + 1,
                    retry_at=retry_at)
    return again, ExamResult(False, correct, total, needed, retries_left, retry_at)


def reinstated(standing: Standing, last_answer: int) -> Standing:
    """Return the standing of a suspended annotator a coordinator let back in.

    The rules start afresh after ``last_answer``; someone suspended by the exam gets one
    more attempt, right away.
    """
    changes: dict[str, object] = {}
    if standing.rule is Rule.EXAM and standing.phase is Stage.EXAM:
        changes = {"failures": standing.failures - 1, "attempt": standing.attempt + 1,
                   "retry_at": None}
    return replace(standing, status=Status.ACTIVE, appeal=Appeal.REINSTATED,
                   grace=last_answer, notified=frozenset(), **changes)  # type: ignore[arg-type]


def gold_rate(spec_rate: float, production_done: int, settings: QualitySettings,
              record: Sequence[bool] = (), options: int = 0) -> float:
    """Return the share of gold checks for an annotator's next production task.

    With ``adaptive_gold`` the share follows the annotator's gold ``record``
    (:mod:`annotation.quality.checking`) and the spec's rate and the probation are unused.
    """
    if settings.enabled and settings.adaptive_gold:
        return adaptive_gold_rate(record, settings, options)
    if settings.enabled and production_done < settings.probation_tasks:
        return max(spec_rate, settings.probation_gold_rate)
    return spec_rate
