"""The Beta posterior score and its distribution function."""

from __future__ import annotations

import pytest

from annotation.quality.scores import GoldScore, beta_cdf


def test_three_right_answers_do_not_make_a_perfect_annotator() -> None:
    assert GoldScore(3, 3).mean == pytest.approx(0.8)
    assert GoldScore(0, 0).mean == 0.5 and GoldScore(0, 0).raw is None
    assert GoldScore(90, 100).mean == pytest.approx(91 / 102)
    assert GoldScore(1, 2).add(GoldScore(2, 3)) == GoldScore(3, 5)


@pytest.mark.parametrize(("x", "a", "b", "expected"), [
    (0.5, 1, 1, 0.5),  # uniform
    (0.3, 2, 1, 0.09),  # x^2
    (0.3, 1, 2, 1 - 0.7**2),
    (0.625, 2, 4, 0.9308),  # 1 of 4 right: P(accuracy < 0.625)
    (0.0, 3, 3, 0.0),
    (1.0, 3, 3, 1.0),
])
def test_beta_cdf_matches_closed_forms(x: float, a: int, b: int, expected: float) -> None:
    assert beta_cdf(x, a, b) == pytest.approx(expected, abs=1e-4)


def test_beta_cdf_rejects_non_positive_parameters() -> None:
    with pytest.raises(ValueError):
        beta_cdf(0.5, 0, 1)
