"""Repositories: one per aggregate, all SQL of the project lives below ``storage/``."""

from __future__ import annotations

from typing import Any

import aiosqlite


async def fetch_one(connection: aiosqlite.Connection, sql: str,
                    params: tuple[Any, ...] = ()) -> aiosqlite.Row | None:
    """Run a query and return its first row or None (one trip to the database thread)."""
    rows = await connection.execute_fetchall(sql, params)
    for row in rows:
        return row
    return None


async def fetch_all(connection: aiosqlite.Connection, sql: str,
                    params: tuple[Any, ...] = ()) -> list[aiosqlite.Row]:
    """Run a query and return all rows (one trip to the database thread)."""
    return list(await connection.execute_fetchall(sql, params))
