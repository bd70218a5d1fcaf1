"""Pytest fixtures for the sandbox; enable with ``pytest_plugins = ["bot.sandbox.pytest_plugin"]``.

``sandbox_config`` (override it in a conftest to change settings) feeds ``sandbox``, a started
:class:`SandboxServer` on a free loopback port with flood control off; ``sandbox_bot`` is an
initialized ``telegram.Bot`` pointed at it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import SandboxServer
from bot.sandbox.testing import running_sandbox


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """Return the configuration of the ``sandbox`` fixture (flood control off)."""
    return SandboxConfig(flood_control=False)


@pytest.fixture
async def sandbox(sandbox_config: SandboxConfig) -> AsyncIterator[SandboxServer]:
    """Yield a running sandbox server."""
    async with running_sandbox(sandbox_config) as server:
        yield server


@pytest.fixture
async def sandbox_bot(sandbox: SandboxServer) -> AsyncIterator[Bot]:
    """Yield an initialized PTB ``Bot`` talking to the sandbox."""
    bot = Bot(sandbox.token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url)
    async with bot:
        yield bot
