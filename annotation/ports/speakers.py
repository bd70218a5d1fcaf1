"""Port of the speakers: what annotators who record said about themselves, and their
withdrawals (``/speaker``, ``/withdraw``; ``annotation.loop.speakers``).

Exports read two queries here: :meth:`SpeakerRepository.withdrawn` (the recordings of a
project that must be left out) and :meth:`SpeakerRepository.of_project` (the details to
attach to the recordings kept, under each speaker's pseudonym).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from annotation.models import AnnotatorId, AssignmentId, ItemId, ProjectId
from annotation.records import Speaker


class SpeakerRepository(Protocol):
    """The ``speakers`` table, and what withdrawing recordings reads."""

    async def get(self, annotator_id: AnnotatorId) -> Speaker | None:
        """Return what the speaker said about themselves, or None."""
        ...

    async def save(self, speaker: Speaker) -> None:
        """Store the speaker's row, replacing the one before."""
        ...

    async def open_items(self, annotator_id: AnnotatorId) -> Sequence[ItemId]:
        """Return the items made from the annotator's own work (checks of their
        recordings) that are still handed out, in id order."""
        ...

    async def withdrawn(self, project_id: ProjectId) -> frozenset[AssignmentId]:
        """Return the project's answers (by assignment, as check items name a recording)
        that their speakers withdrew: each one given at or before its speaker's last
        withdrawal. Exports leave them out."""
        ...

    async def of_project(self, project_id: ProjectId) -> Mapping[AnnotatorId, Speaker]:
        """Return the details of the speakers who answered in the project and consent to
        them now (a withdrawal deletes them)."""
        ...
