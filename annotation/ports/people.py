"""Ports of the people behind the bot: annotators (with their role and settings) and the
installation's secrets."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from annotation.models import Annotator, AnnotatorId, AnnotatorStats, ProjectId, Role


class AnnotatorRepository(Protocol):
    """Annotators and their settings."""

    async def get(self, annotator_id: AnnotatorId) -> Annotator | None:
        """Return the annotator or None."""
        ...

    async def upsert(self, annotator_id: AnnotatorId, name: str, language: str,
                     now: datetime) -> Annotator:
        """Create the annotator if new (keeping an existing one's settings) and return it."""
        ...

    async def set_language(self, annotator_id: AnnotatorId, language: str) -> None:
        """Store the annotator's chosen language."""
        ...

    async def set_project(self, annotator_id: AnnotatorId, project_id: ProjectId | None) -> None:
        """Store the project the annotator works on."""
        ...

    async def set_role(self, annotator_id: AnnotatorId, role: Role) -> None:
        """Store the annotator's role."""
        ...

    async def set_blocked(self, annotator_id: AnnotatorId, blocked: bool) -> None:
        """Mark whether the annotator blocked the bot."""
        ...

    async def stats(self, annotator_id: AnnotatorId, project_id: ProjectId | None
                    ) -> AnnotatorStats:
        """Return tasks done and gold results, in one project or overall."""
        ...


class SecretRepository(Protocol):
    """Secrets of the installation."""

    async def get_or_create(self, name: str, value: bytes) -> bytes:
        """Return the secret ``name``, storing ``value`` first if there is none yet."""
        ...
