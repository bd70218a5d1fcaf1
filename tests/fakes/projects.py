"""In-memory projects and items (``annotation.ports.projects``), as ``SqliteProjects`` and
``SqliteItems`` do them: the same queue order, the same adaptive-overlap rules, the same
counters (``ItemRow.answers``/``live`` are kept by the assignments and answers fakes, as the
SQL triggers keep them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from annotation.intake.spec import spec_from_json, spec_to_json
from annotation.models import (
    AnnotatorId,
    Item,
    ItemId,
    MediaKey,
    MediaKind,
    Project,
    ProjectId,
    ProjectSpec,
    ProjectStatus,
)
from annotation.records import ItemDraftRecord, ItemTally, ItemVotes
from tests.fakes.state import (
    FakeState,
    IntegrityError,
    ItemRow,
    ProjectRow,
    from_ts,
    limited,
    new_id,
    to_ts,
)


def project_of(row: ProjectRow) -> Project:
    """Return the domain project of a row."""
    return Project(ProjectId(row.id), row.spec, ProjectStatus(row.status), row.invite_code,
                   from_ts(row.created_at))


def item_of(row: ItemRow) -> Item:
    """Return the domain item of a row."""
    return Item(
        id=ItemId(row.id),
        project_id=ProjectId(row.project_id),
        external_id=row.external_id,
        kind=MediaKind(row.kind),
        text=row.text,
        media_key=MediaKey(row.media_key) if row.media_key is not None else None,
        gold_answer=row.gold_answer,
        explanation=row.explanation,
        payload=row.payload,
    )


def items_had(state: FakeState, annotator_id: int) -> set[int]:
    """Return the items the annotator was ever handed (the SQL's ``NOT EXISTS``)."""
    return {a.item_id for a in state.assignments.values() if a.annotator_id == annotator_id}


class FakeProjectRepository:
    """The ``projects`` table."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def add(self, spec: ProjectSpec, status: ProjectStatus, invite_code: str,
                  created_by: AnnotatorId | None, now: datetime) -> Project:
        """Store a new project and return it."""
        table = self._state.projects
        if any(p.invite_code == invite_code for p in table.values()):
            raise IntegrityError("UNIQUE constraint failed: projects.invite_code")
        row_id = new_id(table)
        # stored as JSON and read back, as the SQL column is
        table[row_id] = ProjectRow(row_id, spec.name, spec_from_json(spec_to_json(spec)),
                                   status.value, invite_code, created_by, to_ts(now))
        return project_of(table[row_id])

    async def get(self, project_id: ProjectId) -> Project | None:
        """Return the project or None."""
        row = self._state.projects.get(project_id)
        return project_of(row) if row else None

    async def by_invite(self, invite_code: str) -> Project | None:
        """Return the project with this invite code or None."""
        found = [p for p in self._state.projects.values() if p.invite_code == invite_code]
        return project_of(found[0]) if found else None

    async def by_name(self, name: str) -> Project | None:
        """Return the newest project with this name or None."""
        found = [p for p in self._state.projects.values() if p.name == name]
        return project_of(max(found, key=lambda p: p.id)) if found else None

    async def all(self) -> Sequence[Project]:
        """Return every project, newest first."""
        rows = sorted(self._state.projects.values(), key=lambda p: p.id, reverse=True)
        return [project_of(row) for row in rows]

    async def set_status(self, project_id: ProjectId, status: ProjectStatus) -> None:
        """Change a project's status."""
        row = self._state.projects.get(project_id)
        if row is not None:
            row.status = status.value


class FakeItemRepository:
    """The ``items`` table."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def add_many(self, project_id: ProjectId, drafts: Sequence[ItemDraftRecord]) -> int:
        """Store items (media already stored) and return how many were added."""
        state = self._state
        if drafts and project_id not in state.projects:
            raise IntegrityError("FOREIGN KEY constraint failed")
        taken = {i.external_id for i in state.items.values() if i.project_id == project_id}
        for d in drafts:
            if d.external_id in taken:
                raise IntegrityError("UNIQUE constraint failed: items.project_id, "
                                     "items.external_id")
            if d.media_key is not None and d.media_key not in state.media:
                raise IntegrityError("FOREIGN KEY constraint failed")
            taken.add(d.external_id)
            row_id = new_id(state.items)
            state.items[row_id] = ItemRow(row_id, project_id, d.external_id, d.kind.value,
                                          d.text, d.media_key, d.gold_answer, d.explanation,
                                          d.training, payload=d.payload, author=d.author)
        return len(drafts)

    async def get(self, item_id: ItemId) -> Item | None:
        """Return the item or None."""
        row = self._state.items.get(item_id)
        return item_of(row) if row else None

    async def next_regular(self, project_id: ProjectId, annotator_id: AnnotatorId,
                           overlap: int, min_overlap: int) -> ItemId | None:
        """Return the open non-gold item closest to completion the annotator has never had
        and did not make (unsettled, not retired, under
        :func:`annotation.loop.assignment.slots_allowed`)."""
        open_items = [
            i for i in self._state.items.values()
            if i.project_id == project_id and not i.is_gold and not i.settled
            and i.retired_at is None
            and i.fill < overlap and i.fill < max(min_overlap, i.answers + 1)
        ]
        had = items_had(self._state, annotator_id)
        fresh = [i for i in open_items if i.id not in had and i.author != annotator_id]
        return ItemId(min(fresh, key=lambda i: (-i.fill, i.id)).id) if fresh else None

    async def settle(self, item_id: ItemId, settled: bool = True) -> None:
        """Stop (or resume) handing out an item, as the adaptive-overlap rule decides."""
        row = self._state.items.get(item_id)
        if row is not None:
            row.settled = settled

    async def undecided(self, project_id: ProjectId, min_answers: int,
                        overlap: int) -> Sequence[ItemVotes]:
        """Return the regular items with ``min_answers`` to ``overlap - 1`` answers and
        their votes, in id order."""
        votes: dict[int, list[tuple[AnnotatorId, str]]] = {}
        for answer in sorted(self._state.answers.values(), key=lambda a: a.id):
            if not answer.excluded:
                votes.setdefault(answer.item_id, []).append(
                    (AnnotatorId(answer.annotator_id), answer.value))
        return [
            ItemVotes(ItemId(i.id), i.answers, i.settled, tuple(votes[i.id]))
            for i in sorted(self._state.items.values(), key=lambda i: i.id)
            if i.project_id == project_id and not i.is_gold
            and min_answers <= i.answers < overlap and i.id in votes
        ]

    async def set_settled(self, changes: Sequence[tuple[ItemId, bool, int]]) -> int:
        """Apply (item, settled, answers) decisions to items whose answer count is still
        ``answers``; return how many changed."""
        changed = 0
        for item_id, settled, answers in changes:
            row = self._state.items.get(item_id)
            if row is not None and row.answers == answers and row.settled != settled:
                row.settled = settled
                changed += 1
        return changed

    async def unseen_gold(self, project_id: ProjectId, annotator_id: AnnotatorId,
                          limit: int) -> Sequence[ItemId]:
        """Return up to ``limit`` production gold items the annotator has never had."""
        had = items_had(self._state, annotator_id)
        found = [
            ItemId(i.id) for i in sorted(self._state.items.values(), key=lambda i: i.id)
            if i.project_id == project_id and i.is_gold and not i.training and i.id not in had
        ]
        return limited(found, limit)

    async def tallies(self, project_id: ProjectId) -> Sequence[ItemTally]:
        """Return every item with its answer count, in id order (none retired)."""
        media = self._state.media
        return [
            ItemTally(ItemId(i.id), i.external_id, MediaKind(i.kind), i.text,
                      media[i.media_key].filename if i.media_key in media else None,
                      i.gold_answer, i.answers,
                      MediaKey(i.media_key) if i.media_key is not None else None, i.payload)
            for i in sorted(self._state.items.values(), key=lambda i: i.id)
            if i.project_id == project_id and i.retired_at is None
        ]

    async def authored(self, author: AnnotatorId, external_id: str) -> Sequence[ItemId]:
        """Return the items named ``external_id`` made from ``author``'s work, in id order."""
        return [ItemId(i.id) for i in sorted(self._state.items.values(), key=lambda i: i.id)
                if i.author == author and i.external_id == external_id]

    async def remove_unassigned(self, item_id: ItemId) -> bool:
        """Delete an item nobody was ever handed; return whether it was deleted."""
        state = self._state
        if item_id not in state.items or any(
                g.item_id == item_id for g in state.assignments.values()):
            return False
        del state.items[item_id]
        return True

    async def retire(self, item_id: ItemId, external_id: str, now: datetime) -> None:
        """Rename an item and retire it: it keeps its answers, but is never handed out
        again and leaves ``tallies`` and the answers' export rows."""
        row = self._state.items.get(item_id)
        if row is None:
            return
        if any(i.project_id == row.project_id and i.external_id == external_id
               and i.id != item_id for i in self._state.items.values()):
            raise IntegrityError("UNIQUE constraint failed: items.project_id, "
                                 "items.external_id")
        row.external_id, row.settled, row.retired_at = external_id, True, to_ts(now)
