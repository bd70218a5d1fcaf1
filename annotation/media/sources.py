"""Where an items file's media come from: a directory, a zip archive or memory.

Every source takes the paths written in an items file, relative to that file, and refuses
any that would leave its root (``..``, absolute paths, drive letters, symlinks out). Zip
archives are checked before anything is read: member count and total uncompressed size are
capped (zip bombs), and ``zipfile`` never returns more than a member's declared size.
``key`` names the one file a path reaches (``./a.png``, ``.//a.png`` and, in a zip, ``A.PNG``
all reach ``a.png``), so that a file is read and prepared once however it is written.

::

    DomainError (annotation.errors)
    └── MediaUnavailable     code INVALID, params: reason (a SourceProblem), path

Codes (``SourceProblem``) and their params:

- ``items.unsafe_path``          path (leaves the items file's folder)
- ``items.missing_media``        path
- ``items.unreadable_media``     path (encrypted member, broken archive entry, I/O error)
- ``archive.bad_zip``            the upload is not a zip archive
- ``archive.too_many_files``     count, limit
- ``archive.too_large``          size, limit (total uncompressed bytes)
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from annotation.errors import DomainError, ErrorCode, Problem, ValidationFailed
from annotation.media.preparation import MAX_INPUT_BYTES, MediaProblem, MediaRejected

MAX_ARCHIVE_MEMBERS = 110_000
MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


class SourceProblem(StrEnum):
    """Why a media path or an archive was refused."""

    UNSAFE_PATH = "items.unsafe_path"
    MISSING_MEDIA = "items.missing_media"
    UNREADABLE_MEDIA = "items.unreadable_media"
    BAD_ZIP = "archive.bad_zip"
    TOO_MANY_FILES = "archive.too_many_files"
    TOO_LARGE = "archive.too_large"


class MediaUnavailable(DomainError):
    """A media path cannot be read from its source; ``reason`` says why."""

    code = ErrorCode.INVALID

    def __init__(self, reason: SourceProblem, path: str) -> None:
        super().__init__(ErrorCode.INVALID, reason=reason, path=path)
        self.reason = reason
        self.path = path


class MediaSource(Protocol):
    """Media files addressed by paths relative to the items file."""

    def read(self, relative_path: str) -> bytes:
        """Return the file's bytes (raise MediaUnavailable, KeyError or OSError if absent)."""
        ...

    def exists(self, relative_path: str) -> bool:
        """Return whether the file is there."""
        ...

    def key(self, relative_path: str) -> str:
        """Return the name of the file a path reaches (raise MediaUnavailable if unsafe)."""
        ...


def safe_relative_path(raw: str) -> str:
    """Return ``raw`` as a normalized relative POSIX path, refusing paths that escape.

    ``.`` and empty parts are dropped; any ``..`` is refused, even one that would stay
    inside (``x/../a.png``), so that no path depends on what ``x`` is on disk.
    """
    path = raw.strip().replace("\\", "/")
    if not path or "\x00" in path or path.startswith("/") or _DRIVE.match(path):
        raise MediaUnavailable(SourceProblem.UNSAFE_PATH, raw)
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if not parts or ".." in parts:
        raise MediaUnavailable(SourceProblem.UNSAFE_PATH, raw)
    return "/".join(parts)


def _too_large(path: str, size: int) -> MediaRejected:
    return MediaRejected(MediaProblem.TOO_LARGE, path, size=size, limit=MAX_INPUT_BYTES)


class DirectorySource:
    """Media files under a directory on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _locate(self, relative_path: str) -> Path:
        target = (self.root / safe_relative_path(relative_path)).resolve()
        if not target.is_relative_to(self.root):  # a symlink pointing out
            raise MediaUnavailable(SourceProblem.UNSAFE_PATH, relative_path)
        return target

    def read(self, relative_path: str) -> bytes:
        """Return the file's bytes, at most one byte past the media size cap."""
        target = self._locate(relative_path)
        if not target.is_file():
            raise MediaUnavailable(SourceProblem.MISSING_MEDIA, relative_path)
        size = target.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise _too_large(relative_path, size)
        try:
            with target.open("rb") as handle:
                return handle.read(MAX_INPUT_BYTES + 1)
        except OSError:
            raise MediaUnavailable(SourceProblem.UNREADABLE_MEDIA, relative_path) from None

    def exists(self, relative_path: str) -> bool:
        """Return whether the file is there (unsafe paths never exist)."""
        try:
            return self._locate(relative_path).is_file()
        except MediaUnavailable:
            return False

    def key(self, relative_path: str) -> str:
        """Return the file's resolved path (symlinks followed)."""
        try:
            return str(self._locate(relative_path))
        except (OSError, RuntimeError):  # a symlink loop, a name too long: read() reports it
            return safe_relative_path(relative_path)


class ZipSource:
    """Media files inside a zip archive, below an optional folder ``base``."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        base: str = "",
        *,
        max_members: int = MAX_ARCHIVE_MEMBERS,
        max_total_bytes: int = MAX_ARCHIVE_BYTES,
    ) -> None:
        infos = archive.infolist()
        if len(infos) > max_members:
            raise ValidationFailed(
                [
                    Problem(
                        SourceProblem.TOO_MANY_FILES,
                        params={"count": len(infos), "limit": max_members},
                    )
                ]
            )
        total = sum(info.file_size for info in infos)
        if total > max_total_bytes:
            raise ValidationFailed(
                [Problem(SourceProblem.TOO_LARGE, params={"size": total, "limit": max_total_bytes})]
            )
        self.archive = archive
        self.base = base.strip("/")
        self._members = {
            info.filename.replace("\\", "/"): info for info in infos if not info.is_dir()
        }
        folded: dict[str, list[str]] = {}
        for name in self._members:
            folded.setdefault(name.casefold(), []).append(name)
        # Windows users' items files often disagree with their files on letter case only
        self._folded = {key: names[0] for key, names in folded.items() if len(names) == 1}

    @property
    def names(self) -> list[str]:
        """Return the member file names (with ``/`` separators)."""
        return list(self._members)

    def member(self, relative_path: str) -> zipfile.ZipInfo | None:
        """Return the member at a path relative to ``base``, or None."""
        path = safe_relative_path(relative_path)
        full = f"{self.base}/{path}" if self.base else path
        name = full if full in self._members else self._folded.get(full.casefold())
        return None if name is None else self._members[name]

    def read(self, relative_path: str) -> bytes:
        """Return a member's bytes, at most one byte past the media size cap."""
        info = self.member(relative_path)
        if info is None:
            raise MediaUnavailable(SourceProblem.MISSING_MEDIA, relative_path)
        return self.read_member(info, relative_path, MAX_INPUT_BYTES)

    def read_member(self, info: zipfile.ZipInfo, shown_as: str, limit: int) -> bytes:
        """Return up to ``limit`` + 1 bytes of a member, refusing declared sizes past it."""
        if info.file_size > limit:
            raise MediaRejected(MediaProblem.TOO_LARGE, shown_as, size=info.file_size, limit=limit)
        try:
            with self.archive.open(info) as handle:
                return handle.read(limit + 1)
        except (
            zipfile.BadZipFile,
            zlib.error,
            RuntimeError,
            NotImplementedError,
            EOFError,
            ValueError,
            OSError,
        ):
            raise MediaUnavailable(SourceProblem.UNREADABLE_MEDIA, shown_as) from None

    def exists(self, relative_path: str) -> bool:
        """Return whether the member is there (unsafe paths never exist)."""
        try:
            return self.member(relative_path) is not None
        except MediaUnavailable:
            return False

    def key(self, relative_path: str) -> str:
        """Return the member's name (its normalized path when there is no such member)."""
        info = self.member(relative_path)
        return safe_relative_path(relative_path) if info is None else info.filename


class MemorySource:
    """Media files held in memory, keyed by relative path (tests, the bundled sample)."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = {safe_relative_path(path): data for path, data in files.items()}

    def read(self, relative_path: str) -> bytes:
        """Return the file's bytes."""
        try:
            return self.files[safe_relative_path(relative_path)]
        except KeyError:
            raise MediaUnavailable(SourceProblem.MISSING_MEDIA, relative_path) from None

    def exists(self, relative_path: str) -> bool:
        """Return whether the file is there."""
        try:
            return safe_relative_path(relative_path) in self.files
        except MediaUnavailable:
            return False

    def key(self, relative_path: str) -> str:
        """Return the normalized path."""
        return safe_relative_path(relative_path)
