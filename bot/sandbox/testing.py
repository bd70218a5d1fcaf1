"""Helpers for tests and benchmarks: start a sandbox, bind a PTB Application, run it.

    async with running_sandbox(flood_control=False) as server:
        app = application_builder(server).build()
        app.add_handler(CommandHandler("start", cmd_start))
        async with running_application(app, mode="polling"):
            user = server.user(1001)
            await user.send_command("start")
            await user.wait_for(lambda m: "Welcome" in (m.text or ""))
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

from telegram.ext import Application, ApplicationBuilder

from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import SandboxServer
from bot.sandbox.signals import Signal

Mode = Literal["polling", "webhook"]


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def running_sandbox(config: SandboxConfig | None = None, **overrides: Any
                          ) -> AsyncIterator[SandboxServer]:
    """Start a sandbox on a free loopback port (fields of SandboxConfig as overrides)."""
    config = dataclasses.replace(config or SandboxConfig(), **overrides)
    server = SandboxServer(config)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def application_builder(server: SandboxServer) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """Return an ApplicationBuilder already pointed at the sandbox (token and URLs)."""
    return (Application.builder().token(server.token).base_url(server.base_url)
            .base_file_url(server.base_file_url))


@contextlib.asynccontextmanager
async def running_application(
    app: Application[Any, Any, Any, Any, Any, Any],
    *,
    mode: Mode = "polling",
    secret_token: str | None = None,
    poll_timeout: int = 10,
    allowed_updates: list[str] | None = None,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Initialize and start ``app`` with polling or a loopback webhook; stop it afterwards."""
    await app.initialize()
    await app.start()
    updater = app.updater
    assert updater is not None, "build the Application with an Updater"
    try:
        if mode == "polling":
            await updater.start_polling(poll_interval=0.0, timeout=poll_timeout,
                                        allowed_updates=allowed_updates)
        else:
            port = free_port()
            path = f"hook{secrets.token_hex(4)}"
            await updater.start_webhook(
                listen="127.0.0.1", port=port, url_path=path,
                webhook_url=f"http://127.0.0.1:{port}/{path}",
                secret_token=secret_token or secrets.token_urlsafe(16),
                allowed_updates=allowed_updates)
        yield app
    finally:
        if updater.running:
            await updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0,  # noqa: ASYNC109
                     interval: float = 0.005, what: str = "condition") -> None:
    """Poll ``predicate`` until it holds; raise TimeoutError after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() >= deadline:
            raise TimeoutError(f"{what} not reached within {timeout}s")
        await asyncio.sleep(interval)


class Recorder:
    """Collects what a bot handler saw; tests await a count instead of sleeping."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._signal = Signal()

    def add(self, item: Any) -> None:
        """Record one item and wake waiters."""
        self.items.append(item)
        self._signal.notify()

    async def wait_count(self, count: int, timeout: float = 5.0) -> list[Any]:  # noqa: ASYNC109
        """Wait until at least ``count`` items were recorded; return them."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.items) < count:
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self._signal.wait(remaining):
                raise TimeoutError(f"only {len(self.items)} of {count} items: {self.items}")
        return self.items
