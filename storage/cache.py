"""Rows the hot path reads on every answer, kept in memory by the write side.

Projects and items are read inside almost every write transaction (whose project is this
assignment? what does this item show?) but change rarely: an item never changes after its
import, a project only when its status does. The cache is used only by write units of
work, which the database serializes, so it can never be filled from an older snapshot than
the one it serves: a status change drops the project at once, and a rolled-back
transaction drops everything it may have filled.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

from annotation.models import Item, ItemId, Project, ProjectId

K = TypeVar("K")
V = TypeVar("V")


class _Lru(Generic[K, V]):
    """A bounded mapping that forgets the least recently used entry."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        if len(self._data) > self._size:
            self._data.popitem(last=False)

    def drop(self, key: K) -> None:
        self._data.pop(key, None)

    def clear(self) -> None:
        self._data.clear()


class RowCache:
    """Projects and items by id, for write transactions."""

    def __init__(self, items: int = 20_000, projects: int = 256) -> None:
        self.projects: _Lru[ProjectId, Project] = _Lru(projects)
        self.items: _Lru[ItemId, Item] = _Lru(items)

    def clear(self) -> None:
        """Forget everything (after a rollback)."""
        self.projects.clear()
        self.items.clear()
