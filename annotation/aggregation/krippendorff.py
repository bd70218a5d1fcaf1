"""Krippendorff's alpha for ordinal and interval data (the nominal one is in ``agreement``).

Alpha = 1 - D_o / D_e: the observed disagreement within items over the disagreement expected
from all pairable values pooled. Only the values given to each item matter, not who gave
them. Metrics (Krippendorff 2011, "Computing Krippendorff's alpha-reliability"):

- interval: delta(c, k) = (c - k)^2;
- ordinal: delta(c, k) = (sum of n_g for g from c to k - (n_c + n_k) / 2)^2, with n_g the
  number of pairable values equal to g. That is the interval metric on each value's
  mid-rank among the pairable values, which is how it is computed here (O(n log n), no
  coincidence matrix, so continuous values cost nothing extra).

NaN policy, as in :mod:`annotation.aggregation.agreement`: NaN (and infinite) values are
missing; items with fewer than two values do not count (their values are not pairable);
when no item has two values, or every pairable value is the same (expected disagreement
zero), alpha is undefined and NaN is returned.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from annotation.aggregation.encoding import FloatArray, IntArray


class MeasurementLevel(StrEnum):
    """How distances between answer values are measured."""

    ORDINAL = "ordinal"
    INTERVAL = "interval"


def krippendorff_alpha_units(
    units: Iterable[Sequence[float]], *, level: MeasurementLevel
) -> float:
    """Compute alpha from each item's values (any number per item; NaN means missing)."""
    values: list[float] = []
    unit_of: list[int] = []
    for u, unit in enumerate(units):
        for value in unit:
            values.append(float(value))
            unit_of.append(u)
    return _alpha(np.asarray(values, dtype=np.float64), np.asarray(unit_of, dtype=np.intp), level)


def krippendorff_alpha_matrix(data: npt.ArrayLike, *, level: MeasurementLevel) -> float:
    """Compute alpha from reliability data: (annotators, items), NaN where missing."""
    matrix = np.asarray(data, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError("reliability data must be a 2-D (annotators, items) array")
    unit_of = np.broadcast_to(np.arange(matrix.shape[1], dtype=np.intp), matrix.shape)
    return _alpha(matrix.ravel(), unit_of.ravel(), level)


def _alpha(values: FloatArray, unit_of: IntArray, level: MeasurementLevel) -> float:
    """Compute alpha from flat (value, item index) pairs."""
    finite = np.isfinite(values)
    values, unit_of = values[finite], unit_of[finite]
    if values.size == 0:
        return math.nan
    _, unit_of = np.unique(unit_of, return_inverse=True)
    per_unit = np.bincount(unit_of)
    pairable = per_unit[unit_of] >= 2
    values, unit_of = values[pairable], unit_of[pairable]
    n = values.size
    if n == 0 or values.min() == values.max():  # one value: no expected disagreement
        return math.nan
    if level is MeasurementLevel.ORDINAL:
        values = _mid_ranks(values)
    # over the ordered pairs i != j of one item, sum (v_i - v_j)^2 = 2 m sum (v_i - mean)^2
    m = np.bincount(unit_of).astype(np.float64)
    present = m >= 2
    means = np.divide(np.bincount(unit_of, weights=values), m, out=np.zeros_like(m), where=present)
    deviation = values - means[unit_of]
    within = 2.0 * m * np.bincount(unit_of, weights=deviation * deviation)
    observed = float(np.sum(within[present] / (m[present] - 1.0))) / n
    centred = values - values.mean()
    expected = 2.0 * n * float(np.sum(centred * centred)) / (n * (n - 1.0))
    return 1.0 - observed / expected


def _mid_ranks(values: FloatArray) -> FloatArray:
    """Replace each value by its mid-rank among all values (ties share the middle rank)."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    below = np.cumsum(counts) - counts
    mid: FloatArray = (below + counts / 2.0)[inverse]
    return mid
