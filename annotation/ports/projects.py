"""Ports of projects and their items, with the counters that drive assignment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from annotation.models import (
    AnnotatorId,
    Item,
    ItemId,
    Project,
    ProjectId,
    ProjectSpec,
    ProjectStatus,
)
from annotation.records import ItemDraftRecord, ItemTally, ItemVotes


class ProjectRepository(Protocol):
    """Projects."""

    async def add(self, spec: ProjectSpec, status: ProjectStatus, invite_code: str,
                  created_by: AnnotatorId | None, now: datetime) -> Project:
        """Store a new project and return it."""
        ...

    async def get(self, project_id: ProjectId) -> Project | None:
        """Return the project or None."""
        ...

    async def by_invite(self, invite_code: str) -> Project | None:
        """Return the project with this invite code or None."""
        ...

    async def by_name(self, name: str) -> Project | None:
        """Return the newest project with this name or None."""
        ...

    async def all(self) -> Sequence[Project]:
        """Return every project, newest first."""
        ...

    async def set_status(self, project_id: ProjectId, status: ProjectStatus) -> None:
        """Change a project's status."""
        ...


class ItemRepository(Protocol):
    """Items and the counters that drive assignment."""

    async def add_many(self, project_id: ProjectId, drafts: Sequence[ItemDraftRecord]) -> int:
        """Store items (media already stored) and return how many were added."""
        ...

    async def get(self, item_id: ItemId) -> Item | None:
        """Return the item or None."""
        ...

    async def next_regular(self, project_id: ProjectId, annotator_id: AnnotatorId,
                           overlap: int, min_overlap: int) -> ItemId | None:
        """Return the open non-gold item closest to completion the annotator has never had
        (unsettled, not retired, under :func:`annotation.loop.assignment.slots_allowed`)."""
        ...

    async def settle(self, item_id: ItemId, settled: bool = True) -> None:
        """Stop (or resume) handing out an item, as the adaptive-overlap rule decides."""
        ...

    async def undecided(self, project_id: ProjectId, min_answers: int,
                        overlap: int) -> Sequence[ItemVotes]:
        """Return the regular items with ``min_answers`` to ``overlap - 1`` answers and
        their votes, in id order."""
        ...

    async def set_settled(self, changes: Sequence[tuple[ItemId, bool, int]]) -> int:
        """Apply (item, settled, answers) decisions to items whose answer count is still
        ``answers``; return how many changed."""
        ...

    async def unseen_gold(self, project_id: ProjectId, annotator_id: AnnotatorId,
                          limit: int) -> Sequence[ItemId]:
        """Return up to ``limit`` gold items the annotator has never had."""
        ...

    async def tallies(self, project_id: ProjectId) -> Sequence[ItemTally]:
        """Return every item with its answer count, in id order (none retired)."""
        ...

    async def authored(self, author: AnnotatorId, external_id: str) -> Sequence[ItemId]:
        """Return the items named ``external_id`` made from ``author``'s work (the checks
        of one recording: one per check project), in id order."""
        ...

    async def remove_unassigned(self, item_id: ItemId) -> bool:
        """Delete an item nobody was ever handed; return whether it was deleted."""
        ...

    async def retire(self, item_id: ItemId, external_id: str, now: datetime) -> None:
        """Rename an item and retire it: it keeps its answers, but is never handed out
        again (whatever later settles or reopens it) and leaves ``tallies`` and the
        answers' export rows."""
        ...
