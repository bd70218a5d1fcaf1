"""The outgoing budget: interactive requests first, bulk ones back off, 429 retries."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.rate_limiter import (
    ChatRateLimiter,
    OutgoingBudget,
    OutgoingLimits,
    Traffic,
)
from handlers.delivery import BEST_EFFORT, UNTIL_DELIVERED

LIMITS = OutgoingLimits(global_per_second=10.0, global_burst=4.0, reserve=2.0)


def test_bulk_leaves_the_reserve_to_interactive_requests() -> None:
    budget = OutgoingBudget(LIMITS, now=0.0)
    budget.take_global(0.0, 2)  # 2 tokens left: exactly the reserve
    assert budget.bulk_delay(0.0) == pytest.approx(0.1)  # one more token
    assert budget.bulk_delay(0.1) == 0.0


def test_a_429_holds_bulk_traffic() -> None:
    budget = OutgoingBudget(LIMITS, now=0.0)
    budget.hold_bulk(0.0, 3.0)
    assert budget.bulk_delay(1.0) == pytest.approx(2.0)
    assert budget.bulk_delay(3.0) == 0.0


def test_interactive_spending_delays_bulk_and_its_debt_is_capped() -> None:
    budget = OutgoingBudget(LIMITS, now=0.0)
    for _ in range(100):  # a rush of taps: far more than the bucket holds
        budget.take_global(0.0)
    # the debt stops at one bucket: 4 tokens owed, then 3 to gather, at 10 per second
    assert budget.bulk_delay(0.0) == pytest.approx(0.7)


@pytest.mark.parametrize(("chat", "traffic", "burst", "rate"), [
    (5, Traffic.SEND, 3, 1.0),  # a private chat: 1 message per second, 3 at once
    (-5, Traffic.SEND, 5, 20 / 60),  # a group: 20 per minute
    (5, Traffic.EDIT, 10, 3.0),  # edits have their own bucket
])
def test_chat_buckets(chat: int, traffic: Traffic, burst: int, rate: float) -> None:
    budget = OutgoingBudget(OutgoingLimits(), now=0.0)
    for _ in range(burst):
        assert budget.chat_delay(chat, traffic, 0.0) == 0.0
        budget.take_chat(chat, traffic, 0.0)
    assert budget.chat_delay(chat, traffic, 0.0) == pytest.approx(1 / rate)
    assert budget.chat_delay(chat + 1, traffic, 0.0) == 0.0  # other chats are not held


def test_the_reserve_must_leave_a_token() -> None:
    with pytest.raises(ValueError, match="reserve"):
        OutgoingBudget(OutgoingLimits(global_burst=5.0, reserve=5.0), now=0.0)


class Calls:
    """A fake Bot API: records the order requests went out, refuses some with 429."""

    def __init__(self, refusals: int = 0) -> None:
        self.sent: list[str] = []
        self.attempts = 0
        self._refusals = refusals

    async def __call__(self, name: str) -> bool:
        self.attempts += 1
        if self._refusals > 0:
            self._refusals -= 1
            raise RetryAfter(0)
        self.sent.append(name)
        return True


async def _request(limiter: ChatRateLimiter, calls: Calls, name: str, chat: int,
                   retries: Any = None, endpoint: str = "sendMessage") -> Any:
    return await limiter.process_request(calls, (name,), {}, endpoint, {"chat_id": chat},
                                         retries)


async def test_interactive_requests_go_before_waiting_bulk_ones() -> None:
    limiter = ChatRateLimiter(limits=LIMITS)
    calls = Calls()
    await _request(limiter, calls, "first", 1)
    await _request(limiter, calls, "second", 2)  # the bucket is down to the reserve
    bulk = [asyncio.create_task(_request(limiter, calls, f"b{i}", 10 + i, BEST_EFFORT))
            for i in range(3)]
    await asyncio.sleep(0)  # the broadcast's messages queue first...
    interactive = [asyncio.create_task(_request(limiter, calls, f"i{i}", 20 + i))
                   for i in range(4)]
    await asyncio.gather(*bulk, *interactive)
    assert calls.sent == ["first", "second", "i0", "i1", "i2", "i3", "b0", "b1", "b2"]


async def test_interactive_requests_never_wait_for_the_budget() -> None:
    """However many taps arrive at once, none waits: the bot's capacity is Telegram's."""
    limiter = ChatRateLimiter(limits=LIMITS, clock=lambda: 0.0)  # time stands still
    calls = Calls()
    taps = [_request(limiter, calls, f"tap {i}", i % 3, None, "editMessageText")
            for i in range(50)]
    await asyncio.wait_for(asyncio.gather(*taps), 5)
    assert len(calls.sent) == 50


async def test_the_bulk_turn_waits_while_taps_spend_the_budget() -> None:
    limiter = ChatRateLimiter(limits=LIMITS)
    calls = Calls()
    await limiter.bulk_turn()  # a full bucket: the broadcaster may claim a row at once
    for i in range(6):
        await _request(limiter, calls, f"tap {i}", i)
    turn = asyncio.create_task(limiter.bulk_turn())
    await asyncio.sleep(0)
    assert not turn.done()  # the taps spent what the broadcast would have taken
    await asyncio.wait_for(turn, 5)


async def test_best_effort_is_never_retried() -> None:
    calls = Calls(refusals=1)
    with pytest.raises(RetryAfter):
        await _request(ChatRateLimiter(), calls, "spam reply", 1, BEST_EFFORT)
    assert calls.attempts == 1


async def test_a_task_is_retried_until_telegram_takes_it() -> None:
    calls = Calls(refusals=6)
    assert await _request(ChatRateLimiter(max_retries=3), calls, "task", 1, UNTIL_DELIVERED,
                          "editMessageText")
    assert calls.attempts == 7 and calls.sent == ["task"]


async def test_the_default_gives_up_after_max_retries() -> None:
    calls = Calls(refusals=6)
    with pytest.raises(RetryAfter):
        await _request(ChatRateLimiter(max_retries=2), calls, "reply", 1)
    assert calls.attempts == 3


def test_the_delivery_constants_survive_ptb() -> None:
    """PTB drops a falsy rate_limit_args: 0 retries must still be truthy."""
    assert BEST_EFFORT == 0 and bool(BEST_EFFORT)
    assert UNTIL_DELIVERED < 0
