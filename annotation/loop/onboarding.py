"""Use cases of joining: registering an annotator, choosing a language, joining a project."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from annotation.errors import ErrorCode, NotFound
from annotation.models import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Annotator,
    AnnotatorId,
    AnnotatorStats,
    Project,
    Role,
)
from annotation.ports.store import OnboardingWork, Store


def pick_language(language_code: str | None) -> str:
    """Return the supported language closest to a Telegram ``language_code``."""
    if language_code:
        base = language_code.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Joined:
    """Who joined, and the project they now work on (None without a valid invite)."""

    annotator: Annotator
    project: Project | None
    invite_unknown: bool = False


@dataclass(frozen=True, slots=True)
class Profile:
    """What ``/me`` shows."""

    annotator: Annotator
    project: Project | None
    in_project: AnnotatorStats
    overall: AnnotatorStats


class OnboardingService:
    """Registration, languages, projects joined, roles."""

    def __init__(self, store: Store[OnboardingWork], *, clock: Callable[[], datetime],
                 admins: Collection[int] = ()) -> None:
        self._store = store
        self._clock = clock
        self._admins = frozenset(admins)

    async def register(self, annotator_id: AnnotatorId, name: str,
                       language_code: str | None, invite: str | None = None) -> Joined:
        """Register (or greet again) an annotator, joining the project of ``invite``."""
        async with self._store.write() as uow:
            annotator = await uow.annotators.upsert(
                annotator_id, name, pick_language(language_code), self._clock()
            )
            if annotator.id in self._admins and annotator.role is not Role.ADMIN:
                await uow.annotators.set_role(annotator.id, Role.ADMIN)
            project = None
            if invite:
                project = await uow.projects.by_invite(invite)
                if project is None:
                    return Joined(annotator, None, invite_unknown=True)
                if annotator.current_project != project.id:
                    active = await uow.assignments.active_for(annotator.id)
                    if active is not None:
                        await uow.assignments.discard(active)
                    await uow.annotators.set_project(annotator.id, project.id)
            elif annotator.current_project is not None:
                project = await uow.projects.get(annotator.current_project)
            fresh = await uow.annotators.get(annotator.id)
            assert fresh is not None
            return Joined(fresh, project)

    async def get(self, annotator_id: AnnotatorId) -> Annotator | None:
        """Return the annotator, or None if they never started the bot."""
        async with self._store.read() as uow:
            return await uow.annotators.get(annotator_id)

    async def is_known(self, annotator_id: AnnotatorId) -> bool:
        """Return whether the user ever started the bot or is an admin."""
        if annotator_id in self._admins:
            return True
        return await self.get(annotator_id) is not None

    async def set_language(self, annotator_id: AnnotatorId, language: str) -> None:
        """Store the annotator's chosen language."""
        if language not in LANGUAGES:
            raise NotFound(ErrorCode.NOT_FOUND, what="language", value=language)
        async with self._store.write() as uow:
            await uow.annotators.set_language(annotator_id, language)

    async def set_blocked(self, annotator_id: AnnotatorId, blocked: bool) -> None:
        """Remember that the annotator blocked (or unblocked) the bot."""
        async with self._store.write() as uow:
            await uow.annotators.set_blocked(annotator_id, blocked)

    async def profile(self, annotator_id: AnnotatorId) -> Profile | None:
        """Return what ``/me`` shows, or None for an unknown user."""
        async with self._store.read() as uow:
            annotator = await uow.annotators.get(annotator_id)
            if annotator is None:
                return None
            project = None
            if annotator.current_project is not None:
                project = await uow.projects.get(annotator.current_project)
            in_project = await uow.annotators.stats(
                annotator_id, project.id if project else None
            )
            overall = await uow.annotators.stats(annotator_id, None)
            return Profile(annotator, project, in_project, overall)
