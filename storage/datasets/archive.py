"""Zip archives for the chat: one download on a phone, split below Telegram's upload limit.

Files are added whole, in order, to ``<stem>.zip``; when the next file would push the part
past ``max_bytes`` a new part ``<stem>-part2.zip`` starts. Every part is a complete zip on
its own. A file larger than a part can hold must be written in pieces by its writer first
(the tabular writers roll over to a new file at a size limit), so no part ever exceeds the
limit.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

from annotation.ports.datasets import PART_LIMIT

_ENTRY_OVERHEAD = 128  # local header (30) + central entry (46) + descriptor, extras
_STORED_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".ogg", ".mp3", ".m4a",
                              ".zip"})


class FileTooLarge(ValueError):
    """A single file is larger than one archive part may be."""


def _compression(path: Path) -> int:
    return zipfile.ZIP_STORED if path.suffix.lower() in _STORED_SUFFIXES else zipfile.ZIP_DEFLATED


def write_archives(files: Sequence[tuple[str, Path]], out_dir: Path, stem: str,
                   max_bytes: int = PART_LIMIT) -> list[Path]:
    """Pack ``(name in archive, file)`` pairs into zips of at most ``max_bytes`` each."""
    out_dir.mkdir(parents=True, exist_ok=True)
    parts: list[Path] = []
    archive: zipfile.ZipFile | None = None
    used = 0
    try:
        for arcname, path in files:
            size = path.stat().st_size + len(arcname) * 2 + _ENTRY_OVERHEAD
            if size + 22 > max_bytes:
                raise FileTooLarge(f"{arcname}: {size} bytes cannot fit in a {max_bytes}-byte part")
            if archive is None or used + size > max_bytes:
                if archive is not None:
                    archive.close()
                name = f"{stem}.zip" if not parts else f"{stem}-part{len(parts) + 1}.zip"
                parts.append(out_dir / name)
                archive = zipfile.ZipFile(parts[-1], "w")
                used = 22  # end of central directory record
            archive.write(path, arcname=arcname, compress_type=_compression(path))
            used += size
    finally:
        if archive is not None:
            archive.close()
    if len(parts) > 1:
        first = parts[0].with_name(f"{stem}-part1.zip")
        parts[0] = parts[0].rename(first)
    return parts
