"""Fault injection: seeded decisions to fail, delay or lose requests and updates."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.sandbox.config import Faults


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What to do to one request."""

    error_status: int = 0  # 0, 500 or 502
    delay: float = 0.0
    drop_response: bool = False


NO_FAULT = FaultPlan()


class FaultInjector:
    """Draws fault decisions from one ``random.Random(seed)``, so runs are reproducible."""

    def __init__(self, faults: Faults, seed: int) -> None:
        self.faults = faults
        self.rng = random.Random(seed)
        self.injected = 0

    def configure(self, faults: Faults) -> None:
        """Replace the fault settings and restart the fault count."""
        self.faults = faults
        self.injected = 0

    def _applies(self, method: str) -> bool:
        f = self.faults
        if f.limit is not None and self.injected >= f.limit:
            return False
        return f.methods is None or method in f.methods

    def _draw(self, rate: float) -> bool:
        if rate > 0 and self.rng.random() < rate:
            self.injected += 1
            return True
        return False

    def plan(self, method: str) -> FaultPlan:
        """Decide the faults of one request to ``method``."""
        f = self.faults
        if not (f.error_rate or f.delay_rate or f.drop_response_rate) or not self._applies(
                method):
            return NO_FAULT
        if self._draw(f.error_rate):
            return FaultPlan(error_status=self.rng.choice((500, 502)))
        delay = f.delay_seconds if self._draw(f.delay_rate) else 0.0
        drop = method not in ("getUpdates",) and self._applies(method) and self._draw(
            f.drop_response_rate)
        return FaultPlan(delay=delay, drop_response=drop)

    def drop_delivery(self, method: str) -> bool:
        """Decide whether a delivered batch of updates is lost on its way to the bot."""
        return self._applies(method) and self._draw(self.faults.drop_update_rate)

    @property
    def redeliver(self) -> bool:
        """Return whether confirmed updates are delivered once more."""
        return self.faults.redeliver_confirmed
