"""Integer coding of votes: the array form every method computes on.

Votes are converted once into three parallel integer arrays (item, annotator, label), so a
million answers cost three numpy arrays rather than a million objects inside the methods.
The benchmark builds :class:`EncodedVotes` directly with :func:`encode_arrays`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from annotation.aggregation.models import AggregationError, AggregationProblem, Vote

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class EncodedVotes:
    """Votes as parallel index arrays, with the id tables that decode them.

    ``gold_idx[i]`` is the label index of item ``i``'s gold truth, or -1 when it has none.
    """

    items: tuple[str, ...]
    annotators: tuple[str, ...]
    labels: tuple[str, ...]
    item_idx: IntArray
    annotator_idx: IntArray
    label_idx: IntArray
    gold_idx: IntArray

    @property
    def n_items(self) -> int:
        """Number of items, answered or not."""
        return len(self.items)

    @property
    def n_annotators(self) -> int:
        """Number of annotators who gave at least one vote."""
        return len(self.annotators)

    @property
    def n_labels(self) -> int:
        """Number of labels (classes)."""
        return len(self.labels)


def encode_votes(
    votes: Sequence[Vote],
    *,
    labels: Sequence[str] | None = None,
    items: Sequence[str] | None = None,
    gold: Mapping[str, str] | None = None,
) -> EncodedVotes:
    """Convert votes to index arrays, in the project's label and item order.

    Label order: ``labels`` when given (a voted label outside it is an error), else the
    sorted set of voted and gold labels. Item order: ``items`` when given, then items that
    were voted on but not listed, in order of first vote. Gold entries for items that are
    neither listed nor voted on are ignored; a gold label outside the labels is an error.
    """
    gold = gold or {}
    if labels is None:
        label_order = tuple(sorted({v.label for v in votes} | set(gold.values())))
    else:
        label_order = tuple(dict.fromkeys(labels))
    label_pos = {label: k for k, label in enumerate(label_order)}

    item_pos: dict[str, int] = {item: i for i, item in enumerate(dict.fromkeys(items or ()))}
    annotator_pos: dict[str, int] = {}
    n = len(votes)
    item_idx = np.empty(n, dtype=np.intp)
    annotator_idx = np.empty(n, dtype=np.intp)
    label_idx = np.empty(n, dtype=np.intp)
    for j, vote in enumerate(votes):
        k = label_pos.get(vote.label)
        if k is None:
            raise AggregationError(
                reason=AggregationProblem.UNKNOWN_LABEL, label=vote.label, item=vote.item
            )
        item_idx[j] = item_pos.setdefault(vote.item, len(item_pos))
        annotator_idx[j] = annotator_pos.setdefault(vote.annotator, len(annotator_pos))
        label_idx[j] = k

    gold_idx = np.full(len(item_pos), -1, dtype=np.intp)
    for item, truth in gold.items():
        i = item_pos.get(item)
        if i is None:
            continue
        k = label_pos.get(truth)
        if k is None:
            raise AggregationError(reason=AggregationProblem.UNKNOWN_LABEL, label=truth, item=item)
        gold_idx[i] = k
    return EncodedVotes(
        items=tuple(item_pos),
        annotators=tuple(annotator_pos),
        labels=label_order,
        item_idx=item_idx,
        annotator_idx=annotator_idx,
        label_idx=label_idx,
        gold_idx=gold_idx,
    )


def encode_arrays(
    item_idx: npt.ArrayLike,
    annotator_idx: npt.ArrayLike,
    label_idx: npt.ArrayLike,
    *,
    n_items: int,
    n_annotators: int,
    n_labels: int,
    gold_idx: npt.ArrayLike | None = None,
) -> EncodedVotes:
    """Wrap already integer-coded answers, naming items, annotators and labels by number."""
    items_arr = np.asarray(item_idx, dtype=np.intp)
    annotators_arr = np.asarray(annotator_idx, dtype=np.intp)
    labels_arr = np.asarray(label_idx, dtype=np.intp)
    if not items_arr.shape == annotators_arr.shape == labels_arr.shape:
        raise AggregationError(reason=AggregationProblem.BAD_PARAMETER, name="shape")
    for name, arr, bound in (
        ("item_idx", items_arr, n_items),
        ("annotator_idx", annotators_arr, n_annotators),
        ("label_idx", labels_arr, n_labels),
    ):
        if arr.size and (arr.min() < 0 or arr.max() >= bound):
            raise AggregationError(reason=AggregationProblem.BAD_PARAMETER, name=name)
    if gold_idx is None:
        gold_arr = np.full(n_items, -1, dtype=np.intp)
    else:
        gold_arr = np.asarray(gold_idx, dtype=np.intp)
        if gold_arr.shape != (n_items,) or (gold_arr.size and gold_arr.max() >= n_labels):
            raise AggregationError(reason=AggregationProblem.BAD_PARAMETER, name="gold_idx")
    return EncodedVotes(
        items=tuple(str(i) for i in range(n_items)),
        annotators=tuple(str(a) for a in range(n_annotators)),
        labels=tuple(str(k) for k in range(n_labels)),
        item_idx=items_arr,
        annotator_idx=annotators_arr,
        label_idx=labels_arr,
        gold_idx=gold_arr,
    )
