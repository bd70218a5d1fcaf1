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
the files, so kinds cannot share a folder). This module says what goes in them (file
names, metadata records, the card's text); ``storage/datasets/huggingface.py`` writes them.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

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


def metadata_record(item: LabeledItem) -> dict[str, object]:
    """Return an item's line in its subset's metadata (or ``train.jsonl`` for text)."""
    record: dict[str, object] = {
        "item_id": item.item_id, "label": item.label, "confidence": round(item.confidence, 6),
        "answers": item.answers, "agreement": round(item.agreement, 6), "gold": item.gold,
    }
    if item.kind is MediaKind.TEXT:
        record = {"text": item.text, **record}
    else:
        record = {"file_name": item.media_file, "caption": item.text, **record}
    return record


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

