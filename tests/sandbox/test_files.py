"""Files: uploads counted once, file_id reuse, getFile and download, media metadata."""

from __future__ import annotations

import datetime as dtm

from telegram import Bot

from bot.sandbox import SandboxServer
from tests.sandbox.samples import png_bytes, wav_bytes


def seconds(n: int) -> dtm.timedelta:
    """Return ``n`` seconds as PTB reports durations."""
    return dtm.timedelta(seconds=n)


async def test_file_id_reuse_is_not_an_upload(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    sandbox.user(1)
    image = png_bytes()
    first = await sandbox_bot.send_photo(1, image)
    assert (sandbox.stats.uploads, sandbox.stats.uploaded_bytes) == (1, len(image))
    again = await sandbox_bot.send_photo(1, first.photo[-1].file_id)
    assert sandbox.stats.uploads == 1
    assert again.photo[-1].file_id == first.photo[-1].file_id


async def test_get_file_and_download(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    await sandbox.user(1).send_document(b"id,label\n1,cat\n", "labels.csv", caption="data")
    (update,) = await sandbox_bot.get_updates()
    document = update.message.document  # type: ignore[union-attr]
    assert (document.file_name, document.mime_type, document.file_size) == (  # type: ignore[union-attr]
        "labels.csv", "text/csv", 15)
    file = await document.get_file()  # type: ignore[union-attr]
    assert file.file_path.startswith(sandbox.base_file_url)  # type: ignore[union-attr]
    assert bytes(await file.download_as_bytearray()) == b"id,label\n1,cat\n"
    assert sandbox.stats.downloads == 1


async def test_bot_upload_round_trip(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    sandbox.user(1)
    sent = await sandbox_bot.send_document(1, b"\x00\x01binary", filename="blob.bin")
    file = await sandbox_bot.get_file(sent.document.file_id)  # type: ignore[union-attr]
    assert bytes(await file.download_as_bytearray()) == b"\x00\x01binary"


async def test_audio_and_voice_durations(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    sandbox.user(1)
    audio = await sandbox_bot.send_audio(1, wav_bytes(3), filename="t.wav", performer="me")
    assert (audio.audio.duration, audio.audio.performer) == (seconds(3), "me")  # type: ignore[union-attr]
    voice = await sandbox_bot.send_voice(1, wav_bytes(2), duration=5)
    assert voice.voice.duration == seconds(5)  # type: ignore[union-attr]
    assert voice.voice.mime_type == "audio/ogg"  # type: ignore[union-attr]
