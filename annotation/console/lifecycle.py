"""Projects from the console: create (as a draft), find, preview, open, pause and close.

Lifecycle: draft -> open -> paused -> open ... -> closed (closed is final). Opening queues a
notification to the project's annotators through the broadcast outbox; pausing takes
effect at once (the assignment rules hand out tasks only for open projects). Every change
is checked against the caller's role and written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from annotation.access import AccessService, require_coordinator
from annotation.console.broadcasts import queue_system_broadcast
from annotation.console.records import Audience, AudienceKind, BroadcastKind
from annotation.errors import DomainError, ErrorCode, NotFound
from annotation.intake.catalog import CatalogService, find_project
from annotation.intake.item_drafts import ItemDraft
from annotation.loop.assignment import deadline_for
from annotation.models import (
    AnnotatorId,
    Assignment,
    AssignmentId,
    AssignmentStatus,
    Project,
    ProjectId,
    ProjectSpec,
    ProjectStatus,
    Task,
)
from annotation.ports.store import HasProjects, LifecycleWork, Store
from annotation.records import AuditAction, AuditEntry

PREVIEW_ASSIGNMENT = AssignmentId(0)  # never a stored assignment: nothing can be recorded


class LifecycleAction(StrEnum):
    """What a coordinator does to a project."""

    OPEN = "open"
    PAUSE = "pause"
    CLOSE = "close"


_TRANSITIONS: dict[tuple[ProjectStatus, LifecycleAction], ProjectStatus] = {
    (ProjectStatus.DRAFT, LifecycleAction.OPEN): ProjectStatus.OPEN,
    (ProjectStatus.PAUSED, LifecycleAction.OPEN): ProjectStatus.OPEN,
    (ProjectStatus.OPEN, LifecycleAction.PAUSE): ProjectStatus.PAUSED,
    (ProjectStatus.DRAFT, LifecycleAction.CLOSE): ProjectStatus.CLOSED,
    (ProjectStatus.OPEN, LifecycleAction.CLOSE): ProjectStatus.CLOSED,
    (ProjectStatus.PAUSED, LifecycleAction.CLOSE): ProjectStatus.CLOSED,
}
_AUDIT = {
    LifecycleAction.OPEN: AuditAction.PROJECT_OPEN,
    LifecycleAction.PAUSE: AuditAction.PROJECT_PAUSE,
    LifecycleAction.CLOSE: AuditAction.PROJECT_CLOSE,
}


@dataclass(frozen=True, slots=True)
class Transition:
    """A project after a lifecycle change, and how many annotators will be told."""

    project: Project
    notified: int


def next_status(current: ProjectStatus, action: LifecycleAction) -> ProjectStatus:
    """Return the status after ``action``, refusing changes the lifecycle does not allow."""
    status = _TRANSITIONS.get((current, action))
    if status is None:
        raise DomainError(ErrorCode.BAD_TRANSITION, value=current.value)
    return status


class LifecycleService:
    """What coordinators do to projects from the chat."""

    def __init__(self, store: Store[LifecycleWork], access: AccessService,
                 projects: CatalogService, *, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._access = access
        self._projects = projects
        self._clock = clock

    async def create(self, user_id: int, spec: ProjectSpec, drafts: Sequence[ItemDraft]
                     ) -> Project:
        """Create a project as a draft with its audit entry, all or nothing (coordinators only).

        The role check, the project with its items and media, and the audit entry share one
        write unit of work: a refused or failed creation leaves neither project nor entry.
        """
        async with self._store.write(bulk=True) as uow:
            actor = await self._access.actor_in(uow, user_id)
            require_coordinator(actor)
            project = await self._projects.add_in(uow, spec, drafts, created_by=actor.id,
                                                  status=ProjectStatus.DRAFT)
            await uow.audit.add(AuditEntry(self._clock(), actor.id, AuditAction.PROJECT_CREATE,
                                           f"project {project.id}",
                                           f"{spec.name}: {len(drafts)} items"))
            return project

    async def find(self, user_id: int, ref: str | None) -> Project:
        """Return the project named by id or name, or the newest (coordinators only)."""
        async with self._store.read() as uow:
            require_coordinator(await self._access.actor_in(uow, user_id))
            if ref:
                return await find_project(uow, ref.lstrip("#"))
            newest = await uow.projects.all()
        if not newest:
            raise NotFound(ErrorCode.NOT_FOUND, what="project", value="")
        return newest[0]

    async def all(self, user_id: int) -> Sequence[Project]:
        """Return every project, newest first (coordinators only)."""
        async with self._store.read() as uow:
            require_coordinator(await self._access.actor_in(uow, user_id))
            return await uow.projects.all()

    async def change(self, user_id: int, project_id: ProjectId, action: LifecycleAction
                     ) -> Transition:
        """Open, pause or close a project; opening notifies its annotators."""
        now = self._clock()
        opening = action is LifecycleAction.OPEN  # queues a row per annotator: bulk
        async with self._store.write(bulk=opening) as uow:
            actor = await self._access.actor_in(uow, user_id)
            require_coordinator(actor)
            project = await _project(uow, project_id)
            status = next_status(project.status, action)
            await uow.projects.set_status(project.id, status)
            notified = 0
            if action is LifecycleAction.OPEN:
                audience = Audience(AudienceKind.PROJECT, project_id=project.id)
                notified = await queue_system_broadcast(uow, BroadcastKind.PROJECT_OPENED,
                                                        audience, now, actor.id)
            await uow.audit.add(AuditEntry(now, actor.id, _AUDIT[action],
                                           f"project {project.id}", project.status.value))
            return Transition(await _project(uow, project_id), notified)

    async def preview(self, user_id: int, project_id: ProjectId, position: int) -> Task | None:
        """Return the project's task at ``position`` as annotators see it (None: past the end).

        The task carries a placeholder assignment: nothing is assigned or recorded.
        """
        now = self._clock()
        async with self._store.read() as uow:
            require_coordinator(await self._access.actor_in(uow, user_id))
            project = await _project(uow, project_id)
            tallies = await uow.items.tallies(project.id)
            if not 0 <= position < len(tallies):
                return None
            item = await uow.items.get(tallies[position].item_id)
            assert item is not None
            media = await uow.media.get(item.media_key) if item.media_key else None
        placeholder = Assignment(PREVIEW_ASSIGNMENT, project.id, item.id, AnnotatorId(user_id),
                                 AssignmentStatus.ACTIVE, item.is_gold, now,
                                 deadline_for(now, project.spec.time_limit_seconds))
        return Task(placeholder, item, project, media)


async def _project(uow: HasProjects, project_id: ProjectId) -> Project:
    project = await uow.projects.get(project_id)
    if project is None:
        raise NotFound(ErrorCode.NOT_FOUND, what="project", value=project_id)
    return project
