"""Where uploads are prepared: a small thread pool of their own, and a flag to stop one early.

Reading an upload (parsing rows, decoding images) blocks and may take long. It runs on a
``ThreadPoolExecutor`` of ``WORKERS`` threads that does nothing else: not the event loop's
default executor (``asyncio.to_thread``), which the database's bulk transactions use, so a
heavy upload never delays a payout or an import's commit, and at most ``WORKERS`` uploads are
prepared at once while the others wait their turn.

Cancelling the task that awaits :func:`prepare_off_loop` sets the upload's ``CancelFlag``;
the preparation checks it between files and stops with ``PreparationCancelled``. The task
waits for the thread to stop before it re-raises, so no thread keeps decoding for an import
nobody waits for, and nothing is written (the project is stored only after preparation).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

WORKERS = 2  # uploads prepared at once (the machine's other cores serve the bot)
THREAD_PREFIX = "annobot-prepare"

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


class PreparationCancelled(Exception):
    """The upload's preparation was stopped because nobody waits for it any more."""


class CancelFlag:
    """Set from the event loop, checked by the preparing thread between files."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the preparation to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether the preparation was asked to stop."""
        return self._event.is_set()

    def check(self) -> None:
        """Raise PreparationCancelled if the preparation was asked to stop."""
        if self._event.is_set():
            raise PreparationCancelled


def preparation_pool() -> ThreadPoolExecutor:
    """Return the uploads' own thread pool (created on first use)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix=THREAD_PREFIX)
        return _pool


async def prepare_off_loop(work: Callable[[CancelFlag], T]) -> T:
    """Run ``work(flag)`` on the uploads' pool; cancelling the caller stops it between files."""
    flag = CancelFlag()
    future = asyncio.get_running_loop().run_in_executor(preparation_pool(), work, flag)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        flag.cancel()
        await asyncio.wait([future])  # the thread stops at its next check
        raise
