"""Fault injection: errors, delays, lost responses, lost and replayed updates, webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.sandbox import Faults, SandboxServer
from bot.sandbox.config import SandboxConfig
from bot.sandbox.faults import FaultInjector
from bot.sandbox.testing import (
    Recorder,
    application_builder,
    free_port,
    running_application,
    running_sandbox,
    wait_until,
)

CHAT = 7


def echo_app(server: SandboxServer, seen: Recorder) -> object:
    """Build an Application recording every text message it handles."""
    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        seen.add((update.update_id, update.message.text))

    app = application_builder(server).build()
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    return app


async def test_error_rate_answers_500_or_502(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    sandbox.user(CHAT)
    sandbox.set_faults(Faults(error_rate=1.0, methods=frozenset({"sendMessage"})))
    with pytest.raises(NetworkError, match=r"Internal Server Error|Bad Gateway"):
        await sandbox_bot.send_message(CHAT, "lost")
    assert sandbox.stats.log[-1].status in (500, 502)
    assert sandbox.user(CHAT).messages == []
    await sandbox_bot.get_me()  # other methods are untouched


async def test_delay_makes_client_time_out(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    sandbox.user(CHAT)
    sandbox.set_faults(Faults(delay_rate=1.0, delay_seconds=30.0,
                              methods=frozenset({"sendMessage"})))
    with pytest.raises(TimedOut):
        await sandbox_bot.send_message(CHAT, "slow", read_timeout=0.2)
    assert sandbox.stats.faults_injected == 1


async def test_lost_response_after_the_message_was_sent(sandbox: SandboxServer,
                                                        sandbox_bot: Bot) -> None:
    sandbox.user(CHAT)
    sandbox.set_faults(Faults(drop_response_rate=1.0, limit=1))
    with pytest.raises(NetworkError):
        await sandbox_bot.send_message(CHAT, "did it arrive?")
    assert [m.text for m in sandbox.user(CHAT).messages] == ["did it arrive?"]
    assert sandbox.stats.dropped_responses == 1
    await sandbox_bot.send_message(CHAT, "limit reached, answered normally")


async def test_lost_get_updates_response_is_asked_again(sandbox: SandboxServer) -> None:
    seen = Recorder()
    sandbox.set_faults(Faults(drop_update_rate=1.0, limit=1))
    async with running_application(echo_app(sandbox, seen)):  # type: ignore[arg-type]
        await sandbox.user(CHAT).send_text("hello")
        assert await seen.wait_count(1) == [(1, "hello")]
        await sandbox.user(CHAT).send_text("again")
        await seen.wait_count(2)
    assert seen.items == [(1, "hello"), (2, "again")]  # lost, re-asked, handled once
    assert sandbox.stats.dropped_responses == 1


async def test_redeliver_confirmed_updates(sandbox: SandboxServer) -> None:
    seen = Recorder()
    sandbox.set_faults(Faults(redeliver_confirmed=True))
    async with running_application(echo_app(sandbox, seen)):  # type: ignore[arg-type]
        await sandbox.user(CHAT).send_text("twice")
        assert await seen.wait_count(2) == [(1, "twice"), (1, "twice")]


async def test_seeded_faults_are_reproducible() -> None:
    faults = Faults(error_rate=0.3, delay_rate=0.3, delay_seconds=1, drop_response_rate=0.3)
    injectors = [FaultInjector(faults, seed=42), FaultInjector(faults, seed=42)]
    plans = [[injector.plan("sendMessage") for _ in range(50)] for injector in injectors]
    assert plans[0] == plans[1]
    assert {p.error_status for p in plans[0]} == {0, 500, 502}


@pytest.fixture
async def hook_port() -> AsyncIterator[int]:
    """Yield a free port for a webhook receiver."""
    yield free_port()


async def test_webhook_retries_until_the_bot_listens(sandbox: SandboxServer, hook_port: int
                                                     ) -> None:
    received = Recorder()

    async def receive(request: web.Request) -> web.Response:
        received.add((request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                      await request.json()))
        return web.Response()

    async with Bot(sandbox.token, base_url=sandbox.base_url) as bot:
        await bot.set_webhook(f"http://127.0.0.1:{hook_port}/hook", secret_token="s3cret")
        await sandbox.user(CHAT).send_text("are you there?")
        await wait_until(lambda: sandbox.stats.webhook_failures >= 2, what="push failures")
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 1
        assert info.last_error_message is not None
        assert info.last_error_message.startswith("Connection failed")

        app = web.Application()
        app.router.add_post("/hook", receive)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", hook_port).start()
        try:
            (secret, update), = await received.wait_count(1)
        finally:
            await runner.cleanup()
        assert secret == "s3cret"
        assert update["message"]["text"] == "are you there?"
        await wait_until(lambda: len(sandbox.state.updates) == 0, what="confirmation")


async def test_webhook_lost_push_is_delivered_again() -> None:
    seen = Recorder()
    config = SandboxConfig(flood_control=False, faults=Faults(drop_update_rate=1.0, limit=1))
    async with running_sandbox(config) as server, running_application(
            echo_app(server, seen), mode="webhook"):  # type: ignore[arg-type]
        await server.user(CHAT).send_text("dup")
        assert await seen.wait_count(2) == [(1, "dup"), (1, "dup")]
