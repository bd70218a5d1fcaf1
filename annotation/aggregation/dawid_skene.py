"""Dawid-Skene EM: one confusion matrix per annotator, vectorized with numpy.

Model: item ``i`` has a hidden true label ``t`` drawn from the class prior; annotator ``a``
answers ``l`` with probability ``confusion[a, t, l]``, independently of other annotators.
EM alternates an E-step (posterior over each item's label, in log space) and an M-step
(class prior and confusion matrices from the expected counts).

- Initialisation: majority-vote shares (crowd-kit's choice).
- Smoothing (hierarchical empirical-Bayes shrinkage), in two levels: an annotator's overall
  accuracy is shrunk towards the crowd's by ``skill_smoothing`` pseudo-answers; each row of
  their confusion matrix then gets ``smoothing`` pseudo-counts centred on a matrix with that
  accuracy on the diagonal and the crowd's pooled error pattern off it. An annotator who
  answered a few times thus keeps one well-estimated number (their accuracy) and borrows the
  rest from the crowd, instead of looking like a perfect (or perfectly wrong) expert.
  ``smoothing=0`` is plain Dawid-Skene exactly as crowd-kit's ``DawidSkene`` (counts of
  the labels an annotator used clipped at 1e-10, labels they never used at 0).
- Gold: gold items are clamped to their truth at every E-step, so an annotator's gold answers
  enter the M-step as exact counts on their confusion matrix.
- Convergence: stops when the mean log-likelihood per answer improves by less than ``tol``
  (crowd-kit's rule), or after ``max_iter`` iterations.
- Calibration: raw EM posteriors are over-confident (each answer helped estimate the very
  confusion matrix that scores it, and answers are not really independent). With
  ``calibrate`` (and smoothing) the final E-step is held out: each answer's own share is
  removed from its annotator's counts before scoring its item; the scores are then tempered,
  ``softmax(log_joint / T)``, with ``T`` fitted on gold items (see
  :func:`annotation.aggregation.calibration.gold_temperature`).
- Ties and missing data: see :mod:`annotation.aggregation.posterior` (first label in label
  order; unanswered items get no label and confidence 0).
- Annotator accuracy: ``sum_t prior[t] * confusion[a, t, t]``, the chance of a right answer on
  an item drawn from the class prior.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from annotation.aggregation.calibration import gold_temperature
from annotation.aggregation.encoding import EncodedVotes, FloatArray, IntArray, encode_votes
from annotation.aggregation.majority import majority_vote_arrays
from annotation.aggregation.models import (
    AggregationError,
    AggregationProblem,
    AggregationResult,
    Method,
    Vote,
)
from annotation.aggregation.posterior import Posterior, build_result, choose_labels

DEFAULT_SMOOTHING = 5.0
DEFAULT_SKILL_SMOOTHING = 5.0
_EPS = 1e-10  # crowd-kit's clip, so smoothing=0 reproduces its DawidSkene


def dawid_skene_arrays(
    encoded: EncodedVotes,
    *,
    tol: float = 1e-5,
    max_iter: int = 100,
    smoothing: float = DEFAULT_SMOOTHING,
    skill_smoothing: float = DEFAULT_SKILL_SMOOTHING,
    calibrate: bool = True,
) -> Posterior:
    """Fit Dawid-Skene by EM on integer-coded votes and return item posteriors."""
    if max_iter < 1 or tol < 0 or smoothing < 0 or skill_smoothing < 0:
        raise AggregationError(
            reason=AggregationProblem.BAD_PARAMETER, name="tol/max_iter/smoothing"
        )
    n_items, n_annotators, n_labels = encoded.n_items, encoded.n_annotators, encoded.n_labels
    start = majority_vote_arrays(encoded)
    if n_labels == 0 or encoded.item_idx.size == 0:
        return start
    item_idx = encoded.item_idx
    cell = encoded.annotator_idx * n_labels + encoded.label_idx  # (annotator, given label)
    answered = np.bincount(item_idx, minlength=n_items) > 0
    post_t = np.ascontiguousarray(start.probabilities.T)  # (labels, items)
    n_answers = item_idx.size
    previous = -np.inf
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - reported after the loop
        fitted_on = post_t
        prior, counts = _m_step(post_t, item_idx, cell, n_annotators, smoothing, skill_smoothing)
        confusion = counts / counts.sum(axis=2, keepdims=True)
        # log_table[t, a * K + l] = log confusion[a, t, l]
        with np.errstate(divide="ignore"):  # unseen cells of plain DS are never gathered
            log_table = np.log(confusion).transpose(1, 0, 2).reshape(n_labels, -1)
        log_joint = _sum_by_item(log_table[:, cell], item_idx, n_items)
        log_joint += np.log(prior)[:, None]
        post_t, log_norm = _softmax_t(log_joint)
        log_likelihood = float(np.sum(log_norm[answered])) / n_answers
        post_t[:, ~answered] = 0.0
        _clamp_gold_t(post_t, encoded.gold_idx)
        if log_likelihood - previous < tol:
            break
        previous = log_likelihood
    temperature = 1.0
    if calibrate and smoothing > 0:
        temperature = gold_temperature(encoded, counts, prior)
        log_joint = _held_out_log_joint(encoded, fitted_on, counts, prior)
        post_t, _ = _softmax_t(log_joint / temperature)
        post_t[:, ~answered] = 0.0
        _clamp_gold_t(post_t, encoded.gold_idx)
    probabilities = np.ascontiguousarray(post_t.T)
    diagonal = np.diagonal(confusion, axis1=1, axis2=2)  # (annotators, labels)
    return Posterior(
        probabilities=probabilities,
        label_idx=choose_labels(probabilities),
        annotator_accuracy=diagonal @ prior,
        confusion=confusion,
        iterations=iterations,
        temperature=temperature,
    )


def _m_step(
    post_t: FloatArray,
    item_idx: IntArray,
    cell: IntArray,
    n_annotators: int,
    smoothing: float,
    skill_smoothing: float,
) -> tuple[FloatArray, FloatArray]:
    """Estimate the class prior and smoothed confusion counts from item posteriors."""
    n_labels = post_t.shape[0]
    weights = post_t[:, item_idx]  # (labels, answers): P(true = t) of each answer's item
    stacked: FloatArray = np.stack(
        [np.bincount(cell, weights=w, minlength=n_annotators * n_labels) for w in weights]
    )
    # (annotator, true, given)
    counts = stacked.reshape(n_labels, n_annotators, n_labels).transpose(1, 0, 2)
    mass = post_t.sum(axis=1)
    prior = np.clip(mass / max(mass.sum(), _EPS), _EPS, None)
    prior /= prior.sum()
    if smoothing > 0:
        return prior, counts + smoothing * _shrinkage_centre(counts, skill_smoothing)
    else:
        # crowd-kit keeps only (annotator, given label) cells that occur, clipped at 1e-10
        seen = (np.bincount(cell, minlength=n_annotators * n_labels) > 0).reshape(
            n_annotators, 1, n_labels
        )
        seen |= ~seen.any(axis=2, keepdims=True)  # annotators without answers: uniform
    return prior, np.where(seen, np.clip(counts, _EPS, None), 0.0)


def _shrinkage_centre(counts: FloatArray, skill_smoothing: float) -> FloatArray:
    """Build each annotator's prior confusion: own shrunk accuracy, the crowd's error pattern."""
    n_labels = counts.shape[1]
    eye = np.eye(n_labels)
    pooled = counts.sum(axis=0) + _EPS  # (true, given), the whole crowd
    errors = pooled * (1.0 - eye)
    errors /= np.maximum(errors.sum(axis=1, keepdims=True), _EPS)
    right = np.trace(counts, axis1=1, axis2=2)
    answered = counts.sum(axis=(1, 2))
    crowd_accuracy = right.sum() / max(answered.sum(), _EPS)
    accuracy = (right + skill_smoothing * crowd_accuracy) / (answered + skill_smoothing)
    if n_labels == 1:
        return np.ones_like(counts)
    centre: FloatArray = accuracy[:, None, None] * eye + (1.0 - accuracy)[:, None, None] * errors
    return centre


def _held_out_log_joint(
    encoded: EncodedVotes, fitted_on: FloatArray, counts: FloatArray, prior: FloatArray
) -> FloatArray:
    """Score every item with each answer's own share removed from its annotator's counts."""
    annotator, label = encoded.annotator_idx, encoded.label_idx
    own = fitted_on[:, encoded.item_idx]  # (labels, answers)
    numerator = counts[annotator, :, label].T - own
    denominator = counts.sum(axis=2)[annotator].T - own
    log_p = np.log(np.clip(numerator, _EPS, None)) - np.log(np.clip(denominator, _EPS, None))
    log_joint = _sum_by_item(log_p, encoded.item_idx, encoded.n_items)
    return log_joint + np.log(prior)[:, None]


def _softmax_t(log_joint_t: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Normalise (labels, items) log scores per item; return probabilities and log-normalisers."""
    top = log_joint_t.max(axis=0)
    post_t = np.exp(log_joint_t - top)
    norm = post_t.sum(axis=0)
    post_t /= norm
    return post_t, top + np.log(norm)


def _sum_by_item(values_t: FloatArray, item_idx: IntArray, n_items: int) -> FloatArray:
    """Sum per-answer rows (labels, answers) into per-item rows (labels, items)."""
    return np.stack([np.bincount(item_idx, weights=v, minlength=n_items) for v in values_t])


def _clamp_gold_t(post_t: FloatArray, gold_idx: IntArray) -> None:
    """Set gold items' columns to one-hot on their truth, in place."""
    rows = np.flatnonzero(gold_idx >= 0)
    post_t[:, rows] = 0.0
    post_t[gold_idx[rows], rows] = 1.0


def dawid_skene(
    votes: Sequence[Vote],
    *,
    labels: Sequence[str] | None = None,
    items: Sequence[str] | None = None,
    gold: Mapping[str, str] | None = None,
    tol: float = 1e-5,
    max_iter: int = 100,
    smoothing: float = DEFAULT_SMOOTHING,
    skill_smoothing: float = DEFAULT_SKILL_SMOOTHING,
    calibrate: bool = True,
) -> AggregationResult:
    """Label each item by smoothed Dawid-Skene EM, gold items clamped to their truth."""
    encoded = encode_votes(votes, labels=labels, items=items, gold=gold)
    posterior = dawid_skene_arrays(
        encoded,
        tol=tol,
        max_iter=max_iter,
        smoothing=smoothing,
        skill_smoothing=skill_smoothing,
        calibrate=calibrate,
    )
    return build_result(Method.DAWID_SKENE, encoded, posterior)

