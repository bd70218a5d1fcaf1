"""Use cases of quality control outside the task loop: scores, appeals, the annotators
list, coordinators' suspensions and reinstatements, and the periodic agreement review.

Coordinators are admins named in the configuration and users whose stored role is
coordinator or admin (:meth:`QualityService.is_coordinator`: the one place that decides).
Reinstating restores the annotator's excluded answers to aggregation; the extra answers
collected meanwhile for the reopened items stay (an item may end with overlap + 1).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from annotation.access import Actor, effective_role, require_coordinator
from annotation.errors import ErrorCode, NotFound, StaleTask
from annotation.kinds.registry import kind_of
from annotation.loop.quality import suspend
from annotation.models import (
    Annotator,
    AnnotatorId,
    Project,
    ProjectId,
    ProjectStatus,
    Recipient,
)
from annotation.ports.store import QualityWork, Store
from annotation.quality.agreement import agreement_by_annotator
from annotation.quality.notices import AnnotatorNote, CoordinatorNote, NoteKind
from annotation.quality.qualification import Appeal, Standing, reinstated
from annotation.quality.records import RosterRow
from annotation.quality.rules import AgreementStats, Verdict, agreement_verdicts, to_apply
from annotation.quality.scores import GoldScore
from annotation.quality.settings import Rule, RuleAction

PAGE_SIZE = 8


@dataclass(frozen=True, slots=True)
class ScoreCard:
    """An annotator's quality in their current project, for ``/me``."""

    project: Project
    standing: Standing
    gold: GoldScore


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """A row of the annotators list with the annotator's agreement."""

    row: RosterRow
    agreement: AgreementStats | None


@dataclass(frozen=True, slots=True)
class RosterPage:
    """One page of a project's annotators."""

    project: Project
    entries: tuple[RosterEntry, ...]
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class Review:
    """What the periodic review decided: messages for annotators and coordinators."""

    annotators: tuple[AnnotatorNote, ...] = ()
    coordinators: tuple[CoordinatorNote, ...] = ()


class QualityService:
    """Coordinators' quality use cases over a ``Store``."""

    def __init__(self, store: Store[QualityWork], *, clock: Callable[[], datetime],
                 admins: Collection[int] = ()) -> None:
        self._store = store
        self._clock = clock
        self._admins = frozenset(admins)

    def _actor(self, user_id: int, annotator: Annotator | None) -> Actor:
        """Return the user with the role that counts (``annotation.access``: one policy)."""
        stored = annotator.role if annotator is not None else None
        return Actor(AnnotatorId(user_id), effective_role(user_id, stored, self._admins))

    async def is_coordinator(self, user_id: int) -> bool:
        """Return whether the user is an admin or a coordinator."""
        async with self._store.read() as uow:
            annotator = await uow.annotators.get(AnnotatorId(user_id))
            return self._actor(user_id, annotator).is_coordinator

    async def _require(self, uow: QualityWork, user_id: int) -> None:
        """Refuse anyone who is neither a coordinator nor an admin (``NOT_COORDINATOR``)."""
        annotator = await uow.annotators.get(AnnotatorId(user_id))
        require_coordinator(self._actor(user_id, annotator))

    async def score(self, annotator_id: AnnotatorId) -> ScoreCard | None:
        """Return the annotator's standing and gold score in their current project."""
        async with self._store.read() as uow:
            annotator = await uow.annotators.get(annotator_id)
            if annotator is None or annotator.current_project is None:
                return None
            project = await uow.projects.get(annotator.current_project)
            if project is None or not project.spec.quality.enabled:
                return None
            standing = await uow.quality.standing(project.id, annotator_id)
            if standing is None:
                return None
            history = await uow.quality.history(project.id, annotator_id, after_answer=0,
                                                recent=0, since=self._clock())
            return ScoreCard(project, standing, history.gold)

    async def appeal(self, annotator_id: AnnotatorId, project_id: ProjectId
                     ) -> CoordinatorNote:
        """File the annotator's appeal against their suspension (once per suspension).

        Refused with ``NOT_SUSPENDED`` when there is nothing to appeal (never suspended, or
        reinstated since) and ``ALREADY_APPEALED`` when this suspension was appealed before.
        """
        async with self._store.write() as uow:
            project = await self._project(uow, project_id)
            standing = await uow.quality.standing(project_id, annotator_id)
            if standing is None or not standing.suspended:
                raise StaleTask(ErrorCode.NOT_SUSPENDED)
            if standing.appeal is not Appeal.NONE:
                raise StaleTask(ErrorCode.ALREADY_APPEALED)
            now = self._clock()
            await uow.quality.save(replace(standing, appeal=Appeal.PENDING), now)
            await uow.quality.add_event(project_id, annotator_id, "appeal", standing.rule,
                                        standing.evidence, annotator_id, now)
            annotator = await uow.annotators.get(annotator_id)
            verdict = Verdict(standing.rule or Rule.MANUAL, RuleAction.SUSPEND,
                              standing.evidence)
            return CoordinatorNote(NoteKind.APPEAL, project,
                                   tuple(await uow.quality.coordinators()), annotator_id,
                                   annotator.name if annotator else str(annotator_id),
                                   verdict)

    async def decide(self, coordinator_id: int, project_id: ProjectId,
                     annotator_id: AnnotatorId, reinstate: bool) -> AnnotatorNote:
        """Reinstate a suspended annotator, or confirm the suspension (and the appeal)."""
        async with self._store.write() as uow:
            await self._require(uow, coordinator_id)
            project = await self._project(uow, project_id)
            standing = await uow.quality.standing(project_id, annotator_id)
            if standing is None:
                raise NotFound(ErrorCode.NOT_FOUND, what="annotator", value=annotator_id)
            if not standing.suspended:  # reinstated meanwhile, by another coordinator
                raise StaleTask(ErrorCode.ANNOTATOR_NOT_SUSPENDED, value=annotator_id)
            now = self._clock()
            verdict = Verdict(standing.rule or Rule.MANUAL, RuleAction.SUSPEND,
                              standing.evidence)
            if reinstate:
                await uow.quality.include(project_id, annotator_id)
                last = await uow.quality.last_answer_id(project_id, annotator_id)
                updated = reinstated(standing, last)
            else:
                updated = replace(standing, appeal=Appeal.CONFIRMED)
            await uow.quality.save(updated, now)
            await uow.quality.add_event(project_id, annotator_id,
                                        "reinstate" if reinstate else "confirm",
                                        standing.rule, {}, coordinator_id, now)
            return AnnotatorNote(annotator_id, await self._language(uow, annotator_id),
                                 project, verdict, reinstated=reinstate,
                                 confirmed=not reinstate)

    async def suspend(self, coordinator_id: int, project_id: ProjectId,
                      annotator_id: AnnotatorId) -> AnnotatorNote:
        """Suspend an annotator from a project by a coordinator's decision."""
        async with self._store.write() as uow:
            await self._require(uow, coordinator_id)
            project = await self._project(uow, project_id)
            standing = await uow.quality.standing(project_id, annotator_id)
            if standing is None:
                raise NotFound(ErrorCode.NOT_FOUND, what="annotator", value=annotator_id)
            if standing.suspended:
                raise StaleTask(ErrorCode.ANNOTATOR_SUSPENDED, value=annotator_id)
            now = self._clock()
            verdict = Verdict(Rule.MANUAL, RuleAction.SUSPEND, {})
            await uow.quality.save(suspend(standing, verdict), now)
            await uow.quality.exclude(project_id, annotator_id)
            await uow.quality.add_event(project_id, annotator_id, "suspend", Rule.MANUAL, {},
                                        coordinator_id, now)
            return AnnotatorNote(annotator_id, await self._language(uow, annotator_id),
                                 project, verdict)

    async def roster(self, coordinator_id: int, project_id: ProjectId | None,
                     page: int) -> RosterPage:
        """Return a page of a project's annotators (newest project when None)."""
        async with self._store.read() as uow:
            await self._require(uow, coordinator_id)
            if project_id is None:
                projects = await uow.projects.all()
                if not projects:
                    raise NotFound(ErrorCode.NOT_FOUND, what="project", value="")
                project = projects[0]
            else:
                project = await self._project(uow, project_id)
            size = await uow.quality.roster_size(project.id)
            pages = max(1, -(-size // PAGE_SIZE))
            page = min(max(0, page), pages - 1)
            rows = await uow.quality.roster(project.id, page * PAGE_SIZE, PAGE_SIZE)
        agreement = await self._agreement(project)
        entries = tuple(RosterEntry(row, agreement.get(row.annotator_id)) for row in rows)
        return RosterPage(project, entries, page, pages)

    async def _agreement(self, project: Project) -> Mapping[AnnotatorId, AgreementStats]:
        """Every annotator's agreement with the crowd, computed off the event loop.

        What agrees is the project's kind's to say (``TaskKind.agreement``: equal answers,
        a transcript within the gold bar of the others' consensus, each question apart).
        A big project holds hundreds of thousands of votes (about a second of work at
        300,000; transcripts about 0.1 ms each, a consensus of the others per transcript):
        they are read on a connection of their own and counted on a worker
        thread, so taps are not held up meanwhile.
        """
        async with self._store.snapshot() as uow:
            votes = await uow.quality.votes(project.id)
        judge = partial(kind_of(project.spec).agreement, project.spec)
        return await asyncio.to_thread(agreement_by_annotator, votes, judge)

    async def review_all(self) -> Review:
        """Run the agreement rule over every open project with quality control.

        The agreement is counted from a snapshot, off the loop and outside the write lock;
        only the resulting suspensions and notices are written, in a short transaction.
        """
        async with self._store.read() as uow:
            projects = [p for p in await uow.projects.all()
                        if p.status is ProjectStatus.OPEN and p.spec.quality.enabled]
        annotators: list[AnnotatorNote] = []
        coordinators: list[CoordinatorNote] = []
        for project in projects:
            agreement = await self._agreement(project)
            async with self._store.write() as uow:
                found = await self._review(uow, project, agreement)
            annotators += found.annotators
            coordinators += found.coordinators
        return Review(tuple(annotators), tuple(coordinators))

    async def _review(self, uow: QualityWork, project: Project,
                      agreement: Mapping[AnnotatorId, AgreementStats]) -> Review:
        settings = project.spec.quality
        now = self._clock()
        annotators: list[AnnotatorNote] = []
        coordinators: list[CoordinatorNote] = []
        recipients: tuple[Recipient, ...] | None = None
        for standing in await uow.quality.production_standings(project.id):
            verdicts = agreement_verdicts(agreement.get(standing.annotator_id), settings)
            suspension, fresh = to_apply(verdicts, standing.notified)
            if suspension is not None:
                await uow.quality.save(suspend(standing, suspension), now)
                await uow.quality.exclude(project.id, standing.annotator_id)
                await uow.quality.add_event(project.id, standing.annotator_id, "suspend",
                                            suspension.rule, suspension.params, None, now)
                fresh = [suspension]
            elif fresh:
                await uow.quality.save(replace(
                    standing, notified=standing.notified | {v.rule for v in fresh}), now)
            for found in fresh:
                who = standing.annotator_id
                if found.action is RuleAction.FLAG:
                    if recipients is None:
                        recipients = tuple(await uow.quality.coordinators())
                    coordinators.append(CoordinatorNote(
                        NoteKind.FLAG, project, recipients, who,
                        await self._name(uow, who), found))
                else:
                    annotators.append(AnnotatorNote(
                        who, await self._language(uow, who), project, found))
        return Review(tuple(annotators), tuple(coordinators))

    async def _project(self, uow: QualityWork, project_id: ProjectId) -> Project:
        project = await uow.projects.get(project_id)
        if project is None:
            raise NotFound(ErrorCode.NOT_FOUND, what="project", value=project_id)
        return project

    @staticmethod
    async def _language(uow: QualityWork, annotator_id: AnnotatorId) -> str:
        annotator = await uow.annotators.get(annotator_id)
        return annotator.language if annotator else "en"

    @staticmethod
    async def _name(uow: QualityWork, annotator_id: AnnotatorId) -> str:
        annotator = await uow.annotators.get(annotator_id)
        return annotator.name if annotator else str(annotator_id)

