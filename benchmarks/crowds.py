"""Simulated crowds for the aggregation benchmark and cross-check tests.

A crowd of annotators answers items with known truths: accurate annotators with varied skill
(Beta(6, 2)) and systematic confusions, random clickers and constant clickers who always
press the first button; class imbalance; 3-5 answers per item; about 10% of each annotator's
answers on gold items. Everything is drawn from one ``numpy.random.Generator``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]

CLASS_SHARES: dict[int, tuple[float, ...]] = {
    2: (0.75, 0.25),
    5: (0.45, 0.25, 0.15, 0.10, 0.05),
}


class Kind(IntEnum):
    """What sort of annotator a simulated annotator is."""

    ACCURATE = 0
    RANDOM = 1
    CONSTANT = 2


@dataclass(frozen=True, slots=True)
class CrowdSpec:
    """The shape of a simulated crowd."""

    n_answers: int
    n_labels: int
    n_annotators: int = 1000
    random_share: float = 0.15
    constant_share: float = 0.10
    gold_share: float = 0.10
    min_overlap: int = 3
    max_overlap: int = 5
    gold_overlap: int = 10


@dataclass(frozen=True, slots=True, eq=False)
class Annotators:
    """Simulated annotators: their kind, how active they are, and how they answer."""

    kind: IntArray  # (annotators,)
    activity: FloatArray  # (annotators,), sums to 1
    confusion: FloatArray  # (annotators, true label, given label)


@dataclass(frozen=True, slots=True, eq=False)
class Crowd:
    """Answers of a simulated crowd, integer-coded, with the truth of every item."""

    annotators: Annotators
    item_idx: IntArray
    annotator_idx: IntArray
    label_idx: IntArray
    truth: IntArray  # (items,)
    is_gold: npt.NDArray[np.bool_]  # (items,)

    @property
    def n_items(self) -> int:
        """Number of items, gold included."""
        return int(self.truth.size)

    @property
    def gold_idx(self) -> IntArray:
        """Truth of gold items, -1 elsewhere (the aggregation core's gold encoding)."""
        return np.where(self.is_gold, self.truth, -1).astype(np.intp)


def draw_annotators(spec: CrowdSpec, rng: np.random.Generator) -> Annotators:
    """Draw annotator kinds, activity levels and confusion matrices."""
    n, k = spec.n_annotators, spec.n_labels
    kind = np.full(n, Kind.ACCURATE, dtype=np.intp)
    order = rng.permutation(n)
    n_random = round(spec.random_share * n)
    n_constant = round(spec.constant_share * n)
    kind[order[:n_random]] = Kind.RANDOM
    kind[order[n_random : n_random + n_constant]] = Kind.CONSTANT
    activity = rng.lognormal(0.0, 1.0, size=n)
    activity /= activity.sum()

    skill = rng.beta(6.0, 2.0, size=n)
    per_class = np.clip(skill[:, None] + rng.normal(0.0, 0.08, size=(n, k)), 0.05, 0.99)
    confusion = np.empty((n, k, k))
    for t in range(k):
        wrong = rng.dirichlet(np.full(k - 1, 0.7), size=n)  # systematic confusions
        confusion[:, t, :] = np.insert(wrong * (1.0 - per_class[:, t : t + 1]), t, 0.0, axis=1)
        confusion[:, t, t] = per_class[:, t]
    confusion[kind == Kind.RANDOM] = 1.0 / k
    constant = np.zeros((k, k))
    constant[:, 0] = 1.0
    confusion[kind == Kind.CONSTANT] = constant
    return Annotators(kind=kind, activity=activity, confusion=confusion)


def draw_labels(
    annotators: Annotators, annotator_idx: IntArray, truth: IntArray, rng: np.random.Generator
) -> IntArray:
    """Draw the label each annotator gives to an item of the given truth."""
    rows = annotators.confusion[annotator_idx, truth]
    cumulative = rows.cumsum(axis=1)
    u = rng.random(annotator_idx.size)[:, None] * cumulative[:, -1:]
    return np.asarray((u >= cumulative).sum(axis=1), dtype=np.intp)


def draw_annotators_for(
    item_idx: IntArray, activity: FloatArray, rng: np.random.Generator
) -> IntArray:
    """Pick an annotator for each answer slot by activity, never twice on one item."""
    n = activity.size
    chosen = rng.choice(n, size=item_idx.size, p=activity).astype(np.intp)
    for _ in range(100):
        order = np.lexsort((chosen, item_idx))
        same = (item_idx[order][1:] == item_idx[order][:-1]) & (
            chosen[order][1:] == chosen[order][:-1]
        )
        clash = order[1:][same]
        if clash.size == 0:
            break
        chosen[clash] = rng.choice(n, size=clash.size, p=activity)
    return chosen


def simulate_crowd(spec: CrowdSpec, rng: np.random.Generator) -> Crowd:
    """Simulate a crowd answering items, gold included, in shuffled answer order."""
    shares = np.asarray(CLASS_SHARES[spec.n_labels])
    annotators = draw_annotators(spec, rng)
    n_gold_answers = round(spec.gold_share * spec.n_answers)
    n_regular = spec.n_answers - n_gold_answers
    mean_overlap = (spec.min_overlap + spec.max_overlap) / 2
    overlaps = rng.integers(
        spec.min_overlap, spec.max_overlap + 1, size=int(n_regular / mean_overlap) + 16
    )
    overlaps = overlaps[: int(np.searchsorted(np.cumsum(overlaps), n_regular)) + 1]
    regular_slots = np.repeat(np.arange(overlaps.size), overlaps)[:n_regular]
    n_regular_items = overlaps.size
    n_gold_items = max(1, n_gold_answers // spec.gold_overlap)
    gold_slots = n_regular_items + rng.integers(0, n_gold_items, size=n_gold_answers)
    item_idx = np.concatenate([regular_slots, gold_slots]).astype(np.intp)
    n_items = n_regular_items + n_gold_items
    truth = rng.choice(spec.n_labels, size=n_items, p=shares).astype(np.intp)
    is_gold = np.arange(n_items) >= n_regular_items
    annotator_idx = draw_annotators_for(item_idx, annotators.activity, rng)
    label_idx = draw_labels(annotators, annotator_idx, truth[item_idx], rng)
    order = rng.permutation(item_idx.size)
    return Crowd(
        annotators=annotators,
        item_idx=item_idx[order],
        annotator_idx=annotator_idx[order],
        label_idx=label_idx[order],
        truth=truth,
        is_gold=is_gold,
    )
