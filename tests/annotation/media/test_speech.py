"""Recordings measured from real decoded audio: levels, speech, clipping, bounds, 16 kHz WAV."""

from __future__ import annotations

import io
import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import soundfile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotation.media.preparation import MAX_INPUT_BYTES, MediaProblem, MediaRejected
from annotation.media.speech import (
    FREE_SPEECH_SECONDS,
    SILENCE_DBFS,
    LimitOverrides,
    RecordingAnalysis,
    RecordingLimits,
    RecordingReason,
    analyse_recording,
    check_recording,
    decode_audio,
    limits_for_sentence,
    resample,
    to_wav_16k,
)
from bot.samples.voices import encode_opus, voice_note, voice_samples

SENTENCE = "Tonga ara-potoana ny fiara fitateram-bahoaka."  # 45 characters: 1.8 to 12 s
SECONDS = 2.5


def encode(samples: np.ndarray, rate: int, fmt: str, subtype: str | None = None) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def reasons(data: bytes, text: str = SENTENCE) -> tuple[RecordingReason, ...]:
    problems = check_recording(analyse_recording(data), limits_for_sentence(text))
    return tuple(problem.reason for problem in problems)


@pytest.fixture(scope="module")
def good() -> bytes:
    return voice_note(SECONDS, kind="speech", seed=11)


# -- what a recording sounds like --------------------------------------------------------


def test_a_good_voice_note_is_measured_as_speech(good: bytes) -> None:
    analysis = analyse_recording(good)
    assert analysis.duration == pytest.approx(SECONDS, abs=1e-3)
    assert analysis.sample_rate == 48_000
    assert -25 < analysis.speech_level_dbfs < -12
    assert analysis.level_dbfs < analysis.speech_level_dbfs  # the pauses count in the RMS
    assert -6 < analysis.peak_dbfs < -1
    assert analysis.clipped_share == 0
    assert 0.4 < analysis.voiced_share < 0.9
    # the generator waits 0.25-0.45 s before the first word and after the last
    assert 0.2 <= analysis.leading_silence <= 0.5
    assert 0.2 <= analysis.trailing_silence <= 0.5


def test_a_good_voice_note_passes_every_check(good: bytes) -> None:
    assert reasons(good) == ()


@pytest.mark.parametrize(("kind", "reason"), [
    ("silence", RecordingReason.SILENT),
    ("noise", RecordingReason.SILENT),  # steady hiss: loud, but nothing rises above it
    ("quiet", RecordingReason.TOO_QUIET),
    ("clipped", RecordingReason.CLIPPED),
])
def test_each_faulty_note_gets_its_own_reason_and_no_other(kind: str, reason: str) -> None:
    assert reasons(voice_note(SECONDS, kind=kind, seed=3)) == (reason,)


def test_a_note_shorter_than_the_sentence_can_be_read_is_too_short() -> None:
    note = voice_note(1.0, kind="speech", seed=4)
    problems = check_recording(analyse_recording(note), limits_for_sentence(SENTENCE))
    assert [p.reason for p in problems] == [RecordingReason.TOO_SHORT]
    assert problems[0].params == {"seconds": 1.0, "minimum": 1.8}


def test_a_note_far_longer_than_a_word_is_too_long() -> None:
    note = voice_note(4.5, kind="speech", seed=5)
    problems = check_recording(analyse_recording(note), limits_for_sentence("Eny."))
    assert [p.reason for p in problems] == [RecordingReason.TOO_LONG]
    assert problems[0].params == {"seconds": 4.5, "maximum": 3.8}


def test_the_levels_of_each_kind_are_where_the_generator_put_them() -> None:
    quiet = analyse_recording(voice_note(SECONDS, kind="quiet", seed=6))
    silence = analyse_recording(voice_note(SECONDS, kind="silence", seed=6))
    noise = analyse_recording(voice_note(SECONDS, kind="noise", seed=6))
    clipped = analyse_recording(voice_note(SECONDS, kind="clipped", seed=6))
    assert -54 < quiet.speech_level_dbfs < -46 and quiet.voiced_share > 0.3
    assert silence.level_dbfs < -65 and silence.voiced_share == 0
    assert silence.leading_silence == silence.trailing_silence == silence.duration
    assert silence.speech_level_dbfs == SILENCE_DBFS
    assert -29 < noise.level_dbfs < -22 and noise.voiced_share < 0.02
    assert clipped.peak_dbfs > 0 and clipped.clipped_share > 0.02


def test_other_containers_and_codecs_are_measured_alike() -> None:
    samples = voice_samples(SECONDS, seed=7)
    opus = analyse_recording(encode_opus(samples, 48_000))
    for fmt, subtype in [("WAV", "PCM_16"), ("FLAC", None), ("OGG", "VORBIS"),
                         ("MP3", "MPEG_LAYER_III")]:
        other = analyse_recording(encode(samples, 48_000, fmt, subtype))
        assert other.duration == pytest.approx(SECONDS, abs=0.06), fmt  # MP3 pads a little
        assert other.speech_level_dbfs == pytest.approx(opus.speech_level_dbfs, abs=1), fmt
        assert other.voiced_share == pytest.approx(opus.voiced_share, abs=0.05), fmt
        assert other.clipped_share == 0, fmt


def test_stereo_is_mixed_to_mono() -> None:
    voice = voice_samples(1.5, seed=8)
    both = analyse_recording(encode(np.stack([voice, voice], axis=1), 44_100, "WAV", "FLOAT"))
    one_side = analyse_recording(encode(np.stack([voice, 0 * voice], axis=1), 44_100, "WAV",
                                        "FLOAT"))
    assert both.sample_rate == 44_100
    assert both.level_dbfs - one_side.level_dbfs == pytest.approx(20 * math.log10(2), abs=0.01)


def test_a_flat_top_below_full_scale_is_clipping_in_a_lossless_file() -> None:
    voice = voice_samples(SECONDS, seed=9)  # peaks at -3 dBFS
    clipped_then_lowered = np.clip(voice * 4, -0.708, 0.708) * 0.7
    lowered = voice * 0.7
    flat = analyse_recording(encode(clipped_then_lowered, 48_000, "WAV", "FLOAT"))
    assert flat.clipped_share > 0.05 and flat.peak_dbfs < -5
    assert analyse_recording(encode(lowered, 48_000, "WAV", "FLOAT")).clipped_share == 0


def test_samples_at_the_rails_of_16_bit_pcm_are_clipped() -> None:
    voice = np.clip(voice_samples(SECONDS, seed=9) * 3, -1.0, 1.0)
    analysis = analyse_recording(encode(voice, 16_000, "WAV", "PCM_16"))
    assert analysis.clipped_share == pytest.approx(np.mean(np.abs(voice) >= 0.999), abs=0.005)


def test_digital_silence_has_the_silence_level() -> None:
    analysis = analyse_recording(encode(np.zeros(8000), 16_000, "WAV", "PCM_16"))
    assert analysis.level_dbfs == analysis.peak_dbfs == SILENCE_DBFS
    assert analysis.voiced_share == 0 and analysis.clipped_share == 0


def test_a_recording_shorter_than_a_frame_has_no_voiced_frames() -> None:
    analysis = analyse_recording(encode(0.5 * np.ones(100), 16_000, "WAV", "FLOAT"))
    assert analysis.voiced_share == 0 and analysis.duration == pytest.approx(100 / 16_000)


# -- bytes that are not a recording ------------------------------------------------------


@pytest.mark.parametrize(("data", "reason"), [
    (b"", MediaProblem.UNSUPPORTED),
    (b"hello, this is not audio" * 20, MediaProblem.UNSUPPORTED),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), MediaProblem.UNSUPPORTED),
    (b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(30), MediaProblem.CORRUPT),  # short fmt chunk
])
def test_undecodable_bytes_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(MediaRejected) as caught:
        analyse_recording(data, filename="voice.ogg")
    assert caught.value.reason == reason
    assert caught.value.params["filename"] == "voice.ogg"


def test_a_cut_opus_note_is_corrupt(good: bytes) -> None:
    with pytest.raises(MediaRejected) as caught:
        analyse_recording(good[:60])
    assert caught.value.reason == MediaProblem.CORRUPT


def test_a_file_without_any_sample_is_corrupt() -> None:
    with pytest.raises(MediaRejected) as caught:
        analyse_recording(encode(np.zeros(0), 16_000, "WAV", "PCM_16"))
    assert caught.value.reason == MediaProblem.CORRUPT


def test_samples_that_are_not_numbers_are_corrupt() -> None:
    with pytest.raises(MediaRejected) as caught:
        analyse_recording(encode(np.array([0.1, np.nan, 0.2] * 100), 16_000, "WAV", "FLOAT"))
    assert caught.value.reason == MediaProblem.CORRUPT


def test_too_long_and_too_large_are_refused_before_decoding_everything(good: bytes) -> None:
    with pytest.raises(MediaRejected) as caught:
        decode_audio(good, max_seconds=1.0)
    assert caught.value.reason == MediaProblem.TOO_LONG
    assert caught.value.params["duration"] == SECONDS and caught.value.params["limit"] == 1.0
    with pytest.raises(MediaRejected) as caught:
        decode_audio(bytes(MAX_INPUT_BYTES + 1))
    assert caught.value.reason == MediaProblem.TOO_LARGE


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_notes_decode_or_are_refused_never_crash(good: bytes, data: st.DataObject) -> None:
    damaged = bytearray(good)
    for _ in range(data.draw(st.integers(1, 8))):
        damaged[data.draw(st.integers(0, len(good) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(good)))
    try:
        analysis = analyse_recording(bytes(damaged[:cut]))
    except MediaRejected as rejected:
        assert rejected.reason in {MediaProblem.CORRUPT, MediaProblem.UNSUPPORTED}
    else:
        assert 0 < analysis.duration <= SECONDS + 0.1


# -- bounds and checks -------------------------------------------------------------------


def analysis(**changes: Any) -> RecordingAnalysis:
    base = RecordingAnalysis(duration=3.0, sample_rate=48_000, level_dbfs=-24.0,
                             speech_level_dbfs=-20.0, peak_dbfs=-3.0, clipped_share=0.0,
                             voiced_share=0.6, leading_silence=0.3, trailing_silence=0.3)
    return replace(base, **changes)


LIMITS = RecordingLimits(min_seconds=1.0, max_seconds=5.0, min_voiced_share=0.1,
                         max_clipped_share=0.01, min_level_dbfs=-40.0)


@pytest.mark.parametrize(("changes", "expected"), [
    ({"duration": 1.0}, ()),
    ({"duration": 0.999}, (RecordingReason.TOO_SHORT,)),
    ({"duration": 5.0}, ()),
    ({"duration": 5.001}, (RecordingReason.TOO_LONG,)),
    ({"voiced_share": 0.1}, ()),
    ({"voiced_share": 0.099}, (RecordingReason.SILENT,)),
    ({"speech_level_dbfs": -40.0}, ()),
    ({"speech_level_dbfs": -40.1}, (RecordingReason.TOO_QUIET,)),
    ({"clipped_share": 0.01}, ()),
    ({"clipped_share": 0.0101}, (RecordingReason.CLIPPED,)),
    # silent supersedes too quiet: without speech there is no speech level
    ({"voiced_share": 0.0, "speech_level_dbfs": SILENCE_DBFS}, (RecordingReason.SILENT,)),
    ({"duration": 0.5, "voiced_share": 0.0, "clipped_share": 0.5},
     (RecordingReason.TOO_SHORT, RecordingReason.SILENT, RecordingReason.CLIPPED)),
])
def test_each_bound_is_inclusive(changes: dict[str, float], expected: tuple[str, ...]) -> None:
    assert tuple(p.reason for p in check_recording(analysis(**changes), LIMITS)) == expected


@pytest.mark.parametrize(("changes", "params"), [
    ({"duration": 0.96}, {"seconds": 0.9, "minimum": 1.0}),
    ({"duration": 5.04}, {"seconds": 5.1, "maximum": 5.0}),
    ({"voiced_share": 0.0999}, {"percent": 9.0, "minimum": 10.0}),
    ({"speech_level_dbfs": -40.2}, {"level": -41.0, "minimum": -40.0}),
    ({"clipped_share": 0.01001}, {"percent": 1.1, "maximum": 1.0}),
])
def test_message_figures_are_rounded_away_from_the_bound(
        changes: dict[str, float], params: dict[str, float]) -> None:
    (problem,) = check_recording(analysis(**changes), LIMITS)
    assert problem.params == params


@pytest.mark.parametrize(("text", "low", "high"), [
    ("Eny.", 1.0, 3.8),  # a word: the 1 s floor, 4 chars at 5/s + 3 s
    (SENTENCE, 1.8, 12.0),
    ("  Tonga   ara-potoana\n ny fiara fitateram-bahoaka.  ", 1.8, 12.0),  # spaces collapse
    ("a" * 1000, 40.0, 203.0),
    ("a" * 2000, 80.0, 300.0),  # capped at the longest audio accepted
    ("", 1.0, FREE_SPEECH_SECONDS),  # no sentence: talk about an image
    ("   ", 1.0, FREE_SPEECH_SECONDS),
])
def test_bounds_follow_the_sentence_length(text: str, low: float, high: float) -> None:
    limits = limits_for_sentence(text)
    assert (limits.min_seconds, limits.max_seconds) == pytest.approx((low, high))


def test_overrides_win_and_the_opposite_bound_makes_room() -> None:
    assert limits_for_sentence(SENTENCE, LimitOverrides(min_seconds=20.0)).max_seconds == 23.0
    assert limits_for_sentence(SENTENCE, LimitOverrides(max_seconds=1.5)).min_seconds == 1.5
    limits = limits_for_sentence(SENTENCE, LimitOverrides(
        min_seconds=2.0, max_seconds=4.0, min_voiced_share=0.3, max_clipped_share=0.05,
        min_level_dbfs=-30.0))
    assert limits == RecordingLimits(2.0, 4.0, 0.3, 0.05, -30.0)
    assert limits_for_sentence(SENTENCE, LimitOverrides()) == limits_for_sentence(SENTENCE)


@pytest.mark.parametrize("bad", [
    {"min_seconds": 5.0, "max_seconds": 4.0},
    {"min_seconds": -1.0},
    {"min_voiced_share": 1.5},
    {"max_clipped_share": -0.1},
    {"min_level_dbfs": 3.0},
])
def test_inconsistent_limits_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        replace(LIMITS, **bad)


# -- 16 kHz WAV --------------------------------------------------------------------------


def tone(frequency: float, rate: int, seconds: float = 1.0) -> np.ndarray:
    return np.sin(2 * np.pi * frequency * np.arange(round(rate * seconds)) / rate)


def level_and_frequency(samples: np.ndarray, rate: int) -> tuple[float, float]:
    """Return the level in dB of a tone (0: full-scale sine) and its strongest frequency."""
    middle = samples[rate // 20: -rate // 20].astype(np.float64)  # away from the edges
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(middle.size)))
    peak = float(np.fft.rfftfreq(middle.size, 1 / rate)[np.argmax(spectrum)])
    return 20 * math.log10(np.sqrt(2 * np.mean(middle**2)) + 1e-12), peak


@pytest.mark.parametrize("rate", [48_000, 44_100, 96_000, 22_050, 44_101])
def test_resampling_keeps_the_band_and_removes_what_would_alias(rate: int) -> None:
    for frequency, kept in [(1000, True), (6000, True), (9000, False), (20_000, False)]:
        if frequency >= rate / 2:
            continue
        out = resample(tone(frequency, rate), rate, 16_000)
        assert out.size == 16_000 and out.dtype == np.float32
        level, peak = level_and_frequency(out, 16_000)
        if kept:
            assert level == pytest.approx(0, abs=0.05), frequency
            assert peak == pytest.approx(frequency, abs=1), frequency
        else:  # 9 kHz would fold to 7 kHz, 20 kHz to 4 kHz
            assert level < -80, frequency


@pytest.mark.parametrize(("rate", "error_db"), [(48_000, -120), (44_100, -120), (44_101, -65)])
def test_a_resampled_tone_is_a_clean_sine(rate: int, error_db: float) -> None:
    out = resample(tone(5000, rate), rate, 16_000).astype(np.float64)[1000:-1000]
    ideal = tone(5000, 16_000)[1000:-1000]
    error = out - ideal * np.dot(out, ideal) / np.dot(ideal, ideal)
    assert 10 * np.log10(np.mean(error**2) / np.mean(ideal**2)) < error_db


@pytest.mark.parametrize("rate", [8_000, 11_025, 12_000])
def test_upsampling_keeps_a_tone_and_adds_nothing_above_the_source_band(rate: int) -> None:
    out = resample(tone(1000, rate), rate, 16_000)
    assert out.size == 16_000
    level, peak = level_and_frequency(out, 16_000)
    assert level == pytest.approx(0, abs=0.05) and peak == pytest.approx(1000, abs=1)
    spectrum = np.abs(np.fft.rfft(out[800:-800] * np.hanning(out.size - 1600)))
    image = spectrum[np.fft.rfftfreq(out.size - 1600, 1 / 16_000) > rate / 2 + 500]
    assert 20 * np.log10(image.max() / spectrum.max()) < -80  # no mirror image of the tone


def test_resampling_to_the_same_rate_changes_nothing() -> None:
    samples = tone(440, 16_000, 0.1)
    assert np.array_equal(resample(samples, 16_000, 16_000), samples.astype(np.float32))


def test_resampled_speech_lines_up_with_the_original() -> None:
    voice = voice_samples(1.0, seed=12)
    out = resample(voice, 48_000, 16_000)
    lag = np.argmax(np.correlate(out[4000:12000], voice[12_000:36_000:3], mode="full")) - 7999
    assert lag == 0  # the filter is centred: no delay


def test_a_voice_note_becomes_16_khz_mono_16_bit_wav(good: bytes) -> None:
    wav = to_wav_16k(good)
    info = soundfile.info(io.BytesIO(wav))
    assert (info.format, info.subtype, info.samplerate, info.channels) == \
        ("WAV", "PCM_16", 16_000, 1)
    assert info.frames == round(SECONDS * 16_000)
    before, after = analyse_recording(good), analyse_recording(wav)
    assert after.speech_level_dbfs == pytest.approx(before.speech_level_dbfs, abs=0.5)
    assert after.voiced_share == pytest.approx(before.voiced_share, abs=0.03)


def test_a_44_1_khz_tone_file_converts_at_its_pitch() -> None:
    wav = to_wav_16k(encode(0.5 * tone(1000, 44_100), 44_100, "FLAC"))
    samples, rate = soundfile.read(io.BytesIO(wav))
    level, peak = level_and_frequency(samples, rate)
    assert rate == 16_000 and peak == pytest.approx(1000, abs=1)
    assert level == pytest.approx(20 * math.log10(0.5), abs=0.05)


def test_loud_overshoot_is_clipped_to_16_bits_not_wrapped() -> None:
    wav = to_wav_16k(encode(1.5 * tone(200, 16_000), 16_000, "WAV", "FLOAT"))
    samples, _ = soundfile.read(io.BytesIO(wav), dtype="int16")
    assert samples.max() == 32767 and samples.min() == -32768
    assert np.all(np.diff(samples.astype(np.int32)) > -20_000)  # no jump from + to -
