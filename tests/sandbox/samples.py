"""Tiny media files built in memory, and raw calls, for the sandbox tests."""

from __future__ import annotations

import io
import wave
from collections.abc import Awaitable
from typing import Any

import aiohttp
import pytest
from PIL import Image
from telegram.error import BadRequest

from bot.sandbox import SandboxServer


def png_bytes(width: int = 400, height: int = 300, color: str = "red") -> bytes:
    """Return a PNG image of the given size."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def wav_bytes(seconds: int = 2, rate: int = 8000) -> bytes:
    """Return a silent mono WAV file lasting ``seconds``."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(b"\x80" * rate * seconds)
    return out.getvalue()


async def call_api(server: SandboxServer, method: str, *, form: dict[str, Any] | None = None,
                   json_body: dict[str, Any] | None = None, http_method: str = "POST",
                   token: str | None = None) -> tuple[int, dict[str, Any]]:
    """Call the sandbox over plain HTTP; return the status and the decoded JSON body."""
    url = f"{server.base_url}{token or server.token}/{method}"
    async with aiohttp.ClientSession() as session, session.request(
            http_method, url, data=form, json=json_body) as response:
        return response.status, await response.json()


async def refusal(server: SandboxServer, call: Awaitable[Any],
                  error: type[Exception] = BadRequest) -> str:
    """Await a Bot API call that must fail with ``error``; return the server's description."""
    with pytest.raises(error):
        await call
    description = server.stats.log[-1].description
    assert description is not None
    return description
