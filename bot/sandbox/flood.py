"""Flood control: token buckets for the bot, each chat and edits; 429 with retry_after.

A send is admitted only if every bucket it touches (global, and the chat's private or group
bucket) holds a token; a refused request consumes nothing. The clock is injected so tests
can freeze time and observe exact refusals without sleeping.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.sandbox.config import FloodLimits


class Traffic(StrEnum):
    """What a request costs in flood-control terms."""

    SEND = "send"
    EDIT = "edit"


@dataclass(slots=True)
class TokenBucket:
    """A bucket refilled at ``rate`` tokens per second up to ``capacity``."""

    rate: float
    capacity: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        """Add the tokens earned since the last refill."""
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def wait_for(self, cost: float) -> float:
        """Return seconds until ``cost`` tokens are available (0 if they are now)."""
        missing = cost - self.tokens
        return 0.0 if missing <= 1e-9 else missing / self.rate


class FloodControl:
    """All buckets of one sandbox; ``admit`` returns None or the retry_after to send."""

    def __init__(self, limits: FloodLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.clock = clock
        self.enabled = True
        now = clock()
        self._global = TokenBucket(limits.global_per_second, limits.global_burst,
                                   limits.global_burst, now)
        self._chats: dict[tuple[int, Traffic], TokenBucket] = {}

    def _chat_bucket(self, chat_id: int, is_group: bool, traffic: Traffic, now: float
                     ) -> TokenBucket:
        key = (chat_id, traffic)
        bucket = self._chats.get(key)
        if bucket is None:
            lim = self.limits
            if traffic is Traffic.EDIT:
                rate, capacity = lim.edit_per_second, lim.edit_burst
            elif is_group:
                rate, capacity = lim.group_per_minute / 60.0, lim.group_burst
            else:
                rate, capacity = lim.private_per_second, lim.private_burst
            bucket = self._chats[key] = TokenBucket(rate, capacity, capacity, now)
        return bucket

    def admit(self, chat_id: int, is_group: bool, traffic: Traffic, cost: int = 1
              ) -> int | None:
        """Take ``cost`` tokens for a request to ``chat_id``; return retry_after if refused."""
        if not self.enabled:
            return None
        now = self.clock()
        buckets = [self._chat_bucket(chat_id, is_group, traffic, now)]
        if traffic is Traffic.SEND or self.limits.edits_count_globally:
            buckets.append(self._global)
        wait = 0.0
        for bucket in buckets:
            bucket.refill(now)
            wait = max(wait, bucket.wait_for(cost))
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= cost
        return None
