"""Calibration of confidences: does a confidence of 0.9 mean right 90% of the time?"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


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
