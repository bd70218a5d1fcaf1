"""Items and the counters (answers, live assignments) that drive the assignment queue.

A retired item (``retired_at``, migration 014: the check of a take its speaker took back,
``annotation.loop.checks``) keeps its row and its answers, but the queue never hands it
out again, whatever settles or reopens it later, and ``tallies`` leaves it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from annotation.models import (
    AnnotatorId,
    Item,
    ItemId,
    MediaKey,
    MediaKind,
    ProjectId,
)
from annotation.records import ItemDraftRecord, ItemTally, ItemVotes
from storage.cache import RowCache
from storage.codecs import to_ts
from storage.connection import Connection, Row
from storage.repositories import build_in_steps, fetch_all, fetch_one

_COLUMNS = ("id, project_id, external_id, kind, text, media_key, gold_answer, explanation, "
            "payload")


def _item(row: Row) -> Item:
    return Item(
        id=ItemId(row[0]),
        project_id=ProjectId(row[1]),
        external_id=row[2],
        kind=MediaKind(row[3]),
        text=row[4],
        media_key=MediaKey(row[5]) if row[5] is not None else None,
        gold_answer=row[6],
        explanation=row[7],
        payload=row[8],
    )


class SqliteItems:
    """The ``items`` table."""

    def __init__(self, connection: Connection, cache: RowCache | None = None) -> None:
        self._db = connection
        self._cache = cache

    async def add_many(self, project_id: ProjectId, drafts: Sequence[ItemDraftRecord]) -> int:
        """Store items (media already stored) and return how many were added."""
        await self._db.executemany(
            "INSERT INTO items (project_id, external_id, kind, text, media_key, gold_answer, "
            "explanation, training, payload, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (project_id, d.external_id, d.kind.value, d.text, d.media_key, d.gold_answer,
                 d.explanation, int(d.training), d.payload, d.author)
                for d in drafts
            ],
        )
        return len(drafts)

    async def get(self, item_id: ItemId) -> Item | None:
        """Return the item or None."""
        if self._cache is not None:
            cached = self._cache.items.get(item_id)
            if cached is not None:
                return cached
        row = await fetch_one(self._db, f"SELECT {_COLUMNS} FROM items WHERE id = ?", (item_id,))
        item = _item(row) if row else None
        if item is not None and self._cache is not None:
            self._cache.items.put(item_id, item)
        return item

    async def next_regular(self, project_id: ProjectId, annotator_id: AnnotatorId,
                           overlap: int, min_overlap: int) -> ItemId | None:
        """Return the open non-gold item closest to completion the annotator has never had
        (and did not make: an item's ``author``, migration 012), never a retired one.

        An item is open while it is unsettled and its answers plus live assignments are
        under ``annotation.loop.assignment.slots_allowed``: ``min_overlap`` until that many
        answers are in, then one more at a time, never past ``overlap``. The whole row is
        read and cached, so showing the item costs no second query.
        """
        columns = ", ".join(f"i.{name.strip()}" for name in _COLUMNS.split(","))
        row = await fetch_one(
            self._db,
            f"SELECT {columns} FROM items AS i INDEXED BY items_open_queue "
            "WHERE i.project_id = ? AND i.is_gold = 0 AND i.settled = 0 AND i.fill < ? "
            "AND i.fill < MAX(?, i.answers + 1) "
            "AND NOT EXISTS (SELECT 1 FROM assignments AS a "
            "                WHERE a.item_id = i.id AND a.annotator_id = ?) "
            "AND (i.author IS NULL OR i.author != ?) AND i.retired_at IS NULL "
            "ORDER BY i.fill DESC, i.id LIMIT 1",
            (project_id, overlap, min_overlap, annotator_id, annotator_id),
        )
        if row is None:
            return None
        if self._cache is not None:
            self._cache.items.put(ItemId(row[0]), _item(row))
        return ItemId(row[0])

    async def settle(self, item_id: ItemId, settled: bool = True) -> None:
        """Stop (or resume) handing out an item, as the adaptive-overlap rule decides."""
        await self._db.execute("UPDATE items SET settled = ? WHERE id = ?",
                               (int(settled), item_id))

    async def undecided(self, project_id: ProjectId, min_answers: int,
                        overlap: int) -> Sequence[ItemVotes]:
        """Return the regular items with ``min_answers`` to ``overlap - 1`` answers and
        their votes, in id order."""
        rows = await fetch_all(
            self._db,
            "SELECT i.id, i.answers, i.settled, a.annotator_id, a.value FROM items AS i "
            "JOIN answers AS a ON a.item_id = i.id AND a.excluded = 0 "
            "WHERE i.project_id = ? AND i.is_gold = 0 AND i.answers >= ? AND i.answers < ? "
            "ORDER BY i.id, a.id",
            (project_id, min_answers, overlap),
        )
        found: list[ItemVotes] = []
        votes: list[tuple[AnnotatorId, str]] = []
        for k, row in enumerate(rows):
            votes.append((AnnotatorId(row[3]), row[4]))
            if k + 1 == len(rows) or rows[k + 1][0] != row[0]:
                found.append(ItemVotes(ItemId(row[0]), row[1], bool(row[2]), tuple(votes)))
                votes = []
        return found

    async def set_settled(self, changes: Sequence[tuple[ItemId, bool, int]]) -> int:
        """Apply (item, settled, answers) decisions to items whose answer count is still
        ``answers``; return how many changed."""
        return await self._db.executemany(
            "UPDATE items SET settled = ? WHERE id = ? AND answers = ? AND settled <> ?",
            [(int(settled), item_id, answers, int(settled))
             for item_id, settled, answers in changes],
        )

    async def unseen_gold(self, project_id: ProjectId, annotator_id: AnnotatorId,
                          limit: int) -> Sequence[ItemId]:
        """Return up to ``limit`` production gold items the annotator has never had."""
        rows = await fetch_all(
            self._db,
            "SELECT i.id FROM items AS i "
            "WHERE i.project_id = ? AND i.is_gold = 1 AND i.training = 0 "
            "AND NOT EXISTS (SELECT 1 FROM assignments AS a "
            "                WHERE a.item_id = i.id AND a.annotator_id = ?) "
            "ORDER BY i.id LIMIT ?",
            (project_id, annotator_id, limit),
        )
        return [ItemId(row[0]) for row in rows]

    async def tallies(self, project_id: ProjectId) -> Sequence[ItemTally]:
        """Return every item with its answer count, in id order (none retired)."""
        rows = await fetch_all(
            self._db,
            "SELECT i.id, i.external_id, i.kind, i.text, m.filename, i.gold_answer, i.answers, "
            "i.media_key, i.payload FROM items AS i LEFT JOIN media AS m ON m.key = i.media_key "
            "WHERE i.project_id = ? AND i.retired_at IS NULL ORDER BY i.id",
            (project_id,),
        )
        return await build_in_steps(rows, lambda r: ItemTally(
            ItemId(r[0]), r[1], MediaKind(r[2]), r[3], r[4], r[5], r[6],
            MediaKey(r[7]) if r[7] is not None else None, r[8]))

    async def authored(self, author: AnnotatorId, external_id: str) -> Sequence[ItemId]:
        """Return the items named ``external_id`` made from ``author``'s work (the checks
        of one recording: one per check project), in id order (index ``items_by_author``)."""
        rows = await fetch_all(
            self._db, "SELECT id FROM items WHERE author = ? AND external_id = ? ORDER BY id",
            (author, external_id))
        return [ItemId(row[0]) for row in rows]

    async def remove_unassigned(self, item_id: ItemId) -> bool:
        """Delete an item nobody was ever handed; return whether it was deleted."""
        changed = await self._db.execute(
            "DELETE FROM items WHERE id = ? "
            "AND NOT EXISTS (SELECT 1 FROM assignments WHERE item_id = ?)", (item_id, item_id))
        if changed and self._cache is not None:
            self._cache.items.drop(item_id)
        return changed == 1

    async def retire(self, item_id: ItemId, external_id: str, now: datetime) -> None:
        """Rename an item and retire it: it keeps its answers, but is never handed out
        again and leaves ``tallies`` and the answers' export rows."""
        await self._db.execute(
            "UPDATE items SET external_id = ?, settled = 1, retired_at = ? WHERE id = ?",
            (external_id, to_ts(now), item_id))
        if self._cache is not None:
            self._cache.items.drop(item_id)
