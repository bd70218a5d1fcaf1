"""Majority vote: each item takes the label most of its annotators chose.

Tie policy: among labels with the same number of votes, the one that comes first in the
label order wins (the project's option order when ``labels`` is given, else sorted labels);
the confidence is the winner's vote share, so a two-way tie yields 0.5.
Missing data: an item nobody answered gets ``label=None`` and confidence 0 (see
:mod:`annotation.aggregation.posterior`). Gold items are clamped to their truth.
Annotator accuracy: the share of their votes equal to the item's final label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from annotation.aggregation.encoding import EncodedVotes, encode_votes
from annotation.aggregation.models import AggregationResult, Method, Vote
from annotation.aggregation.posterior import (
    Posterior,
    agreement_accuracy,
    build_result,
    choose_labels,
    clamp_gold,
    vote_counts,
)


def majority_vote_arrays(encoded: EncodedVotes) -> Posterior:
    """Aggregate integer-coded votes by majority; probabilities are the vote shares."""
    counts = vote_counts(encoded)
    totals = counts.sum(axis=1, keepdims=True)
    probabilities = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    clamp_gold(probabilities, encoded.gold_idx)
    label_idx = choose_labels(probabilities)
    return Posterior(
        probabilities=probabilities,
        label_idx=label_idx,
        annotator_accuracy=agreement_accuracy(encoded, label_idx),
    )


def majority_vote(
    votes: Sequence[Vote],
    *,
    labels: Sequence[str] | None = None,
    items: Sequence[str] | None = None,
    gold: Mapping[str, str] | None = None,
) -> AggregationResult:
    """Label each item by majority vote, ties going to the first label in label order."""
    encoded = encode_votes(votes, labels=labels, items=items, gold=gold)
    return build_result(Method.MAJORITY, encoded, majority_vote_arrays(encoded))
