"""The position rule: the exact binomial test it uses, the chance of picking the response
shown first (1/2 for comparisons, 1/n for rankings of n), and when the rule fires."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from annotation.quality.rules import (
    Evidence,
    binomial_p,
    check_position,
    evaluate,
    first_pick_chance,
)
from annotation.quality.settings import QualitySettings, Rule, RuleAction

ON = QualitySettings(enabled=True)  # position_min_answers 20, position_max_p 0.001


def fair_coin_p(successes: int, trials: int) -> float:
    """The fair coin's test the rule used before rankings had positions (kept verbatim)."""
    if trials == 0:
        return 1.0
    extreme = max(successes, trials - successes)
    tail = sum(math.comb(trials, k) for k in range(extreme, trials + 1)) / 2**trials
    return min(1.0, 2 * tail)


def test_at_one_half_the_binomial_test_is_exactly_the_fair_coins() -> None:
    for trials in range(101):  # up to the rule's window
        for successes in range(trials + 1):
            assert binomial_p(successes, trials, Fraction(1, 2)) == fair_coin_p(
                successes, trials), (successes, trials)


@pytest.mark.parametrize(("successes", "trials", "chance", "expected"), [
    # scipy.stats.binomtest(successes, trials, chance).pvalue
    (14, 20, Fraction(1, 4), 2.9511746106436476e-05),
    (12, 12, Fraction(1, 4), 5.960464477539063e-08),
    (0, 40, Fraction(1, 4), 2.2361143228906374e-05),  # never the first shown: two-sided
    (10, 20, Fraction(1, 4), 0.017035628882695168),
    (9, 20, Fraction(1, 4), 0.06523779257167917),
    (5, 20, Fraction(1, 4), 1.0),
    (7, 20, Fraction(1, 3), 1.0),
    (0, 2, Fraction(1, 3), 1.0),  # P(0) = P(1) = 4/9: a tie counts as no likelier
    (10, 10, Fraction(1, 3), 1.693508780843028e-05),
    (12, 12, Fraction(1, 3), 1.8816764231589195e-06),
])
def test_the_binomial_test_gives_scipys_p_values(successes: int, trials: int,
                                                 chance: Fraction, expected: float) -> None:
    assert binomial_p(successes, trials, chance) == pytest.approx(expected, rel=1e-12)


def test_the_binomial_test_agrees_with_scipy_on_a_grid() -> None:
    stats = pytest.importorskip("scipy.stats", reason="scipy comes with the 'bench' extra")
    for chance in (Fraction(1, 4), Fraction(1, 3), Fraction(5, 12), Fraction(7, 24)):
        for trials in (1, 7, 20, 33, 100):
            for successes in range(trials + 1):
                reference = stats.binomtest(successes, trials, float(chance)).pvalue
                assert binomial_p(successes, trials, chance) == pytest.approx(
                    reference, rel=1e-9, abs=1e-300), (successes, trials, chance)


def test_the_binomial_test_refuses_impossible_counts() -> None:
    assert binomial_p(0, 0, Fraction(1, 4)) == 1.0
    with pytest.raises(ValueError):
        binomial_p(5, 4, Fraction(1, 2))
    with pytest.raises(ValueError):
        binomial_p(1, 4, Fraction(3, 2))


def test_the_chance_is_the_answers_mean_of_one_in_choices_read_back_exactly() -> None:
    assert first_pick_chance(20, None) == Fraction(1, 2)  # comparisons before ``choices``
    assert first_pick_chance(0, 0.0) == Fraction(1, 2)
    assert first_pick_chance(30, 30 / 4) == Fraction(1, 4)
    assert first_pick_chance(30, 30 * (1 / 3)) == Fraction(1, 3)
    # a mix of comparisons and rankings of three and four, summed in floats as SQL does
    choices = [2] * 37 + [3] * 41 + [4] * 22
    expected = sum(1.0 / c for c in choices)
    assert first_pick_chance(100, expected) == sum(Fraction(1, c) for c in choices) / 100


@pytest.mark.parametrize(("first", "total", "fires"), [
    (20, 20, True),  # an "always A" clicker, at the 20th answer
    (19, 19, False),  # under position_min_answers
    (19, 20, True),
    (15, 20, False),  # p = 0.04
    (0, 20, True),  # "always B" is as far from chance
    (10, 20, False),
])
def test_comparisons_fire_as_the_fair_coin_did(first: int, total: int, fires: bool) -> None:
    for expected in (None, total / 2):  # without ``choices`` and with 2 of them
        verdict = check_position(first, total, ON, expected)
        assert (verdict is not None) is fires
        assert fires is (total >= 20 and fair_coin_p(first, total) < ON.position_max_p)
        if verdict is not None:
            assert verdict.rule is Rule.POSITION and verdict.action is RuleAction.SUSPEND
            assert verdict.params == {"percent": round(100 * first / total), "total": total,
                                      "chance": 50}


@pytest.mark.parametrize(("first", "total", "fires"), [
    (20, 20, True),  # always the top response: p = 4^-20
    (14, 20, True),  # 70 % where chance gives 25 %: p = 3e-5 (a coin would allow it)
    (10, 20, False),  # p = 0.017
    (5, 20, False),  # an honest ranker: a quarter
    (0, 20, False),  # p = 0.75^20 = 0.003
    (0, 40, True),  # never the top one, over 40: p = 2e-5
])
def test_rankings_of_four_are_tested_against_one_in_four(first: int, total: int,
                                                         fires: bool) -> None:
    verdict = check_position(first, total, ON, expected=total / 4)
    assert (verdict is not None) is fires
    if verdict is not None:
        assert verdict.params == {"percent": round(100 * first / total), "total": total,
                                  "chance": 25}


def test_the_rule_is_off_at_zero_and_evaluate_passes_the_expected_count() -> None:
    off = QualitySettings(enabled=True, position_min_answers=0)
    assert check_position(20, 20, off, 5.0) is None
    ranker = Evidence(first_picks=14, positioned=20, expected_first=5.0)
    (verdict,) = evaluate(ranker, ON, options=4, answer_type="ranking")
    assert verdict.rule is Rule.POSITION and verdict.params["chance"] == 25
    # the same picks on comparisons (no expected count: half) are within chance
    coin = Evidence(first_picks=14, positioned=20)
    assert evaluate(coin, ON, options=2, answer_type="pairwise") == []
