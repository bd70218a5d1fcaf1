"""Vote weighted by each annotator's accuracy on gold items.

Each annotator's accuracy is measured on the gold items they answered and shrunk towards the
pooled gold accuracy of the whole crowd: ``(correct + s * pooled) / (total + s)`` with
``s = smoothing`` pseudo-answers, so an annotator without gold answers gets the crowd's
accuracy. A vote then counts ``log(accuracy * (K - 1) / (1 - accuracy))`` (its one-coin
log-odds) and the confidence is the one-coin posterior under a uniform class prior.
Without any gold answer, the pooled accuracy is the crowd's agreement with majority vote and
every annotator weighs the same, so the label is the majority label. An accuracy below
chance (1/K) weighs nothing rather than voting against its label.
Ties and missing data: see :mod:`annotation.aggregation.posterior` (first label in label
order; unanswered items get no label and confidence 0). Gold items are clamped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from annotation.aggregation.encoding import EncodedVotes, FloatArray, encode_votes
from annotation.aggregation.majority import majority_vote_arrays
from annotation.aggregation.models import AggregationResult, Method, Vote
from annotation.aggregation.one_coin import one_coin_posterior, vote_weights
from annotation.aggregation.posterior import Posterior, build_result, choose_labels

GOLD_SMOOTHING = 2.0


def gold_accuracy(encoded: EncodedVotes, smoothing: float = GOLD_SMOOTHING) -> FloatArray:
    """Estimate each annotator's accuracy on gold, shrunk towards the crowd's."""
    n = encoded.n_annotators
    truth = encoded.gold_idx[encoded.item_idx]
    on_gold = truth >= 0
    annotators = encoded.annotator_idx[on_gold]
    hits = (encoded.label_idx[on_gold] == truth[on_gold]).astype(np.float64)
    total = np.bincount(annotators, minlength=n).astype(np.float64)
    correct = np.bincount(annotators, weights=hits, minlength=n)
    if total.sum() > 0:
        pooled = (correct.sum() + 1.0) / (total.sum() + 2.0)
    else:
        majority = majority_vote_arrays(encoded)
        agreed = majority.label_idx[encoded.item_idx] == encoded.label_idx
        pooled = (agreed.sum() + 1.0) / (agreed.size + 2.0)
    return np.asarray((correct + smoothing * pooled) / (total + smoothing), dtype=np.float64)


def weighted_vote_arrays(encoded: EncodedVotes, *, smoothing: float = GOLD_SMOOTHING) -> Posterior:
    """Aggregate integer-coded votes weighted by gold accuracy."""
    accuracy = gold_accuracy(encoded, smoothing)
    chance = 1.0 / max(encoded.n_labels, 1)
    weights = vote_weights(np.maximum(accuracy, chance), encoded.n_labels)
    probabilities, _ = one_coin_posterior(encoded, weights)
    return Posterior(
        probabilities=probabilities,
        label_idx=choose_labels(probabilities),
        annotator_accuracy=accuracy,
    )


def weighted_vote(
    votes: Sequence[Vote],
    *,
    labels: Sequence[str] | None = None,
    items: Sequence[str] | None = None,
    gold: Mapping[str, str] | None = None,
    smoothing: float = GOLD_SMOOTHING,
) -> AggregationResult:
    """Label each item by a vote weighted by each annotator's gold accuracy."""
    encoded = encode_votes(votes, labels=labels, items=items, gold=gold)
    posterior = weighted_vote_arrays(encoded, smoothing=smoothing)
    return build_result(Method.WEIGHTED, encoded, posterior)
