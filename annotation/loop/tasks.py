"""Use cases of the annotator's loop: show a task, answer, toggle, skip, undo, expire.

Each use case runs inside one write unit of work: it reads what it needs through the
ports, asks the pure policy (``assignment``, ``answers``) for every decision and applies
the result before the transaction commits, so an answer acknowledged to the annotator is
already committed, and concurrent taps cannot break the assignment rules.

Every write an annotator can trigger checks their standing first: a suspended annotator
(whose answers quality control set aside) gets ``Result.SUSPENDED`` with the suspension
notice and changes nothing, and is handed no task.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from annotation.errors import AnswerRejected, ErrorCode, NotFound, StaleTask
from annotation.kinds.base import BACK_CODE, Step, Turn
from annotation.kinds.registry import kind_of
from annotation.loop.assignment import (
    GOLD_SAMPLE,
    UNDO_WINDOW,
    can_undo,
    choose_next_item,
    deadline_for,
)
from annotation.loop.live_labels import LiveLabels
from annotation.loop.quality import pick_item, refusal, review
from annotation.models import (
    AnnotatorId,
    Answer,
    Assignment,
    AssignmentId,
    AssignmentStatus,
    Item,
    ItemId,
    Project,
    ProjectStatus,
    Stage,
    Task,
)
from annotation.ports.store import LoopWork, Store
from annotation.quality.notices import QualityNotice


class Result(StrEnum):
    """What became of a tap or a typed answer."""

    RECORDED = "recorded"
    DUPLICATE = "duplicate"  # already recorded: nothing changed
    EXPIRED = "expired"  # the assignment had expired: a new task is shown
    SKIPPED = "skipped"
    UNDONE = "undone"
    TOGGLED = "toggled"
    SUSPENDED = "suspended"  # refused, nothing changed: the notice says why and how to appeal
    CURRENT = "current"  # nothing changed: the open task (or a new one) is shown again


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a use case and the task to show next (None: no work right now)."""

    result: Result
    task: Task | None
    answered: AssignmentId | None = None  # the answer that Undo would take back
    correct: bool | None = None
    notice: QualityNotice | None = None  # training feedback, exam result, suspension…


class TaskService:
    """The annotator's loop over a ``Store``."""

    def __init__(self, store: Store[LoopWork], *, clock: Callable[[], datetime],
                 rng: random.Random) -> None:
        self._store = store
        self._clock = clock
        self._rng = rng
        self._live = LiveLabels(store, clock)  # adaptive overlap's fits and decisions

    async def current_task(self, annotator_id: AnnotatorId) -> Task | None:
        """Return the annotator's open task, handing out a new one if needed."""
        async with self._store.write() as uow:
            project = await self._project_of(uow, annotator_id)
            if project is None or await refusal(uow, project, annotator_id) is not None:
                return None
            active = await self._live_assignment(uow, annotator_id)
            if active is not None:
                return await self._task(uow, active, project)
            return await self._assign_next(uow, annotator_id, project)

    async def answer(self, annotator_id: AnnotatorId, assignment_id: AssignmentId,
                     raw: str, source: str | None = None) -> Outcome:
        """Record an answer to an assignment and hand out the next task."""
        async with self._store.write() as uow:
            owned = await self._own_active(uow, annotator_id, assignment_id)
            if isinstance(owned, Outcome):
                return owned
            assignment, project = owned
            if source is not None and await uow.answers.seen_source(source):
                return Outcome(Result.DUPLICATE, None)
            value = kind_of(project.spec).canonical(project.spec, raw)
            return await self._record(uow, assignment, project, value, source)

    async def answer_typed(self, annotator_id: AnnotatorId, raw: str, source: str) -> Outcome:
        """Record a typed answer (free text or number) to the annotator's open task."""
        async with self._store.write() as uow:
            if await uow.answers.seen_source(source):
                return Outcome(Result.DUPLICATE, None)
            project = await self._project_of(uow, annotator_id)
            notice = await refusal(uow, project, annotator_id) if project else None
            if notice is not None:
                return Outcome(Result.SUSPENDED, None, notice=notice)
            active = await uow.assignments.active_for(annotator_id)
            if project is None or active is None or active.project_id != project.id:
                raise StaleTask(ErrorCode.NO_WORK)
            kind = kind_of(project.spec)
            if not kind.accepts_typed:
                raise AnswerRejected(ErrorCode.USE_BUTTONS)
            if active.deadline < self._clock():
                return await self._expired(uow, annotator_id, project, active)
            return await self._record(uow, active, project, kind.typed(project.spec, raw),
                                      source)

    async def press(self, annotator_id: AnnotatorId, assignment_id: AssignmentId,
                    code: int) -> Outcome:
        """Apply a task's button: record the answer it completes, or keep the task on
        screen with its new draft (a toggled option, a ranking's pick so far)."""
        async with self._store.write() as uow:
            owned = await self._own_active(uow, annotator_id, assignment_id)
            if isinstance(owned, Outcome):
                return owned
            assignment, project = owned
            kind = kind_of(project.spec)
            item = await self._item(uow, assignment)
            turn = Turn(project.spec, item, annotator_id, assignment.draft)
            if code == BACK_CODE:  # one step of the draft back (a ranking's last pick)
                step = Step(draft=kind.back(turn) or "")
            else:
                step = kind.press(turn, code)
            if step.final is not None:
                return await self._record(uow, assignment, project, step.final, None,
                                          step.detail, item)
            assert step.draft is not None
            await uow.assignments.set_draft(assignment.id, step.draft)
            drafted = replace(assignment, draft=step.draft)
            return Outcome(Result.TOGGLED, await self._task(uow, drafted, project))

    async def skip(self, annotator_id: AnnotatorId, assignment_id: AssignmentId) -> Outcome:
        """Give a task back without answering; the annotator never gets it again."""
        async with self._store.write() as uow:
            owned = await self._own_active(uow, annotator_id, assignment_id)
            if isinstance(owned, Outcome):
                return owned
            assignment, project = owned
            await uow.assignments.close(assignment, AssignmentStatus.SKIPPED)
            notice = await self._review(uow, project, assignment, None)
            task = await self._assign_next(uow, annotator_id, project)
            return Outcome(Result.SKIPPED, task, notice=notice)

    async def undo(self, annotator_id: AnnotatorId, assignment_id: AssignmentId) -> Outcome:
        """Take back the annotator's last answer within the undo window and show it again."""
        async with self._store.write() as uow:
            owned = await self._own(uow, annotator_id, assignment_id)
            if isinstance(owned, Outcome):
                return owned
            assignment, project = owned
            now = self._clock()
            last = await uow.answers.last_by(annotator_id)
            if (assignment.status is not AssignmentStatus.ANSWERED
                    or last is None or last.assignment_id != assignment.id
                    or not can_undo(last, assignment.item_id, now, UNDO_WINDOW)):
                raise StaleTask(ErrorCode.EXPIRED)
            current = await uow.assignments.active_for(annotator_id)
            if current is not None:
                await uow.assignments.discard(current)
            await uow.answers.delete(assignment.id)
            deadline = deadline_for(now, project.spec.time_limit_seconds)
            await uow.assignments.reopen(assignment, now, deadline)
            draft = kind_of(project.spec).reopened(project.spec, last.value, last.detail)
            if draft:
                await uow.assignments.set_draft(assignment.id, draft)
            reopened = await uow.assignments.get(assignment.id)
            assert reopened is not None
            return Outcome(Result.UNDONE, await self._task(uow, reopened, project))

    async def expire_due(self) -> int:
        """Release every assignment past its deadline so others can take the item."""
        async with self._store.write() as uow:
            return await uow.assignments.expire_due(self._clock())

    async def _record(self, uow: LoopWork, assignment: Assignment, project: Project,
                      value: str, source: str | None, detail: str = "",
                      item: Item | None = None) -> Outcome:
        """Record a canonical answer, run quality control and hand out the next task."""
        spec = project.spec
        item = item or await self._item(uow, assignment)
        now = self._clock()
        correct = (kind_of(spec).is_correct(spec, value, item.gold_answer)
                   if item.gold_answer else None)
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
        )
        if not await uow.answers.add(answer, source, project.id):
            return Outcome(Result.DUPLICATE, None)
        await uow.assignments.close(assignment, AssignmentStatus.ANSWERED)
        if spec.adaptive:
            self._live.note_answer(project.id)
            if not item.is_gold:
                await self._live.judge(uow, project, item.id)
        notice = await self._review(uow, project, assignment, answer)
        task = await self._assign_next(uow, assignment.annotator_id, project)
        return Outcome(Result.RECORDED, task, answered=assignment.id, correct=correct,
                       notice=notice)

    async def refresh_skills(self, *, force: bool = False) -> int:
        """Refit annotators' skills in the open adaptive projects that are due (all with
        ``force``) and settle or reopen their items accordingly; return how many.

        Due: enough new answers since the last fit, or five minutes and any
        (``annotation.loop.live_labels``). The live adaptive-overlap rule stops an item with the
        confusion matrices of the last fit (docs/AGGREGATION.md: fixed overlap 5's accuracy
        with about 60% of its answers), and with each newcomer's gold record until a fit
        includes them.
        """
        return await self._live.refresh(force=force)

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
            return Outcome(Result.EXPIRED, await self._task(uow, active, project))
        return Outcome(Result.EXPIRED, await self._assign_next(uow, annotator_id, project))

    async def _live_assignment(self, uow: LoopWork,
                               annotator_id: AnnotatorId) -> Assignment | None:
        """Return the annotator's active assignment, expiring it first if overdue."""
        active = await uow.assignments.active_for(annotator_id)
        if active is not None and active.deadline < self._clock():
            await uow.assignments.close(active, AssignmentStatus.EXPIRED)
            return None
        return active

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
        checked = project if project is not None else await self._project_of(uow, annotator_id)
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

    async def _project_of(self, uow: LoopWork, annotator_id: AnnotatorId) -> Project | None:
        annotator = await uow.annotators.get(annotator_id)
        if annotator is None or annotator.current_project is None:
            return None
        return await uow.projects.get(annotator.current_project)

    async def _assign_next(self, uow: LoopWork, annotator_id: AnnotatorId,
                           project: Project) -> Task | None:
        if project.status is not ProjectStatus.OPEN:
            return None
        spec = project.spec
        if spec.quality.enabled:
            return await self._assign_checked(uow, annotator_id, project)
        regular = await uow.items.next_regular(project.id, annotator_id, spec.overlap,
                                             spec.first_round)
        gold: tuple[ItemId, ...] = ()
        if regular is not None and spec.gold_rate > 0:
            gold = tuple(await uow.items.unseen_gold(project.id, annotator_id, GOLD_SAMPLE))
        item_id = choose_next_item(regular, gold, spec.gold_rate, self._rng)
        if item_id is None:
            return None
        now = self._clock()
        assignment = await uow.assignments.add(
            project.id, item_id, annotator_id, item_id != regular, now,
            deadline_for(now, spec.time_limit_seconds),
        )
        return await self._task(uow, assignment, project)

    async def _assign_checked(self, uow: LoopWork, annotator_id: AnnotatorId,
                              project: Project) -> Task | None:
        """Hand out the item quality control picks: training, exam or production."""
        now = self._clock()
        pick = await pick_item(uow, project, annotator_id, now, self._rng)
        if pick is None:
            return None
        assignment = await uow.assignments.add(
            project.id, pick.item_id, annotator_id, pick.is_gold, now,
            deadline_for(now, project.spec.time_limit_seconds),
        )
        await uow.quality.set_stage(assignment.id, pick.stage, pick.attempt)
        return await self._task(uow, assignment, project)

    async def _item(self, uow: LoopWork, assignment: Assignment) -> Item:
        item = await uow.items.get(assignment.item_id)
        if item is None:
            raise NotFound(what="item")
        return item

    async def _task(self, uow: LoopWork, assignment: Assignment, project: Project) -> Task:
        item = await uow.items.get(assignment.item_id)
        if item is None:
            raise NotFound(what="item")
        media = await uow.media.get(item.media_key) if item.media_key else None
        stage = Stage.PRODUCTION
        if project.spec.quality.enabled:
            stage = (await uow.quality.stage_of(assignment.id)).stage
        return Task(assignment, item, project, media, stage=stage)
