"""Two candidate clips joined into one voice note: the one message an audio comparison plays.

An audio comparison is one task message like every other: a voice note with the caption and
the buttons. The note plays both candidates, each announced by a cue: one beep, then the
screen's A; a pause, two beeps, then the screen's B. The caption says where B starts
(``AudioPair.second_at``), which Telegram's apps turn into a link that seeks there, and the
waveform shows the pause. Intake composes the note twice per item
(:func:`compose_audio_orders`): in the item's order and reversed, so each annotator gets
the order drawn for them (``Turn.swapped``) without any work at answer time.

Sound, for a phone and a data budget:

- each clip is decoded by libsndfile (``annotation.media.speech.decode_audio``: OGG/Opus,
  OGG/Vorbis, MP3, WAV; not M4A, refused with ``media.undecodable``), mixed to mono and
  resampled to ``RATE`` (48 kHz, Opus's own rate: an Opus clip, decoded at 48 kHz, needs no
  resampling, and the bit rate, not the sample rate, sets the size); the levels are left
  as they are, so a quieter candidate sounds quieter, as it would alone;
- the note is OGG/Opus (``annotation.media.voice_notes``: about 20-24 kbit/s, under 3 KB a
  second), what Telegram's apps record and play as a voice note;
- both clips together with their cues may last at most ``MAX_PAIR_SECONDS``; a longer pair
  is refused at import with both files and the length (``media.too_long``), never cut,
  before anything is decoded (the clips' lengths are read from their headers at
  preparation, then checked again on the decoded sound).

Cost: about 1.1 s of one core for two ten-second clips and 5.9 s for two one-minute ones,
nine tenths of it libopus encoding both orders (``benchmarks/phone_audio.py``,
``docs/PERFORMANCE.md``).

Blocking (decoding, resampling, encoding): intake runs it on the uploads' worker pool, off
the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from annotation.media.preparation import (
    MAX_AUDIO_SECONDS,
    MediaProblem,
    MediaRejected,
    PreparedMedia,
)
from annotation.media.speech import decode_audio, resample
from annotation.media.voice_notes import OPUS_RATE, encode_voice_note
from annotation.models import MediaKind

RATE = OPUS_RATE
MAX_PAIR_SECONDS = MAX_AUDIO_SECONDS
BEEP_SECONDS = 0.12
BEEP_GAP_SECONDS = 0.08  # between B's two beeps
BEEP_LEVEL = 0.25  # about -12 dBFS: heard, not startling
BEEP_HZ = (880.0, 1320.0)  # A's beep, B's beeps
AFTER_CUE_SECONDS = 0.3
PAUSE_SECONDS = 1.0  # silence between the end of A and B's cue
UNDECODABLE_MIMES = frozenset({"audio/mp4"})  # libsndfile reads no M4A/AAC


@dataclass(frozen=True, slots=True)
class AudioPair:
    """A composed voice note and where its second candidate's cue starts, in seconds."""

    media: PreparedMedia
    second_at: float


def compose_audio_orders(first: PreparedMedia, second: PreparedMedia
                         ) -> tuple[AudioPair, AudioPair]:
    """Return the two clips joined in the item's order (first as A) and reversed (second
    as A)."""
    _check_length(first, second, (first.duration or 0.0) + (second.duration or 0.0))
    clips = _decode(first), _decode(second)
    _check_length(first, second, (clips[0].size + clips[1].size) / RATE)
    return (_compose(clips, "pair-ab.ogg"), _compose(clips[::-1], "pair-ba.ogg"))


def overhead_seconds() -> float:
    """Return what the cues and the pause add to the two clips' own length."""
    return len(_cue(1)) / RATE + PAUSE_SECONDS + len(_cue(2)) / RATE


def _check_length(first: PreparedMedia, second: PreparedMedia, seconds: float) -> None:
    """Refuse a pair whose clips and cues would last more than a note may."""
    total = seconds + overhead_seconds()
    if total > MAX_PAIR_SECONDS:
        raise MediaRejected(MediaProblem.TOO_LONG, f"{first.filename} + {second.filename}",
                            duration=round(total, 1), limit=MAX_PAIR_SECONDS)


def _decode(media: PreparedMedia) -> np.ndarray:
    """Decode a candidate clip to mono samples at ``RATE``."""
    if media.kind is not MediaKind.AUDIO:
        raise MediaRejected(MediaProblem.UNSUPPORTED, media.filename)
    if media.mime in UNDECODABLE_MIMES:
        raise MediaRejected(MediaProblem.UNDECODABLE, media.filename)
    audio = decode_audio(media.data, filename=media.filename)
    samples = audio.samples if audio.sample_rate == RATE else \
        resample(audio.samples, audio.sample_rate, RATE).astype(np.float32)
    return np.clip(samples, -1.0, 1.0)


def _cue(beeps: int) -> np.ndarray:
    """Return ``beeps`` short Hann-shaped tones (one for A, two for B) and the silence after."""
    count = round(BEEP_SECONDS * RATE)
    tone = (BEEP_LEVEL * np.hanning(count)
            * np.sin(2 * np.pi * BEEP_HZ[beeps - 1] * np.arange(count) / RATE))
    gap = np.zeros(round(BEEP_GAP_SECONDS * RATE))
    parts = [tone] + [part for _ in range(beeps - 1) for part in (gap, tone)]
    parts.append(np.zeros(round(AFTER_CUE_SECONDS * RATE)))
    return np.concatenate(parts).astype(np.float32)


def _compose(clips: tuple[np.ndarray, np.ndarray], filename: str) -> AudioPair:
    """Join the clips under their cues and encode the note."""
    pause = np.zeros(round(PAUSE_SECONDS * RATE), dtype=np.float32)
    head = np.concatenate([_cue(1), clips[0], pause])
    sound = np.concatenate([head, _cue(2), clips[1]])
    return AudioPair(encode_voice_note(sound, RATE, filename), head.size / RATE)
