"""The export's port: the folder one dataset is written into, and the zip parts beside it.

``storage/datasets/`` implements it on the file system. Every method blocks (it writes
files), so the export use case calls each one through ``asyncio.to_thread``. Nothing asks
the folder to hold a whole table: raw answers arrive batch by batch and Label Studio tasks
are consumed from an iterator as they are produced, so memory stays flat however large
the project.

Archive parts are at most ``part_limit`` bytes, so each fits in one Telegram upload; a
file larger than a part is written in pieces by its writer (the tables roll over to a new
file below the limit).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from annotation.datasets.records import DatasetCard, ExportTable, Format, LabeledItem, RawAnswer

TELEGRAM_UPLOAD_LIMIT = 50 * 1000 * 1000  # bytes; Telegram counts 50 MB
PART_LIMIT = TELEGRAM_UPLOAD_LIMIT - 1_000_000  # room for headers and rounding


class DatasetFolder(Protocol):
    """One export's folder, holding the requested formats; every method blocks."""

    @property
    def path(self) -> Path:
        """Return the folder the dataset is written into."""
        ...

    def add_answers(self, answers: Sequence[RawAnswer]) -> None:
        """Append a batch of raw answers to the answer tables (if tables were requested)."""
        ...

    def close_answers(self) -> None:
        """Finish the answer tables."""
        ...

    def add_labels(self, labelled: Sequence[LabeledItem], card: DatasetCard) -> None:
        """Write the label tables and the Hugging Face metadata and cards, as requested."""
        ...

    def add_table(self, table: ExportTable) -> None:
        """Write a kind's own table (CSV and JSONL, and its Hugging Face folder), as requested."""
        ...

    def add_media(self, item: LabeledItem, data: bytes) -> None:
        """Write one item's media file into the Hugging Face folder."""
        ...

    def add_table_file(self, table: ExportTable, name: str, data: bytes) -> None:
        """Write a file a kind's table names (``ExportTable.files``) into its Hugging Face
        folder, as requested."""
        ...

    def add_file(self, path: str, data: bytes) -> None:
        """Write a file a kind adds (``ExportFile``) at ``path``, relative to the folder."""
        ...

    def add_label_studio(self, tasks: Iterable[Mapping[str, object]], config: str
                         ) -> list[Path]:
        """Stream Label Studio tasks into their file, write the labeling config beside them."""
        ...

    def files(self) -> list[Path]:
        """Return every file in the folder, in a stable order."""
        ...

    def archive(self, files: Sequence[Path], part_limit: int) -> list[Path]:
        """Zip ``files`` (the folder's, from ``files``) into parts beside the folder."""
        ...


class OpenDatasetFolder(Protocol):
    """Creates the folder of one export (blocking, like the folder's methods)."""

    def __call__(self, path: Path, formats: frozenset[Format], /) -> DatasetFolder:
        """Create ``path`` ready for ``formats`` and return it as a dataset folder."""
        ...
