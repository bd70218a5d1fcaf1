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

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from annotation.errors import AnswerRejected, ErrorCode, StaleTask
from annotation.kinds.base import BACK_CODE, Step, Turn
from annotation.kinds.registry import kind_of
from annotation.loop.assignment import (
    UNDO_WINDOW,
    can_undo,
    deadline_for,
)
from annotation.loop.checks import CheckFeed, feed_from
from annotation.loop.handout import assign_next, item_of, project_of, task_of
from annotation.loop.live_labels import LiveLabels
from annotation.loop.quality import refusal, review
from annotation.loop.speakers import may_record
from annotation.loop.voice import (
    MediaRejected,
    VoiceNote,
    judge_recording,
    limits_for,
    recording_file_name,
    too_long_to_fetch,
)
from annotation.media.speech import RecordingProblem
from annotation.models import (
    AnnotatorId,
    Answer,
    Assignment,
    AssignmentId,
    AssignmentStatus,
    Item,
    MediaKind,
    Project,
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
    REFUSED = "refused"  # a recording that cannot be accepted: ``problems`` say why
    CURRENT = "current"  # nothing changed: the open task (or a new one) is shown again
    REPLAYED = "replayed"  # a Mini App's signed data already answered another task: refused


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a use case and the task to show next (None: no work right now)."""

    result: Result
    task: Task | None
    answered: AssignmentId | None = None  # the answer that Undo would take back
    correct: bool | None = None
    notice: QualityNotice | None = None  # training feedback, exam result, suspension…
    problems: tuple[RecordingProblem, ...] = ()  # what is wrong with a refused recording
    recorded: str = ""  # an accepted recording's detail (its length, to acknowledge it)


class TaskService:
    """The annotator's loop over a ``Store``."""

    def __init__(self, store: Store[LoopWork], *, clock: Callable[[], datetime],
                 rng: random.Random) -> None:
        self._store = store
        self._clock = clock
        self._rng = rng
        self._live = LiveLabels(store, clock)  # adaptive overlap's fits and decisions
        self._checks = CheckFeed(store)  # recordings made into check items

    async def current_task(self, annotator_id: AnnotatorId) -> Task | None:
        """Return the annotator's open task, handing out a new one if needed."""
        async with self._store.write() as uow:
            project = await project_of(uow, annotator_id)
            if project is None or await refusal(uow, project, annotator_id) is not None:
                return None
            active = await self._live_assignment(uow, annotator_id)
            if active is not None:
                return await task_of(uow, active, project)
            return await self._next(uow, annotator_id, project)

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

    async def task_for(self, annotator_id: AnnotatorId, assignment_id: AssignmentId) -> Task:
        """Return an assignment's task for the Mini App while it is the annotator's to answer.

        Raises ``StaleTask``: ``NOT_YOURS`` (unknown, someone else's, or the annotator is
        suspended from its project), ``ALREADY_ANSWERED`` or ``EXPIRED`` (skipped, expired,
        past its deadline, undone and reassigned: not live). Changes nothing.
        """
        async with self._store.read() as uow:
            assignment, project = await self._owned(uow, annotator_id, assignment_id)
            self._check_live(assignment)
            return await task_of(uow, assignment, project)

    async def answer_from_app(self, annotator_id: AnnotatorId, assignment_id: AssignmentId,
                              raw: str, source: str) -> Outcome:
        """Record an answer the Mini App sent and hand out the next task.

        ``source`` names the signed data that carried it (one per opening of the app): if
        an answer from it is recorded already, the result is ``DUPLICATE`` for this
        assignment (a double submit) and ``REPLAYED`` for another one; nothing changes
        either way. Otherwise the assignment must be live (``task_for``'s ``StaleTask``),
        and nothing else changes on a refusal (an overdue assignment is not closed here).
        """
        async with self._store.write() as uow:
            assignment, project = await self._owned(uow, annotator_id, assignment_id)
            answered = await uow.answers.source_assignment(source)
            if answered is not None:
                return Outcome(Result.DUPLICATE if answered == assignment.id
                               else Result.REPLAYED, None)
            self._check_live(assignment)
            item = await item_of(uow, assignment)
            value = kind_of(project.spec).canonical_about(project.spec, item.text, raw)
            return await self._record(uow, assignment, project, value, source, item=item)

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

    async def answer_typed(self, annotator_id: AnnotatorId, raw: str, source: str) -> Outcome:
        """Record a typed answer (free text or number) to the annotator's open task."""
        async with self._store.write() as uow:
            if await uow.answers.seen_source(source):
                return Outcome(Result.DUPLICATE, None)
            found = await self._open_task(uow, annotator_id)
            if isinstance(found, Outcome):
                return found
            active, project = found
            kind = kind_of(project.spec)
            if not kind.accepts_typed:
                raise AnswerRejected(ErrorCode.SEND_VOICE if kind.accepts_voice
                                     else ErrorCode.USE_BUTTONS)
            if active.deadline < self._clock():
                return await self._expired(uow, annotator_id, project, active)
            return await self._record(uow, active, project, kind.typed(project.spec, raw),
                                      source)

    async def answer_voice(self, annotator_id: AnnotatorId, note: VoiceNote,
                           fetch: Callable[[], Awaitable[bytes]]) -> Outcome:
        """Check a voice message answering the open recording task and record it, or say
        what is wrong with it (``Result.REFUSED``: nothing recorded).

        The file is downloaded (``fetch``) and decoded outside any transaction; the write
        then checks again that the task is still open and the file new.
        """
        async with self._store.read() as uow:
            found = await self._open_task(uow, annotator_id)
            if isinstance(found, Outcome):
                return found
            active, project = found
            if not kind_of(project.spec).accepts_voice:
                raise AnswerRejected(ErrorCode.NOT_VOICE)
            if note.forwarded:  # someone else's voice, or one's own from another chat
                raise AnswerRejected(ErrorCode.FORWARDED_RECORDING)
            if not may_record(await uow.speakers.get(annotator_id)):
                raise AnswerRejected(ErrorCode.WITHDRAWN)  # until /speaker is agreed anew
            if await uow.answers.seen_source(note.source):
                return Outcome(Result.DUPLICATE, None)
            if await uow.answers.recorded_file(project.id, note.file_unique_id):
                raise AnswerRejected(ErrorCode.DUPLICATE_RECORDING)
            item = await item_of(uow, active)
        limits = limits_for(project.spec, item)
        early = too_long_to_fetch(note, limits)
        if early is not None:
            return Outcome(Result.REFUSED, None, problems=(early,))
        data = await fetch()
        try:
            judged = await asyncio.to_thread(judge_recording, data, note, limits)
        except MediaRejected:
            raise AnswerRejected(ErrorCode.SEND_VOICE) from None
        if judged.problems:
            return Outcome(Result.REFUSED, None, problems=judged.problems)
        async with self._store.write() as uow:
            owned = await self._own_active(uow, annotator_id, active.id)
            if isinstance(owned, Outcome):
                return owned
            assignment, project = owned
            if await uow.answers.recorded_file(project.id, note.file_unique_id):
                raise AnswerRejected(ErrorCode.DUPLICATE_RECORDING)
            await uow.media.add(judged.key, MediaKind.AUDIO.value,
                                recording_file_name(judged.key, note.mime), note.mime,
                                "voice" if note.voice else "audio", data)
            await uow.media.set_file_id(judged.key, note.file_id)  # checkers get it by id
            outcome = await self._record(uow, assignment, project, judged.key, note.source,
                                         judged.detail, item)
            if outcome.result is Result.RECORDED:
                await feed_from(uow, project)  # checkers can hear it at once
            return replace(outcome, recorded=judged.detail)

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
            item = await item_of(uow, assignment)
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
            return Outcome(Result.TOGGLED, await task_of(uow, drafted, project))

    async def skip(self, annotator_id: AnnotatorId, assignment_id: AssignmentId) -> Outcome:
        """Give a task back without answering; the annotator never gets it again."""
        async with self._store.write() as uow:
            owned = await self._own_active(uow, annotator_id, assignment_id)
            if isinstance(owned, Outcome):
                return owned
            assignment, project = owned
            await uow.assignments.close(assignment, AssignmentStatus.SKIPPED)
            notice = await self._review(uow, project, assignment, None)
            task = await self._next(uow, annotator_id, project)
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
            return Outcome(Result.UNDONE, await task_of(uow, reopened, project))

    async def feed_checks(self) -> int:
        """Make a check item of every new recording (``annotation.loop.checks``)."""
        return await self._checks.sync()

    async def expire_due(self) -> int:
        """Release every assignment past its deadline so others can take the item."""
        async with self._store.write() as uow:
            return await uow.assignments.expire_due(self._clock())

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
