"""Flood control on the bot's side: one outgoing budget, interactive traffic first.

Every message the bot sends or edits spends tokens of one budget that mirrors Telegram's
limits (:class:`OutgoingLimits`): a bot-wide bucket (about 30 messages per second) and a
bucket per chat (about one message per second in a private chat, a separate, more
generous one for edits).

Two priorities share the budget. Interactive requests (the default: a task shown after a
tap, a reply) never wait for it: they go out at once and spend their tokens, so an
annotator's next task is never held back by the bot itself, and the bot's capacity is
whatever Telegram accepts. Bulk requests (broadcast messages, progress edits, best-effort
replies to strangers: ``rate_limit_args`` of ``handlers.delivery.BEST_EFFORT``) wait for
their tokens, first come first served, and go only while the bot-wide bucket still holds
``reserve`` tokens beyond theirs: what interactive traffic spends, bulk traffic does not
get, so a broadcast slows down when the annotators are busy. Any 429, for any request,
holds all bulk traffic bot-wide for its ``retry_after``.

``rate_limit_args`` is the number of retries after a 429: ``None`` means the default
(``max_retries``), 0 means none (a 429 is raised at once; such requests are bulk), a
negative number means until Telegram accepts the request. A retry waits out
``retry_after`` for the chat that was refused only (or everyone, for a 429 with no chat):
PTB's ``AIORateLimiter`` would pause every request of the bot instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import Enum
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.token_bucket import TokenBucket

logger = logging.getLogger(__name__)

Result = bool | JSONDict | list[JSONDict]
PRUNE_AT = 4096  # chat buckets kept before the full (idle) ones are dropped


@dataclass(frozen=True, slots=True)
class OutgoingLimits:
    """The budget's token buckets (rates per second unless named), a bit under Telegram's."""

    global_per_second: float = 29.0
    global_burst: float = 20.0
    reserve: float = 10.0  # bot-wide tokens bulk traffic leaves for interactive bursts
    private_per_second: float = 1.0
    private_burst: float = 3.0
    group_per_minute: float = 20.0
    group_burst: float = 5.0
    edit_per_second: float = 3.0
    edit_burst: float = 10.0
    edits_count_globally: bool = True


class Priority(Enum):
    """Who goes first for the bot-wide tokens."""

    INTERACTIVE = 0
    BULK = 1


class Traffic(Enum):
    """What a request costs: a new message, or an edit."""

    SEND = "send"
    EDIT = "edit"


class OutgoingBudget:
    """The token buckets on an injected clock; no waiting here (see the limiter)."""

    def __init__(self, limits: OutgoingLimits, now: float) -> None:
        if not 0 <= limits.reserve <= limits.global_burst - 1:
            raise ValueError("the reserve must leave at least one bot-wide token")
        self.limits = limits
        self._global = TokenBucket.full(limits.global_per_second, limits.global_burst, now)
        self._chats: dict[tuple[int, Traffic], TokenBucket] = {}
        self._bulk_held_until = now

    def _chat(self, chat: int, traffic: Traffic, now: float) -> TokenBucket:
        bucket = self._chats.get((chat, traffic))
        if bucket is None:
            lim = self.limits
            if traffic is Traffic.EDIT:
                rate, capacity = lim.edit_per_second, lim.edit_burst
            elif chat < 0:
                rate, capacity = lim.group_per_minute / 60.0, lim.group_burst
            else:
                rate, capacity = lim.private_per_second, lim.private_burst
            if len(self._chats) >= PRUNE_AT:
                self._prune(now)
            bucket = self._chats[(chat, traffic)] = TokenBucket.full(rate, capacity, now)
        return bucket

    def _prune(self, now: float) -> None:
        for key, bucket in list(self._chats.items()):
            if bucket.is_full(now):
                del self._chats[key]

    def chat_delay(self, chat: int, traffic: Traffic, now: float, cost: int = 1) -> float:
        """Return the seconds until the chat's bucket holds ``cost`` tokens."""
        return self._chat(chat, traffic, now).delay(now, cost)

    def take_chat(self, chat: int, traffic: Traffic, now: float, cost: int = 1) -> None:
        """Spend the chat's tokens for a request going out now."""
        self._chat(chat, traffic, now).spend(now, cost)

    def counts_globally(self, traffic: Traffic) -> bool:
        """Return whether this kind of request spends bot-wide tokens."""
        return traffic is Traffic.SEND or self.limits.edits_count_globally

    def bulk_delay(self, now: float, cost: int = 1) -> float:
        """Return the seconds until a bulk request may take bot-wide tokens."""
        held = max(0.0, self._bulk_held_until - now)
        return held + self._global.delay(now + held, cost + self.limits.reserve)

    def take_global(self, now: float, cost: int = 1) -> None:
        """Spend bot-wide tokens for a request going out now."""
        self._global.spend(now, cost)

    def hold_bulk(self, now: float, seconds: float) -> None:
        """Let no bulk request go for ``seconds`` (a 429 was seen)."""
        self._bulk_held_until = max(self._bulk_held_until, now + seconds)


def _traffic(endpoint: str) -> Traffic | None:
    name = endpoint.lower()
    if name.startswith("edit"):
        return Traffic.EDIT
    if name == "sendchataction":
        return None
    if name.startswith(("send", "copymessage", "forwardmessage")):
        return Traffic.SEND
    return None


def _chat_of(data: dict[str, Any]) -> int | None:
    with contextlib.suppress(TypeError, ValueError):
        return int(data.get("chat_id"))  # type: ignore[arg-type]
    return None


def _cost(endpoint: str, data: dict[str, Any]) -> int:
    media = data.get("media") if endpoint.lower() == "sendmediagroup" else None
    return max(1, len(media)) if isinstance(media, list) else 1


class ChatRateLimiter(BaseRateLimiter[int]):
    """Admits requests within the outgoing budget (interactive first) and retries 429s."""

    def __init__(self, max_retries: int = 3, limits: OutgoingLimits | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._max_retries = max_retries
        self._clock = clock
        self._budget = OutgoingBudget(limits or OutgoingLimits(), clock())
        self._paused: dict[object, asyncio.Event] = {}
        self._bulk_queue: deque[object] = deque()
        self._changed = asyncio.Event()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Wait for the budget, send the request, wait out and retry 429 answers."""
        chat = _chat_of(data)
        traffic = _traffic(endpoint)
        retries = self._max_retries if rate_limit_args is None else int(rate_limit_args)
        priority = Priority.BULK if retries == 0 else Priority.INTERACTIVE
        attempt = 0
        while True:
            await self._wait_until_free(chat)
            if traffic is not None:
                await self._admit(priority, chat, traffic, _cost(endpoint, data))
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                delay = exc.retry_after
                seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
                self._budget.hold_bulk(self._clock(), seconds)
                self._notify()
                if 0 <= retries <= attempt:
                    raise
                attempt += 1
                logger.info("429 on %s for chat %s: retry %d in %.1f s", endpoint, chat,
                            attempt, seconds)
                await self._pause(chat, seconds + 0.05)

    async def bulk_turn(self) -> None:
        """Wait until a bulk request could go out now (the broadcaster asks before claiming)."""
        await self._bulk_turn(1, take=False)

    async def _admit(self, priority: Priority, chat: int | None, traffic: Traffic,
                     cost: int) -> None:
        counts = self._budget.counts_globally(traffic)
        if priority is Priority.INTERACTIVE:  # never waits: it only spends
            now = self._clock()
            if chat is not None:
                self._budget.take_chat(chat, traffic, now, cost)
            if counts:
                self._budget.take_global(now, cost)
            return
        if chat is not None:  # the chat's own bucket first: waiting for it delays nobody else
            while True:
                wait = self._budget.chat_delay(chat, traffic, self._clock(), cost)
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            self._budget.take_chat(chat, traffic, self._clock(), cost)
        if counts:
            await self._bulk_turn(cost, take=True)

    async def _bulk_turn(self, cost: int, *, take: bool) -> None:
        """Queue for bot-wide tokens behind earlier bulk requests, above the reserve."""
        ticket = object()
        self._bulk_queue.append(ticket)
        try:
            while True:
                wait: float | None = None
                if self._bulk_queue[0] is ticket:
                    now = self._clock()
                    wait = self._budget.bulk_delay(now, cost)
                    if wait <= 0:
                        if take:
                            self._budget.take_global(now, cost)
                        return
                await self._next_change(wait)
        finally:
            self._bulk_queue.remove(ticket)
            self._notify()

    async def _next_change(self, seconds: float | None) -> None:
        changed = self._changed
        if seconds is None:
            await changed.wait()
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await changed.wait()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until_free(self, chat: object) -> None:
        for key in (chat, None):
            event = self._paused.get(key)
            if event is not None:
                await event.wait()

    async def _pause(self, chat: object, seconds: float) -> None:
        event = self._paused.get(chat)
        if event is None:
            event = self._paused[chat] = asyncio.Event()
            try:
                await asyncio.sleep(seconds)
            finally:
                event.set()
                self._paused.pop(chat, None)
        else:
            await event.wait()
