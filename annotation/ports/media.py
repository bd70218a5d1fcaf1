"""Ports of media: prepared bytes, stored once, and the Telegram file ids they were
uploaded as."""

from __future__ import annotations

from typing import Protocol

from annotation.models import Media, MediaKey


class MediaRepository(Protocol):
    """Prepared media and the Telegram file ids they were uploaded as."""

    async def add(self, key: MediaKey, kind: str, filename: str, mime: str, send_as: str,
                  data: bytes, phone_key: MediaKey | None = None) -> None:
        """Store media bytes once (a second store of the same key changes nothing but a
        missing ``phone_key``: the stored copy sent to phones instead)."""
        ...

    async def get(self, key: MediaKey) -> Media | None:
        """Return the metadata (no bytes) of what is sent for a media file: its phone copy
        when it has one, else itself; None if unknown."""
        ...

    async def data(self, key: MediaKey) -> bytes:
        """Return the media bytes."""
        ...

    async def set_file_id(self, key: MediaKey, file_id: str) -> None:
        """Remember the Telegram file id of uploaded media."""
        ...
