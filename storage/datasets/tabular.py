"""CSV and JSONL writers that stream rows to disk and roll over to a new file at a size
limit, so a table of any length is written in flat memory and every file fits in one
archive part.

Cells are rendered by ``annotation.datasets.tabular.table_cell``: formulas neutralized,
plain numbers left alone.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO

from annotation.datasets.tabular import table_cell

DEFAULT_FILE_LIMIT = 45 * 1000 * 1000


class _Rolling:
    """Numbered output files: ``name.ext``, then ``name-2.ext``… past ``limit`` bytes."""

    def __init__(self, path: Path, limit: int) -> None:
        self._path = path
        self._limit = limit
        self.paths: list[Path] = []
        self._handle: IO[str] | None = None

    def _next_path(self) -> Path:
        number = len(self.paths) + 1
        if number == 1:
            return self._path
        return self._path.with_name(f"{self._path.stem}-{number}{self._path.suffix}")

    def handle(self, upcoming: int) -> tuple[IO[str], bool]:
        """Return the file to write ``upcoming`` bytes to, and whether it is new."""
        fresh = False
        if self._handle is None or (self._handle.tell() + upcoming > self._limit
                                    and self._handle.tell() > 0):
            self.close()
            self.paths.append(self._next_path())
            self._handle = self.paths[-1].open("w", encoding="utf-8", newline="")
            fresh = True
        return self._handle, fresh

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class CsvSink:
    """Rows in, CSV files out (a header in every file), rolling over at ``limit`` bytes."""

    def __init__(self, path: Path, fields: Sequence[str], limit: int = DEFAULT_FILE_LIMIT
                 ) -> None:
        self._fields = list(fields)
        header = io.StringIO()
        csv.writer(header).writerow(self._fields)
        self._header = header.getvalue()
        self._rolling = _Rolling(path, limit)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def write(self, rows: Iterable[Mapping[str, object]]) -> None:
        """Append rows."""
        for row in rows:
            self._buffer.seek(0)
            self._buffer.truncate()
            self._writer.writerow([table_cell(row.get(name)) for name in self._fields])
            line = self._buffer.getvalue()
            handle, fresh = self._rolling.handle(len(line.encode()) + len(self._header))
            if fresh:
                handle.write(self._header)
            handle.write(line)

    def close(self) -> list[Path]:
        """Finish the last file (a header-only file when there were no rows)."""
        if not self._rolling.paths:
            handle, _ = self._rolling.handle(0)
            handle.write(self._header)
        self._rolling.close()
        return self._rolling.paths


class JsonlSink:
    """Rows in, JSON-lines files out, rolling over at ``limit`` bytes."""

    def __init__(self, path: Path, limit: int = DEFAULT_FILE_LIMIT) -> None:
        self._rolling = _Rolling(path, limit)

    def write(self, rows: Iterable[Mapping[str, object]]) -> None:
        """Append rows."""
        for row in rows:
            line = json.dumps(row, ensure_ascii=False) + "\n"
            handle, _ = self._rolling.handle(len(line.encode()))
            handle.write(line)

    def close(self) -> list[Path]:
        """Finish the last file (an empty file when there were no rows)."""
        if not self._rolling.paths:
            self._rolling.handle(0)
        self._rolling.close()
        return self._rolling.paths


def write_csv(path: Path, fields: Sequence[str], rows: Iterable[Mapping[str, object]],
              limit: int = DEFAULT_FILE_LIMIT) -> list[Path]:
    """Write ``rows`` as CSV; return the files written."""
    sink = CsvSink(path, fields, limit)
    try:
        sink.write(rows)
    finally:
        paths = sink.close()
    return paths


def write_jsonl(path: Path, rows: Iterable[Mapping[str, object]],
                limit: int = DEFAULT_FILE_LIMIT) -> list[Path]:
    """Write ``rows`` as JSON lines; return the files written."""
    sink = JsonlSink(path, limit)
    try:
        sink.write(rows)
    finally:
        paths = sink.close()
    return paths
