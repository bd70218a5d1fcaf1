"""The adaptive gold share: it falls as right answers accumulate and rises after failures."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from annotation.quality.checking import risk, weighted_record
from annotation.quality.qualification import gold_rate
from annotation.quality.scores import beta_cdf
from annotation.quality.settings import QualitySettings

ADAPTIVE = QualitySettings(enabled=True, gold_rate_floor=0.02, gold_rate_ceiling=0.8)
OPTIONS = 4  # the gold bar is 0.625


def rate(record: list[bool]) -> float:
    return gold_rate(0.1, 0, ADAPTIVE, record, OPTIONS)


def test_a_newcomer_is_checked_in_proportion_to_the_bar() -> None:
    assert rate([]) == pytest.approx(0.02 + 0.78 * 0.625)


def test_the_share_falls_as_right_answers_accumulate_towards_the_floor() -> None:
    shares = [rate([True] * n) for n in range(40)]
    assert all(later < earlier for earlier, later in itertools.pairwise(shares))
    assert shares[5] < 0.1 and shares[-1] == pytest.approx(0.02, abs=0.005)


def test_the_share_rises_again_when_recent_gold_answers_fail() -> None:
    trusted = [True] * 20
    shares = [rate(trusted + [False] * k) for k in range(8)]
    assert all(later > earlier for earlier, later in itertools.pairwise(shares))
    assert shares[0] < 0.05 and shares[3] > 0.2 and shares[-1] > 0.6
    # recent failures weigh more than old ones
    assert rate([False, False, *trusted]) < rate([*trusted, False, False])


def test_a_clicker_who_passed_the_exam_by_luck_is_checked_near_the_ceiling() -> None:
    lucky = [False, False, False, True, True, True]  # training wrong, exam 3 of 3
    assert rate(lucky) > 0.5
    assert rate([*lucky, False, False]) > 0.7


@pytest.mark.parametrize("seed", range(5))
def test_the_share_stays_between_floor_and_ceiling(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        record = [rng.random() < 0.6 for _ in range(rng.randrange(80))]
        assert 0.02 <= rate(record) <= 0.8


def test_recency_halves_an_answers_weight_after_the_half_life() -> None:
    assert weighted_record([], 8) == (0.0, 0.0)
    assert weighted_record([False] + [True] * 8, 8) == (pytest.approx(
        sum(0.5 ** (age / 8) for age in range(8))), pytest.approx(0.5))


def test_risk_is_the_posterior_probability_under_the_bar() -> None:
    assert risk([], ADAPTIVE, OPTIONS) == pytest.approx(0.625)
    assert risk([True, True], ADAPTIVE, 2) == pytest.approx(  # yes/no: bar 0.75
        beta_cdf(0.75, 1 + 1 + 0.5 ** (1 / 8), 1))


def test_switched_off_or_without_quality_control_the_rates_are_todays() -> None:
    today = replace(ADAPTIVE, adaptive_gold=False, probation_tasks=10,
                    probation_gold_rate=0.5)
    assert gold_rate(0.1, 0, today, [True] * 30, OPTIONS) == 0.5
    assert gold_rate(0.1, 10, today, [False] * 30, OPTIONS) == 0.1
    assert gold_rate(0.1, 0, QualitySettings(), [False] * 30, OPTIONS) == 0.1


@pytest.mark.parametrize(("x", "a", "b"), [
    (0.625, 3, 2), (0.3, 1, 7), (0.9, 12, 2), (0.5, 40, 40), (0.01, 2, 30)])
def test_beta_cdf_with_real_parameters_matches_the_integer_form(x: float, a: int,
                                                                b: int) -> None:
    assert beta_cdf(x, float(a), float(b)) == pytest.approx(beta_cdf(x, a, b), abs=1e-12)
    assert beta_cdf(x, a + 0.001, float(b)) == pytest.approx(beta_cdf(x, a, b), abs=1e-3)


def test_beta_cdf_with_real_parameters_matches_the_arcsine_law() -> None:
    assert beta_cdf(0.3, 0.5, 0.5) == pytest.approx(0.369010119565545, abs=1e-12)
    with pytest.raises(ValueError):
        beta_cdf(0.5, 0.0, 1.5)
