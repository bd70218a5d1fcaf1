"""The broadcast sender: works through the outbox, paced below Telegram's limits.

One sender task runs at a time and takes the broadcasts being sent oldest first. For each
message it commits the row ``sending``, makes the Bot API call, and commits the outcome
(``sent``, ``blocked`` for a 403, ``failed`` for a 400, back to ``pending`` after a 429,
``uncertain`` when the network failed mid-call). Up to ``concurrency`` calls are in flight,
started no faster than the :class:`~annotation.console.pacing.Pacer` allows; a 429 holds the
pacer for its ``retry_after``.

The broadcast shares the bot's outgoing budget with the annotators and comes last
(``bot/rate_limiter.py``): before claiming a row the sender waits for a bulk turn (tokens to
spare beyond what the annotators' replies spent and the reserve kept for them, no 429 seen
within its ``retry_after``),
and its calls go out as ``BEST_EFFORT`` requests, never retried by the limiter. So the
broadcast slows down while the annotators are busy and backs off bot-wide on any 429,
and rows are not claimed long before their message can go. The coordinator's progress
message is edited every couple of seconds. After a crash, start-up marks the rows left
``sending`` uncertain (never resent) and the sender resumes with the pending rows: nobody
gets a message twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from annotation.console.pacing import DEFAULT_BURST, DEFAULT_RATE, Pacer, should_report
from annotation.console.records import Broadcast, BroadcastProgress, DeliveryStatus, OutboxEntry
from handlers.broadcast import progress_text, render_message
from handlers.delivery import BEST_EFFORT
from handlers.services import Services

logger = logging.getLogger(__name__)

CONCURRENCY = 8


class Broadcaster:
    """Sends the queued broadcasts; :meth:`kick` starts it, :meth:`stop` ends it cleanly."""

    def __init__(self, bot: Bot, services: Services, *, rate: float = DEFAULT_RATE,
                 burst: float = DEFAULT_BURST, concurrency: int = CONCURRENCY,
                 clock: Callable[[], float] = time.monotonic,
                 turn: Callable[[], Awaitable[None]] | None = None) -> None:
        self._bot = bot
        self._turn = turn  # waits for the outgoing budget's bulk turn (None: no budget)
        self._services = services
        self._rate = rate
        self._burst = burst
        self._concurrency = concurrency
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    @property
    def running(self) -> bool:
        """Return whether a sender task is working."""
        return self._task is not None and not self._task.done()

    def kick(self) -> None:
        """Start the sender unless it is already running (or stopping)."""
        if not self.running and not self._stopping.is_set():
            self._task = asyncio.create_task(self._run(), name="broadcaster")

    async def stop(self) -> None:
        """Let the messages in flight finish and record them, then stop."""
        self._stopping.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            queued = await self._services.broadcasts.sending()
            if not queued:
                return
            for broadcast in queued:
                await self._send(broadcast)
                if self._stopping.is_set():
                    return

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _wait_turn(self) -> None:
        """Wait for the budget's bulk turn, or for :meth:`stop`."""
        if self._turn is None:
            return
        turn = asyncio.ensure_future(self._turn())
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({turn, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (turn, stopping):
                waiter.cancel()
            await asyncio.gather(turn, stopping, return_exceptions=True)

    async def _send(self, broadcast: Broadcast) -> None:
        service = self._services.broadcasts
        run = _Run(broadcast, await service.progress(broadcast.id),
                   Pacer(self._rate, self._burst, self._clock()),
                   await service.project_name(broadcast.audience.project_id))
        slots = asyncio.Semaphore(self._concurrency)
        while not self._stopping.is_set():
            in_flight: set[asyncio.Task[None]] = set()
            while not self._stopping.is_set():
                while (wait := run.pacer.delay(self._clock())) > 0 and not self._stopping.is_set():
                    await self._pause(wait)
                await slots.acquire()
                await self._wait_turn()
                if self._stopping.is_set():
                    slots.release()
                    break
                recipient = await service.claim(broadcast.id)
                if recipient is None:
                    slots.release()
                    break
                run.pacer.take(self._clock())
                task = asyncio.create_task(self._deliver(run, recipient, slots))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                await self._report(run)
            await asyncio.gather(*in_flight)
            run.progress = await service.progress(broadcast.id)
            if run.progress.finished:
                await service.finish(broadcast.id)
                await self._report(run, final=True)
                return

    async def _deliver(self, run: _Run, recipient: OutboxEntry, slots: asyncio.Semaphore) -> None:
        try:
            status = await self._call(run, recipient)
        finally:
            slots.release()
        await self._services.broadcasts.settle(recipient, status)
        if status is not DeliveryStatus.PENDING:
            run.progress = run.progress.plus(status)

    async def _call(self, run: _Run, recipient: OutboxEntry) -> DeliveryStatus:
        broadcast = run.broadcast
        try:
            if broadcast.photo_file_id:
                await self._bot.send_photo(recipient.annotator_id, broadcast.photo_file_id,
                                           caption=broadcast.text or None,
                                           rate_limit_args=BEST_EFFORT)  # type: ignore[call-arg]
            else:
                text = render_message(broadcast, recipient, run.project_name,
                                      self._services.catalogs.get(recipient.language))
                await self._bot.send_message(recipient.annotator_id, text,
                                             rate_limit_args=BEST_EFFORT)  # type: ignore[call-arg]
        except RetryAfter as exc:
            delay = exc.retry_after
            seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
            logger.warning("broadcast %d: 429, holding %.1f s", broadcast.id, seconds)
            run.pacer.hold(self._clock(), seconds)
            return DeliveryStatus.PENDING
        except Forbidden:
            return DeliveryStatus.BLOCKED
        except BadRequest as exc:
            logger.info("broadcast %d to %d failed: %s", broadcast.id, recipient.annotator_id,
                        exc.message)
            return DeliveryStatus.FAILED
        except NetworkError:  # maybe delivered, maybe not: at most once, so never again
            return DeliveryStatus.UNCERTAIN
        except TelegramError as exc:
            logger.warning("broadcast %d to %d: %s", broadcast.id, recipient.annotator_id, exc)
            return DeliveryStatus.FAILED
        return DeliveryStatus.SENT

    async def _report(self, run: _Run, final: bool = False) -> None:
        now = self._clock()
        broadcast = run.broadcast
        if broadcast.progress_chat is None or broadcast.progress_message is None \
                or not should_report(run.reported_at, now, final):
            return
        run.reported_at = now
        creator = broadcast.created_by
        annotator = await self._services.onboarding.get(creator) if creator else None
        t = self._services.catalogs.get(annotator.language if annotator else "en")
        with contextlib.suppress(BadRequest, RetryAfter, NetworkError):
            await self._bot.edit_message_text(
                progress_text(run.progress, t, final), chat_id=broadcast.progress_chat,
                message_id=broadcast.progress_message,
                rate_limit_args=BEST_EFFORT)  # type: ignore[call-arg]


class _Run:
    """What the sender tracks for the broadcast it is sending."""

    def __init__(self, broadcast: Broadcast, progress: BroadcastProgress, pacer: Pacer,
                 project_name: str) -> None:
        self.broadcast = broadcast
        self.progress = progress
        self.pacer = pacer
        self.project_name = project_name
        self.reported_at: float | None = None

