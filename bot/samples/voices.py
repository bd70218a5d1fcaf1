"""Synthetic voice notes: real OGG/Opus bytes that sound speech-like, for tests and the demo.

A note is built the way a phone records one: a short silence while the thumb settles, then
words, then a short silence before release, all over a faint microphone noise floor
(about -70 dBFS). A word is two to four syllables of 160-300 ms (a syllable rate near
4 Hz, the rate of real speech), words are parted by pauses of 80-250 ms. A syllable is a
voiced vowel: the harmonics of a pitch contour that falls from about 200 Hz to about
115 Hz over the phrase (declination) with a small accent on each syllable and a slow
jitter, always within 100-220 Hz, shaped by the vowel's three formants and opened by a
short burst of hiss (a consonant). Kinds:

- ``speech``: peaks at -3 dBFS, an active level near -20 dBFS: a good recording;
- ``quiet``: the same voice at an active level of about -50 dBFS (a phone held far away);
- ``clipped``: the voice driven 24 dB into the rails and cut flat at full scale;
- ``silence``: only the faint noise floor (the microphone was muted or covered);
- ``noise``: steady hiss at about -25 dBFS and no voice (a pocket or the wind).

The note is encoded by libsndfile's Opus encoder (``soundfile``, subtype ``OPUS``) at about
20 kbit/s, near a Telegram voice note's few KB per second. Audio is a pure function of
``seed``; the bytes are not (the OGG stream's serial number is random).
"""

from __future__ import annotations

import io
from enum import StrEnum

import numpy as np
import soundfile

OPUS_RATES = frozenset({8000, 12000, 16000, 24000, 48000})
# libsndfile maps compression 0..1 onto Opus bitrates; 0.95 gives about 20 kbit/s (2.5 KB/s)
OPUS_COMPRESSION = 0.95
FLOOR_DBFS = -70.0
SPEECH_PEAK_DBFS = -3.0
QUIET_DBFS = -50.0
CLIP_GAIN_DB = 24.0
NOISE_DBFS = -25.0
LOWEST_PITCH, HIGHEST_PITCH = 100.0, 220.0
HARMONICS_UP_TO = 4000.0  # Hz: a voice's energy above this is small
# (F1, F2, F3) in Hz of five vowels (a, e, i, o, u), an adult average
VOWELS = ((730.0, 1090.0, 2440.0), (530.0, 1840.0, 2480.0), (270.0, 2290.0, 3010.0),
          (570.0, 840.0, 2410.0), (300.0, 870.0, 2240.0))
FORMANT_BANDWIDTHS = (90.0, 110.0, 170.0)


class VoiceKind(StrEnum):
    """What a generated voice note holds."""

    SPEECH = "speech"
    SILENCE = "silence"
    CLIPPED = "clipped"
    QUIET = "quiet"
    NOISE = "noise"


def voice_note(seconds: float, *, kind: str = VoiceKind.SPEECH, seed: int = 0,
               sample_rate: int = 48_000) -> bytes:
    """Return an OGG/Opus voice note of ``seconds`` holding ``kind`` (see the module doc)."""
    return encode_opus(voice_samples(seconds, kind=kind, seed=seed, sample_rate=sample_rate),
                       sample_rate)


def voice_samples(seconds: float, *, kind: str = VoiceKind.SPEECH, seed: int = 0,
                  sample_rate: int = 48_000) -> np.ndarray:
    """Return the mono float samples of a voice note before encoding (a pure function)."""
    kind = VoiceKind(kind)
    if sample_rate not in OPUS_RATES:
        raise ValueError(f"Opus takes {sorted(OPUS_RATES)} Hz, not {sample_rate}")
    if not 0 < seconds <= 600:
        raise ValueError(f"a voice note lasts 0-600 s, not {seconds}")
    rng = np.random.default_rng(seed)
    count = max(1, round(seconds * sample_rate))
    floor = _gain(FLOOR_DBFS) * rng.standard_normal(count)
    if kind is VoiceKind.SILENCE:
        return floor
    if kind is VoiceKind.NOISE:
        return floor + _gain(NOISE_DBFS) * _pinkish(rng, count)
    voice = _voice(rng, count, sample_rate)
    if kind is VoiceKind.QUIET:
        active = voice[np.abs(voice) > 0.01 * np.max(np.abs(voice))]
        return floor + voice * _gain(QUIET_DBFS) / np.sqrt(np.mean(active**2))
    voice *= _gain(SPEECH_PEAK_DBFS) / np.max(np.abs(voice))
    if kind is VoiceKind.CLIPPED:
        return np.clip(voice * _gain(CLIP_GAIN_DB) + floor, -1.0, 1.0)
    return voice + floor


def encode_opus(samples: np.ndarray, sample_rate: int) -> bytes:
    """Return ``samples`` (mono float in [-1, 1]) encoded as an OGG/Opus file."""
    buffer = io.BytesIO()
    soundfile.write(buffer, samples.astype(np.float32), sample_rate, format="OGG",
                    subtype="OPUS", compression_level=OPUS_COMPRESSION)
    return buffer.getvalue()


def _gain(dbfs: float) -> float:
    return float(10 ** (dbfs / 20))


def _voice(rng: np.random.Generator, count: int, rate: int) -> np.ndarray:
    """Return words over ``count`` samples: silence, syllables and pauses, silence."""
    margin = min(round(rng.uniform(0.25, 0.45) * rate), count // 8)
    start, end = margin, count - min(round(rng.uniform(0.25, 0.45) * rate), count // 8)
    envelope = np.zeros(count)
    vowel = np.zeros(count, dtype=np.int64)
    accent = np.zeros(count)
    onsets: list[int] = []
    at = start
    while at < end:
        for _ in range(int(rng.integers(2, 5))):
            length = min(round(rng.uniform(0.16, 0.30) * rate), end - at)
            if length < rate // 50:
                break
            envelope[at:at + length] = np.sin(np.linspace(0.0, np.pi, length)) ** 1.5
            vowel[at:at + length] = rng.integers(len(VOWELS))
            accent[at:at + length] = rng.uniform(0.0, 15.0)
            onsets.append(at)
            at += length
        at += round(rng.uniform(0.08, 0.25) * rate)
    pitch = _pitch(rng, count, start, end, accent, rate)
    voice = _harmonics(pitch, vowel, rate) * envelope
    for onset in onsets:  # a consonant: 20-50 ms of hiss opening the syllable
        length = min(round(rng.uniform(0.02, 0.05) * rate), count - onset)
        hiss = np.diff(rng.standard_normal(length + 1)) * np.hanning(length)
        voice[onset:onset + length] += 0.08 * hiss
    return voice


def _pitch(rng: np.random.Generator, count: int, start: int, end: int, accent: np.ndarray,
           rate: int) -> np.ndarray:
    """Return the pitch contour in Hz: declination, syllable accents and a slow jitter."""
    high, low = rng.uniform(185.0, 205.0), rng.uniform(108.0, 125.0)
    span = max(1, end - start)
    fall = high + (low - high) * np.clip((np.arange(count) - start) / span, 0.0, 1.0)
    steps = rng.standard_normal(count // max(1, rate // 100) + 2)  # a step every 10 ms
    jitter = np.interp(np.arange(count) / max(1, rate // 100), np.arange(steps.size),
                       np.cumsum(steps) * 0.4)
    contour = fall + _smooth(accent, rate // 25) + np.clip(jitter - jitter.mean(), -5.0, 5.0)
    return np.clip(contour, LOWEST_PITCH, HIGHEST_PITCH)


def _harmonics(pitch: np.ndarray, vowel: np.ndarray, rate: int) -> np.ndarray:
    """Return a voiced source at ``pitch`` filtered by each sample's vowel formants."""
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    step = max(1, rate // 200)  # gains change slowly: compute them every 5 ms, interpolate
    at = np.arange(0, pitch.size, step)
    formants = [_smooth(np.asarray(VOWELS)[vowel, i], rate // 50)[at] for i in range(3)]
    top = min(HARMONICS_UP_TO, 0.45 * rate)
    cosine, previous, current = np.cos(phase), np.zeros(pitch.size), np.sin(phase)
    out = np.zeros(pitch.size)
    for k in range(1, int(top // LOWEST_PITCH) + 1):
        frequency = k * pitch[at]
        gain = sum(1.0 / (1.0 + ((frequency - f) / b) ** 2)
                   for f, b in zip(formants, FORMANT_BANDWIDTHS, strict=True))
        gain = (gain + 0.05) / k**0.5 * (frequency < top)
        out += np.interp(np.arange(pitch.size), at, gain) * current
        # sin((k+1)x) = 2 cos(x) sin(kx) - sin((k-1)x): no sine per harmonic
        previous, current = current, 2 * cosine * current - previous
    return out


def _smooth(values: np.ndarray, width: int) -> np.ndarray:
    """Return ``values`` under a moving average of ``width`` samples (edges held)."""
    if width < 2:
        return values.astype(np.float64)
    padded = np.pad(values.astype(np.float64), (width // 2, width - 1 - width // 2), mode="edge")
    sums = np.concatenate(([0.0], np.cumsum(padded)))
    return (sums[width:] - sums[:-width]) / width


def _pinkish(rng: np.random.Generator, count: int) -> np.ndarray:
    """Return steady noise of unit RMS, tilted towards low frequencies like room noise."""
    white = rng.standard_normal(count)
    tilted = white + 0.8 * _smooth(white, 8) * np.sqrt(8)
    return tilted / np.sqrt(np.mean(tilted**2))
