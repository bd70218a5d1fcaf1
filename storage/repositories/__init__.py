"""Repositories: one per aggregate, all SQL of the project lives below ``storage/``."""

from __future__ import annotations

from typing import Any

from storage.connection import Connection, Row


async def fetch_one(connection: Connection, sql: str,
                    params: tuple[Any, ...] = ()) -> Row | None:
    """Run a query and return its first row or None."""
    rows = await connection.fetch_all(sql, params)
    return rows[0] if rows else None


async def fetch_all(connection: Connection, sql: str,
                    params: tuple[Any, ...] = ()) -> list[Row]:
    """Run a query and return all rows."""
    return await connection.fetch_all(sql, params)
