"""Items files read as rows: CSV (``,`` ``;`` or tab, UTF-8 with or without BOM) and JSONL.

This module only turns bytes into ``RawRow`` values (line number, column -> text) and
reports what prevents that; ``annotation.intake.item_files`` validates the rows. JSON values are
turned into text here: numbers as written, booleans as ``true``/``false``, a list of strings
(multiple-choice gold) joined with ``|``, an object (a boxes, spans or several-question
gold) as JSON.

Codes (``ItemProblem``; the row-level ones are raised by ``annotation.intake.item_files``)
and params:

- ``items.file_too_large``   size, limit
- ``items.encoding``         not UTF-8 (line of the first bad byte)
- ``items.empty``            no item at all
- ``items.no_header``        the first CSV row names no known column; found
- ``items.missing_column``   no text or media column; needed
- ``items.unknown_column``   field = the column (or JSON key)
- ``items.duplicate_column`` field = the column
- ``items.csv_syntax``       the CSV cannot be read past this line (a stray quote)
- ``items.unclosed_quote``   a quote opened on this line is never closed
- ``items.cell_too_long``    a cell of the row starting on this line is over ``limit``
                             characters
- ``items.extra_cells``      expected, found (more cells than header columns)
- ``items.bad_json``         the line is not JSON
- ``items.not_an_object``    the line is JSON but not an object
- ``items.wrong_type``       field, expected (``string`` | ``boolean`` | ``list``)
- ``items.too_many``         limit (reported once, on the first line past it)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from annotation.answers import MULTI_SEPARATOR, format_number
from annotation.errors import Problem
from annotation.kinds.registry import ITEM_COLUMNS


class ItemProblem(StrEnum):
    """Codes of the problems an items file can have."""

    FILE_TOO_LARGE = "items.file_too_large"
    ENCODING = "items.encoding"
    EMPTY = "items.empty"
    NO_HEADER = "items.no_header"
    MISSING_COLUMN = "items.missing_column"
    UNKNOWN_COLUMN = "items.unknown_column"
    DUPLICATE_COLUMN = "items.duplicate_column"
    CSV_SYNTAX = "items.csv_syntax"
    UNCLOSED_QUOTE = "items.unclosed_quote"
    CELL_TOO_LONG = "items.cell_too_long"
    EXTRA_CELLS = "items.extra_cells"
    BAD_JSON = "items.bad_json"
    NOT_AN_OBJECT = "items.not_an_object"
    WRONG_TYPE = "items.wrong_type"
    TOO_MANY = "items.too_many"
    DUPLICATE_ID = "items.duplicate_id"
    TOO_LONG = "items.too_long"
    TEXT_TOO_LONG = "items.text_too_long"
    CAPTION_TOO_LONG = "items.caption_too_long"
    EMPTY_ITEM = "items.empty_item"
    EMPTY_CELL = "items.empty_cell"  # a cell the project's kind needs is empty
    MIXED_CANDIDATES = "items.mixed_candidates"  # a text beside a file, an image beside a clip
    AMBIGUOUS_MEDIA = "items.ambiguous_media"
    NO_MEDIA_SOURCE = "items.no_media_source"
    BAD_GOLD = "items.bad_gold"
    BAD_BOOLEAN = "items.bad_boolean"
    TRAINING_WITHOUT_GOLD = "items.training_without_gold"
    EXPLANATION_WITHOUT_GOLD = "items.explanation_without_gold"
    MISSING_FILE = "items.missing_file"
    WRONG_MEDIA = "items.wrong_media"  # [answer_type, kind]: boxes on a text, spans of a photo
    BAD_LANGUAGE = "items.bad_language"  # [value]: a recording's language, not a BCP 47 tag


COLUMNS = ("id", "text", "image", "audio", "media", "gold", "explanation", "training",
           *ITEM_COLUMNS)  # the last ones only one kind reads (annotation/kinds/)
CONTENT_COLUMNS = ("text", "image", "audio", "media", "prompt", "response_a_media",
                   "response_b_media")  # an image comparison's prompt is optional
MAX_ITEMS = 100_000
MAX_FILE_BYTES = 64 * 1024 * 1024
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})


@dataclass(frozen=True, slots=True)
class RawRow:
    """One item as written: its first line and its non-empty cells by column."""

    line: int
    cells: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class RowTable:
    """The rows of an items file and the problems met reading it."""

    rows: tuple[RawRow, ...]
    problems: tuple[Problem, ...]


def read_rows(data: bytes, filename: str) -> RowTable:
    """Read an items file's rows; JSONL by extension (or a leading ``{``), CSV otherwise."""
    if len(data) > MAX_FILE_BYTES:
        problem = Problem(
            ItemProblem.FILE_TOO_LARGE, params={"size": len(data), "limit": MAX_FILE_BYTES}
        )
        return RowTable((), (problem,))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return RowTable((), (Problem(ItemProblem.ENCODING, line),))
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix in JSONL_SUFFIXES or (
        suffix not in (".csv", ".tsv", ".txt") and text.lstrip().startswith("{")
    ):
        rows, problems = _read_jsonl(text)
    else:
        rows, problems = _read_csv(text)
    if not rows and not problems:
        problems.append(Problem(ItemProblem.EMPTY))
    return RowTable(tuple(rows), tuple(problems))


def _too_many(line: int) -> Problem:
    return Problem(ItemProblem.TOO_MANY, line, params={"limit": MAX_ITEMS})


def _sniff_delimiter(header: str) -> str:
    """Return the most frequent of tab, ``;`` and ``,`` outside quotes (``,`` by default)."""
    counts = dict.fromkeys(",;\t", 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _header(cells: list[str], line: int, problems: list[Problem]) -> list[str] | None:
    names = [cell.strip().lower() for cell in cells]
    if not any(name in COLUMNS for name in names):
        found = [name for name in names if name]
        problems.append(Problem(ItemProblem.NO_HEADER, line, params={"found": found}))
        return None
    seen: set[str] = set()
    for name in filter(None, names):
        if name not in COLUMNS:
            problems.append(Problem(ItemProblem.UNKNOWN_COLUMN, line, name))
        elif name in seen:
            problems.append(Problem(ItemProblem.DUPLICATE_COLUMN, line, name))
        seen.add(name)
    if not seen.intersection(CONTENT_COLUMNS):
        needed = list(CONTENT_COLUMNS)
        problems.append(Problem(ItemProblem.MISSING_COLUMN, line, params={"needed": needed}))
    return names


def _read_csv(text: str) -> tuple[list[RawRow], list[Problem]]:
    first_line, _, rest = text.partition("\n")
    offset = 0
    if len(first_line.strip()) == 5 and first_line.lower().startswith("sep="):
        delimiter, text, offset = first_line[4], rest, 1  # Excel's "sep=;" hint line
    else:
        delimiter = _sniff_delimiter(first_line)
    # strict: a stray quote is an error, and a quote never closed fails at the end of the
    # file instead of silently merging every row after it into one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[RawRow] = []
    problems: list[Problem] = []
    names: list[str] | None = None
    line = 1 + offset
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1 + offset
            if not any(cell.strip() for cell in cells):
                continue
            if names is None:
                names = _header(cells, start, problems)
                if names is None:
                    return rows, problems
                continue
            if len(rows) >= MAX_ITEMS:
                problems.append(_too_many(start))
                break
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
                problems.append(
                    Problem(
                        ItemProblem.EXTRA_CELLS,
                        start,
                        params={"expected": len(names), "found": len(cells)},
                    )
                )
            values = {
                name: cell
                for name, cell in zip(names, cells, strict=False)
                if name in COLUMNS and cell.strip()
            }
            rows.append(RawRow(start, values))
    except csv.Error as error:
        problems.append(_csv_problem(str(error), text, line - offset, delimiter, offset))
    return rows, problems


def _csv_problem(message: str, text: str, start: int, delimiter: str, offset: int) -> Problem:
    """Return the problem of a CSV error met in the row starting on line ``start`` of text."""
    if "field larger than field limit" in message:
        return Problem(ItemProblem.CELL_TOO_LONG, start + offset,
                       params={"limit": csv.field_size_limit()})
    if "unexpected end of data" in message:
        opened = _unclosed_quote_line(text, start, delimiter)
        if opened is not None:
            return Problem(ItemProblem.UNCLOSED_QUOTE, opened + offset)
    return Problem(ItemProblem.CSV_SYNTAX, start + offset)


def _unclosed_quote_line(text: str, start: int, delimiter: str) -> int | None:
    """Return the line of the quote left open in the rows from line ``start`` on, if any."""
    position = 0
    for _ in range(start - 1):
        position = text.find("\n", position) + 1
        if position == 0:
            return None
    line, opened, quoted, field_start = start, None, False, True
    index = position
    while index < len(text):
        char = text[index]
        if quoted:
            if char == '"':
                if text.startswith('"', index + 1):
                    index += 1  # "" is an escaped quote
                else:
                    quoted, opened = False, None
        elif char == '"' and field_start:
            quoted, opened = True, line
        field_start = not quoted and char in (delimiter, "\n", "\r")
        if char == "\n":
            line += 1
        index += 1
    return opened if quoted else None


def _json_cell(key: str, value: object, line: int, problems: list[Problem]) -> str | None:
    """Return a JSON value as cell text, or None (absent or wrong type, then reported)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        if key == "training":
            return "true" if value else "false"
    elif isinstance(value, int | float) and key in ("id", "gold", "text"):
        return str(value) if isinstance(value, int) else format_number(value)
    elif key == "gold" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return MULTI_SEPARATOR.join(value)
    elif key == "gold" and isinstance(value, dict):  # boxes, spans, several questions
        return json.dumps(value, ensure_ascii=False)
    expected = {"training": "boolean", "gold": "list"}.get(key, "string")
    problems.append(Problem(ItemProblem.WRONG_TYPE, line, key, {"expected": expected}))
    return None


def _read_jsonl(text: str) -> tuple[list[RawRow], list[Problem]]:
    rows: list[RawRow] = []
    problems: list[Problem] = []
    unknown: set[str] = set()
    for line, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        if len(rows) >= MAX_ITEMS:
            problems.append(_too_many(line))
            break
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            problems.append(Problem(ItemProblem.BAD_JSON, line))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(ItemProblem.NOT_AN_OBJECT, line))
            continue
        cells: dict[str, str] = {}
        for key, entry in value.items():
            name = key.strip().lower()
            if name not in COLUMNS:
                if name not in unknown:
                    problems.append(Problem(ItemProblem.UNKNOWN_COLUMN, line, key))
                unknown.add(name)
            elif (cell := _json_cell(name, entry, line, problems)) is not None and cell.strip():
                cells[name] = cell
        rows.append(RawRow(line, cells))
    return rows, problems
