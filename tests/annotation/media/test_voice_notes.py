"""Imported WAV clips get an Opus copy for phones; compressed clips and undecodable WAVs go
as they came."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile

from annotation.media.audio import probe_audio
from annotation.media.preparation import prepare_audio
from annotation.media.voice_notes import encode_voice_note, for_phones, with_serial
from tests.annotation.media.test_audio_pairs import clip, pitch


@pytest.mark.parametrize(("rate", "sent_rate"), [(16_000, 16_000), (22_050, 48_000),
                                                 (44_100, 48_000), (48_000, 48_000)])
def test_a_wav_gets_an_opus_copy_at_a_tenth_of_its_size(rate: int, sent_rate: int) -> None:
    wav = prepare_audio(clip(440, 4.0, rate=rate, container="WAV", subtype="PCM_16"),
                        "read/sentence-7.wav")
    sent = for_phones(wav)
    assert (sent.data, sent.key, sent.mime) == (wav.data, wav.key, "audio/wav")  # kept
    phone = sent.phone
    assert phone is not None
    assert (phone.mime, phone.send_as, phone.filename) == ("audio/ogg", "voice",
                                                            "sentence-7.ogg")
    assert phone.duration == pytest.approx(4.0, abs=0.01)
    assert probe_audio(phone.data).duration == pytest.approx(4.0, abs=0.05)
    assert len(phone.data) < len(wav.data) / 10 and len(phone.data) < 4.0 * 3_500
    samples, decoded_rate = soundfile.read(io.BytesIO(phone.data), dtype="float32")
    assert decoded_rate == sent_rate
    # the same sound
    assert pitch(np.asarray(samples), 1.0, rate=decoded_rate) == pytest.approx(440, abs=5)
    assert phone.phone is None


def test_compressed_clips_and_undecodable_wavs_go_as_they_came() -> None:
    for data, name in ((clip(300, 2.0), "a.ogg"),
                       (clip(300, 2.0, rate=24_000, container="MP3",
                             subtype="MPEG_LAYER_III"), "a.mp3")):
        media = prepare_audio(data, name)
        assert for_phones(media) is media
    # a WAV whose header the import reads but whose codec libsndfile lacks (format 0x55)
    good = clip(300, 1.0, rate=8_000, container="WAV", subtype="PCM_16")
    odd = good[:20] + (0x55).to_bytes(2, "little") + good[22:]
    media = prepare_audio(odd, "odd.wav")
    assert for_phones(media).phone is None


def test_a_note_depends_on_its_sound_alone() -> None:
    samples = np.sin(np.arange(24_000) * 2 * np.pi * 440 / 24_000).astype(np.float32) * 0.3
    first = encode_voice_note(samples, 24_000, "a.ogg")
    assert encode_voice_note(samples, 24_000, "a.ogg").data == first.data  # same key
    # libsndfile's own bytes differ only by the serial it draws; rewriting each page with
    # the serial it already has gives them back exactly, so the checksums are Ogg's
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, 24_000, format="OGG", subtype="OPUS")
    raw = buffer.getvalue()
    assert with_serial(raw, int.from_bytes(raw[14:18], "little")) == raw
    assert soundfile.read(io.BytesIO(first.data))[0].shape == samples.shape
