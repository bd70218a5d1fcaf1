"""Fixtures: a real SQLite database in a temporary folder, a clock, the core services on it.

The small project they are tried on comes from ``tests.projects``.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from annotation.intake.catalog import CatalogService
from annotation.loop.onboarding import OnboardingService
from annotation.loop.tasks import TaskService
from storage.database import Database
from tests.clocks import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "annobot.db") as db:
        yield db


@pytest.fixture
def services(database: Database, clock: FakeClock
             ) -> tuple[TaskService, OnboardingService, CatalogService]:
    return (
        TaskService(database, clock=clock, rng=random.Random(1)),
        OnboardingService(database, clock=clock, admins={1}),
        CatalogService(database, clock=clock, invite_codes=_codes()),
    )


def _codes() -> Callable[[], str]:
    counter = iter(range(1, 1_000_000))
    return lambda: f"invite{next(counter)}"
