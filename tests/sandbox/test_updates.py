"""getUpdates semantics: offset confirmation, limit, long-poll timeout, allowed_updates."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, Update
from telegram.error import BadRequest, Conflict

from bot.sandbox import SandboxServer
from bot.sandbox.testing import wait_until
from tests.sandbox.samples import call_api


async def start_long_poll(sandbox: SandboxServer, bot: Bot) -> asyncio.Task[tuple[Update, ...]]:
    """Start a 30-second long poll; return once the sandbox holds it (no sleep, no race)."""
    polls = sandbox.state.poll_generation
    poll = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=40))
    await wait_until(lambda: sandbox.state.poll_generation > polls, timeout=10,
                     what="the long poll reaching the sandbox")
    return poll


async def test_offset_confirms_and_limit_caps(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    for n in range(5):
        await user.send_text(f"m{n}")
    first = await sandbox_bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["m0", "m1"]  # type: ignore[union-attr]
    again = await sandbox_bot.get_updates(limit=2)  # not confirmed: same batch
    assert [u.update_id for u in again] == [u.update_id for u in first]
    rest = await sandbox_bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["m2", "m3", "m4"]  # type: ignore[union-attr]
    assert await sandbox_bot.get_updates(offset=rest[-1].update_id + 1) == ()


async def test_negative_offset_keeps_only_the_latest(sandbox: SandboxServer,
                                                     sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    for n in range(4):
        await user.send_text(f"m{n}")
    updates = await sandbox_bot.get_updates(offset=-1)
    assert [u.message.text for u in updates] == ["m3"]  # type: ignore[union-attr]


async def test_long_poll_returns_when_an_update_arrives(sandbox: SandboxServer,
                                                        sandbox_bot: Bot) -> None:
    poll = await start_long_poll(sandbox, sandbox_bot)  # the update wakes a waiting poll
    await sandbox.user(1).send_text("wake up")
    updates = await asyncio.wait_for(poll, 10)
    assert [u.message.text for u in updates] == ["wake up"]  # type: ignore[union-attr]


async def test_long_poll_times_out_empty(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    assert await sandbox_bot.get_updates(timeout=1) == ()
    assert sandbox.stats.log[-1].params.endswith("timeout=1")


async def test_allowed_updates_filters_types(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    await sandbox_bot.send_message(1, "menu", reply_markup={  # type: ignore[arg-type]
        "inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    await sandbox_bot.get_updates(allowed_updates=["callback_query"])
    await user.send_text("ignored")
    await user.tap("A")
    updates = await sandbox_bot.get_updates()
    assert [u.callback_query is not None for u in updates] == [True]
    await sandbox_bot.get_updates(allowed_updates=[])  # back to the default set
    await user.send_text("seen")
    assert (await sandbox_bot.get_updates())[-1].message.text == "seen"  # type: ignore[union-attr]


async def test_second_poller_terminates_the_first(sandbox: SandboxServer, sandbox_bot: Bot
                                                  ) -> None:
    first = await start_long_poll(sandbox, sandbox_bot)  # waiting before the rival comes
    # PTB's getUpdates pool has one connection, so the rival poller talks plain HTTP
    second = asyncio.create_task(call_api(sandbox, "getUpdates", form={"timeout": "1"}))
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 10)
    assert await second == (200, {"ok": True, "result": []})


async def test_get_updates_refused_while_webhook_is_set(sandbox: SandboxServer,
                                                        sandbox_bot: Bot) -> None:
    await sandbox_bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await sandbox_bot.get_updates()
    info = await sandbox_bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook"
    await sandbox_bot.delete_webhook()
    assert await sandbox_bot.get_updates() == ()


@pytest.mark.parametrize("url", ["http://example.org/hook", "ftp://127.0.0.1/x"])
async def test_webhook_needs_https_except_on_loopback(sandbox: SandboxServer, sandbox_bot: Bot,
                                                      url: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)bad webhook: an https url must be provided"):
        await sandbox_bot.set_webhook(url)


async def test_drop_pending_updates(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    await sandbox.user(1).send_text("old")
    await sandbox_bot.delete_webhook(drop_pending_updates=True)
    assert await sandbox_bot.get_updates() == ()
