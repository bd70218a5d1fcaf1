"""The engines every contract test runs on: each yields an ``annotation.ports.Store``.

``sqlite`` is storage's real ``Database`` on a file in ``tmp_path``; ``memory`` the fake
store the use-case tests run on (``tests/fakes``). A new engine (PostgreSQL) adds one
parameter here and must pass every test of this folder unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from annotation.ports import Store, UnitOfWork
from storage.database import Database
from tests.fakes.state import IntegrityError
from tests.fakes.store import FakeStore

ENGINES = ("sqlite", "memory")
# What each engine raises when a UNIQUE, CHECK or FOREIGN KEY constraint is violated.
CONSTRAINT_ERRORS = (sqlite3.IntegrityError, IntegrityError)


@pytest.fixture(params=ENGINES)
async def store(request: pytest.FixtureRequest, tmp_path: Path
                ) -> AsyncIterator[Store[UnitOfWork]]:
    """Yield a fresh, empty store of each engine."""
    if request.param == "sqlite":
        async with Database(tmp_path / "contract.db") as database:
            yield database
    else:
        yield FakeStore()
