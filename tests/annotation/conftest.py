"""Fixtures of the use-case tests: the in-memory fake store, a clock, the core services on it.

The same services as ``tests/storage/conftest.py`` builds on SQLite, on ``FakeStore``
(``tests/fakes``), whose repositories keep the contract ``tests/contract`` checks on both.
"""

from __future__ import annotations

import pytest

from tests.annotators import Services, core_services
from tests.clocks import FakeClock
from tests.fakes.store import FakeStore


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def services(store: FakeStore, clock: FakeClock) -> Services:
    return core_services(store, clock)
