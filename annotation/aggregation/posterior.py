"""Array-level results shared by every method, and their decoding into domain values.

Missing-data policy, common to all methods: an item nobody answered (and which is not gold)
has an all-zero probability row, label index -1, and decodes to ``label=None``,
``confidence=0.0``, empty ``probabilities``, ``agreement=0.0``. A gold item is clamped to its
truth (probability 1) in every method. Tie policy: among equally probable labels, the one
that comes first in the label order wins (``numpy.argmax`` semantics).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from annotation.aggregation.encoding import EncodedVotes, FloatArray, IntArray
from annotation.aggregation.models import AggregationResult, AnnotatorSkill, ItemLabel, Method


@dataclass(frozen=True, slots=True, eq=False)
class Posterior:
    """What a method computed, still as arrays indexed like its :class:`EncodedVotes`."""

    probabilities: FloatArray  # (items, labels); rows sum to 1, or are all 0 if unanswered
    label_idx: IntArray  # (items,); -1 for unanswered items
    annotator_accuracy: FloatArray  # (annotators,)
    confusion: FloatArray | None = None  # (annotators, true label, given label)
    iterations: int = 0
    temperature: float = 1.0  # posterior tempering fitted on gold (1.0: none)

    @property
    def confidence(self) -> FloatArray:
        """Probability of each item's chosen label (0 for unanswered items)."""
        return self.probabilities.max(axis=1, initial=0.0)


def vote_counts(encoded: EncodedVotes) -> FloatArray:
    """Count votes per item and label, as a dense (items, labels) float array."""
    n_labels = encoded.n_labels
    flat = encoded.item_idx * n_labels + encoded.label_idx
    counts = np.bincount(flat, minlength=encoded.n_items * n_labels)
    return counts.reshape(encoded.n_items, n_labels).astype(np.float64)


def clamp_gold(probabilities: FloatArray, gold_idx: IntArray) -> None:
    """Set gold items' rows to one-hot on their truth, in place."""
    rows = np.flatnonzero(gold_idx >= 0)
    probabilities[rows] = 0.0
    probabilities[rows, gold_idx[rows]] = 1.0


def choose_labels(probabilities: FloatArray) -> IntArray:
    """Pick each row's most probable label, the first in label order on ties; -1 if empty."""
    chosen = np.argmax(probabilities, axis=1).astype(np.intp)
    chosen[probabilities.sum(axis=1) <= 0.0] = -1
    return chosen


def agreement_accuracy(encoded: EncodedVotes, label_idx: IntArray) -> FloatArray:
    """Share of each annotator's votes that equal the item's chosen label."""
    hits = (label_idx[encoded.item_idx] == encoded.label_idx).astype(np.float64)
    n = encoded.n_annotators
    answered = np.bincount(encoded.annotator_idx, minlength=n).astype(np.float64)
    agreed = np.bincount(encoded.annotator_idx, weights=hits, minlength=n)
    return np.divide(agreed, answered, out=np.zeros(n), where=answered > 0)


def build_result(method: Method, encoded: EncodedVotes, posterior: Posterior) -> AggregationResult:
    """Decode an array posterior into per-item labels and per-annotator skills."""
    labels = encoded.labels
    counts = vote_counts(encoded)
    answers = counts.sum(axis=1)
    chosen = posterior.label_idx
    items: dict[str, ItemLabel] = {}
    for i, item in enumerate(encoded.items):
        k = int(chosen[i])
        if k < 0:
            items[item] = ItemLabel(item, None, 0.0, MappingProxyType({}), int(answers[i]), 0.0)
            continue
        row = posterior.probabilities[i]
        n = int(answers[i])
        items[item] = ItemLabel(
            item=item,
            label=labels[k],
            confidence=float(row[k]),
            probabilities=MappingProxyType(dict(zip(labels, row.tolist(), strict=True))),
            answers=n,
            agreement=float(counts[i, k] / n) if n else 0.0,
        )
    answered = np.bincount(encoded.annotator_idx, minlength=encoded.n_annotators)
    annotators: dict[str, AnnotatorSkill] = {}
    for a, annotator in enumerate(encoded.annotators):
        confusion = None
        if posterior.confusion is not None:
            confusion = tuple(tuple(row) for row in posterior.confusion[a].tolist())
        annotators[annotator] = AnnotatorSkill(
            annotator=annotator,
            accuracy=float(posterior.annotator_accuracy[a]),
            answers=int(answered[a]),
            confusion=confusion,
        )
    return AggregationResult(
        method=method,
        labels=labels,
        items=MappingProxyType(items),
        annotators=MappingProxyType(annotators),
    )
