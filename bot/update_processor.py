"""Concurrent updates across users, in order for each user, and no sender above the others.

PTB's ``SimpleUpdateProcessor`` runs updates concurrently with no order; an annotator's
taps must be handled in the order they were made, so each sender gets a *lane*: a FIFO
lock (``asyncio.Lock`` wakes waiters in order) while different senders run side by side.

One sender must never slow the others (docs/SECURITY.md):

- A waiting update holds nothing shared. PTB's own semaphore is taken before
  :meth:`do_process_update` runs, so it is set out of reach; the real limit on concurrent
  handlers (``max_concurrent_updates``) is taken only once it is the update's turn in its
  lane. A sender whose handler sleeps through a 429 holds one slot at most.
- A lane is bounded: a sender's messages are admitted at a sustained rate with a burst
  (:class:`SenderBudget`) and at most ``backlog`` of them wait; the rest are dropped and
  ``on_overflow`` is called (the handlers send one polite "slow down" per interval). Taps
  on buttons (callback queries) and membership changes are never dropped: Telegram makes
  one per tap, and each is what an annotator's next task hangs on.
- Stopping does not drain a backlog: once the application stops running, waiting messages
  are dropped unprocessed; taps still waiting are handled (each is a short transaction).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.token_bucket import TokenBucket

logger = logging.getLogger(__name__)

FORGET_AT = 50_000  # senders remembered before those with a full bucket are forgotten
# PTB's semaphore is taken before an update waits for its lane: make it never block, and
# limit concurrency with our own slots, taken after the wait.
_UNBOUNDED = 2**30


@dataclass(frozen=True, slots=True)
class BacklogPolicy:
    """How many messages one sender may have handled and waiting.

    ``rate`` messages per second are admitted on average, ``burst`` at once; at most
    ``backlog`` admitted messages wait behind the one being handled.
    """

    rate: float = 2.0
    burst: int = 20
    backlog: int = 20


class SenderBudget:
    """A token bucket per sender: ``allow`` says whether one more message is admitted."""

    def __init__(self, policy: BacklogPolicy, clock: Callable[[], float]) -> None:
        self._policy = policy
        self._clock = clock
        self._buckets: dict[int, TokenBucket] = {}

    def allow(self, sender: int) -> bool:
        """Take a token for ``sender`` if one is left; return whether it was."""
        now = self._clock()
        bucket = self._buckets.get(sender)
        if bucket is None:
            if len(self._buckets) >= FORGET_AT:  # senders whose bucket is full again
                self._buckets = {s: b for s, b in self._buckets.items() if not b.is_full(now)}
            bucket = self._buckets[sender] = TokenBucket.full(
                self._policy.rate, self._policy.burst, now)
        return bucket.take(now)


@dataclass(slots=True)
class _Lane:
    lock: asyncio.Lock
    waiting: int = 0  # updates in the lane, running or waiting
    messages: int = 0  # droppable messages among them


Overflow = Callable[[Update], Awaitable[None]]


def _sender(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


def _droppable(update: object) -> bool:
    """Messages may be dropped; taps and membership changes never are."""
    return isinstance(update, Update) and update.message is not None


def _discard(coroutine: Awaitable[object]) -> None:
    if inspect.iscoroutine(coroutine):
        coroutine.close()


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Processes updates concurrently, in order per sender, each sender's backlog bounded."""

    def __init__(self, max_concurrent_updates: int = 256,
                 policy: BacklogPolicy | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(_UNBOUNDED)
        self._limit = max_concurrent_updates
        self._slots: asyncio.Semaphore | None = None
        self._policy = policy or BacklogPolicy()
        self._budget = SenderBudget(self._policy, clock)
        self._lanes: dict[int, _Lane] = {}
        self._running: Callable[[], bool] = lambda: True
        self._on_overflow: Overflow | None = None
        self.dropped = 0  # messages dropped so far (for logs and tests)

    def watch(self, running: Callable[[], bool], on_overflow: Overflow | None = None) -> None:
        """Drop waiting messages once ``running()`` is false; report dropped ones."""
        self._running = running
        self._on_overflow = on_overflow

    @property
    def slots(self) -> asyncio.Semaphore:
        """Return the semaphore that bounds concurrently running handlers."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._limit)
        return self._slots

    async def do_process_update(self, update: object,
                                coroutine: Awaitable[object]) -> None:
        """Run ``coroutine`` after every earlier update of the same sender, or drop it."""
        sender = _sender(update)
        if sender is None:
            async with self.slots:
                await coroutine
            return
        lane = self._lanes.get(sender)
        droppable = _droppable(update)
        if droppable and not self._admit(sender, lane):
            await self._drop(update, coroutine, sender)
            return
        if lane is None:
            lane = self._lanes[sender] = _Lane(asyncio.Lock())
        lane.waiting += 1
        lane.messages += droppable
        try:
            async with lane.lock:
                if droppable and not self._running():
                    _discard(coroutine)  # stopping: a waiting message is not worth the wait
                    return
                async with self.slots:
                    await coroutine
        finally:
            lane.waiting -= 1
            lane.messages -= droppable
            if lane.waiting == 0:
                del self._lanes[sender]

    def _admit(self, sender: int, lane: _Lane | None) -> bool:
        if not self._running():
            return False
        if lane is not None and lane.messages > self._policy.backlog:
            return False
        return self._budget.allow(sender)

    async def _drop(self, update: object, coroutine: Awaitable[object], sender: int) -> None:
        _discard(coroutine)
        self.dropped += 1
        if self.dropped % 1000 == 1:
            logger.warning("dropped a message from %s: more than the backlog allows "
                           "(%d dropped so far)", sender, self.dropped)
        if self._on_overflow is not None and isinstance(update, Update) and self._running():
            try:
                await self._on_overflow(update)
            except Exception:
                logger.exception("telling sender %s to slow down failed", sender)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
