"""Recordings measured from their decoded sound, checked against bounds, and converted.

A recording (an annotator's voice note, an audio item) is decoded by libsndfile (the
``soundfile`` binding: OGG/Opus, OGG/Vorbis, WAV, FLAC, MP3 and the rest of its formats; not
M4A) to mono float samples, then measured (:class:`RecordingAnalysis`):

- ``level_dbfs``: the RMS of the whole recording, ``speech_level_dbfs`` that of its voiced
  frames only (the active speech level, so long pauses do not make a good recording quiet);
  dBFS relative to a full-scale square wave (a full-scale sine is -3 dBFS); digital silence
  is ``SILENCE_DBFS``.
- ``peak_dbfs``: the largest sample; a lossy decoder may overshoot, so it can exceed 0.
- ``clipped_share``: the share of samples at or past the rails (``|x| >= 0.999``; a lossy
  decoder overshoots them) or on a flat top: ``FLAT_TOP_RUN`` equal samples in a row at the
  recording's own maximum or minimum (clipped, then turned down; lossless files only, as a
  lossy codec makes every plateau ripple). After Opus a clipped stretch wobbles around full
  scale: measured on the generated clipped notes, about a third of the samples that were at
  the rails before encoding are still counted, so ``max_clipped_share`` is set on that scale.
- ``voiced_share``: the share of 30 ms frames that hold sound: above ``VOICED_FLOOR_DBFS``,
  within ``VOICED_RANGE_DB`` of the loudest frames (their 99th percentile, so one click does
  not set the scale) and ``VOICED_CONTRAST_DB`` above the noise floor (the 10th percentile
  frame). The contrast term is what tells speech, which rises and falls four times a second,
  from steady hiss at the same level (a pocket, the wind), which the first two would pass.
- ``leading_silence`` / ``trailing_silence``: seconds before the first and after the last
  voiced frame (both the whole duration when no frame is voiced).

:func:`check_recording` compares an analysis with :class:`RecordingLimits` (from
:func:`limits_for_sentence`) and returns every :class:`RecordingProblem` found, in the order of
:class:`RecordingReason`. Their params are rounded for messages, always away from the bound
(a recording of 0.96 s against a minimum of 1 s reads "0.9 s, at least 1.0 s").
:func:`to_wav_16k` converts a recording to 16 kHz mono 16-bit WAV (:func:`resample`).

Decoding is CPU work: callers run these functions in a thread. Bytes that do not decode
raise :class:`~annotation.media.preparation.MediaRejected` (``media.unsupported`` when
libsndfile does not recognise the format, ``media.corrupt`` when it does but cannot read it
or finds no sound, ``media.too_large`` / ``media.too_long`` past the media limits).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from enum import StrEnum

import numpy as np
import soundfile

from annotation.media.preparation import (
    MAX_AUDIO_SECONDS,
    MAX_INPUT_BYTES,
    MediaProblem,
    MediaRejected,
)

SILENCE_DBFS = -120.0  # stands for the level of digital silence (the log of zero)
FRAME_SECONDS = 0.030
CLIP_LEVEL = 0.999
FLAT_TOP_RUN = 3  # equal samples in a row at the recording's extreme: a flat top
FLAT_TOP_LEVEL = 0.1  # below -20 dBFS, equal neighbours are quantisation, not clipping
VOICED_FLOOR_DBFS = -60.0
VOICED_RANGE_DB = 40.0
VOICED_CONTRAST_DB = 6.0
MAX_SAMPLE_RATE = 192_000
FAST_CHARS_PER_SECOND = 25.0
SLOW_CHARS_PER_SECOND = 5.0
SLACK_SECONDS = 3.0
MIN_SECONDS_FLOOR = 1.0
FREE_SPEECH_SECONDS = 60.0
WAV_RATE = 16_000
RESAMPLE_ROLLOFF = 0.92
RESAMPLE_LOBES = 32
KAISER_BETA = 8.6
MAX_PHASES = 1024
RESAMPLE_CHUNK_VALUES = 1 << 20  # 8 MB of float64 per gathered block
BLOCK_FRAMES = 65_536
# libsndfile's "format not recognised" and "unsupported encoding" errors
_UNRECOGNISED = frozenset({1, 4})


@dataclass(frozen=True, slots=True)
class DecodedAudio:
    """A recording decoded to mono float samples in [-1, 1] (a decoder may overshoot)."""

    samples: np.ndarray  # float32, mono
    sample_rate: int
    channels: int  # in the file, before the mix to mono

    @property
    def duration(self) -> float:
        """Return the length in seconds."""
        return self.samples.size / self.sample_rate


@dataclass(frozen=True, slots=True)
class RecordingAnalysis:
    """What a recording sounds like, measured (see the module docstring for each figure)."""

    duration: float  # seconds
    sample_rate: int
    level_dbfs: float
    speech_level_dbfs: float
    peak_dbfs: float
    clipped_share: float
    voiced_share: float
    leading_silence: float  # seconds
    trailing_silence: float  # seconds


def decode_audio(data: bytes, *, filename: str = "recording",
                 max_seconds: float = MAX_AUDIO_SECONDS) -> DecodedAudio:
    """Decode an audio file to mono float samples, refusing what is not sound."""
    if len(data) > MAX_INPUT_BYTES:
        raise MediaRejected(MediaProblem.TOO_LARGE, filename, size=len(data),
                            limit=MAX_INPUT_BYTES)
    try:
        with soundfile.SoundFile(io.BytesIO(data)) as sound:
            rate, channels = int(sound.samplerate), int(sound.channels)
            if not 0 < rate <= MAX_SAMPLE_RATE or channels < 1:
                raise MediaRejected(MediaProblem.UNSUPPORTED, filename)
            limit = math.floor(max_seconds * rate)
            if sound.frames > limit:  # the header says so: refuse before decoding
                raise _too_long(filename, sound.frames / rate, max_seconds)
            blocks: list[np.ndarray] = []
            decoded = 0
            while (block := sound.read(BLOCK_FRAMES, dtype="float32", always_2d=True)).size:
                decoded += block.shape[0]
                if decoded > limit:  # the header lied: stop before memory runs out
                    raise _too_long(filename, decoded / rate, max_seconds)
                blocks.append(block.mean(axis=1, dtype=np.float32) if channels > 1
                              else block[:, 0])
    except soundfile.LibsndfileError as exc:
        reason = MediaProblem.UNSUPPORTED if exc.code in _UNRECOGNISED else MediaProblem.CORRUPT
        raise MediaRejected(reason, filename) from None
    except (soundfile.SoundFileError, RuntimeError, ValueError):
        raise MediaRejected(MediaProblem.CORRUPT, filename) from None
    samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
    if samples.size == 0 or not np.isfinite(samples).all():
        raise MediaRejected(MediaProblem.CORRUPT, filename)
    return DecodedAudio(samples, rate, channels)


def analyse_recording(data: bytes, *, filename: str = "recording") -> RecordingAnalysis:
    """Decode a recording and measure its length, levels, clipping, speech and silences."""
    return measure(decode_audio(data, filename=filename))


def measure(audio: DecodedAudio) -> RecordingAnalysis:
    """Measure decoded samples (see the module docstring for each figure)."""
    samples = audio.samples.astype(np.float64)
    rate = audio.sample_rate
    size = max(1, round(FRAME_SECONDS * rate))
    frames = samples[: samples.size // size * size].reshape(-1, size)
    frame_power = np.mean(frames**2, axis=1)
    voiced = _voiced(_dbfs(frame_power))
    count = int(np.count_nonzero(voiced))
    if count:
        first, last = int(np.argmax(voiced)), int(voiced.size - np.argmax(voiced[::-1]))
        leading, trailing = first * size / rate, audio.duration - last * size / rate
    else:
        leading = trailing = audio.duration
    return RecordingAnalysis(
        duration=audio.duration,
        sample_rate=rate,
        level_dbfs=float(_dbfs(float(np.mean(samples**2)))),
        speech_level_dbfs=float(_dbfs(np.mean(frame_power[voiced]))) if count
        else SILENCE_DBFS,
        peak_dbfs=float(_dbfs(np.max(np.abs(samples)) ** 2)),
        clipped_share=float(np.mean(_clipped(samples))),
        voiced_share=count / voiced.size if voiced.size else 0.0,
        leading_silence=leading,
        trailing_silence=trailing,
    )


class RecordingReason(StrEnum):
    """Why a recording is refused, in the order they are reported."""

    TOO_SHORT = "recording.too_short"  # params: seconds, minimum
    TOO_LONG = "recording.too_long"  # params: seconds, maximum
    SILENT = "recording.silent"  # params: percent (voiced), minimum
    TOO_QUIET = "recording.too_quiet"  # params: level (dBFS), minimum
    CLIPPED = "recording.clipped"  # params: percent (clipped), maximum


@dataclass(frozen=True, slots=True)
class RecordingProblem:
    """One thing wrong with a recording, with the figures its message shows."""

    reason: RecordingReason
    params: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class RecordingLimits:
    """What an acceptable recording is: its length, share of speech, clipping and level."""

    min_seconds: float
    max_seconds: float
    min_voiced_share: float = 0.10
    max_clipped_share: float = 0.01
    min_level_dbfs: float = -40.0  # the speech level; phones record speech near -20 dBFS

    def __post_init__(self) -> None:
        if not 0 <= self.min_seconds <= self.max_seconds:
            raise ValueError(f"need 0 <= min_seconds <= max_seconds: {self}")
        if not (0 <= self.min_voiced_share <= 1 and 0 <= self.max_clipped_share <= 1):
            raise ValueError(f"shares are between 0 and 1: {self}")
        if not SILENCE_DBFS <= self.min_level_dbfs <= 0:
            raise ValueError(f"min_level_dbfs is between {SILENCE_DBFS} and 0: {self}")


@dataclass(frozen=True, slots=True)
class LimitOverrides:
    """Bounds a project's spec sets; ``None`` keeps the one computed or the default."""

    min_seconds: float | None = None
    max_seconds: float | None = None
    min_voiced_share: float | None = None
    max_clipped_share: float | None = None
    min_level_dbfs: float | None = None


def limits_for_sentence(text: str, overrides: LimitOverrides | None = None) -> RecordingLimits:
    """Return the bounds for reading ``text`` aloud, with the spec's overrides applied.

    Read speech runs at about 13-17 characters a second, spaces included (130-170 words a
    minute of five-letter words and their spaces; Malagasy's open syllables, a consonant and
    a vowel, at 5-7 a second give about as many). ``FAST_CHARS_PER_SECOND`` (25) is half as
    fast again as a fast reader: a shorter recording cannot hold the whole sentence.
    ``SLOW_CHARS_PER_SECOND`` (5) is a careful reader at a third of the usual pace, which
    also leaves room for digits and abbreviations read out in full ("1999" is four
    characters and over a second of speech); ``SLACK_SECONDS`` (3) more cover pressing
    and releasing the button and one restart. The minimum is at least
    ``MIN_SECONDS_FLOOR`` (1 s: a shorter voice note is a mis-tap). A prompt without a
    sentence (talk about an image) allows ``MIN_SECONDS_FLOOR`` to ``FREE_SPEECH_SECONDS``.
    A bound the spec sets wins; the computed one opposite moves out of its way.
    """
    chars = len(" ".join(text.split()))
    if chars:
        low = max(MIN_SECONDS_FLOOR, chars / FAST_CHARS_PER_SECOND)
        high = min(MAX_AUDIO_SECONDS, chars / SLOW_CHARS_PER_SECOND + SLACK_SECONDS)
    else:
        low, high = MIN_SECONDS_FLOOR, FREE_SPEECH_SECONDS
    limits = RecordingLimits(low, max(low, high))
    if overrides is None:
        return limits
    given = {field.name: getattr(overrides, field.name) for field in fields(overrides)
             if getattr(overrides, field.name) is not None}
    if "min_seconds" in given and "max_seconds" not in given:
        given["max_seconds"] = max(limits.max_seconds, given["min_seconds"] + SLACK_SECONDS)
    if "max_seconds" in given and "min_seconds" not in given:
        given["min_seconds"] = min(limits.min_seconds, given["max_seconds"])
    return replace(limits, **given)


def check_recording(analysis: RecordingAnalysis,
                    limits: RecordingLimits) -> tuple[RecordingProblem, ...]:
    """Return what is wrong with a recording against ``limits`` (nothing: it is acceptable).

    SILENT supersedes TOO_QUIET: a recording without speech has no speech level to judge.
    """
    problems = []
    if analysis.duration < limits.min_seconds:
        problems.append(RecordingProblem(RecordingReason.TOO_SHORT, {
            "seconds": _down(analysis.duration, 1), "minimum": _up(limits.min_seconds, 1)}))
    if analysis.duration > limits.max_seconds:
        problems.append(RecordingProblem(RecordingReason.TOO_LONG, {
            "seconds": _up(analysis.duration, 1), "maximum": _down(limits.max_seconds, 1)}))
    if analysis.voiced_share < limits.min_voiced_share:
        problems.append(RecordingProblem(RecordingReason.SILENT, {
            "percent": _down(100 * analysis.voiced_share, 0),
            "minimum": _up(100 * limits.min_voiced_share, 0)}))
    elif analysis.speech_level_dbfs < limits.min_level_dbfs:
        problems.append(RecordingProblem(RecordingReason.TOO_QUIET, {
            "level": _down(analysis.speech_level_dbfs, 0),
            "minimum": _up(limits.min_level_dbfs, 0)}))
    if analysis.clipped_share > limits.max_clipped_share:
        problems.append(RecordingProblem(RecordingReason.CLIPPED, {
            "percent": _up(100 * analysis.clipped_share, 1),
            "maximum": _down(100 * limits.max_clipped_share, 1)}))
    return tuple(problems)


def to_wav_16k(data: bytes, *, filename: str = "recording") -> bytes:
    """Return a recording as 16 kHz mono 16-bit PCM WAV (the usual input of speech models)."""
    audio = decode_audio(data, filename=filename)
    pcm = np.round(resample(audio.samples, audio.sample_rate, WAV_RATE) * 32767)
    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(pcm, -32768, 32767).astype(np.int16), WAV_RATE,
                    format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Return ``samples`` at ``target_rate``, through a Kaiser-windowed sinc polyphase filter.

    The rate changes by ``up/down`` (their ratio reduced: 48 kHz to 16 kHz is 1/3). Output
    sample ``n`` sits at source time ``n * down / up``; it is the dot product of the
    source samples around it with the filter's taps for that fractional position (its
    phase), so only the samples kept are computed. The cutoff is ``RESAMPLE_ROLLOFF`` of the
    lower of the two Nyquist frequencies (7.36 kHz for 16 kHz), ``RESAMPLE_LOBES`` sinc
    lobes each side under a Kaiser window of beta 8.6 (transition band 8.6 % of the cutoff
    each side: flat to 6.7 kHz, -0.4 dB at 7 kHz). Each phase's taps are normalised to sum
    to one. Past ``MAX_PHASES`` phases (rates with no large common divisor; 44.1 kHz has
    160) the position is rounded to the nearest of ``MAX_PHASES``: a timing error under
    1/2048 of a source sample. Measured (tests/annotation/media/test_speech.py): tones that
    would alias stay below -100 dB; a 7 kHz tone comes out within -120 dB of a perfect sine
    from 44.1 or 48 kHz, within -70 dB from 44.101 kHz (rounded phases).
    """
    source = np.asarray(samples, dtype=np.float64)
    if source_rate == target_rate:
        return source.astype(np.float32)
    common = math.gcd(source_rate, target_rate)
    up, down = target_rate // common, source_rate // common
    cutoff = RESAMPLE_ROLLOFF * min(1.0, up / down)  # of the source Nyquist frequency
    half = math.ceil(RESAMPLE_LOBES / cutoff)  # taps each side, in source samples
    phases = min(up, MAX_PHASES)
    offsets = np.arange(-half, half + 1)
    table = _windowed_sinc(offsets[None, :] - np.arange(phases)[:, None] / phases, cutoff, half)
    table /= table.sum(axis=1, keepdims=True)
    count = math.ceil(source.size * up / down)
    whole, rest = np.divmod(np.arange(count, dtype=np.int64) * down, up)
    phase = rest if phases == up else (rest * phases + up // 2) // up
    whole, phase = whole + phase // phases, phase % phases  # a position rounded up to the next
    padded = np.pad(source, (half + 1, half + 2))
    out = np.empty(count, dtype=np.float32)
    chunk = max(64, RESAMPLE_CHUNK_VALUES // offsets.size)  # bounds the gathered windows
    for start in range(0, count, chunk):
        part = slice(start, start + chunk)
        window = padded[whole[part, None] + offsets[None, :] + half + 1]
        out[part] = np.einsum("ij,ij->i", table[phase[part]], window)
    return out


def _windowed_sinc(offsets: np.ndarray, cutoff: float, half: int) -> np.ndarray:
    """Return a low-pass filter's taps at ``offsets`` (source samples) under a Kaiser window."""
    inside = np.clip(1 - (offsets / half) ** 2, 0.0, None)
    window = np.i0(KAISER_BETA * np.sqrt(inside)) / np.i0(KAISER_BETA) * (inside > 0)
    return cutoff * np.sinc(cutoff * offsets) * window


def _down(value: float, digits: int) -> float:
    """Return ``value`` rounded down to ``digits`` decimals (for a figure below a bound)."""
    scale = 10**digits
    return math.floor(round(value * scale, 6)) / scale


def _up(value: float, digits: int) -> float:
    """Return ``value`` rounded up to ``digits`` decimals (for a figure above a bound)."""
    scale = 10**digits
    return math.ceil(round(value * scale, 6)) / scale


def _dbfs(power: np.ndarray | float) -> np.ndarray:
    """Return mean square power in dBFS, digital silence at ``SILENCE_DBFS``."""
    floor = 10 ** (SILENCE_DBFS / 10)
    return 10 * np.log10(np.maximum(power, floor))


def _voiced(frame_dbfs: np.ndarray) -> np.ndarray:
    """Return which frames hold sound: loud enough, near the loudest, above the noise floor."""
    if frame_dbfs.size == 0:
        return np.zeros(0, dtype=bool)
    loudest = np.percentile(frame_dbfs, 99)
    noise = np.percentile(frame_dbfs, 10)
    return ((frame_dbfs >= VOICED_FLOOR_DBFS) & (frame_dbfs >= loudest - VOICED_RANGE_DB)
            & (frame_dbfs >= noise + VOICED_CONTRAST_DB))


def _clipped(samples: np.ndarray) -> np.ndarray:
    """Return which samples are clipped: at or past the rails, or on a flat top."""
    top, bottom = float(samples.max()), float(samples.min())
    labels = np.zeros(samples.size, dtype=np.int8)
    if top >= FLAT_TOP_LEVEL:
        labels[samples == top] = 1
    if bottom <= -FLAT_TOP_LEVEL:
        labels[samples == bottom] = -1
    flat = _in_long_runs(labels, FLAT_TOP_RUN)
    return (np.abs(samples) >= CLIP_LEVEL) | flat


def _in_long_runs(labels: np.ndarray, length: int) -> np.ndarray:
    """Return which entries belong to a run of at least ``length`` equal non-zero labels."""
    edges = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate(([0], edges))
    runs = np.diff(np.concatenate((starts, [labels.size])))
    keep = (runs >= length) & (labels[starts] != 0)
    return np.repeat(keep, runs)


def _too_long(filename: str, duration: float, limit: float) -> MediaRejected:
    return MediaRejected(MediaProblem.TOO_LONG, filename, duration=round(duration, 1),
                         limit=limit)
