"""Files in requests: uploads, ``attach://`` references and reused ``file_id``s.

Preparing validates (size, photo dimensions) without storing anything, so a request refused
afterwards by flood control stores no file; committing stores the upload and counts it.
"""

from __future__ import annotations

import asyncio
import mimetypes
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.files import (
    PhotoInfo,
    StoredFile,
    audio_duration,
    describe_photo,
    mismatch_error,
)
from bot.sandbox.methods.call import Call
from bot.sandbox.params import Upload
from bot.sandbox.state import SandboxState

DEFAULT_MIME = {"voice": "audio/ogg", "audio": "audio/mpeg", "photo": "image/jpeg"}


@dataclass(frozen=True, slots=True)
class PreparedFile:
    """A validated file reference: either an existing file or an upload to store."""

    kind: str
    existing: StoredFile | None = None
    upload: Upload | None = None
    photo: PhotoInfo | None = None


async def prepare_file(state: SandboxState, call: Call, kind: str, value: Any) -> PreparedFile:
    """Validate a file parameter (upload, attach:// reference or file_id) for ``kind``."""
    if isinstance(value, str) and value.startswith("attach://"):
        value = call.attached(value)
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        stored = state.require_file(value)
        if stored.kind != kind:
            raise mismatch_error(stored.kind, kind)
        return PreparedFile(kind, existing=stored)
    if not isinstance(value, Upload):
        raise bad_request(f"there is no {kind} in the request")
    if len(value.data) > state.config.max_upload_bytes:
        raise ApiError(413, "Request Entity Too Large")
    if not value.data:
        raise bad_request("file must be non-empty")
    photo = None
    if kind == "photo":
        photo = await asyncio.to_thread(describe_photo, value.data,
                                        state.config.max_photo_bytes)
    return PreparedFile(kind, upload=value, photo=photo)


def commit_file(state: SandboxState, prepared: PreparedFile,
                declared: dict[str, Any] | None = None) -> StoredFile:
    """Store a prepared upload (counting it) or return the reused file.

    ``declared`` holds the request's parameters: an audio file keeps the ``duration``,
    ``title`` and ``performer`` its sender gave, and shows them again when resent by file_id.
    """
    if prepared.existing is not None:
        return prepared.existing
    upload = prepared.upload
    assert upload is not None
    state.stats.uploads += 1
    state.stats.uploaded_bytes += len(upload.data)
    if prepared.photo is not None:
        return state.files.add_photo(upload.data, prepared.photo)
    mime = (mimetypes.guess_type(upload.filename)[0] if upload.filename else None) or (
        DEFAULT_MIME.get(prepared.kind) or upload.content_type or "application/octet-stream")
    declared = declared or {}
    duration = 0
    if prepared.kind in ("audio", "voice"):
        given = declared.get("duration")
        duration = given if isinstance(given, int) and given > 0 else audio_duration(upload.data)
    tags = ({k: v if isinstance(v := declared.get(k), str) and v else None
             for k in ("title", "performer")} if prepared.kind == "audio" else {})
    return state.files.add(prepared.kind, upload.data, file_name=upload.filename or None,
                           mime_type=mime, duration=duration, **tags)


def media_json(state: SandboxState, stored: StoredFile, params: dict[str, Any]
               ) -> dict[str, Any] | list[dict[str, Any]]:
    """Render the Message field (``photo``, ``document``, ...) of a stored file."""
    if stored.kind == "photo":
        return state.files.photo_sizes(stored)
    out: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.kind in ("audio", "voice", "video"):
        out["duration"] = int(params.get("duration") or stored.duration)
    if stored.kind == "audio":
        out.update({k: v for k in ("performer", "title")
                    if (v := params.get(k) or getattr(stored, k))})
    if stored.file_name and stored.kind != "voice":
        out["file_name"] = stored.file_name
    if stored.mime_type:
        out["mime_type"] = stored.mime_type
    out["file_size"] = stored.size
    return out
