"""Clocks tests move by hand: a wall clock (aware datetimes) and a monotonic one (seconds)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """A wall clock that stands still until a test moves it."""

    def __init__(self, start: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward."""
        self.now += timedelta(seconds=seconds)


class FakeMonotonic:
    """A monotonic clock (float seconds) that stands still until a test moves it."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward."""
        self.now += seconds
