"""Flood control: token buckets per private chat, group and edits, with a frozen clock."""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import RetryAfter

from bot.sandbox import FloodLimits, SandboxConfig, SandboxServer
from bot.sandbox.flood import FloodControl, Traffic
from bot.sandbox.testing import running_sandbox
from tests.clocks import FakeMonotonic
from tests.sandbox.samples import call_api


@pytest.fixture
def clock() -> FakeMonotonic:
    """Return a frozen clock."""
    return FakeMonotonic(1000.0)


@pytest.fixture
async def flood_server(clock: FakeMonotonic) -> AsyncIterator[SandboxServer]:
    """Yield a sandbox with Telegram's default flood limits and a frozen clock."""
    async with running_sandbox(SandboxConfig(clock=clock)) as server:
        yield server


async def test_private_chat_burst_then_429(flood_server: SandboxServer, clock: FakeMonotonic
                                           ) -> None:
    flood_server.user(1)
    async with Bot(flood_server.token, base_url=flood_server.base_url) as bot:
        for n in range(3):
            await bot.send_message(1, f"burst {n}")
        with pytest.raises(RetryAfter) as refused:
            await bot.send_message(1, "one too many")
        assert refused.value.retry_after == dtm.timedelta(seconds=1)
        assert flood_server.stats.flood_refusals == 1
        assert len(flood_server.user(1).messages) == 3
        clock.now += 1.0
        await bot.send_message(1, "after waiting")


async def test_429_shape_on_the_wire(flood_server: SandboxServer) -> None:
    flood_server.user(1)
    for _ in range(3):
        await call_api(flood_server, "sendMessage", form={"chat_id": "1", "text": "x"})
    status, body = await call_api(flood_server, "sendMessage", form={"chat_id": "1",
                                                                       "text": "x"})
    assert status == 429
    assert body == {"ok": False, "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1}}


async def test_callback_answers_and_chat_actions_are_not_limited(flood_server: SandboxServer
                                                                 ) -> None:
    user = flood_server.user(1)
    async with Bot(flood_server.token, base_url=flood_server.base_url) as bot:
        await bot.send_message(1, "q", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("A", callback_data="a")]]))
        for _ in range(10):
            await bot.answer_callback_query(await user.tap("A"))
            await bot.send_chat_action(1, "typing")
    assert flood_server.stats.flood_refusals == 0


async def test_edits_have_their_own_bucket(flood_server: SandboxServer, clock: FakeMonotonic
                                           ) -> None:
    flood_server.user(1)
    async with Bot(flood_server.token, base_url=flood_server.base_url) as bot:
        sent = await bot.send_message(1, "v0")
        for n in range(1, 11):  # edit burst is 10, independent of the send bucket
            await bot.edit_message_text(f"v{n}", 1, sent.message_id)
        with pytest.raises(RetryAfter):
            await bot.edit_message_text("v11", 1, sent.message_id)
        await bot.send_message(1, "sends still allowed")


def test_group_limit_is_per_minute(clock: FakeMonotonic) -> None:
    flood = FloodControl(FloodLimits(), clock)
    assert [flood.admit(-5, True, Traffic.SEND) for _ in range(5)] == [None] * 5
    assert flood.admit(-5, True, Traffic.SEND) == 3  # 20/min: a token every 3 s
    clock.now += 3.0
    assert flood.admit(-5, True, Traffic.SEND) is None


def test_global_limit_across_chats(clock: FakeMonotonic) -> None:
    flood = FloodControl(FloodLimits(global_per_second=30, global_burst=30), clock)
    assert all(flood.admit(chat, False, Traffic.SEND) is None for chat in range(30))
    assert flood.admit(99, False, Traffic.SEND) == 1


def test_rates_are_configurable(clock: FakeMonotonic) -> None:
    flood = FloodControl(FloodLimits(private_per_second=0.5, private_burst=1), clock)
    assert flood.admit(1, False, Traffic.SEND) is None
    assert flood.admit(1, False, Traffic.SEND) == 2


async def test_flood_control_can_be_switched_off(flood_server: SandboxServer) -> None:
    flood_server.user(1)
    flood_server.set_flood_control(False)
    async with Bot(flood_server.token, base_url=flood_server.base_url) as bot:
        for n in range(20):
            await bot.send_message(1, f"fast {n}")
    assert flood_server.stats.flood_refusals == 0
