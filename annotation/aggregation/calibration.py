"""Calibration of confidences: does a confidence of 0.9 mean right 90% of the time?

Owns the calibration error measure and the gold-fitted temperature that tempers EM
posteriors.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from annotation.aggregation.encoding import EncodedVotes, FloatArray, IntArray


def expected_calibration_error(
    confidence: npt.ArrayLike, correct: npt.ArrayLike, *, bins: int = 10
) -> float:
    """Measure expected calibration error over equal-width confidence bins.

    ECE = sum over bins of (share of items in the bin) * |mean confidence - accuracy|.
    A confidence of exactly 1.0 falls in the last bin; an empty input has ECE 0.
    """
    conf = np.asarray(confidence, dtype=np.float64)
    hits = np.asarray(correct, dtype=np.float64)
    if conf.size == 0:
        return 0.0
    index = np.clip((conf * bins).astype(np.intp), 0, bins - 1)
    gap = np.bincount(index, weights=conf - hits, minlength=bins)
    return float(np.abs(gap).sum() / conf.size)


MIN_GOLD_ITEMS = 20
_TEMPERATURES = np.exp(np.linspace(np.log(0.5), np.log(4.0), 61))
_EPS = 1e-12


def gold_temperature(
    encoded: EncodedVotes, counts: FloatArray, prior: FloatArray, *, seed: int = 0
) -> float:
    """Fit the posterior temperature that best predicts gold truths, held out.

    Each answered gold item is scored as if it were a regular item: it keeps a random subset
    of its answers, sized like a random regular item's overlap, and each kept answer's own
    count is removed from its annotator's confusion counts (leave-one-out). ``T`` is then the
    grid value (0.5-4, log-spaced) minimising the negative log-likelihood of the truths.
    Deterministic (fixed ``seed``). Returns 1.0 with fewer than 20 answered gold items.
    """
    n_labels = counts.shape[1]
    gold_of_answer = encoded.gold_idx[encoded.item_idx]
    on_gold = np.flatnonzero(gold_of_answer >= 0)
    if np.unique(encoded.item_idx[on_gold]).size < MIN_GOLD_ITEMS:
        return 1.0
    kept = _subsample_like_regular(encoded, on_gold, np.random.default_rng(seed))
    annotator = encoded.annotator_idx[kept]
    truth = gold_of_answer[kept]
    rows = np.arange(kept.size)
    numerator = counts[annotator, :, encoded.label_idx[kept]]  # (answers, true label)
    denominator = counts.sum(axis=2)[annotator]
    numerator[rows, truth] -= 1.0
    denominator[rows, truth] -= 1.0
    log_p = np.log(np.clip(numerator, _EPS, None)) - np.log(np.clip(denominator, _EPS, None))
    items, inverse = np.unique(encoded.item_idx[kept], return_inverse=True)
    scores = np.stack(
        [np.bincount(inverse, weights=log_p[:, t], minlength=items.size) for t in range(n_labels)],
        axis=1,
    ) + np.log(prior)
    target = encoded.gold_idx[items]
    best, best_loss = 1.0, np.inf
    for temperature in _TEMPERATURES:
        scaled = scores / temperature
        top = scaled.max(axis=1)
        log_norm = top + np.log(np.exp(scaled - top[:, None]).sum(axis=1))
        loss = float(np.mean(log_norm - scaled[np.arange(items.size), target]))
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def _subsample_like_regular(
    encoded: EncodedVotes, on_gold: IntArray, rng: np.random.Generator
) -> IntArray:
    """Keep, for each gold item, as many of its answers as a random regular item has."""
    per_item = np.bincount(encoded.item_idx, minlength=encoded.n_items)
    regular = per_item[(encoded.gold_idx < 0) & (per_item > 0)]
    if regular.size == 0:
        return on_gold
    quota = rng.choice(regular, size=encoded.n_items)
    shuffled = on_gold[rng.permutation(on_gold.size)]
    items = encoded.item_idx[shuffled]
    order = np.argsort(items, kind="stable")
    shuffled, items = shuffled[order], items[order]
    first = np.searchsorted(items, items, side="left")
    rank = np.arange(items.size) - first
    return np.asarray(shuffled[rank < quota[items]], dtype=np.intp)
