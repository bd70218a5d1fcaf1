"""In-memory file storage: uploaded bytes behind ``file_id``s, photo sizes, audio durations.

Every upload becomes a :class:`StoredFile` with its own ``file_id`` and download path; sending
a known ``file_id`` again reuses it without a new upload. The ``file_unique_id`` belongs to the
content: the same bytes of the same kind, uploaded or forwarded again, get a new ``file_id`` but
keep their ``file_unique_id``, as a Telegram file does when it is resent, so a bot can spot a
duplicate. Download links exist only once ``getFile`` issued them, until their deadline. Photos
get a PhotoSize array (thumbnails at 90 and 320 pixels when the original is larger, then the
original), measured with Pillow in a worker thread.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import mimetypes
import struct
import wave
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from bot.sandbox.errors import ApiError, bad_request

PREFIXES = {"photo": "AgAC", "document": "BQAC", "audio": "CQAC", "voice": "AwAC",
            "video": "BAAC", "thumbnail": "AAMC"}
FOLDERS = {"photo": "photos", "document": "documents", "audio": "music", "voice": "voice",
           "video": "videos", "thumbnail": "thumbnails"}
THUMBNAIL_BOXES = (90, 320)
# Kinds Telegram stores as documents with attributes: a file_id of one used as another gets
# "type of file mismatch"; a photo used as one of them (or back) gets "can't use file of type".
DOCUMENT_KINDS = frozenset({"document", "audio", "voice", "video"})
STICKER_SIDE = 512  # a static sticker: one side 512 px, the other at most
MAX_STICKER_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One stored file and what Telegram reports about it."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes = field(repr=False)
    path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    duration: int = 0
    title: str | None = None  # audio: track name and performer, as the sender declared them
    performer: str | None = None
    sizes: tuple[str, ...] = ()  # photo: file_ids of the PhotoSize array, smallest first

    @property
    def size(self) -> int:
        """Return the file size in bytes."""
        return len(self.data)

    def photo_size(self) -> dict[str, Any]:
        """Render this file as one PhotoSize object."""
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "width": self.width, "height": self.height, "file_size": self.size}


@dataclass(frozen=True, slots=True)
class PhotoInfo:
    """Dimensions of a photo and its generated thumbnails (width, height, JPEG bytes)."""

    width: int
    height: int
    thumbnails: tuple[tuple[int, int, bytes], ...]


class FileStore:
    """All files of one sandbox, by ``file_id`` and by download path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._unique_ids: dict[bytes, str] = {}
        self._link_deadlines: dict[str, float] = {}
        self._counter = 0

    def add(self, kind: str, data: bytes, **meta: Any) -> StoredFile:
        """Store ``data`` as a new file of ``kind`` and return it."""
        self._counter += 1
        n = self._counter
        extension = mimetypes.guess_extension(meta.get("mime_type") or "") or ""
        if kind == "photo" or kind == "thumbnail":
            extension = ".jpg"
        stored = StoredFile(
            file_id=f"{PREFIXES.get(kind, 'BQAC')}AgAD{n:09d}sandbox{kind[:2]}",
            file_unique_id=self._unique_id(kind, data),
            kind=kind,
            data=data,
            path=f"{FOLDERS.get(kind, 'documents')}/file_{n}{extension}",
            **meta,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.path] = stored
        return stored

    def _unique_id(self, kind: str, data: bytes) -> str:
        key = hashlib.sha256(kind.encode() + b"\0" + data).digest()
        found = self._unique_ids.get(key)
        if found is None:
            found = self._unique_ids[key] = f"AQAD{len(self._unique_ids) + 1:08d}"
        return found

    def reissue(self, file_id: str) -> StoredFile:
        """Give a stored file a new ``file_id`` and path (a forward); its unique id stays."""
        stored = self._by_id[file_id]
        if not stored.sizes:
            return self._copy(stored)
        copies = {old: self._copy(self._by_id[old]) for old in stored.sizes}
        sizes = tuple(copy.file_id for copy in copies.values())
        for copy in copies.values():
            self._replace(copy, sizes)
        return self._by_id[copies[file_id].file_id]

    def _copy(self, stored: StoredFile) -> StoredFile:
        return self.add(stored.kind, stored.data, file_name=stored.file_name,
                        mime_type=stored.mime_type, width=stored.width, height=stored.height,
                        duration=stored.duration, title=stored.title,
                        performer=stored.performer)

    def add_photo(self, data: bytes, info: PhotoInfo) -> StoredFile:
        """Store a photo with its thumbnails; return the original carrying all sizes."""
        thumbs = [self.add("photo", jpeg, width=w, height=h, mime_type="image/jpeg")
                  for w, h, jpeg in info.thumbnails]
        original = self.add("photo", data, width=info.width, height=info.height,
                            mime_type="image/jpeg")
        sizes = (*(t.file_id for t in thumbs), original.file_id)
        for stored in (*thumbs, original):
            self._replace(stored, sizes)
        return self._by_id[original.file_id]

    def _replace(self, stored: StoredFile, sizes: tuple[str, ...]) -> None:
        updated = dataclasses.replace(stored, sizes=sizes)
        self._by_id[stored.file_id] = updated
        self._by_path[stored.path] = updated

    def get(self, file_id: str) -> StoredFile | None:
        """Return the file with ``file_id``, if any."""
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        """Return the file served at download ``path``, if any."""
        return self._by_path.get(path)

    def issue_link(self, stored: StoredFile, deadline: float) -> None:
        """Make the download path of ``stored`` valid until ``deadline`` (getFile's link)."""
        self._link_deadlines[stored.path] = deadline

    def link_alive(self, path: str, now: float) -> bool:
        """Return whether ``getFile`` issued the link of ``path`` and it has not expired."""
        deadline = self._link_deadlines.get(path)
        return deadline is not None and now <= deadline

    def photo_sizes(self, stored: StoredFile) -> list[dict[str, Any]]:
        """Render the PhotoSize array of a stored photo, smallest first."""
        ids = stored.sizes or (stored.file_id,)
        return [self._by_id[i].photo_size() for i in ids]

    def __len__(self) -> int:
        return len(self._by_id)


def mismatch_error(actual: str, expected: str) -> ApiError:
    """Build Telegram's error for a ``file_id`` of kind ``actual`` sent as ``expected``."""
    if actual in DOCUMENT_KINDS and expected in DOCUMENT_KINDS:
        return bad_request("type of file mismatch")
    return bad_request(f"can't use file of type {actual.title()} as {expected.title()}")


def describe_photo(data: bytes, max_bytes: int) -> PhotoInfo:
    """Measure a photo and build its thumbnails; raise ApiError if Telegram would refuse it."""
    if len(data) > max_bytes:
        raise bad_request("PHOTO_SAVE_FILE_INVALID")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width + height > 10000 or max(width, height) > 20 * min(width, height):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            thumbnails = tuple(_thumbnail(image, box) for box in THUMBNAIL_BOXES
                               if max(width, height) > box)
    except (OSError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise bad_request("IMAGE_PROCESS_FAILED") from None
    return PhotoInfo(width, height, thumbnails)


def _thumbnail(image: Image.Image, box: int) -> tuple[int, int, bytes]:
    copy = image.convert("RGB")
    copy.thumbnail((box, box))
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=80)
    return copy.width, copy.height, out.getvalue()


def sticker_size(data: bytes) -> tuple[int, int]:
    """Return a static sticker's width and height; raise ApiError as Telegram refuses one
    (not WEBP, over 512 KB, or no side of 512 px, or a side over it)."""
    if len(data) > MAX_STICKER_BYTES:
        raise bad_request("file is too big")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
    except (OSError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise bad_request("STICKER_FILE_INVALID") from None
    if kind != "WEBP":
        raise bad_request("STICKER_FILE_INVALID")
    if max(width, height) != STICKER_SIDE:
        raise bad_request("STICKER_PNG_DIMENSIONS")
    return width, height


def audio_duration(data: bytes) -> int:
    """Return the duration in whole seconds (rounded down) of a WAV or OGG file, else 0."""
    try:
        if data[:4] == b"RIFF":
            with wave.open(io.BytesIO(data)) as w:
                return int(w.getnframes() / w.getframerate())
        if data[:4] == b"OggS":
            return int(ogg_seconds(data))
    except (wave.Error, EOFError, struct.error, IndexError, ZeroDivisionError):
        return 0
    return 0


def ogg_seconds(data: bytes) -> float:
    """Return the duration of an OGG Opus or Vorbis stream from its last page's granule.

    Walks the pages from the start (a search for the last ``OggS`` could land inside audio
    data); Opus counts 48 kHz samples and starts after its pre-skip. Raises struct.error or
    IndexError on a truncated header.
    """
    head = data.find(b"OpusHead", 0, 128)
    if head >= 0:
        rate, skip = 48000, struct.unpack_from("<H", data, head + 10)[0]
    else:
        at = data.find(b"\x01vorbis", 0, 256)
        if at < 0:
            return 0.0
        rate, skip = struct.unpack_from("<I", data, at + 12)[0], 0
    granule, offset = 0, 0
    while data[offset:offset + 4] == b"OggS":
        position, segments = struct.unpack_from("<q", data, offset + 6)[0], data[offset + 26]
        table = data[offset + 27:offset + 27 + segments]
        if position >= 0:  # -1: no packet ends on this page
            granule = position
        offset += 27 + segments + sum(table)
    return max(0, granule - skip) / rate if rate else 0.0
