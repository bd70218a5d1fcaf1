"""Datasets: aggregated labels per item and raw answers, as CSV and JSONL files.

Building the rows is pure; writing them is plain file I/O that callers run off the event
loop (``asyncio.to_thread``). Spreadsheet formula injection is neutralized in CSV: a text
cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``
(cells that are plain numbers are left as they are).
"""

from __future__ import annotations

import csv
import json
import statistics
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotation.aggregation import Method, Vote, aggregate
from annotation.models import AnswerType, Project
from annotation.records import ExportAnswer, ItemTally

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One item of a dataset with its aggregated label."""

    item_id: str
    kind: str
    text: str
    media: str | None
    gold: str | None
    label: str | None
    confidence: float
    answers: int
    agreement: float
    votes: dict[str, int]


@dataclass(frozen=True, slots=True)
class ProjectExport:
    """Everything an export writes, read in one snapshot."""

    project: Project
    items: Sequence[ItemTally]
    answers: Sequence[ExportAnswer]


def neutralize_cell(value: object) -> object:
    """Return a CSV cell that spreadsheets will not run as a formula."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def _aggregate_text_like(values: Sequence[str], numeric: bool) -> tuple[str | None, float]:
    if not values:
        return None, 0.0
    if numeric:
        median = statistics.median(float(v) for v in values)
        label = str(int(median)) if median == int(median) else repr(median)
        agreement = sum(1 for v in values if float(v) == median) / len(values)
        return label, agreement
    counts = Counter(v.casefold() for v in values)
    top, count = counts.most_common(1)[0]
    original = next(v for v in values if v.casefold() == top)
    return original, count / len(values)


def build_item_rows(export: ProjectExport) -> list[ItemRow]:
    """Aggregate the non-excluded answers of every item into one row each."""
    export = ProjectExport(export.project, export.items,
                           [a for a in export.answers if not a.excluded])
    spec = export.project.spec
    by_item: dict[str, list[str]] = {t.external_id: [] for t in export.items}
    for answer in export.answers:
        by_item[answer.external_id].append(answer.value)
    categorical = spec.answer_type in (AnswerType.SINGLE, AnswerType.YES_NO, AnswerType.MULTI)
    result = None
    if categorical:
        votes = [Vote(a.external_id, str(a.annotator_id), a.value) for a in export.answers]
        labels = sorted({v.label for v in votes} | set(spec.labels), key=_label_order(spec.labels))
        method = Method(spec.aggregation) if spec.aggregation in set(Method) else Method.MAJORITY
        gold = {t.external_id: t.gold_answer for t in export.items if t.gold_answer}
        result = aggregate(votes, method=method, labels=labels,
                           items=list(by_item), gold=gold)
    rows = []
    for tally in export.items:
        values = by_item[tally.external_id]
        if result is not None:
            item_label = result.items[tally.external_id]
            label, confidence = item_label.label, item_label.confidence
            agreement = item_label.agreement
        else:
            label, agreement = _aggregate_text_like(values, spec.answer_type is AnswerType.NUMBER)
            confidence = agreement
        rows.append(ItemRow(
            item_id=tally.external_id, kind=tally.kind.value, text=tally.text,
            media=tally.media_filename, gold=tally.gold_answer, label=label,
            confidence=round(confidence, 6), answers=len(values),
            agreement=round(agreement, 6), votes=dict(Counter(values).most_common()),
        ))
    return rows


def _label_order(labels: Sequence[str]) -> Callable[[str], tuple[int, str]]:
    order = {label: index for index, label in enumerate(labels)}
    return lambda label: (order.get(label, len(order)), label)


_ITEM_FIELDS = ("item_id", "kind", "text", "media", "gold", "label", "confidence", "answers",
                "agreement", "votes")
_ANSWER_FIELDS = ("item_id", "annotator_id", "answer", "seconds", "gold", "correct",
                  "answered_at", "excluded")


def _answer_dict(answer: ExportAnswer) -> dict[str, object]:
    return {
        "item_id": answer.external_id,
        "annotator_id": answer.annotator_id,
        "answer": answer.value,
        "seconds": round(answer.seconds, 3),
        "gold": answer.is_gold,
        "correct": answer.correct,
        "answered_at": answer.answered_at.isoformat(),
        "excluded": answer.excluded,
    }


def _item_dict(row: ItemRow) -> dict[str, object]:
    return {name: getattr(row, name) for name in _ITEM_FIELDS}


def _write_csv(path: Path, fields: Sequence[str], rows: Iterable[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fields))
        writer.writeheader()
        for row in rows:
            cells = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v
                     for k, v in row.items()}
            writer.writerow({k: neutralize_cell(v) for k, v in cells.items()})


def _write_jsonl(path: Path, rows: Iterable[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_export(export: ProjectExport, out_dir: Path) -> list[Path]:
    """Write labels and raw answers as CSV and JSONL into ``out_dir``; return the files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"project{export.project.id}"
    items = [_item_dict(row) for row in build_item_rows(export)]
    paths = {
        "labels_csv": out_dir / f"{stem}_labels.csv",
        "labels_jsonl": out_dir / f"{stem}_labels.jsonl",
        "answers_csv": out_dir / f"{stem}_answers.csv",
        "answers_jsonl": out_dir / f"{stem}_answers.jsonl",
    }
    _write_csv(paths["labels_csv"], _ITEM_FIELDS, items)
    _write_jsonl(paths["labels_jsonl"], items)
    _write_csv(paths["answers_csv"], _ANSWER_FIELDS, (_answer_dict(a) for a in export.answers))
    _write_jsonl(paths["answers_jsonl"], (_answer_dict(a) for a in export.answers))
    return list(paths.values())


def zip_files(paths: Sequence[Path], zip_path: Path) -> Path:
    """Bundle export files into one zip (one download on a phone)."""
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, arcname=path.name)
    return zip_path
