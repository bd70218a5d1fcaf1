"""Projects as stored: create one from a validated spec and items, list, find, snapshot.

No role is checked here: this is the engine the operator's command line (``annobot
import``, ``annobot export``), the demo and the benchmarks drive, and which the chat reaches
only through :class:`annotation.console.lifecycle.LifecycleService`, whose every use case checks the
caller's role in its own transaction (docs/SECURITY.md, "Who may do what").
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import datetime

from annotation.errors import ErrorCode, NotFound
from annotation.intake.item_drafts import ItemDraft
from annotation.models import (
    AnnotatorId,
    Project,
    ProjectId,
    ProjectSpec,
    ProjectStatus,
)
from annotation.ports.store import CatalogWork, HasProjects, ImportWork, Store
from annotation.records import ItemDraftRecord, ProjectSnapshot


def new_invite_code() -> str:
    """Return a fresh invite code fit for a ``?start=`` deep link."""
    return secrets.token_urlsafe(9)


async def find_project(uow: HasProjects, ref: str) -> Project:
    """Return the project named by id or name inside an open unit of work."""
    project = None
    if ref.isdigit():
        project = await uow.projects.get(ProjectId(int(ref)))
    if project is None:
        project = await uow.projects.by_name(ref)
    if project is None:
        raise NotFound(ErrorCode.NOT_FOUND, what="project", value=ref)
    return project


class CatalogService:
    """Creating and steering projects."""

    def __init__(self, store: Store[CatalogWork], *, clock: Callable[[], datetime],
                 invite_codes: Callable[[], str] = new_invite_code) -> None:
        self._store = store
        self._clock = clock
        self._invite_codes = invite_codes

    async def create(self, spec: ProjectSpec, drafts: Sequence[ItemDraft],
                     created_by: AnnotatorId | None = None,
                     status: ProjectStatus = ProjectStatus.OPEN) -> Project:
        """Store a project with all its items and media in one transaction."""
        async with self._store.write(bulk=True) as uow:
            return await self.add_in(uow, spec, drafts, created_by=created_by, status=status)

    async def add_in(self, uow: ImportWork, spec: ProjectSpec, drafts: Sequence[ItemDraft], *,
                     created_by: AnnotatorId | None = None,
                     status: ProjectStatus = ProjectStatus.OPEN) -> Project:
        """Store a project with its items and media inside an open (bulk) unit of work."""
        records = [
            ItemDraftRecord(d.external_id, d.kind, d.text, d.media.key if d.media else None,
                            d.gold_answer, d.explanation, d.training, d.payload)
            for d in drafts
        ]
        media = {m.key: m for d in drafts for m in (d.media, *d.more_media) if m is not None}
        for m in media.values():
            if m.phone is not None:  # the lighter copy phones get (a WAV's Opus), first
                p = m.phone
                await uow.media.add(p.key, p.kind.value, p.filename, p.mime, p.send_as, p.data)
            await uow.media.add(m.key, m.kind.value, m.filename, m.mime, m.send_as, m.data,
                                phone_key=m.phone.key if m.phone is not None else None)
        project = await uow.projects.add(spec, status, self._invite_codes(), created_by,
                                         self._clock())
        await uow.items.add_many(project.id, records)
        return project

    async def all(self) -> Sequence[Project]:
        """Return every project, newest first."""
        async with self._store.read() as uow:
            return await uow.projects.all()

    async def find(self, ref: str) -> Project:
        """Return the project named by id or name."""
        async with self._store.read() as uow:
            return await find_project(uow, ref)

    async def set_status(self, project_id: ProjectId, status: ProjectStatus) -> None:
        """Open, pause or close a project."""
        async with self._store.write() as uow:
            if await uow.projects.get(project_id) is None:
                raise NotFound(ErrorCode.NOT_FOUND, what="project", value=project_id)
            await uow.projects.set_status(project_id, status)

    async def snapshot(self, project_id: ProjectId) -> ProjectSnapshot:
        """Read a project's items and answers in one consistent snapshot, for export."""
        async with self._store.read() as uow:
            project = await uow.projects.get(project_id)
            if project is None:
                raise NotFound(ErrorCode.NOT_FOUND, what="project", value=project_id)
            items = await uow.items.tallies(project_id)
            answers = await uow.answers.export_rows(project_id)
        return ProjectSnapshot(project, items, answers)
