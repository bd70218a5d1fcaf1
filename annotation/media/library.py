"""Use cases of stored media: the bytes to upload once, and the file id to reuse after."""

from __future__ import annotations

from annotation.models import MediaKey
from annotation.ports.store import MediaWork, Store


class MediaLibrary:
    """Reads prepared media and remembers the Telegram file id it was uploaded as."""

    def __init__(self, store: Store[MediaWork]) -> None:
        self._store = store

    async def data(self, key: MediaKey) -> bytes:
        """Return the prepared bytes of a media file."""
        async with self._store.read() as uow:
            return await uow.media.data(key)

    async def file_id(self, key: MediaKey) -> str | None:
        """Return the stored file id of a media file, if it was uploaded before."""
        async with self._store.read() as uow:
            media = await uow.media.get(key)
            return media.file_id if media else None

    async def remember(self, key: MediaKey, file_id: str) -> None:
        """Store the file id a media file was uploaded as."""
        async with self._store.write() as uow:
            await uow.media.set_file_id(key, file_id)
