"""The ``annobot sandbox`` entry point."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from telegram import Bot

from bot.config import load_config
from bot.sandbox.cli import build_parser, config_from_args, serve_forever
from bot.sandbox.testing import free_port


def test_arguments_build_the_config() -> None:
    args = build_parser().parse_args(["--port", "9999", "--no-flood-control",
                                      "--error-rate", "0.1"])
    config = config_from_args(args)
    assert (config.port, config.flood_control, config.faults.error_rate) == (9999, False, 0.1)
    assert config.allow_http_web_apps  # the test environment's rule
    https = config_from_args(build_parser().parse_args(["--https-web-apps"]))
    assert not https.allow_http_web_apps


async def test_serve_forever_answers_a_bot(capsys: pytest.CaptureFixture[str]) -> None:
    config = config_from_args(build_parser().parse_args(["--port", str(free_port())]))
    ready = asyncio.Event()
    task = asyncio.create_task(serve_forever(config, ready))
    await asyncio.wait_for(ready.wait(), 5)
    try:
        base_url = f"http://127.0.0.1:{config.port}/bot"
        async with Bot(config.token, base_url=base_url) as bot:
            assert bot.username == "annobot_sandbox_bot"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    out = capsys.readouterr().out
    root = f"http://127.0.0.1:{config.port}"
    assert f"annobot run --api-url {root} --token {config.token}" in out and "getMe=1" in out
    # the printed line is one `annobot run` accepts, and it points at this server
    settings = load_config(token=config.token, admins="", database=None, api_url=root,
                           environ={})
    assert settings.base_url == base_url
