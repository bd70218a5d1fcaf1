"""The rows a dataset is written from: one per item, one per raw answer, and the card."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from annotation.models import MediaKind


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

    def as_row(self) -> dict[str, object]:
        """Return the item as a flat row for CSV and JSONL."""
        return {
            "item_id": self.item_id, "kind": self.kind.value, "text": self.text,
            "media": self.media_file, "gold": self.gold, "label": self.label,
            "confidence": round(self.confidence, 6), "answers": self.answers,
            "agreement": round(self.agreement, 6), "votes": dict(self.votes),
            "method": self.method, "spread": self.spread,
        }


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
