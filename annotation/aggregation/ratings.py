"""Ratings on numeric scales (Likert 1-5, 0-4...), per item and dimension: median and a model.

Two aggregates per item and dimension:

- the median of the ratings, with the median absolute deviation (unscaled);
- a model-based estimate that undoes each annotator's bias: rating = item value + annotator
  offset + noise with the annotator's own variance. Fitted per dimension by alternating
  weighted least squares: item values are precision-weighted means of the bias-corrected
  ratings; each offset is the mean residual shrunk towards 0 by ``bias_smoothing``
  pseudo-answers; each variance is shrunk towards the crowd's by ``noise_smoothing``
  pseudo-answers. Offsets are then centred (answer-weighted mean 0: only differences
  between annotators can be known), so a harsh and a lenient annotator rating the same
  item cancel out and a careless one (large variance) weighs little. The estimate's ``se``
  is ``1 / sqrt(sum of the item's rater precisions)``; ``low``/``high`` the normal interval
  at ``level``, all clipped to ``scale`` when given.

Noise: residuals on an item rated ``m`` times are inflated by ``m / (m - 1)`` (the item value
was fitted on them); items rated once tell nothing about noise. A variance never drops below
``1e-4`` (a standard deviation of 0.01), so unanimous raters keep a finite weight.
Missing data: NaN and infinite ratings are ignored; an item listed in ``items`` (or rated
only in other dimensions) without ratings in a dimension gets ``median=None``,
``estimate=None`` and zero spread. Convergence: stops when no item value moves by more than
``tol``, or after ``max_iter`` rounds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from types import MappingProxyType

import numpy as np

from annotation.aggregation.encoding import FloatArray, IntArray
from annotation.aggregation.models import AggregationError, AggregationProblem

DEFAULT_BIAS_SMOOTHING = 5.0
DEFAULT_NOISE_SMOOTHING = 5.0
_MIN_VARIANCE = 1e-4


@dataclass(frozen=True, slots=True)
class Rating:
    """One answer on a rating scale: an annotator rated an item on one dimension."""

    item: str
    annotator: str
    dimension: str
    value: float


@dataclass(frozen=True, slots=True)
class RatingLabel:
    """The aggregated rating of one item on one dimension."""

    item: str
    dimension: str
    median: float | None
    mad: float
    estimate: float | None  # bias-corrected, precision-weighted
    se: float
    low: float | None
    high: float | None
    answers: int


@dataclass(frozen=True, slots=True)
class RaterProfile:
    """What the model learned about one annotator on one dimension."""

    annotator: str
    dimension: str
    bias: float  # added to an item's value, on average, by this annotator
    noise: float  # standard deviation of their ratings around value + bias
    answers: int


@dataclass(frozen=True, slots=True)
class RatingsResult:
    """Labels per dimension and item, and rater profiles per dimension and annotator."""

    dimensions: tuple[str, ...]
    labels: Mapping[str, Mapping[str, RatingLabel]]  # dimension -> item -> label
    annotators: Mapping[str, Mapping[str, RaterProfile]]  # dimension -> annotator -> profile


@dataclass(frozen=True, slots=True, eq=False)
class RatingFit:
    """The rating model of one dimension, as arrays indexed by item and annotator number."""

    estimate: FloatArray  # (items,), NaN for unrated items
    se: FloatArray  # (items,), inf for unrated items
    bias: FloatArray  # (annotators,)
    noise: FloatArray  # (annotators,), standard deviations
    iterations: int


def aggregate_ratings(
    ratings: Sequence[Rating],
    *,
    items: Sequence[str] | None = None,
    dimensions: Sequence[str] | None = None,
    scale: tuple[float, float] | None = None,
    level: float = 0.95,
    bias_smoothing: float = DEFAULT_BIAS_SMOOTHING,
    noise_smoothing: float = DEFAULT_NOISE_SMOOTHING,
) -> RatingsResult:
    """Aggregate ratings per item and dimension: median, and a bias-corrected estimate."""
    if not 0.0 < level < 1.0 or (scale is not None and scale[0] > scale[1]):
        raise AggregationError(reason=AggregationProblem.BAD_PARAMETER, name="level/scale")
    kept = [r for r in ratings if math.isfinite(r.value)]
    all_items = list(dict.fromkeys([*(items or ()), *(r.item for r in ratings)]))
    all_dimensions = tuple(dict.fromkeys([*(dimensions or ()), *(r.dimension for r in ratings)]))
    z = NormalDist().inv_cdf((1.0 + level) / 2.0)
    labels: dict[str, Mapping[str, RatingLabel]] = {}
    profiles: dict[str, Mapping[str, RaterProfile]] = {}
    for dimension in all_dimensions:
        rows = [r for r in kept if r.dimension == dimension]
        item_pos = {item: i for i, item in enumerate(all_items)}
        annotator_pos: dict[str, int] = {}
        item_idx = np.asarray([item_pos[r.item] for r in rows], dtype=np.intp)
        annotator_idx = np.asarray(
            [annotator_pos.setdefault(r.annotator, len(annotator_pos)) for r in rows],
            dtype=np.intp,
        )
        values = np.asarray([r.value for r in rows], dtype=np.float64)
        fit = fit_rating_model(
            item_idx,
            annotator_idx,
            values,
            n_items=len(all_items),
            n_annotators=len(annotator_pos),
            bias_smoothing=bias_smoothing,
            noise_smoothing=noise_smoothing,
        )
        groups = _group_by_item(item_idx, values, len(all_items))
        labels[dimension] = MappingProxyType(
            {
                item: _label(item, dimension, groups[i], fit, i, z, scale)
                for i, item in enumerate(all_items)
            }
        )
        answered = np.bincount(annotator_idx, minlength=len(annotator_pos))
        profiles[dimension] = MappingProxyType(
            {
                name: RaterProfile(
                    annotator=name,
                    dimension=dimension,
                    bias=float(fit.bias[a]),
                    noise=float(fit.noise[a]),
                    answers=int(answered[a]),
                )
                for name, a in annotator_pos.items()
            }
        )
    return RatingsResult(
        dimensions=all_dimensions,
        labels=MappingProxyType(labels),
        annotators=MappingProxyType(profiles),
    )


def fit_rating_model(
    item_idx: IntArray,
    annotator_idx: IntArray,
    values: FloatArray,
    *,
    n_items: int,
    n_annotators: int,
    bias_smoothing: float = DEFAULT_BIAS_SMOOTHING,
    noise_smoothing: float = DEFAULT_NOISE_SMOOTHING,
    tol: float = 1e-9,
    max_iter: int = 200,
) -> RatingFit:
    """Fit item values, annotator offsets and annotator noise of one dimension."""
    if bias_smoothing < 0 or noise_smoothing < 0 or tol <= 0 or max_iter < 1:
        raise AggregationError(reason=AggregationProblem.BAD_PARAMETER, name="smoothing/tol")
    per_item = np.bincount(item_idx, minlength=n_items).astype(np.float64)
    per_annotator = np.bincount(annotator_idx, minlength=n_annotators).astype(np.float64)
    rated = per_item > 0
    # start from medians: careless raters move them least
    estimate = np.asarray(
        [np.median(g) if g.size else np.nan for g in _group_by_item(item_idx, values, n_items)],
        dtype=np.float64,
    ).reshape(n_items)
    bias = np.zeros(n_annotators)
    variance = np.ones(n_annotators)
    m = per_item[item_idx]
    # an answer's residual carries noise information only if its item has other answers
    inflation = np.divide(m, m - 1.0, out=np.zeros_like(m), where=m > 1)
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - reported after the loop
        residual = values - estimate[item_idx]
        bias = _shrunk_mean(
            np.bincount(annotator_idx, weights=residual, minlength=n_annotators).astype(np.float64),
            per_annotator + bias_smoothing,
        )
        bias -= bias[annotator_idx].mean() if values.size else 0.0
        squared = (residual - bias[annotator_idx]) ** 2 * inflation
        informative = np.bincount(annotator_idx, weights=(m > 1) * 1.0, minlength=n_annotators)
        pooled = float(squared.sum() / informative.sum()) if informative.sum() else 1.0
        pooled = max(pooled, _MIN_VARIANCE)
        own = np.bincount(annotator_idx, weights=squared, minlength=n_annotators)
        variance = np.divide(
            own + noise_smoothing * pooled,
            informative + noise_smoothing,
            out=np.full(n_annotators, pooled),
            where=informative + noise_smoothing > 0,
        )
        variance = np.maximum(variance, _MIN_VARIANCE)
        weight = 1.0 / variance[annotator_idx]
        total = np.bincount(item_idx, weights=weight, minlength=n_items)
        corrected = np.bincount(
            item_idx, weights=weight * (values - bias[annotator_idx]), minlength=n_items
        )
        updated = np.divide(corrected, total, out=np.full(n_items, np.nan), where=rated)
        moved = float(np.max(np.abs(updated - estimate)[rated], initial=0.0))
        estimate = updated
        if moved < tol:
            break
    precision = np.bincount(item_idx, weights=1.0 / variance[annotator_idx], minlength=n_items)
    se = np.divide(1.0, np.sqrt(precision), out=np.full(n_items, np.inf), where=rated)
    return RatingFit(
        estimate=estimate, se=se, bias=bias, noise=np.sqrt(variance), iterations=iterations
    )


def _shrunk_mean(sums: FloatArray, counts: FloatArray) -> FloatArray:
    """Divide sums by (pseudo-)counts, 0 where the count is 0."""
    return np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)


def _group_by_item(item_idx: IntArray, values: FloatArray, n_items: int) -> list[FloatArray]:
    """Split values into one array per item (empty for items without values)."""
    order = np.argsort(item_idx, kind="stable")
    bounds = np.cumsum(np.bincount(item_idx, minlength=n_items))[:-1]
    return list(np.split(values[order], bounds)) if n_items else []


def _label(
    item: str,
    dimension: str,
    values: FloatArray,
    fit: RatingFit,
    i: int,
    z: float,
    scale: tuple[float, float] | None,
) -> RatingLabel:
    """Build one item's label from its ratings and the fitted model."""
    if values.size == 0:
        return RatingLabel(item, dimension, None, 0.0, None, 0.0, None, None, 0)
    median = float(np.median(values))
    estimate, se = float(fit.estimate[i]), float(fit.se[i])
    low, high = estimate - z * se, estimate + z * se
    if scale is not None:
        estimate, low, high = (min(max(v, scale[0]), scale[1]) for v in (estimate, low, high))
    return RatingLabel(
        item=item,
        dimension=dimension,
        median=median,
        mad=float(np.median(np.abs(values - median))),
        estimate=estimate,
        se=se,
        low=low,
        high=high,
        answers=int(values.size),
    )
