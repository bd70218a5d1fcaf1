"""The in-memory store: ``annotation.ports.Store`` over a ``FakeState``, for use-case tests.

Like ``storage.database.Database``, and like cosmicpython's ``FakeUnitOfWork``:

- ``write()`` is one serialized transaction (an ``asyncio.Lock``, as the real writer's): it
  works on a copy of the committed state and swaps it in only when the block exits
  cleanly; an exception or a cancellation leaves the committed state as it was.
- ``read()`` and ``snapshot()`` see the state committed when they open and nothing after
  (writes never change a committed state in place, they replace it); what a read changes
  is thrown away.
- ``opened`` lists the units of work opened (``"write"``, ``"read"``, ``"snapshot"``),
  ``commits`` and ``rollbacks`` count the write transactions' ends, so a test can assert
  that nothing was written.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tests.fakes.console import (
    FakeAuditRepository,
    FakeEarningsRepository,
    FakeOutboxRepository,
    FakeReminderRepository,
    FakeStatsRepository,
)
from tests.fakes.loop import FakeAnswerRepository, FakeAssignmentRepository
from tests.fakes.media import FakeMediaRepository
from tests.fakes.people import FakeAnnotatorRepository, FakeSecretRepository
from tests.fakes.projects import FakeItemRepository, FakeProjectRepository
from tests.fakes.quality import FakeQualityRepository
from tests.fakes.speakers import FakeSpeakerRepository
from tests.fakes.state import FakeState


class FakeUnitOfWork:
    """Every repository (``annotation.ports.UnitOfWork``) over one state."""

    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.annotators = FakeAnnotatorRepository(state)
        self.projects = FakeProjectRepository(state)
        self.items = FakeItemRepository(state)
        self.assignments = FakeAssignmentRepository(state)
        self.answers = FakeAnswerRepository(state)
        self.media = FakeMediaRepository(state)
        self.quality = FakeQualityRepository(state)
        self.audit = FakeAuditRepository(state)
        self.outbox = FakeOutboxRepository(state)
        self.reminders = FakeReminderRepository(state)
        self.earnings = FakeEarningsRepository(state)
        self.stats = FakeStatsRepository(state)
        self.secrets = FakeSecretRepository(state)
        self.speakers = FakeSpeakerRepository(state)


class FakeStore:
    """The system of record in memory; implements ``annotation.ports.Store``."""

    def __init__(self, state: FakeState | None = None) -> None:
        self.state = state if state is not None else FakeState()
        self.opened: list[str] = []
        self.commits = 0
        self.rollbacks = 0
        self._write_lock = asyncio.Lock()

    @asynccontextmanager
    async def write(self, *, bulk: bool = False) -> AsyncIterator[FakeUnitOfWork]:
        """Run one serialized write transaction; commit on clean exit, else roll back.

        ``bulk`` changes nothing here: there is no event loop to spare.
        """
        self.opened.append("write")
        async with self._write_lock:
            working = self.state.copy()
            try:
                yield FakeUnitOfWork(working)
            except BaseException:
                self.rollbacks += 1
                raise
            self.state = working
            self.commits += 1

    @asynccontextmanager
    async def read(self) -> AsyncIterator[FakeUnitOfWork]:
        """Read the state committed now (changes made through it are thrown away)."""
        self.opened.append("read")
        yield FakeUnitOfWork(self.state.copy())

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[FakeUnitOfWork]:
        """Read the state committed now, for long reads (as ``read``)."""
        self.opened.append("snapshot")
        yield FakeUnitOfWork(self.state.copy())
