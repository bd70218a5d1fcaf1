"""A one-to-many wake-up: waiters park on futures, ``notify()`` wakes all of them."""

from __future__ import annotations

import asyncio


class Signal:
    """Wake every coroutine waiting on this signal; cheaper than polling, no lost wake-ups.

    Callers read state, then ``await wait(...)``, then read state again: a change between
    the read and the wait is not lost because ``notify`` only runs on the event loop thread
    and ``wait`` registers its future before yielding.
    """

    __slots__ = ("_waiters",)

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        """Wake every current waiter."""
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait(self, seconds: float | None) -> bool:
        """Wait for the next ``notify``; return False when ``seconds`` pass first (None: never)."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await asyncio.wait_for(fut, seconds)
        except TimeoutError:
            return False
        finally:
            if not fut.done():
                fut.cancel()
            if fut in self._waiters:
                self._waiters.remove(fut)
        return True
