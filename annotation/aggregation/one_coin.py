"""One-coin Dawid-Skene: a single accuracy per annotator, errors spread evenly.

Model: annotator ``a`` gives the true label with probability ``skill[a]`` and each wrong
label with probability ``(1 - skill[a]) / (K - 1)``; a vote for ``l`` therefore adds
``log(skill * (K - 1) / (1 - skill))`` to the log-odds of ``l``. Fitted by EM like
:mod:`annotation.aggregation.dawid_skene`: initialised from majority vote, gold items
clamped, skills shrunk towards the pooled skill by ``smoothing`` pseudo-answers, stopping on
``tol`` (mean log-likelihood per answer) or ``max_iter``. Ties and missing data: see
:mod:`annotation.aggregation.posterior`.

Caveat (measured): with class imbalance and "always the same button" annotators, one-coin
models drift towards the majority class; prefer Dawid-Skene as the final aggregator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from annotation.aggregation.encoding import EncodedVotes, FloatArray, encode_votes
from annotation.aggregation.majority import majority_vote_arrays
from annotation.aggregation.models import (
    AggregationError,
    AggregationProblem,
    AggregationResult,
    Method,
    Vote,
)
from annotation.aggregation.posterior import Posterior, build_result, choose_labels, clamp_gold

ONE_COIN_SMOOTHING = 2.0
_EPS = 1e-6


def vote_weights(accuracy: FloatArray, n_labels: int) -> FloatArray:
    """Turn one-coin accuracies into log-odds weights of a vote, clipped away from 0 and 1."""
    clipped = np.clip(accuracy, _EPS, 1.0 - _EPS)
    return np.log(clipped * max(n_labels - 1, 1) / (1.0 - clipped))


def one_coin_posterior(
    encoded: EncodedVotes, weights: FloatArray, log_prior: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Return item posteriors under one-coin weights, and each answered item's log-normaliser."""
    n_items, n_labels = encoded.n_items, encoded.n_labels
    flat = encoded.item_idx * n_labels + encoded.label_idx
    scores: FloatArray = np.bincount(
        flat, weights=weights[encoded.annotator_idx], minlength=n_items * n_labels
    ).reshape(n_items, n_labels).astype(np.float64, copy=False)
    if log_prior is not None:
        scores += log_prior
    top = scores.max(axis=1, keepdims=True, initial=-np.inf) if n_labels else scores
    probabilities = np.exp(scores - top)
    norm = probabilities.sum(axis=1, keepdims=True)
    probabilities /= norm
    answered = np.bincount(encoded.item_idx, minlength=n_items) > 0
    probabilities[~answered] = 0.0
    clamp_gold(probabilities, encoded.gold_idx)
    return probabilities, (top + np.log(norm))[:, 0]


def one_coin_arrays(
    encoded: EncodedVotes,
    *,
    tol: float = 1e-5,
    max_iter: int = 100,
    smoothing: float = ONE_COIN_SMOOTHING,
) -> Posterior:
    """Fit one-coin Dawid-Skene by EM on integer-coded votes and return item posteriors."""
    if max_iter < 1 or tol < 0 or smoothing < 0:
        raise AggregationError(
            reason=AggregationProblem.BAD_PARAMETER, name="tol/max_iter/smoothing"
        )
    start = majority_vote_arrays(encoded)
    if encoded.n_labels == 0 or encoded.item_idx.size == 0:
        return start
    n_annotators = encoded.n_annotators
    answered_by = np.bincount(encoded.annotator_idx, minlength=n_annotators).astype(np.float64)
    answered = np.bincount(encoded.item_idx, minlength=encoded.n_items) > 0
    probabilities = start.probabilities
    previous = -np.inf
    skill = np.zeros(n_annotators)
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - reported after the loop
        hit = probabilities[encoded.item_idx, encoded.label_idx]
        correct = np.bincount(encoded.annotator_idx, weights=hit, minlength=n_annotators)
        pooled = (correct.sum() + 1.0) / (answered_by.sum() + 2.0)
        skill = (correct + smoothing * pooled) / (answered_by + smoothing)
        mass = probabilities.sum(axis=0) + _EPS
        log_prior = np.log(mass / mass.sum())
        probabilities, log_norm = one_coin_posterior(
            encoded, vote_weights(skill, encoded.n_labels), log_prior
        )
        # per-answer constant log(1 - skill) / (K - 1) makes the normaliser a likelihood
        wrong = np.log(np.clip(1.0 - skill, _EPS, None) / max(encoded.n_labels - 1, 1))
        log_likelihood = (log_norm[answered].sum() + wrong[encoded.annotator_idx].sum()) / (
            encoded.item_idx.size
        )
        if log_likelihood - previous < tol:
            break
        previous = log_likelihood
    return Posterior(
        probabilities=probabilities,
        label_idx=choose_labels(probabilities),
        annotator_accuracy=skill,
        iterations=iterations,
    )


def one_coin(
    votes: Sequence[Vote],
    *,
    labels: Sequence[str] | None = None,
    items: Sequence[str] | None = None,
    gold: Mapping[str, str] | None = None,
    tol: float = 1e-5,
    max_iter: int = 100,
    smoothing: float = ONE_COIN_SMOOTHING,
) -> AggregationResult:
    """Label each item by one-coin Dawid-Skene EM, gold items clamped to their truth."""
    encoded = encode_votes(votes, labels=labels, items=items, gold=gold)
    posterior = one_coin_arrays(encoded, tol=tol, max_iter=max_iter, smoothing=smoothing)
    return build_result(Method.ONE_COIN, encoded, posterior)
