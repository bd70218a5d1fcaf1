"""In-memory annotators and secrets (``annotation.ports.people``), as ``SqliteAnnotators``
and ``SqliteSecrets`` do them."""

from __future__ import annotations

from datetime import datetime

from annotation.models import Annotator, AnnotatorId, AnnotatorStats, ProjectId, Role
from tests.fakes.state import AnnotatorRow, FakeState, IntegrityError, to_ts


def annotator_of(row: AnnotatorRow) -> Annotator:
    """Return the domain annotator of a row."""
    return Annotator(
        id=AnnotatorId(row.id),
        name=row.name,
        language=row.language,
        role=Role(row.role),
        current_project=ProjectId(row.current_project) if row.current_project is not None
        else None,
        blocked=row.blocked,
    )


class FakeAnnotatorRepository:
    """The ``annotators`` table."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def get(self, annotator_id: AnnotatorId) -> Annotator | None:
        """Return the annotator or None."""
        row = self._state.annotators.get(annotator_id)
        return annotator_of(row) if row else None

    async def upsert(self, annotator_id: AnnotatorId, name: str, language: str,
                     now: datetime) -> Annotator:
        """Create the annotator if new (keeping an existing one's settings) and return it."""
        row = self._state.annotators.get(annotator_id)
        if row is None:
            row = AnnotatorRow(annotator_id, name, language, to_ts(now))
            self._state.annotators[annotator_id] = row
        else:  # ON CONFLICT (id) DO UPDATE SET name = excluded.name, blocked = 0
            row.name = name
            row.blocked = False
        return annotator_of(row)

    async def set_language(self, annotator_id: AnnotatorId, language: str) -> None:
        """Store the annotator's chosen language."""
        row = self._state.annotators.get(annotator_id)
        if row is not None:
            row.language = language

    async def set_project(self, annotator_id: AnnotatorId, project_id: ProjectId | None) -> None:
        """Store the project the annotator works on."""
        row = self._state.annotators.get(annotator_id)
        if row is None:
            return
        if project_id is not None and project_id not in self._state.projects:
            raise IntegrityError("FOREIGN KEY constraint failed")
        row.current_project = project_id

    async def set_role(self, annotator_id: AnnotatorId, role: Role) -> None:
        """Store the annotator's role."""
        row = self._state.annotators.get(annotator_id)
        if row is not None:
            row.role = role.value

    async def set_blocked(self, annotator_id: AnnotatorId, blocked: bool) -> None:
        """Mark whether the annotator blocked the bot."""
        row = self._state.annotators.get(annotator_id)
        if row is not None:
            row.blocked = blocked

    async def stats(self, annotator_id: AnnotatorId, project_id: ProjectId | None
                    ) -> AnnotatorStats:
        """Return tasks done and gold results, in one project or overall."""
        rows = [a for a in self._state.answers.values() if a.annotator_id == annotator_id
                and (project_id is None or a.project_id == project_id)]
        return AnnotatorStats(answered=len(rows), gold_answered=sum(a.is_gold for a in rows),
                              gold_correct=sum(bool(a.correct) for a in rows))


class FakeSecretRepository:
    """The ``secrets`` table."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def get_or_create(self, name: str, value: bytes) -> bytes:
        """Return the secret ``name``, storing ``value`` first if there is none yet."""
        return self._state.secrets.setdefault(name, bytes(value))
