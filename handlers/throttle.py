"""Replies that a sender cannot multiply: at most one per interval for each reason.

A stranger's messages, and the "slow down" notice of a sender whose backlog overflowed,
are answered at most once per ``interval`` seconds (docs/SECURITY.md), and sent
best-effort: a 429 is not waited out, so one noisy sender never holds a handler asleep.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from telegram.error import TelegramError
from telegram.ext import ExtBot

from handlers.delivery import BEST_EFFORT

logger = logging.getLogger(__name__)

FORGET_AFTER = 50_000  # remembered (sender, reason) pairs before old ones are forgotten


class ReplyThrottle:
    """Says whether a sender may get one more reply for a reason now."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._last: dict[tuple[int, str], float] = {}

    def allow(self, sender: int, reason: str) -> bool:
        """Return True (and start a new interval) if no reply went out in this one."""
        now = self._clock()
        last = self._last.get((sender, reason))
        if last is not None and now - last < self.interval:
            return False
        self._last[(sender, reason)] = now
        if len(self._last) > FORGET_AFTER:
            self._last = {k: v for k, v in self._last.items() if now - v < self.interval}
        return True


async def send_best_effort(bot: ExtBot[Any], chat_id: int, text: str) -> None:
    """Send a message once, without waiting out flood control; failures are only logged."""
    try:
        await bot.send_message(chat_id, text, rate_limit_args=BEST_EFFORT)
    except TelegramError as error:
        logger.info("best-effort message to %s not sent: %s", chat_id, error)
