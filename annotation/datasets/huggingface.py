"""Hugging Face ``datasets``-ready folders: one dataset per kind of item, each in the
layout its loader infers, each with a dataset card (``README.md``) stating how the labels
were made.

::

    images/README.md           card
    images/metadata.jsonl      imagefolder: file_name + label, confidence, … per image
    images/<item>.jpg
    audio/README.md, audio/metadata.jsonl, audio/<item>.wav      audiofolder
    text/README.md, text/train.jsonl                             json: text + label, …

``load_dataset("<export>/huggingface/images")`` loads one (the loader is inferred from
the files, so kinds cannot share a folder).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from annotation.datasets.records import DatasetCard, LabeledItem
from annotation.models import MediaKind

SUBSETS = {MediaKind.IMAGE: "images", MediaKind.AUDIO: "audio", MediaKind.TEXT: "text"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def media_file_name(item_id: str, original: str) -> str:
    """Return a safe, unique file name for an item's media inside the export."""
    suffix = Path(original).suffix.lower() or ".bin"
    safe = _UNSAFE.sub("_", item_id)[:80] or "item"
    if safe != item_id:
        safe += "-" + hashlib.sha1(item_id.encode()).hexdigest()[:8]
    return safe + suffix


def media_path(folder: Path, item: LabeledItem) -> Path:
    """Return where an item's media file goes in the dataset folder."""
    assert item.media_file is not None
    return folder / SUBSETS[item.kind] / item.media_file


def _record(item: LabeledItem) -> dict[str, object]:
    record: dict[str, object] = {
        "item_id": item.item_id, "label": item.label, "confidence": round(item.confidence, 6),
        "answers": item.answers, "agreement": round(item.agreement, 6), "gold": item.gold,
    }
    if item.kind is MediaKind.TEXT:
        record = {"text": item.text, **record}
    else:
        record = {"file_name": item.media_file, "caption": item.text, **record}
    return record


def write_metadata(folder: Path, items: Iterable[LabeledItem]) -> dict[MediaKind, int]:
    """Stream each subset's metadata (media files are written beforehand); count per kind."""
    handles: dict[MediaKind, IO[str]] = {}
    counts: dict[MediaKind, int] = {}
    try:
        for item in items:
            handle = handles.get(item.kind)
            if handle is None:
                subset = folder / SUBSETS[item.kind]
                subset.mkdir(parents=True, exist_ok=True)
                name = "train.jsonl" if item.kind is MediaKind.TEXT else "metadata.jsonl"
                handle = handles[item.kind] = (subset / name).open("w", encoding="utf-8")
            handle.write(json.dumps(_record(item), ensure_ascii=False) + "\n")
            counts[item.kind] = counts.get(item.kind, 0) + 1
    finally:
        for handle in handles.values():
            handle.close()
    return counts


def _yaml_header(kind: MediaKind, count: int) -> list[str]:
    size = ("n<1K" if count < 1000 else "1K<n<10K" if count < 10_000
            else "10K<n<100K" if count < 100_000 else "n>100K")
    return ["---", "tags:", "- annobot", "- crowdsourcing", f"size_categories: {size}",
            f"pretty_name: {SUBSETS[kind]}", "---"]


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def dataset_card(card: DatasetCard, kind: MediaKind, count: int) -> str:
    """Return the dataset card of one kind's folder: how the labels were made."""
    distribution = "\n".join(f"| {label} | {count} |"
                             for label, count in card.label_distribution.items())
    who = ("stable per-project pseudonyms" if card.pseudonymous
           else "Telegram user ids (requested by an admin)")
    created = f"Exported {card.created_at:%Y-%m-%d %H:%M} UTC. " if card.created_at else ""
    return "\n".join([
        *_yaml_header(kind, count), "",
        f"# {card.name}: {SUBSETS[kind]}", "",
        f"Crowd-annotated with annobot on Telegram. {created}"
        f"{count} {SUBSETS[kind]} items; load with "
        f"`datasets.load_dataset(\"<this folder>\")`.",
        "", f"**Question:** {card.question}",
        f"**Answer type:** {card.answer_type}; labels: {', '.join(card.labels) or 'free'}",
        "", "## How the labels were made", "",
        f"- Aggregation method: `{card.method}`; each item carries the label's posterior "
        "probability as `confidence`, its answer count and the share of answers that agree.",
        f"- The project: {card.items} items, {card.answers} answers from "
        f"{card.annotators} annotators.",
        f"- Krippendorff's alpha (nominal): {_percent(card.krippendorff_alpha)}; "
        f"percent agreement: {_percent(card.percent_agreement)}.",
        f"- Annotators appear as {who}; answers excluded by quality control are not used.",
        "", "## Label distribution (whole project)", "", "| label | items |", "|---|---|",
        distribution or "| (none) | 0 |", "",
    ])


def write_cards(folder: Path, card: DatasetCard, counts: dict[MediaKind, int]) -> list[Path]:
    """Write each kind's dataset card ``README.md``."""
    paths = []
    for kind, count in counts.items():
        path = folder / SUBSETS[kind] / "README.md"
        path.write_text(dataset_card(card, kind, count), encoding="utf-8")
        paths.append(path)
    return paths
