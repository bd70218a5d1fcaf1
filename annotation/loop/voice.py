"""Voice answers: what a recording task receives and how a recording is judged.

``TaskService.answer_voice`` runs the use case; this module holds its values and the pure
decisions: the bounds a task's recording must keep (``annotation.media.speech``: from the
text's length, or the spec's ``min_seconds``/``max_seconds``), and what is wrong with a
recording once decoded and measured. Decoding is CPU work: :func:`judge_recording` runs in
a thread.

It also decides what becomes of a message that is not a voice note: a document goes to the
coordinator's upload, to the open recording task (an audio file is taken like an audio
message) or is refused (:func:`document_use`); a refused message, like a photo or sticker,
is told what the open task takes instead (:func:`expected_answer`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from annotation.errors import ErrorCode
from annotation.intake.uploads import UploadKind, upload_kind
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

# a sound file sent as a document, by its name when its type is not given as audio/*
AUDIO_FILE_SUFFIXES = frozenset({".ogg", ".oga", ".opus", ".mp3", ".wav", ".flac", ".m4a",
                                 ".aac", ".amr", ".weba"})
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
    resendable: bool = True  # False: a document's file id, which is not sent as audio


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


class DocumentUse(StrEnum):
    """What becomes of a document someone sends."""

    UPLOAD = "upload"  # a project file: the coordinator's upload (which refuses anyone else)
    RECORDING = "recording"  # an audio file: taken like an audio message
    REFUSED = "refused"  # answers nothing: the sender is told what the open task takes


def is_audio_file(file_name: str, mime: str) -> bool:
    """Return whether a document is a sound file, by its type or else by its name."""
    kind = mime.split(";")[0].strip().lower()
    return kind.startswith("audio/") or kind == "application/ogg" or \
        PurePosixPath(file_name.lower()).suffix in AUDIO_FILE_SUFFIXES


def document_use(file_name: str, mime: str, *, coordinator: bool,
                 recording_open: bool) -> DocumentUse:
    """Say where a document goes: the coordinator path wins for a project file (settings,
    items, a zip) and, outside a recording task, for any file (the upload says which it
    takes); an audio file answers the open task like an audio message (which refuses it
    unless the task is a recording); anyone else's project file goes to the upload too
    (only coordinators may) unless a recording task is open, and the rest is refused."""
    project_file = upload_kind(file_name) is not UploadKind.UNKNOWN
    if coordinator and (project_file or not recording_open):
        return DocumentUse.UPLOAD
    if is_audio_file(file_name, mime):
        return DocumentUse.RECORDING
    if project_file and not recording_open:
        return DocumentUse.UPLOAD
    return DocumentUse.REFUSED


def expected_answer(*, voice: bool, typed: bool) -> ErrorCode:
    """Return the refusal of a message that answers no task (a photo, a sticker, a file):
    what the open task takes instead, a voice message, a typed answer or a button."""
    if voice:
        return ErrorCode.SEND_VOICE
    return ErrorCode.TYPE_ANSWER if typed else ErrorCode.USE_BUTTONS


__all__ = ["AUDIO_FILE_SUFFIXES", "MAX_DOWNLOAD", "DocumentUse", "Judged", "MediaRejected",
           "VoiceNote", "document_use", "expected_answer", "is_audio_file", "judge_recording",
           "limits_for", "recording_file_name", "too_long_to_fetch"]
