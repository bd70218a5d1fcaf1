"""A token bucket on an injected clock: the shape of the bot's own limits.

``rate`` tokens a second accrue up to ``capacity``. The update processor admits each
sender's messages with one (``bot.update_processor``), the outgoing budget paces bulk
traffic with them (``bot.rate_limiter``). The sandbox keeps its own imitation of
Telegram's buckets, so that the two are checked against each other, not against
themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(slots=True)
class TokenBucket:
    """Tokens earned at ``rate`` per second up to ``capacity``; ``stamp`` is the last refill."""

    rate: float
    capacity: float
    tokens: float
    stamp: float

    @classmethod
    def full(cls, rate: float, capacity: float, now: float) -> TokenBucket:
        """Return a bucket holding ``capacity`` tokens at ``now``."""
        return cls(rate, capacity, capacity, now)

    def refill(self, now: float) -> None:
        """Add the tokens earned since the last refill."""
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def delay(self, now: float, needed: float) -> float:
        """Return the seconds until ``needed`` tokens are there (0: now; inf: never)."""
        self.refill(now)
        missing = min(needed, self.capacity) - self.tokens
        if missing <= 0:
            return 0.0
        return missing / self.rate if self.rate > 0 else math.inf

    def take(self, now: float) -> bool:
        """Take one token if there is one; return whether there was."""
        self.refill(now)
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True

    def spend(self, now: float, cost: float) -> None:
        """Spend ``cost`` tokens even if they are not there; the debt stops at one bucket."""
        self.refill(now)
        self.tokens = max(-self.capacity, self.tokens - cost)

    def is_full(self, now: float) -> bool:
        """Return whether the bucket holds all it can (it may be forgotten)."""
        self.refill(now)
        return self.tokens >= self.capacity
