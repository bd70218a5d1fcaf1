"""Simulated users send stickers and locations as Telegram delivers them, and are refused
what Telegram refuses."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from telegram import Bot

from bot.sandbox import SandboxServer
from bot.sandbox.errors import ApiError
from tests.sandbox.samples import png_bytes


def webp(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 120, 200, 255)).save(out, format="WEBP")
    return out.getvalue()


async def test_a_sticker_arrives_as_a_sticker_the_bot_can_download(
        sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    data = webp(512, 300)
    await user.send_sticker(data, emoji="🎉")
    (update,) = await sandbox_bot.get_updates()
    sticker = update.message.sticker  # type: ignore[union-attr]
    assert sticker is not None and (sticker.width, sticker.height) == (512, 300)
    assert (sticker.type, sticker.is_animated, sticker.is_video, sticker.emoji) == (
        "regular", False, False, "🎉")
    assert update.message.document is None  # type: ignore[union-attr]
    assert bytes(await (await sandbox_bot.get_file(sticker.file_id))
                 .download_as_bytearray()) == data


@pytest.mark.parametrize(("data", "error"), [
    (png_bytes(), "STICKER_FILE_INVALID"),  # a PNG is not what a user's sticker is
    (b"not an image", "STICKER_FILE_INVALID"),
    (webp(300, 300), "STICKER_PNG_DIMENSIONS"),
    (webp(512, 513), "STICKER_PNG_DIMENSIONS"),
])
async def test_a_sticker_telegram_would_refuse_is_refused(
        sandbox: SandboxServer, sandbox_bot: Bot, data: bytes, error: str) -> None:
    user = sandbox.user(1)
    with pytest.raises(ApiError, match=error):
        await user.send_sticker(data)
    assert await sandbox_bot.get_updates() == ()


async def test_a_location_arrives_and_one_off_the_map_is_refused(
        sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    await user.send_location(-18.8792, 47.5079)
    (update,) = await sandbox_bot.get_updates()
    location = update.message.location  # type: ignore[union-attr]
    assert location is not None and (location.latitude, location.longitude) == (
        -18.8792, 47.5079)
    with pytest.raises(ApiError):
        await user.send_location(91.0, 0.0)
    with pytest.raises(ApiError):
        await user.send_location(0.0, -181.0)
