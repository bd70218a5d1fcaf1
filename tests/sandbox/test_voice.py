"""Voice and audio messages from simulated users: Telegram's fields, duplicates, forwards."""

from __future__ import annotations

import datetime as dtm
import io

import numpy as np
import pytest
import soundfile
from telegram import Bot, MessageOriginUser, Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.sandbox import MessageNotFound, SandboxServer
from bot.sandbox.files import audio_duration, ogg_seconds
from bot.sandbox.testing import Recorder, application_builder, running_application
from tests.sandbox.samples import png_bytes

VOICE_FIELDS = {"file_id", "file_unique_id", "duration", "mime_type", "file_size"}
AUDIO_FIELDS = VOICE_FIELDS | {"performer", "title", "file_name"}


def opus_note(seconds: float, pitch: float = 180.0, rate: int = 48000) -> bytes:
    """Return a mono OGG/Opus note: a tone whose loudness swells 3 times a second, like speech."""
    t = np.arange(int(seconds * rate)) / rate
    envelope = 0.5 * (1 - np.cos(2 * np.pi * 3 * t))
    out = io.BytesIO()
    soundfile.write(out, (0.3 * envelope * np.sin(2 * np.pi * pitch * t)).astype(np.float32),
                    rate, format="OGG", subtype="OPUS")
    return out.getvalue()


@pytest.mark.parametrize(("seconds", "whole"), [(0.4, 0), (1.0, 1), (2.5, 2), (3.99, 3)])
def test_ogg_duration_is_read_from_the_pages(seconds: float, whole: int) -> None:
    note = opus_note(seconds)
    assert ogg_seconds(note) == pytest.approx(seconds, abs=1 / 48000)
    assert audio_duration(note) == whole


@pytest.mark.parametrize("data", [b"", b"OggS", b"OggS\x00" + bytes(40), b"not audio at all"])
def test_unreadable_audio_has_no_duration(data: bytes) -> None:
    assert audio_duration(data) == 0


async def test_voice_note_arrives_as_telegram_sends_it(sandbox: SandboxServer,
                                                       sandbox_bot: Bot) -> None:
    user = sandbox.user(1, "Ravo")
    note = opus_note(2.5)
    prompt = await user.send_text("read: Manao ahoana")
    message_id = await user.send_voice(note, caption="take 1", reply_to=prompt)
    raw = user.chat.user_messages[message_id]["voice"]
    assert set(raw) == VOICE_FIELDS
    assert (raw["duration"], raw["mime_type"], raw["file_size"]) == (2, "audio/ogg", len(note))
    _, update = await sandbox_bot.get_updates()
    message = update.message
    assert message is not None and message.voice is not None
    assert message.voice.duration == dtm.timedelta(seconds=2)
    assert message.caption == "take 1"
    assert message.reply_to_message is not None
    assert message.reply_to_message.text == "read: Manao ahoana"
    file = await message.voice.get_file()
    assert file.file_path is not None and file.file_path.endswith(".oga")
    assert bytes(await file.download_as_bytearray()) == note


async def test_declared_duration_wins(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    await user.send_voice(opus_note(1.0), duration=9)
    await user.send_voice(b"not ogg")
    first, second = await sandbox_bot.get_updates()
    assert first.message is not None and first.message.voice is not None
    assert first.message.voice.duration == dtm.timedelta(seconds=9)
    assert second.message is not None and second.message.voice is not None
    assert second.message.voice.duration == dtm.timedelta(0)


async def test_audio_file_arrives_with_its_tags(sandbox: SandboxServer, sandbox_bot: Bot
                                                ) -> None:
    user = sandbox.user(1)
    track = opus_note(3.2)
    message_id = await user.send_audio(track, filename="hira.ogg", title="Hira",
                                       performer="Ravo")
    raw = user.chat.user_messages[message_id]["audio"]
    assert set(raw) == AUDIO_FIELDS
    assert (raw["duration"], raw["mime_type"], raw["file_name"]) == (3, "audio/ogg", "hira.ogg")
    await user.send_audio(b"ID3", filename="song.mp3", duration=200)
    first, second = await sandbox_bot.get_updates()
    assert first.message is not None and first.message.audio is not None
    assert (first.message.audio.title, first.message.audio.performer) == ("Hira", "Ravo")
    assert second.message is not None and second.message.audio is not None
    assert second.message.audio.mime_type == "audio/mpeg"
    assert second.message.audio.duration == dtm.timedelta(seconds=200)
    assert second.message.audio.title is None


async def test_same_bytes_again_keep_their_file_unique_id(sandbox: SandboxServer,
                                                          sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    note = opus_note(1.5)
    await user.send_voice(note)
    await user.send_voice(note)
    await user.send_voice(opus_note(1.5, pitch=240.0))
    await user.send_audio(note, filename="note.ogg")
    updates = await sandbox_bot.get_updates()
    voices = [u.message.voice for u in updates[:3] if u.message is not None]
    audio = updates[3].message.audio  # type: ignore[union-attr]
    first, again, other = (v for v in voices if v is not None)
    assert audio is not None
    assert first.file_id != again.file_id
    assert first.file_unique_id == again.file_unique_id
    assert other.file_unique_id != first.file_unique_id
    assert audio.file_unique_id != first.file_unique_id  # another kind, another file
    file = await sandbox_bot.get_file(again.file_id)
    assert file.file_unique_id == first.file_unique_id

async def test_forwarded_voice_keeps_its_file_unique_id(sandbox: SandboxServer,
                                                        sandbox_bot: Bot) -> None:
    ravo, soa = sandbox.user(1, "Ravo"), sandbox.user(2, "Soa")
    note = opus_note(2.0)
    original = await ravo.send_voice(note, caption="mine")
    (update,) = await sandbox_bot.get_updates()
    voice = update.message.voice  # type: ignore[union-attr]
    assert voice is not None
    # The bot asks Soa to check Ravo's recording, by file_id; Soa forwards it back as hers.
    sent = await sandbox_bot.send_voice(2, voice.file_id)
    await soa.forward(sent.message_id)
    await ravo.forward(original)  # Ravo sends his own recording again
    await soa.forward(original, origin=ravo)
    updates = await sandbox_bot.get_updates(offset=update.update_id + 1)
    assert len(updates) == 3
    for forwarded in updates:
        message = forwarded.message
        assert message is not None and message.voice is not None
        assert message.voice.file_unique_id == voice.file_unique_id
        assert message.voice.file_id != voice.file_id
        assert message.voice.duration == voice.duration
        assert isinstance(message.forward_origin, MessageOriginUser)
        file = await message.voice.get_file()
        assert bytes(await file.download_as_bytearray()) == note
    senders = [u.message.forward_origin.sender_user.id for u in updates]  # type: ignore[union-attr]
    assert senders == [sandbox_bot.id, 1, 1]
    assert [u.message.caption for u in updates] == [None, "mine", "mine"]  # type: ignore[union-attr]
    with pytest.raises(MessageNotFound):
        await soa.forward(999)


async def test_forwarded_photo_keeps_every_size_unique_id(sandbox: SandboxServer,
                                                          sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    original = await user.send_photo(png_bytes())
    await user.forward(original)
    first, second = await sandbox_bot.get_updates()
    sizes = [p.file_unique_id for p in first.message.photo]  # type: ignore[union-attr]
    again = [p.file_unique_id for p in second.message.photo]  # type: ignore[union-attr]
    assert len(sizes) == 3 and again == sizes
    assert {p.file_id for p in first.message.photo}.isdisjoint(  # type: ignore[union-attr]
        p.file_id for p in second.message.photo)  # type: ignore[union-attr]


async def on_voice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download a recording at once, then send it by file_id to the checker (chat 2)."""
    assert update.message is not None and update.message.voice is not None
    voice = update.message.voice
    file = await voice.get_file()
    data = bytes(await file.download_as_bytearray())
    await context.bot.send_voice(2, voice.file_id, caption="Does it say the sentence?")
    recorder = context.bot_data["recorder"]
    assert isinstance(recorder, Recorder)
    recorder.add((voice.file_unique_id, voice.duration, data))


async def test_bot_downloads_a_recording_and_sends_it_by_file_id(sandbox: SandboxServer
                                                                 ) -> None:
    app = application_builder(sandbox).build()
    recorder = Recorder()
    app.bot_data["recorder"] = recorder
    app.add_handler(MessageHandler(filters.VOICE, on_voice))
    note = opus_note(3.0)
    async with running_application(app):
        speaker, checker = sandbox.user(1, "Ravo"), sandbox.user(2, "Soa")
        await speaker.send_voice(note)
        ((unique_id, duration, data),) = await recorder.wait_count(1)
        check = await checker.wait_for(lambda m: m.kind == "voice")
    assert data == note and duration == dtm.timedelta(seconds=3)
    received = check.raw["voice"]
    assert set(received) == VOICE_FIELDS
    assert received["file_unique_id"] == unique_id and received["file_size"] == len(note)
    assert check.caption == "Does it say the sentence?"
    stored = sandbox.state.files.get(check.file_id or "")
    assert stored is not None and stored.data == note
    assert (sandbox.stats.uploads, sandbox.stats.downloads) == (0, 1)  # by file_id only
