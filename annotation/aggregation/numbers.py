"""Numeric answers: the median per item, with its spread.

The median resists careless annotators (the mean is the worst choice under them). Spread:
the median absolute deviation (MAD, unscaled) and the interquartile range (numpy's linear
interpolation). Missing data: NaN and infinite answers are ignored; an item left without
answers (listed in ``items`` or only non-finite answers) gets ``median=None`` and zero spread.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np


@dataclass(frozen=True, slots=True)
class NumberLabel:
    """The aggregated value of one numeric item."""

    item: str
    median: float | None
    mad: float
    iqr: float
    answers: int


def aggregate_numbers(
    answers: Sequence[tuple[str, str, float]], *, items: Sequence[str] | None = None
) -> Mapping[str, NumberLabel]:
    """Aggregate (item, annotator, number) answers into a median with MAD and IQR per item."""
    values: dict[str, list[float]] = {item: [] for item in items or ()}
    for item, _annotator, value in answers:
        bucket = values.setdefault(item, [])
        if math.isfinite(value):
            bucket.append(float(value))
    result: dict[str, NumberLabel] = {}
    for item, numbers in values.items():
        if not numbers:
            result[item] = NumberLabel(item, None, 0.0, 0.0, 0)
            continue
        array = np.asarray(numbers)
        median = float(np.median(array))
        q1, q3 = np.percentile(array, [25.0, 75.0])
        result[item] = NumberLabel(
            item=item,
            median=median,
            mad=float(np.median(np.abs(array - median))),
            iqr=float(q3 - q1),
            answers=len(numbers),
        )
    return MappingProxyType(result)
