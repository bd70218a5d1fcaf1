"""Repositories: one per aggregate, all SQL of the project lives below ``storage/``."""

from __future__ import annotations

from typing import Any

import aiosqlite


async def fetch_one(connection: aiosqlite.Connection, sql: str,
                    params: tuple[Any, ...] = ()) -> aiosqlite.Row | None:
    """Run a query and return its first row or None."""
    async with connection.execute(sql, params) as cursor:
        row: aiosqlite.Row | None = await cursor.fetchone()
        return row


async def fetch_all(connection: aiosqlite.Connection, sql: str,
                    params: tuple[Any, ...] = ()) -> list[aiosqlite.Row]:
    """Run a query and return all rows."""
    async with connection.execute(sql, params) as cursor:
        return list(await cursor.fetchall())
