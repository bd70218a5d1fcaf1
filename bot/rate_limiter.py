"""Flood control on the bot's side: honour 429 ``retry_after`` for the chat that got it.

PTB's ``AIORateLimiter`` pauses every request of the bot when any chat gets a 429; with
hundreds of annotators one fast tapper would stall them all. This limiter pauses only the
chat that was refused (or everything, for a 429 with no chat), retries up to
``max_retries`` times, and otherwise lets interactive traffic through unthrottled.
Broadcasts pace themselves separately.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

logger = logging.getLogger(__name__)

Result = bool | JSONDict | list[JSONDict]


class ChatRateLimiter(BaseRateLimiter[int]):
    """Retries 429s after ``retry_after``, pausing only the chat concerned."""

    def __init__(self, max_retries: int = 3) -> None:
        self._max_retries = max_retries
        self._paused: dict[object, asyncio.Event] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def _wait_until_free(self, chat: object) -> None:
        for key in (chat, None):
            event = self._paused.get(key)
            if event is not None:
                await event.wait()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Send the request, waiting out and retrying 429 answers."""
        chat = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat = int(chat) if chat is not None else None
        retries = rate_limit_args if rate_limit_args is not None else self._max_retries
        attempt = 0
        while True:
            await self._wait_until_free(chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= retries:
                    raise
                attempt += 1
                delay = exc.retry_after
                seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
                logger.info("429 on %s for chat %s: retrying in %.1f s", endpoint, chat, seconds)
                await self._pause(chat, seconds + 0.05)

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
