"""In-memory media (``annotation.ports.media``), as ``SqliteMedia`` does it."""

from __future__ import annotations

from annotation.models import Media, MediaKey, MediaKind
from tests.fakes.state import FakeState, MediaRow


class FakeMediaRepository:
    """The ``media`` table."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def add(self, key: MediaKey, kind: str, filename: str, mime: str, send_as: str,
                  data: bytes) -> None:
        """Store media bytes once (a second store of the same key changes nothing)."""
        if key not in self._state.media:  # ON CONFLICT (key) DO NOTHING
            self._state.media[key] = MediaRow(key, kind, filename, mime,
                                              send_as, bytes(data))

    async def get(self, key: MediaKey) -> Media | None:
        """Return media metadata (no bytes) or None."""
        row = self._state.media.get(key)
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
