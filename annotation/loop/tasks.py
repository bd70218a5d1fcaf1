"""Use cases of the annotator's loop: show a task, answer, toggle, skip, undo, expire.

Each use case runs inside one write unit of work: it reads what it needs through the
ports, asks the pure policy (``assignment``, ``answers``) for every decision and applies
the result before the transaction commits, so an answer acknowledged to the annotator is
already committed, and concurrent taps cannot break the assignment rules.

Every write an annotator can trigger checks their standing first: a suspended annotator
(whose answers quality control set aside) gets ``Result.SUSPENDED`` with the suspension
notice and changes nothing, and is handed no task.

The chat's own use cases are here; the shared steps are ``annotation.loop.recorder`` and
the answers sent as voice, files or from the Mini App ``annotation.loop.sent_answers``.
"""

from __future__ import annotations

from dataclasses import replace

from annotation.errors import AnswerRejected, ErrorCode, StaleTask
from annotation.kinds.base import BACK_CODE, Step, Turn
from annotation.kinds.registry import kind_of
from annotation.loop.assignment import (
    UNDO_WINDOW,
    can_undo,
    deadline_for,
)
from annotation.loop.checks import retract_checks
from annotation.loop.handout import item_of, project_of, task_of
from annotation.loop.outcomes import Outcome, Result
from annotation.loop.quality import refusal
from annotation.loop.sent_answers import SentAnswers
from annotation.models import (
    AnnotatorId,
    AssignmentId,
    AssignmentStatus,
    Task,
)

__all__ = ["Outcome", "Result", "TaskService"]


class TaskService(SentAnswers):
    """The annotator's loop over a ``Store``."""

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
        """Take back the annotator's last answer within the undo window and show it again
        (a recording's checks with it: ``annotation.loop.checks.retract_checks``)."""
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
            await retract_checks(uow, assignment.id, annotator_id, now)  # the take is gone
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
