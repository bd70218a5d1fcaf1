"""Exported labels against a sample's hidden truth: accuracy, and for ratings the mean error.

Reads the tables export's ``labels.jsonl`` (one row per item: ``item_id``, ``gold``,
``label``, ``answers``…). Gold items are left out: the crowd was checked on them, so they
say nothing of how well the labels recover the truth. An item without a label counts as
unlabelled, not as wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LabelScore:
    """How the labels of the regular (not gold) items compare with the hidden truth."""

    regular: int  # regular items
    labelled: int  # of them, with a label
    accuracy: float  # share of the labelled ones whose label is exactly the truth
    mean_abs_error: float | None = None  # numeric labels: mean |label - truth|


def regular_labels(labels_jsonl: bytes) -> dict[str, str | None]:
    """Return the label of every regular item of an exported ``labels.jsonl``, by item id."""
    found: dict[str, str | None] = {}
    for line in labels_jsonl.decode("utf-8").splitlines():
        row = json.loads(line)
        if row["gold"] is None:
            label = row["label"]
            found[str(row["item_id"])] = None if label is None else str(label)
    return found


def score_sides(labels_jsonl: bytes, truth: Mapping[str, str]) -> LabelScore:
    """Score comparison labels (the side preferred, ``a`` or ``b``) against the truth."""
    labels = regular_labels(labels_jsonl)
    given = {item: label for item, label in labels.items() if label is not None}
    right = sum(label == truth[item] for item, label in given.items())
    return LabelScore(len(labels), len(given), right / len(given) if given else 0.0)


def score_points(labels_jsonl: bytes, truth: Mapping[str, str]) -> LabelScore:
    """Score rating labels (a point, or a fractional median) against the true points."""
    labels = regular_labels(labels_jsonl)
    errors = [abs(float(label) - float(truth[item]))
              for item, label in labels.items() if label is not None]
    exact = sum(error == 0 for error in errors)
    return LabelScore(len(labels), len(errors), exact / len(errors) if errors else 0.0,
                      sum(errors) / len(errors) if errors else None)
