"""The steps every use case of the annotator's loop shares: which assignment a message or a
button is about and whether the annotator may act on it, recording a canonical answer with
its quality control, and handing out the next task (``Recorder``).

``annotation.loop.sent_answers`` and ``annotation.loop.tasks`` build the use cases on it;
each runs inside one unit of work, so an answer acknowledged is already committed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from annotation.errors import ErrorCode, StaleTask
from annotation.kinds.registry import kind_of
from annotation.loop.checks import CheckFeed
from annotation.loop.handout import assign_next, item_of, project_of, task_of
from annotation.loop.live_labels import LiveLabels
from annotation.loop.outcomes import Outcome, Result
from annotation.loop.quality import refusal, review
from annotation.models import (
    AnnotatorId,
    Answer,
    Assignment,
    AssignmentId,
    AssignmentStatus,
    Item,
    Project,
    Task,
)
from annotation.ports.store import LoopWork, Store
from annotation.quality.notices import QualityNotice


class Recorder:
    """The loop's shared steps over a ``Store``."""

    def __init__(self, store: Store[LoopWork], *, clock: Callable[[], datetime],
                 rng: random.Random) -> None:
        self._store = store
        self._clock = clock
        self._rng = rng
        self._live = LiveLabels(store, clock)  # adaptive overlap's fits and decisions
        self._checks = CheckFeed(store)  # recordings made into check items

    async def _owned(self, uow: LoopWork, annotator_id: AnnotatorId,
                     assignment_id: AssignmentId) -> tuple[Assignment, Project]:
        """Return the annotator's assignment and its project; raise ``NOT_YOURS`` for an
        unknown assignment, someone else's, or one in a project they are suspended from."""
        assignment = await uow.assignments.get(assignment_id)
        if assignment is None or assignment.annotator_id != annotator_id:
            raise StaleTask(ErrorCode.NOT_YOURS)
        project = await uow.projects.get(assignment.project_id)
        if project is None or await refusal(uow, project, annotator_id) is not None:
            raise StaleTask(ErrorCode.NOT_YOURS)
        return assignment, project

    def _check_live(self, assignment: Assignment) -> None:
        """Raise ``StaleTask`` unless the assignment is active and within its deadline."""
        if assignment.status is AssignmentStatus.ANSWERED:
            raise StaleTask(ErrorCode.ALREADY_ANSWERED)
        if assignment.status is not AssignmentStatus.ACTIVE or \
                assignment.deadline < self._clock():
            raise StaleTask(ErrorCode.EXPIRED)

    async def _record(self, uow: LoopWork, assignment: Assignment, project: Project,
                      value: str, source: str | None, detail: str = "",
                      item: Item | None = None) -> Outcome:
        """Record a canonical answer, run quality control and hand out the next task."""
        spec = project.spec
        item = item or await item_of(uow, assignment)
        now = self._clock()
        kind = kind_of(spec)
        correct = kind.is_correct(spec, value, item.gold_answer) if item.gold_answer else None
        checks = tuple(kind.checks(spec, value, item.gold_answer).items()) \
            if item.gold_answer else ()
        answer = Answer(
            assignment_id=assignment.id,
            item_id=item.id,
            annotator_id=assignment.annotator_id,
            value=value,
            seconds=max(0.0, (now - assignment.assigned_at).total_seconds()),
            is_gold=item.is_gold,
            correct=correct,
            answered_at=now,
            detail=detail,
            checks=checks,
        )
        if not await uow.answers.add(answer, source, project.id):
            return Outcome(Result.DUPLICATE, None)
        await uow.assignments.close(assignment, AssignmentStatus.ANSWERED)
        if kind.decides_early and not item.is_gold and kind.settled(
                spec, await uow.answers.value_counts(item.id)):
            await uow.items.settle(item.id)  # e.g. two checks agree on a recording
        if spec.adaptive:
            self._live.note_answer(project.id)
            if not item.is_gold:
                await self._live.judge(uow, project, item.id)
        notice = await self._review(uow, project, assignment, answer)
        task = await self._next(uow, assignment.annotator_id, project)
        return Outcome(Result.RECORDED, task, answered=assignment.id, correct=correct,
                       notice=notice)

    async def _review(self, uow: LoopWork, project: Project, assignment: Assignment,
                      answer: Answer | None) -> QualityNotice | None:
        """Run quality control on an answer or a skip (projects with it enabled)."""
        if not project.spec.quality.enabled:
            return None
        return await review(uow, project, assignment, answer, self._clock())

    async def _expired(self, uow: LoopWork, annotator_id: AnnotatorId, project: Project,
                       stale: Assignment | None = None) -> Outcome:
        if stale is not None:
            await uow.assignments.close(stale, AssignmentStatus.EXPIRED)
        active = await self._live_assignment(uow, annotator_id)
        if active is not None:
            return Outcome(Result.EXPIRED, await task_of(uow, active, project))
        return Outcome(Result.EXPIRED, await self._next(uow, annotator_id, project))

    async def _live_assignment(self, uow: LoopWork,
                               annotator_id: AnnotatorId) -> Assignment | None:
        """Return the annotator's active assignment, expiring it first if overdue."""
        active = await uow.assignments.active_for(annotator_id)
        if active is not None and active.deadline < self._clock():
            await uow.assignments.close(active, AssignmentStatus.EXPIRED)
            return None
        return active

    async def _open_task(self, uow: LoopWork, annotator_id: AnnotatorId
                         ) -> tuple[Assignment, Project] | Outcome:
        """Return the open task a message answers (typed or spoken) and its project, or
        the suspension to report; raise ``NO_WORK`` when there is none."""
        project = await project_of(uow, annotator_id)
        notice = await refusal(uow, project, annotator_id) if project else None
        if notice is not None:
            return Outcome(Result.SUSPENDED, None, notice=notice)
        active = await uow.assignments.active_for(annotator_id)
        if project is None or active is None or active.project_id != project.id:
            raise StaleTask(ErrorCode.NO_WORK)
        return active, project

    async def _own(self, uow: LoopWork, annotator_id: AnnotatorId,
                   assignment_id: AssignmentId) -> tuple[Assignment, Project] | Outcome:
        """Return the caller's assignment and its project, or the suspension to report.

        Every write an annotator triggers from a button comes through here, so standing is
        checked before anything else, also for a button whose assignment the suspension
        removed (then in the annotator's current project).
        """
        assignment = await uow.assignments.get(assignment_id)
        project = None
        if assignment is not None and assignment.annotator_id == annotator_id:
            project = await uow.projects.get(assignment.project_id)
        checked = project if project is not None else await project_of(uow, annotator_id)
        notice = await refusal(uow, checked, annotator_id) if checked is not None else None
        if notice is not None:
            return Outcome(Result.SUSPENDED, None, notice=notice)
        if assignment is None or project is None:
            raise StaleTask(ErrorCode.NOT_YOURS)
        return assignment, project

    async def _own_active(self, uow: LoopWork, annotator_id: AnnotatorId,
                          assignment_id: AssignmentId
                          ) -> tuple[Assignment, Project] | Outcome:
        """Return the assignment if still open, else the outcome to report instead."""
        owned = await self._own(uow, annotator_id, assignment_id)
        if isinstance(owned, Outcome):
            return owned
        assignment, project = owned
        if assignment.status is AssignmentStatus.ACTIVE and assignment.deadline < self._clock():
            return await self._expired(uow, annotator_id, project, assignment)
        if assignment.status is AssignmentStatus.ACTIVE:
            return assignment, project
        if assignment.status is AssignmentStatus.ANSWERED:
            return Outcome(Result.DUPLICATE, None)
        return await self._expired(uow, annotator_id, project)

    async def _next(self, uow: LoopWork, annotator_id: AnnotatorId,
                    project: Project) -> Task | None:
        """Hand the annotator their next task (``annotation.loop.handout``)."""
        return await assign_next(uow, annotator_id, project, self._clock(), self._rng)
