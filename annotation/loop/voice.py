"""Voice answers: what a recording task receives and how a recording is judged.

``TaskService.answer_voice`` runs the use case; this module holds its values and the pure
decisions: the bounds a task's recording must keep (``annotation.media.speech``: from the
text's length, or the spec's ``min_seconds``/``max_seconds``), and what is wrong with a
recording once decoded and measured. Decoding is CPU work: :func:`judge_recording` runs in
a thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from annotation.kinds.recording import recording_detail
from annotation.media.preparation import MediaRejected
from annotation.media.speech import (
    LimitOverrides,
    RecordingLimits,
    RecordingProblem,
    RecordingReason,
    analyse_recording,
    check_recording,
    limits_for_sentence,
)
from annotation.models import Item, MediaKey, MediaKind, ProjectSpec

MAX_DOWNLOAD = 20 * 1024 * 1024  # Telegram serves bots files up to 20 MB


@dataclass(frozen=True, slots=True)
class VoiceNote:
    """A voice (or audio) message as Telegram describes it, before it is downloaded."""

    file_id: str
    file_unique_id: str  # the same file sent again keeps it
    seconds: int  # Telegram's duration, whole seconds
    size: int | None
    mime: str
    source: str  # the message, so a redelivered update records nothing twice
    voice: bool = True  # a voice note (False: an audio file): it is sent on the same way
    forwarded: bool = False  # forwarded from elsewhere: not the sender's own recording


@dataclass(frozen=True, slots=True)
class Judged:
    """A downloaded recording: its media key and detail, or what is wrong with it."""

    key: MediaKey
    detail: str
    problems: tuple[RecordingProblem, ...]


SUFFIXES = {"audio/ogg": ".ogg", "audio/opus": ".ogg", "audio/mpeg": ".mp3",
            "audio/mp3": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav",
            "audio/flac": ".flac", "audio/x-flac": ".flac"}


def recording_file_name(key: MediaKey, mime: str) -> str:
    """Return the stored file name of a recording: its key and the suffix its type has
    (a voice note is OGG/Opus; an audio file may be MP3, WAV or FLAC)."""
    return f"{key[:16]}{SUFFIXES.get(mime.split(';')[0].strip().lower(), '.ogg')}"


def limits_for(spec: ProjectSpec, item: Item) -> RecordingLimits:
    """Return the bounds a recording of ``item`` must keep: from the text to read (a media
    item's text is a prompt to talk about, not to read) and the spec's own bounds."""
    scale = spec.scale
    overrides = LimitOverrides(scale.min_seconds, scale.max_seconds) if scale else None
    text = item.text if item.kind is MediaKind.TEXT else ""
    return limits_for_sentence(text, overrides)


def too_long_to_fetch(note: VoiceNote, limits: RecordingLimits) -> RecordingProblem | None:
    """Return TOO_LONG when Telegram's duration already says so (nothing is downloaded)."""
    if note.seconds > limits.max_seconds + 1 or (note.size or 0) > MAX_DOWNLOAD:
        return RecordingProblem(RecordingReason.TOO_LONG, {
            "seconds": float(note.seconds), "maximum": float(int(limits.max_seconds))})
    return None


def judge_recording(data: bytes, note: VoiceNote, limits: RecordingLimits) -> Judged:
    """Decode and measure a recording, and say what is wrong with it (if anything).

    Raises ``MediaRejected`` when the bytes are not audio libsndfile can read.
    """
    analysis = analyse_recording(data, filename=f"{note.file_unique_id}.ogg")
    detail = recording_detail(analysis.duration, analysis.speech_level_dbfs,
                              analysis.voiced_share, note.file_unique_id, len(data))
    key = MediaKey(hashlib.sha256(data).hexdigest())
    return Judged(key, detail, check_recording(analysis, limits))


__all__ = ["MAX_DOWNLOAD", "Judged", "MediaRejected", "VoiceNote", "judge_recording",
           "limits_for", "recording_file_name", "too_long_to_fetch"]
