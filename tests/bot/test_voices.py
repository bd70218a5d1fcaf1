"""Generated voice notes: real OGG/Opus, speech-like in pitch and rhythm, each kind as named."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile

from bot.samples.voices import VoiceKind, voice_note, voice_samples

RATE = 48_000


def decode(data: bytes) -> np.ndarray:
    samples, rate = soundfile.read(io.BytesIO(data), dtype="float64")
    assert rate == RATE
    return samples


def dbfs(samples: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(samples**2) + 1e-24))


def frame_dbfs(samples: np.ndarray, seconds: float = 0.03) -> np.ndarray:
    size = round(seconds * RATE)
    frames = samples[: samples.size // size * size].reshape(-1, size)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-24)


def pitches(samples: np.ndarray) -> np.ndarray:
    """Return the pitch in Hz of each loud 40 ms frame, by autocorrelation over 90-250 Hz."""
    size, low, high = round(0.04 * RATE), RATE // 250, RATE // 90
    found = []
    for start in range(0, samples.size - size, size):
        frame = samples[start:start + size] - samples[start:start + size].mean()
        if np.sqrt(np.mean(frame**2)) < 0.05:
            continue
        correlation = np.correlate(frame, frame, "full")[size - 1:]
        window = correlation[low:high]
        lag = low + int(np.flatnonzero(window >= 0.9 * window.max())[0])  # no sub-harmonic
        while lag + 1 < high and correlation[lag + 1] > correlation[lag]:
            lag += 1
        found.append(RATE / lag)
    return np.array(found)


@pytest.fixture(scope="module", params=[0, 1, 2])
def speech(request: pytest.FixtureRequest) -> np.ndarray:
    return decode(voice_note(4.0, seed=request.param))


@pytest.mark.parametrize("kind", list(VoiceKind))
def test_every_kind_is_a_real_opus_note_of_the_length_asked(kind: VoiceKind) -> None:
    note = voice_note(1.5, kind=kind, seed=1)
    info = soundfile.info(io.BytesIO(note))
    assert note.startswith(b"OggS") and b"OpusHead" in note[:64]
    assert (info.format, info.subtype, info.samplerate, info.channels) == \
        ("OGG", "OPUS", RATE, 1)
    assert info.frames == round(1.5 * RATE)
    assert 1000 < len(note) / 1.5 < 5000  # bytes a second: a Telegram voice note's few KB


def test_other_opus_rates_work_and_others_are_refused() -> None:
    info = soundfile.info(io.BytesIO(voice_note(1.0, seed=1, sample_rate=16_000)))
    assert (info.samplerate, info.frames) == (16_000, 16_000)
    with pytest.raises(ValueError, match="Opus"):
        voice_note(1.0, sample_rate=44_100)
    with pytest.raises(ValueError):
        voice_note(1.0, kind="whisper")
    with pytest.raises(ValueError):
        voice_note(0.0)


def test_the_sound_is_a_function_of_the_seed() -> None:
    assert np.array_equal(voice_samples(1.0, seed=4), voice_samples(1.0, seed=4))
    assert not np.array_equal(voice_samples(1.0, seed=4), voice_samples(1.0, seed=5))
    assert np.array_equal(decode(voice_note(1.0, seed=4)), decode(voice_note(1.0, seed=4)))


def test_speech_has_a_falling_voice_pitch_between_100_and_220_hz(speech: np.ndarray) -> None:
    found = pitches(speech)
    assert found.size > 30
    assert np.all((found > 95) & (found < 230))
    third = found.size // 3
    assert np.median(found[:third]) > np.median(found[-third:]) + 20  # declination


def test_speech_rises_and_falls_at_the_syllable_rate_with_pauses(speech: np.ndarray) -> None:
    samples = speech
    envelope = np.sqrt(10 ** (frame_dbfs(samples, 0.01) / 10))
    spectrum = np.abs(np.fft.rfft((envelope - envelope.mean()) * np.hanning(envelope.size)))
    rates = np.fft.rfftfreq(envelope.size, 0.01)
    band = (rates >= 1) & (rates <= 10)
    assert 2.5 <= rates[band][np.argmax(spectrum[band])] <= 6
    frames = frame_dbfs(samples)
    loud = np.flatnonzero(frames > -40)
    inside = frames[loud[0]:loud[-1] + 1]
    assert np.any(inside < -55)  # a pause between two words, inside the speech
    assert np.all(frames[:5] < -55) and np.all(frames[-5:] < -55)  # silence at both ends


def test_speech_peaks_below_full_scale_and_clipped_sits_on_the_rails() -> None:
    speech = voice_samples(2.0, seed=6)
    clipped = voice_samples(2.0, kind="clipped", seed=6)
    assert np.max(np.abs(speech)) == pytest.approx(10 ** (-3 / 20), abs=0.01)
    assert np.mean(np.abs(speech) >= 0.999) == 0
    assert np.mean(np.abs(clipped) >= 0.999) > 0.15
    assert np.max(np.abs(decode(voice_note(2.0, kind="clipped", seed=6)))) > 1  # overshoot


def test_quiet_silence_and_noise_sit_at_their_levels() -> None:
    quiet = decode(voice_note(2.0, kind="quiet", seed=7))
    frames = frame_dbfs(quiet)
    assert 10 * np.log10(np.mean(10 ** (frames[frames > -65] / 10))) == pytest.approx(-50, abs=3)
    silence = decode(voice_note(2.0, kind="silence", seed=7))
    assert dbfs(silence) == pytest.approx(-70, abs=3) and np.max(np.abs(silence)) < 0.003
    noise = decode(voice_note(2.0, kind="noise", seed=7))
    assert dbfs(noise) == pytest.approx(-25, abs=3)
    assert np.ptp(frame_dbfs(noise)) < 3  # steady: no syllables
