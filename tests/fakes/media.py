"""In-memory media (``annotation.ports.media``), as ``SqliteMedia`` does it."""

from __future__ import annotations

from annotation.models import Media, MediaKey, MediaKind
from tests.fakes.state import FakeState, MediaRow


class FakeMediaRepository:
    """The ``media`` table."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def add(self, key: MediaKey, kind: str, filename: str, mime: str, send_as: str,
                  data: bytes, phone_key: MediaKey | None = None) -> None:
        """Store media bytes once (a second store of the same key changes nothing but a
        missing ``phone_key``: the stored copy sent to phones instead)."""
        row = self._state.media.get(key)
        if row is None:
            self._state.media[key] = MediaRow(key, kind, filename, mime,
                                              send_as, bytes(data), phone_key=phone_key)
        elif row.phone_key is None:  # ON CONFLICT (key) DO UPDATE SET phone_key = COALESCE
            row.phone_key = phone_key

    async def get(self, key: MediaKey) -> Media | None:
        """Return the metadata (no bytes) of what is sent for a media file: its phone copy
        when it has one, else itself; None if unknown."""
        row = self._state.media.get(key)
        if row is not None and row.phone_key is not None:
            row = self._state.media.get(row.phone_key)
        if row is None:
            return None
        return Media(MediaKey(row.key), MediaKind(row.kind), row.filename, row.mime,
                     row.send_as, row.file_id)

    async def data(self, key: MediaKey) -> bytes:
        """Return the media bytes."""
        row = self._state.media.get(key)
        if row is None:
            raise KeyError(key)
        return row.data

    async def set_file_id(self, key: MediaKey, file_id: str) -> None:
        """Remember the Telegram file id of uploaded media."""
        row = self._state.media.get(key)
        if row is not None:
            row.file_id = file_id
