"""getFile for voice and audio: the 20 MB limit, expiring links, file_id checks on resend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from typing import Any

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, InvalidToken

from bot.sandbox import SandboxConfig, SandboxServer
from bot.sandbox.config import MIB
from bot.sandbox.testing import running_sandbox
from tests.clocks import FakeMonotonic
from tests.sandbox.samples import png_bytes, wav_bytes


async def refusal(server: SandboxServer, call: Awaitable[Any]) -> str:
    """Await a Bot API call that must fail with BadRequest; return the server's description."""
    with pytest.raises(BadRequest):
        await call
    description = server.stats.log[-1].description
    assert description is not None
    return description


async def test_get_file_refuses_files_over_20_mb(sandbox: SandboxServer, sandbox_bot: Bot
                                                 ) -> None:
    user = sandbox.user(1)
    await user.send_audio(bytes(20 * MIB), filename="limit.mp3")
    await user.send_audio(bytes(20 * MIB + 1), filename="over.mp3")
    at_limit, over = await sandbox_bot.get_updates()
    assert over.message is not None and over.message.audio is not None
    assert over.message.audio.file_size == 20 * MIB + 1  # the bot still sees it, and its size
    assert await refusal(sandbox, over.message.audio.get_file()) == (
        "Bad Request: file is too big")
    assert at_limit.message is not None and at_limit.message.audio is not None
    file = await at_limit.message.audio.get_file()
    assert file.file_size == 20 * MIB


@pytest.fixture
def clock() -> FakeMonotonic:
    """Return a frozen clock."""
    return FakeMonotonic(1000.0)


@pytest.fixture
async def hourly(clock: FakeMonotonic) -> AsyncIterator[SandboxServer]:
    """Yield a sandbox whose download links live an hour of ``clock``, as Telegram's do."""
    async with running_sandbox(SandboxConfig(flood_control=False, clock=clock)) as server:
        yield server


async def test_links_expire_after_an_hour(hourly: SandboxServer, clock: FakeMonotonic
                                          ) -> None:
    assert hourly.config.file_link_ttl == 3600.0
    user = hourly.user(1)
    note = wav_bytes(1)
    await user.send_voice(note)
    async with Bot(hourly.token, base_url=hourly.base_url,
                   base_file_url=hourly.base_file_url) as bot:
        (update,) = await bot.get_updates()
        assert update.message is not None and update.message.voice is not None
        kept = await update.message.voice.get_file()
        clock.advance(3600)
        assert bytes(await kept.download_as_bytearray()) == note  # still within the hour
        clock.advance(1)
        with pytest.raises(InvalidToken):  # PTB's name for a 404
            await kept.download_as_bytearray()
        assert (hourly.stats.downloads, hourly.stats.expired_downloads) == (1, 1)
        fresh = await bot.get_file(update.message.voice.file_id)  # getFile again renews it
        assert fresh.file_path == kept.file_path
        assert bytes(await fresh.download_as_bytearray()) == note


async def test_a_path_getfile_never_issued_is_not_served(sandbox: SandboxServer) -> None:
    user = sandbox.user(1)
    await user.send_voice(wav_bytes(1))
    stored = sandbox.state.files.get(user.chat.user_messages[1]["voice"]["file_id"])
    assert stored is not None
    url = f"{sandbox.base_file_url}{sandbox.token}/{stored.path}"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 404
        assert await response.json() == {"ok": False, "error_code": 404,
                                          "description": "Not Found"}
    assert sandbox.stats.expired_downloads == 1


async def test_links_can_be_made_to_last(clock: FakeMonotonic) -> None:
    config = SandboxConfig(flood_control=False, clock=clock, file_link_ttl=None)
    async with running_sandbox(config) as server, Bot(
            server.token, base_url=server.base_url, base_file_url=server.base_file_url) as bot:
        await server.user(1).send_voice(b"voice")
        (update,) = await bot.get_updates()
        file = await update.message.voice.get_file()  # type: ignore[union-attr]
        clock.advance(365 * 24 * 3600)
        assert bytes(await file.download_as_bytearray()) == b"voice"


async def test_resending_voice_and_audio_by_file_id(sandbox: SandboxServer, sandbox_bot: Bot
                                                    ) -> None:
    user = sandbox.user(1)
    sandbox.user(2)
    await user.send_voice(wav_bytes(2), duration=4)
    await user.send_audio(b"ID3 track", filename="t.mp3", title="Hira", performer="Ravo",
                          duration=180)
    voice_update, audio_update = await sandbox_bot.get_updates()
    voice = voice_update.message.voice  # type: ignore[union-attr]
    audio = audio_update.message.audio  # type: ignore[union-attr]
    assert voice is not None and audio is not None
    voice_again = (await sandbox_bot.send_voice(2, voice.file_id)).voice
    audio_again = (await sandbox_bot.send_audio(2, audio.file_id)).audio
    assert voice_again is not None and audio_again is not None
    assert (voice_again.file_unique_id, voice_again.duration) == (voice.file_unique_id,
                                                                  voice.duration)
    assert (audio_again.title, audio_again.performer, audio_again.duration) == (
        "Hira", "Ravo", audio.duration)
    assert sandbox.stats.uploads == 0


@pytest.mark.parametrize(("method", "kind", "expected"), [
    ("send_voice", "bad", "wrong file identifier/HTTP URL specified"),
    ("send_audio", "bad", "wrong file identifier/HTTP URL specified"),
    ("send_audio", "voice", "type of file mismatch"),
    ("send_voice", "audio", "type of file mismatch"),
    ("send_document", "voice", "type of file mismatch"),
    ("send_photo", "voice", "can't use file of type Voice as Photo"),
    ("send_voice", "photo", "can't use file of type Photo as Voice"),
])
async def test_resend_checks_the_file_id(sandbox: SandboxServer, sandbox_bot: Bot,
                                         method: str, kind: str, expected: str) -> None:
    user = sandbox.user(1)
    await user.send_voice(wav_bytes(1))
    await user.send_audio(wav_bytes(1), filename="a.wav")
    await user.send_photo(png_bytes())
    voice_update, audio_update, photo_update = await sandbox_bot.get_updates()
    file_ids = {
        "bad": "AwACAgIAAxkBAAnotAFileId",
        "voice": voice_update.message.voice.file_id,  # type: ignore[union-attr]
        "audio": audio_update.message.audio.file_id,  # type: ignore[union-attr]
        "photo": photo_update.message.photo[-1].file_id,  # type: ignore[union-attr]
    }
    call = getattr(sandbox_bot, method)(1, file_ids[kind])
    assert await refusal(sandbox, call) == f"Bad Request: {expected}"


async def test_a_bot_upload_keeps_its_declared_tags(sandbox: SandboxServer, sandbox_bot: Bot
                                                    ) -> None:
    sandbox.user(1)
    first = await sandbox_bot.send_audio(1, wav_bytes(2), filename="t.wav", duration=7,
                                         title="Hira", performer="Ravo")
    assert first.audio is not None
    again = await sandbox_bot.send_audio(1, first.audio.file_id)
    assert again.audio is not None
    assert (again.audio.duration, again.audio.title, again.audio.performer) == (
        first.audio.duration, "Hira", "Ravo")
    assert first.audio.duration.total_seconds() == 7  # type: ignore[union-attr]
