"""An export's folder on disk: the ``DatasetFolder`` port on the file system.

::

    <folder>/tables/answers.csv, answers.jsonl   raw answers, appended batch by batch
    <folder>/tables/labels.csv, labels.jsonl     one labelled row per item
    <folder>/huggingface/<subset>/…              media, metadata and a card per kind
    <folder>/label_studio/…                      tasks and the labeling config
    <folder>/<a kind's files>                    e.g. detection/ (COCO, YOLO, images)
    <folder>.zip (or <folder>-part1.zip, …)      the archive parts, beside the folder

Each method blocks; the export use case calls it in a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from annotation.datasets.records import (
    ANSWER_FIELDS,
    LABEL_FIELDS,
    DatasetCard,
    ExportTable,
    Format,
    LabeledItem,
    RawAnswer,
)
from storage.datasets.archive import write_archives
from storage.datasets.huggingface import write_cards, write_media, write_metadata
from storage.datasets.label_studio import write_label_studio
from storage.datasets.tabular import CsvSink, JsonlSink, write_csv, write_jsonl


class ExportFolder:
    """The files of one export, in the formats requested; every method blocks."""

    def __init__(self, path: Path, formats: frozenset[Format]) -> None:
        self._path = path
        self._path.mkdir(parents=True, exist_ok=True)
        self._formats = formats
        self._sinks: list[CsvSink | JsonlSink] = []
        if Format.TABLES in formats:
            tables = self._path / "tables"
            tables.mkdir(exist_ok=True)
            self._sinks = [CsvSink(tables / "answers.csv", ANSWER_FIELDS),
                           JsonlSink(tables / "answers.jsonl")]

    @property
    def path(self) -> Path:
        """Return the folder the dataset is written into."""
        return self._path

    def add_answers(self, answers: Sequence[RawAnswer]) -> None:
        """Append a batch of raw answers to the answer tables."""
        rows = [answer.as_row() for answer in answers]
        for sink in self._sinks:
            sink.write(rows)

    def close_answers(self) -> None:
        """Finish the answer tables."""
        for sink in self._sinks:
            sink.close()

    def add_labels(self, labelled: Sequence[LabeledItem], card: DatasetCard) -> None:
        """Write the label tables and the Hugging Face metadata and cards."""
        if Format.TABLES in self._formats:
            tables = self._path / "tables"
            rows = [item.as_row() for item in labelled]
            write_csv(tables / "labels.csv", LABEL_FIELDS, rows)
            write_jsonl(tables / "labels.jsonl", rows)
        if Format.HUGGINGFACE in self._formats:
            folder = self._path / "huggingface"
            folder.mkdir(exist_ok=True)
            write_cards(folder, card, write_metadata(folder, labelled))

    def add_table(self, table: ExportTable) -> None:
        """Write a kind's table under tables/ and, with a card, as a Hugging Face folder."""
        rows = list(table.rows)
        if Format.TABLES in self._formats and table.tabular:
            target = self._path / "tables" / table.name
            target.parent.mkdir(parents=True, exist_ok=True)
            write_csv(target.with_suffix(".csv"), table.fields, rows)
            write_jsonl(target.with_suffix(".jsonl"), rows)
        if Format.HUGGINGFACE in self._formats and table.card is not None:
            folder = self._path / "huggingface" / table.name
            folder.mkdir(parents=True, exist_ok=True)
            # rows naming files (images, recordings) make an imagefolder or an audiofolder:
            # its loader reads metadata.jsonl
            write_jsonl(folder / ("metadata.jsonl" if table.files else "data.jsonl"), rows)
            (folder / "README.md").write_text(table.card, encoding="utf-8")

    def add_media(self, item: LabeledItem, data: bytes) -> None:
        """Write one item's media file into the Hugging Face folder."""
        write_media(self._path / "huggingface", item, data)

    def add_table_file(self, table: ExportTable, name: str, data: bytes) -> None:
        """Write a file a kind's table names beside its Hugging Face rows."""
        if Format.HUGGINGFACE in self._formats and table.card is not None:
            folder = self._path / "huggingface" / table.name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)

    def add_file(self, path: str, data: bytes) -> None:
        """Write a file a kind adds at ``path`` (relative, never leaving the folder)."""
        target = (self._path / path).resolve()
        if not target.is_relative_to(self._path.resolve()):
            raise ValueError(f"an export file outside its folder: {path}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def add_label_studio(self, tasks: Iterable[Mapping[str, object]], config: str
                         ) -> list[Path]:
        """Stream Label Studio tasks into their file, write the labeling config beside them."""
        return write_label_studio(self._path / "label_studio", tasks, config)

    def files(self) -> list[Path]:
        """Return every file under the folder, in a stable order."""
        return sorted(p for p in self._path.rglob("*") if p.is_file())

    def archive(self, files: Sequence[Path], part_limit: int) -> list[Path]:
        """Zip ``files`` into ``<folder>.zip`` (or numbered parts) beside the folder."""
        return write_archives([(str(p.relative_to(self._path)), p) for p in files],
                              self._path.parent, self._path.name, part_limit)


def open_dataset_folder(path: Path, formats: frozenset[Format], /) -> ExportFolder:
    """Create ``path`` ready for ``formats`` and return it as an export folder."""
    return ExportFolder(path, formats)
