"""The item counters' invariant, checked against the rows they count.

``items.answers`` is the number of the item's answers quality control has not excluded,
``items.live`` the number of its active assignments. The assignment queue trusts them (an
item is handed out while ``answers + live`` is below the overlap), so any drift either
hands an item out beyond its overlap or starves it.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

_DRIFT = (
    "SELECT id, answers, counted, live, active FROM ("
    " SELECT i.id, i.answers, i.live,"
    "  (SELECT COUNT(*) FROM answers AS a WHERE a.item_id = i.id AND a.excluded = 0)"
    "   AS counted,"
    "  (SELECT COUNT(*) FROM assignments AS g WHERE g.item_id = i.id"
    "   AND g.status = 'active') AS active"
    " FROM items AS i)"
    " WHERE answers != counted OR live != active ORDER BY id"
)


def counter_drift(db_path: Path) -> list[tuple[int, ...]]:
    """Return ``(item, answers, counted rows, live, active rows)`` for every item whose
    counters differ from its rows (empty when the invariant holds)."""
    with closing(sqlite3.connect(db_path)) as connection:
        return [tuple(int(value) for value in row) for row in connection.execute(_DRIFT)]


def counted_rows(db_path: Path) -> int:
    """Return how many items the invariant was checked on (so a test sees it was not empty)."""
    with closing(sqlite3.connect(db_path)) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM items").fetchone()[0])
