"""Media keep one contract on every engine (``annotation.ports.media``)."""

from __future__ import annotations

import pytest

from annotation.models import Media, MediaKey, MediaKind
from annotation.ports import Store, UnitOfWork

KEY = MediaKey("a" * 64)


async def test_media_are_stored_once_and_remember_their_file_id(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        await uow.media.add(KEY, "audio", "clip.ogg", "audio/ogg", "voice", b"first")
        await uow.media.add(KEY, "image", "other.png", "image/png", "photo", b"second")
    async with store.read() as uow:
        assert await uow.media.get(KEY) == Media(KEY, MediaKind.AUDIO, "clip.ogg", "audio/ogg",
                                                 "voice", None)
        assert await uow.media.data(KEY) == b"first"
        assert await uow.media.get(MediaKey("b" * 64)) is None
    async with store.write() as uow:
        await uow.media.set_file_id(KEY, "file-1")
        await uow.media.set_file_id(MediaKey("b" * 64), "file-2")  # nothing to update
    async with store.read() as uow:
        found = await uow.media.get(KEY)
        assert found is not None and found.file_id == "file-1"
        assert await uow.media.get(MediaKey("b" * 64)) is None


async def test_the_bytes_of_unknown_media_are_a_key_error(store: Store[UnitOfWork]) -> None:
    async with store.read() as uow:
        with pytest.raises(KeyError):
            await uow.media.data(KEY)


async def test_media_with_a_phone_copy_send_the_copy_and_keep_their_own_bytes(
        store: Store[UnitOfWork]) -> None:
    wav, opus = MediaKey("w" * 64), MediaKey("o" * 64)
    async with store.write() as uow:
        await uow.media.add(wav, "audio", "clip.wav", "audio/wav", "audio", b"riff")
        await uow.media.add(opus, "audio", "clip.ogg", "audio/ogg", "voice", b"opus")
        # a later import of the same file gives the copy it lacked; a third changes nothing
        await uow.media.add(wav, "audio", "clip.wav", "audio/wav", "audio", b"riff",
                            phone_key=opus)
        await uow.media.add(wav, "audio", "clip.wav", "audio/wav", "audio", b"riff",
                            phone_key=MediaKey("x" * 64))
    async with store.read() as uow:
        assert await uow.media.get(wav) == Media(opus, MediaKind.AUDIO, "clip.ogg",
                                                 "audio/ogg", "voice", None)
        assert await uow.media.data(wav) == b"riff"  # the original, for exports
        assert await uow.media.data(opus) == b"opus"
    async with store.write() as uow:
        await uow.media.set_file_id(opus, "voice-1")
    async with store.read() as uow:
        sent = await uow.media.get(wav)
        assert sent is not None and (sent.key, sent.file_id) == (opus, "voice-1")
