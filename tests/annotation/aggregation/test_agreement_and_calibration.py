"""Agreement statistics and calibration error on hand-built data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from annotation.aggregation import (
    Vote,
    expected_calibration_error,
    krippendorff_alpha,
    percent_agreement,
)

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal example:
# 4 observers, 12 units, missing values; nominal alpha = 0.743.
KRIPPENDORFF_2011 = {
    "A": "1 2 3 3 2 1 4 1 2 . . .",
    "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    "C": ". 3 3 3 2 3 4 2 2 5 1 .",
    "D": "1 2 3 3 2 4 4 1 2 5 1 .",
}


def krippendorff_votes() -> list[Vote]:
    return [
        Vote(f"u{unit}", observer, value)
        for observer, row in KRIPPENDORFF_2011.items()
        for unit, value in enumerate(row.split())
        if value != "."
    ]


def test_krippendorff_alpha_matches_the_published_example() -> None:
    assert krippendorff_alpha(krippendorff_votes()) == pytest.approx(0.743, abs=5e-4)


def test_perfect_agreement_gives_alpha_one_and_full_percent() -> None:
    votes = [Vote(i, a, label) for i, label in (("x", "cat"), ("y", "dog")) for a in "abc"]

    assert krippendorff_alpha(votes) == pytest.approx(1.0)
    assert percent_agreement(votes) == 1.0


def test_percent_agreement_counts_agreeing_pairs() -> None:
    votes = [Vote("x", "a", "cat"), Vote("x", "b", "cat"), Vote("x", "c", "dog")]

    assert percent_agreement(votes) == pytest.approx(1 / 3)


def test_undefined_statistics_are_nan() -> None:
    single = [Vote("x", "a", "cat"), Vote("y", "a", "dog")]
    one_label = [Vote("x", "a", "cat"), Vote("x", "b", "cat")]

    assert math.isnan(krippendorff_alpha(single))
    assert math.isnan(percent_agreement(single))
    assert math.isnan(krippendorff_alpha(one_label))


def test_calibration_error_of_calibrated_and_overconfident_predictions() -> None:
    calibrated = expected_calibration_error([0.9] * 10, [True] * 9 + [False])
    overconfident = expected_calibration_error([1.0, 1.0], [True, False])

    assert calibrated == pytest.approx(0.0, abs=1e-12)
    assert overconfident == pytest.approx(0.5)
    assert expected_calibration_error(np.array([]), np.array([])) == 0.0
