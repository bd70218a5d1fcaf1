"""Two clips joined into one voice note: in both orders, each announced by its cue, at the
levels they came with, as Opus; M4A and overlong pairs refused."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile

from annotation.media import audio_pairs
from annotation.media.audio import probe_audio
from annotation.media.audio_pairs import (
    AFTER_CUE_SECONDS,
    BEEP_SECONDS,
    MAX_PAIR_SECONDS,
    PAUSE_SECONDS,
    RATE,
    compose_audio_orders,
    overhead_seconds,
)
from annotation.media.preparation import MediaProblem, MediaRejected, PreparedMedia, prepare_audio
from annotation.models import MediaKey, MediaKind


def clip(hz: float, seconds: float, *, rate: int = 48_000, level: float = 0.3,
         container: str = "OGG", subtype: str = "OPUS") -> bytes:
    """Return a tone that rises and falls four times a second, as speech does."""
    t = np.arange(round(seconds * rate)) / rate
    sound = level * np.sin(2 * np.pi * hz * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))
    buffer = io.BytesIO()
    soundfile.write(buffer, sound.astype(np.float32), rate, format=container, subtype=subtype)
    return buffer.getvalue()


def pitch(samples: np.ndarray, start: float, seconds: float = 1.0, rate: int = RATE
          ) -> float:
    """Return the strongest frequency of ``seconds`` of sound from ``start``."""
    window = samples[round(start * rate):round((start + seconds) * rate)]
    spectrum = np.abs(np.fft.rfft(window * np.hanning(window.size)))
    return float(np.fft.rfftfreq(window.size, 1 / rate)[int(np.argmax(spectrum))])


def rms(samples: np.ndarray, start: float, seconds: float) -> float:
    window = samples[round(start * RATE):round((start + seconds) * RATE)]
    return float(np.sqrt(np.mean(window.astype(np.float64) ** 2)))


LOW = prepare_audio(clip(300, 3.0), "low.ogg")
HIGH = prepare_audio(clip(900, 4.0, rate=44_100, level=0.1, container="WAV",
                          subtype="PCM_16"), "high.wav")
CUE = BEEP_SECONDS + AFTER_CUE_SECONDS


def decoded(media: PreparedMedia) -> np.ndarray:
    samples, rate = soundfile.read(io.BytesIO(media.data), dtype="float32")
    assert rate == RATE
    return samples


def test_both_orders_play_each_clip_after_its_cue_at_its_own_level() -> None:
    forward, backward = compose_audio_orders(LOW, HIGH)
    assert forward.second_at == pytest.approx(CUE + 3.0 + PAUSE_SECONDS, abs=0.01)
    assert backward.second_at == pytest.approx(CUE + 4.0 + PAUSE_SECONDS, abs=0.01)
    b_cue = BEEP_SECONDS * 2 + 0.08 + AFTER_CUE_SECONDS
    for pair, first, second in ((forward, 300, 900), (backward, 900, 300)):
        samples = decoded(pair.media)
        assert pitch(samples, CUE + 0.5) == pytest.approx(first, abs=5)
        assert pitch(samples, pair.second_at + b_cue + 0.5) == pytest.approx(second, abs=5)
        assert rms(samples, pair.second_at - PAUSE_SECONDS + 0.1, 0.8) < 1e-3  # the pause
    # levels as given: the quiet clip stays three times quieter than the loud one
    samples = decoded(forward.media)
    ratio = rms(samples, CUE + 0.5, 2.0) / rms(samples, forward.second_at + b_cue + 0.5, 2.0)
    assert ratio == pytest.approx(3.0, rel=0.1)


def test_the_note_is_an_opus_voice_note_of_the_whole_length() -> None:
    forward, backward = compose_audio_orders(LOW, HIGH)
    for pair in (forward, backward):
        media = pair.media
        assert (media.kind, media.mime, media.send_as) == (MediaKind.AUDIO, "audio/ogg", "voice")
        assert media.duration == pytest.approx(7.0 + overhead_seconds(), abs=0.01)
        assert probe_audio(media.data).duration == pytest.approx(media.duration, abs=0.05)
        assert len(media.data) < 5_000 * media.duration  # about 3 KB a second
    assert forward.media.key != backward.media.key
    assert compose_audio_orders(LOW, HIGH)[0].media.key == forward.media.key  # deterministic


def test_m4a_and_pictures_cannot_be_joined() -> None:
    m4a = PreparedMedia(MediaKey("k"), MediaKind.AUDIO, "talk.m4a", "audio/mp4", b"x", None,
                        None, 3.0, "audio")
    with pytest.raises(MediaRejected) as refused:
        compose_audio_orders(LOW, m4a)
    assert (refused.value.reason, refused.value.params["filename"]) == (
        MediaProblem.UNDECODABLE, "talk.m4a")
    photo = PreparedMedia(MediaKey("p"), MediaKind.IMAGE, "p.jpg", "image/jpeg", b"x", 1, 1,
                          None, "photo")
    with pytest.raises(MediaRejected):
        compose_audio_orders(photo, LOW)


def test_a_pair_longer_than_a_note_may_be_is_refused_with_both_files(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio_pairs, "MAX_PAIR_SECONDS", 12.0)  # short clips, same rule
    half = (12.0 - overhead_seconds()) / 2
    long = prepare_audio(clip(300, half + 0.1), "long.ogg")
    with pytest.raises(MediaRejected) as refused:
        compose_audio_orders(long, long)
    assert refused.value.reason is MediaProblem.TOO_LONG
    assert refused.value.params["filename"] == "long.ogg + long.ogg"
    assert refused.value.params["duration"] > 12.0 and refused.value.params["limit"] == 12.0
    fits = prepare_audio(clip(300, half - 0.1), "fits.ogg")
    assert compose_audio_orders(fits, fits)[0].media.duration <= 12.0
    assert MAX_PAIR_SECONDS == 300.0  # the real bound: five minutes, as any audio item
