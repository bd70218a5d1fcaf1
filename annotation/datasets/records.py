"""The rows a dataset is written from: one per item, one per raw answer, and the card;
and the formats an export may hold.

Values only (they cross into ``annotation.ports.datasets``), importing nothing but the
kernel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from annotation.models import MediaKey, MediaKind


class Format(StrEnum):
    """What an export contains."""

    TABLES = "tables"  # labels and raw answers, CSV and JSONL
    HUGGINGFACE = "hf"  # datasets-ready folder with media and a dataset card
    LABEL_STUDIO = "ls"  # tasks with annotations and predictions, plus the config
    WAV = "wav16k"  # recordings also as 16 kHz WAV in the Hugging Face folder (asked for)


# what an export holds unless asked for more: converting audio is slow and doubles its size
ALL_FORMATS = frozenset(Format) - {Format.WAV}


class FileConversion(StrEnum):
    """How a kind's table files are converted on their way into the export."""

    WAV_16K = "wav16k"  # a recording as 16 kHz mono 16-bit WAV (``Format.WAV`` only)


@dataclass(frozen=True, slots=True)
class LabeledItem:
    """An item with its aggregated label."""

    item_id: str
    kind: MediaKind
    text: str
    media_file: str | None  # the file name inside the export, if the item has media
    gold: str | None
    label: str | None
    confidence: float
    answers: int
    agreement: float
    votes: Mapping[str, int]
    method: str
    spread: float | None = None  # numbers: median absolute deviation
    # several questions about one item: each part's own aggregated row, by part key
    # (``annotation.kinds.questions``); the row's label is then the parts' labels as JSON
    parts: Mapping[str, LabeledItem] = field(default_factory=dict)
    payload: str = ""  # the kind's own data (an image's size for boxes); not in the row

    def as_row(self) -> dict[str, object]:
        """Return the item as a flat row for CSV and JSONL."""
        return {
            "item_id": self.item_id, "kind": self.kind.value, "text": self.text,
            "media": self.media_file, "gold": self.gold, "label": self.label,
            "confidence": round(self.confidence, 6), "answers": self.answers,
            "agreement": round(self.agreement, 6), "votes": dict(self.votes),
            "method": self.method, "spread": self.spread,
        }


@dataclass(frozen=True, slots=True)
class Reviews:
    """What other projects' annotators said of one answer (a recording's checks)."""

    counts: Mapping[str, int]  # accepted reviews by label (``yes``, ``no``, ``unclear``)
    needed: int  # agreeing reviews that decide (the reviewing project's ``votes``)


@dataclass(frozen=True, slots=True)
class KindVote:
    """One answer to an item, as a kind's own export reads it."""

    annotator: str  # the pseudonym (or id) the export names annotators by
    label: str
    detail: str  # what the kind recorded beside the label (``Answer.detail``)
    answer_id: int = 0  # the answer's assignment, which reviews of it name
    # None: no project reviews this project's answers (most kinds)
    reviews: Reviews | None = None
    # what the annotator told about themselves: ``age``, ``gender``, ``accents`` once
    # given with consent (``annotation.datasets.context``)
    facts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KindItem:
    """An item with its aggregated label, its payload and its accepted answers."""

    labelled: LabeledItem
    payload: str
    votes: tuple[KindVote, ...]
    media_key: MediaKey | None = None  # the item's own media (an image to draw boxes on)


@dataclass(frozen=True, slots=True)
class ExportTable:
    """A table a kind adds to a dataset: written as CSV and JSONL under ``tables/``, and
    as a Hugging Face dataset folder (``data.jsonl`` and the ``card``) when one exists."""

    name: str  # a path relative to ``tables/`` without extension: "preferences/pairs"
    fields: tuple[str, ...]
    rows: tuple[Mapping[str, object], ...]
    card: str | None = None  # the Hugging Face dataset card (Markdown with YAML header)
    # stored media the rows name by file name (an image comparison's candidates): written
    # into the Hugging Face folder, which is then an imagefolder (rows in metadata.jsonl)
    files: tuple[tuple[str, MediaKey], ...] = ()
    # the files converted on their way (written only when the export asks for the
    # conversion's format: ``Format.WAV``)
    convert: FileConversion | None = None
    tabular: bool = True  # False: only a Hugging Face folder (no CSV/JSONL under tables/)


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A file a kind adds to exports beside its tables (a COCO JSON, a YOLO label file, an
    image they name): a path relative to the export folder, and either its text or the
    stored media it copies. Written when the export holds ``format``."""

    path: str  # "detection/labels/x.txt"
    text: str | None = None
    media: MediaKey | None = None
    format: Format = Format.HUGGINGFACE

    def __post_init__(self) -> None:
        if (self.text is None) == (self.media is None):
            raise ValueError("an export file is either a text or a stored media")


LABEL_FIELDS = ("item_id", "kind", "text", "media", "gold", "label", "confidence", "answers",
                "agreement", "votes", "method", "spread")


@dataclass(frozen=True, slots=True)
class RawAnswer:
    """One answer in long format (crowd-kit and pandas read it directly)."""

    item_id: str
    annotator: str
    label: str
    seconds: float
    gold: bool
    correct: bool | None
    excluded: bool
    answered_at: datetime

    def as_row(self) -> dict[str, object]:
        """Return the answer as a flat row for CSV and JSONL."""
        return {
            "item_id": self.item_id, "annotator": self.annotator, "label": self.label,
            "seconds": round(self.seconds, 3), "gold": self.gold, "correct": self.correct,
            "excluded": self.excluded, "answered_at": self.answered_at.isoformat(),
        }


ANSWER_FIELDS = ("item_id", "annotator", "label", "seconds", "gold", "correct", "excluded",
                 "answered_at")


@dataclass(frozen=True, slots=True)
class DatasetCard:
    """What the dataset card states about how the labels were made."""

    name: str
    question: str
    answer_type: str
    labels: tuple[str, ...]
    method: str
    items: int
    answers: int
    annotators: int
    krippendorff_alpha: float | None
    percent_agreement: float | None
    label_distribution: Mapping[str, int] = field(default_factory=dict)
    created_at: datetime | None = None
    pseudonymous: bool = True
