"""Fixtures: a real SQLite database in a temporary folder, a clock, the core services on it.

The small project they are tried on comes from ``tests.projects``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.database import Database
from tests.annotators import Services, core_services
from tests.clocks import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "annobot.db") as db:
        yield db


@pytest.fixture
def services(database: Database, clock: FakeClock) -> Services:
    return core_services(database, clock)
