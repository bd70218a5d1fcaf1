"""Writes the Hugging Face folders ``annotation.datasets.huggingface`` describes: each
subset's media files, its metadata streamed one line per item, and its dataset card.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from annotation.datasets.huggingface import SUBSETS, dataset_card, metadata_record
from annotation.datasets.records import DatasetCard, LabeledItem
from annotation.models import MediaKind


def media_path(folder: Path, item: LabeledItem) -> Path:
    """Return where an item's media file goes in the dataset folder."""
    assert item.media_file is not None
    return folder / SUBSETS[item.kind] / item.media_file


def write_media(folder: Path, item: LabeledItem, data: bytes) -> Path:
    """Write an item's media file into its subset; return its path."""
    path = media_path(folder, item)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


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
            handle.write(json.dumps(metadata_record(item), ensure_ascii=False) + "\n")
            counts[item.kind] = counts.get(item.kind, 0) + 1
    finally:
        for handle in handles.values():
            handle.close()
    return counts


def write_cards(folder: Path, card: DatasetCard, counts: dict[MediaKind, int]) -> list[Path]:
    """Write each kind's dataset card ``README.md``."""
    paths = []
    for kind, count in counts.items():
        path = folder / SUBSETS[kind] / "README.md"
        path.write_text(dataset_card(card, kind, count), encoding="utf-8")
        paths.append(path)
    return paths
