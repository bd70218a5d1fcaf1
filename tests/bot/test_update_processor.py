"""The update processor: order per sender, no shared slot while waiting, bounded backlogs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from telegram import CallbackQuery, Chat, Message, Update, User

from bot.update_processor import BacklogPolicy, PerUserUpdateProcessor, SenderBudget
from tests.clocks import FakeMonotonic

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def text_update(update_id: int, sender: int) -> Update:
    user = User(sender, "Sender", is_bot=False)
    message = Message(update_id, NOW, Chat(sender, Chat.PRIVATE), from_user=user, text="hi")
    return Update(update_id, message=message)


def tap_update(update_id: int, sender: int) -> Update:
    user = User(sender, "Sender", is_bot=False)
    query = CallbackQuery(str(update_id), user, chat_instance="c", data="a:1:1:0")
    return Update(update_id, callback_query=query)


class Handlers:
    """Coroutines standing in for handlers; each records when it ran."""

    def __init__(self) -> None:
        self.ran: list[int] = []
        self.release = asyncio.Event()
        self.blocked: set[int] = set()

    async def handle(self, update_id: int) -> None:
        self.ran.append(update_id)
        if update_id in self.blocked:
            await self.release.wait()


def spawn(processor: PerUserUpdateProcessor, update: Update, handlers: Handlers
          ) -> asyncio.Task[None]:
    return asyncio.create_task(processor.process_update(update,
                                                        handlers.handle(update.update_id)))


async def settle() -> None:
    """Let every ready task run until none is left to start."""
    for _ in range(50):
        await asyncio.sleep(0)


def processor_with(policy: BacklogPolicy, *, slots: int = 4,
                   running: Callable[[], bool] = lambda: True
                   ) -> tuple[PerUserUpdateProcessor, list[Update]]:
    processor = PerUserUpdateProcessor(slots, policy, clock=FakeMonotonic())
    overflowed: list[Update] = []

    async def on_overflow(update: Update) -> None:
        overflowed.append(update)

    processor.watch(running, on_overflow)
    return processor, overflowed


async def test_waiting_updates_hold_no_shared_slot() -> None:
    """A sender stuck in a handler with a long queue cannot take others' slots."""
    processor, _ = processor_with(BacklogPolicy(rate=0, burst=1000, backlog=1000), slots=2)
    handlers = Handlers()
    handlers.blocked = {1}
    tasks = [spawn(processor, text_update(n, 7), handlers) for n in range(1, 301)]
    await settle()
    honest = [spawn(processor, tap_update(1000 + n, 100 + n), handlers) for n in range(5)]
    await asyncio.wait_for(asyncio.gather(*honest), 5)
    assert handlers.ran == [1, 1000, 1001, 1002, 1003, 1004]
    handlers.release.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert handlers.ran[6:] == list(range(2, 301))  # the sender's order is kept


async def test_a_senders_backlog_is_bounded_and_taps_are_never_dropped() -> None:
    processor, overflowed = processor_with(BacklogPolicy(rate=0, burst=1000, backlog=3))
    handlers = Handlers()
    handlers.blocked = {1}
    tasks = [spawn(processor, text_update(n, 7), handlers) for n in range(1, 11)]
    taps = [spawn(processor, tap_update(n, 7), handlers) for n in range(11, 16)]
    await settle()
    assert [u.update_id for u in overflowed] == [5, 6, 7, 8, 9, 10]
    assert processor.dropped == 6
    handlers.release.set()
    await asyncio.wait_for(asyncio.gather(*tasks, *taps), 5)
    assert handlers.ran == [1, 2, 3, 4, 11, 12, 13, 14, 15]


async def test_a_sender_is_admitted_at_its_rate() -> None:
    clock = FakeMonotonic()
    processor = PerUserUpdateProcessor(4, BacklogPolicy(rate=1.0, burst=3, backlog=100),
                                       clock=clock)
    handlers = Handlers()
    for n in range(1, 11):
        await processor.process_update(text_update(n, 7), handlers.handle(n))
    assert handlers.ran == [1, 2, 3]
    clock.now += 2.0
    for n in range(11, 21):
        await processor.process_update(text_update(n, 7), handlers.handle(n))
    assert handlers.ran == [1, 2, 3, 11, 12]
    await processor.process_update(text_update(21, 8), handlers.handle(21))
    assert handlers.ran[-1] == 21  # another sender has its own budget


async def test_stopping_drops_waiting_messages_but_handles_waiting_taps() -> None:
    running = True
    processor, overflowed = processor_with(BacklogPolicy(rate=0, burst=1000, backlog=1000),
                                           running=lambda: running)
    handlers = Handlers()
    handlers.blocked = {1}
    tasks = [spawn(processor, text_update(n, 7), handlers) for n in range(1, 501)]
    tasks.append(spawn(processor, tap_update(501, 7), handlers))
    await settle()
    running = False
    late = spawn(processor, text_update(502, 7), handlers)
    handlers.release.set()
    await asyncio.wait_for(asyncio.gather(*tasks, late), 5)
    assert handlers.ran == [1, 501]
    assert overflowed == []  # nobody is told to slow down while the bot stops


async def test_updates_without_a_sender_still_run() -> None:
    processor, _ = processor_with(BacklogPolicy())
    handlers = Handlers()
    await processor.process_update(object(), handlers.handle(1))
    assert handlers.ran == [1]


@pytest.mark.parametrize(("rate", "burst", "elapsed", "refilled"),
                         [(1.0, 3, 0.0, 0), (1.0, 3, 1.5, 1), (2.0, 5, 10.0, 5), (0.0, 2, 99, 0)])
def test_sender_budget(rate: float, burst: int, elapsed: float, refilled: int) -> None:
    """A full bucket admits ``burst`` at once, then what the rate has refilled."""
    clock = FakeMonotonic()
    budget = SenderBudget(BacklogPolicy(rate=rate, burst=burst), clock)
    assert sum(budget.allow(1) for _ in range(burst + 5)) == burst
    clock.now += elapsed
    assert sum(budget.allow(1) for _ in range(20)) == refilled
