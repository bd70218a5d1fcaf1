"""Each quality rule on hand-built evidence, at and around its threshold."""

from __future__ import annotations

import pytest

from annotation.quality.rules import (
    AgreementStats,
    Evidence,
    PartEvidence,
    Verdict,
    cap_reached,
    check_agreement,
    check_daily_cap,
    check_gold,
    check_same_answer,
    check_skips,
    check_speed,
    evaluate,
    to_apply,
)
from annotation.quality.scores import GoldScore
from annotation.quality.settings import (
    QualitySettings,
    Rule,
    RuleAction,
    gold_bar,
    same_answer_limit,
    speed_floor,
)

ON = QualitySettings(enabled=True)


@pytest.mark.parametrize(("options", "bar"), [(2, 0.75), (4, 0.625), (5, 0.6), (0, 0.6)])
def test_the_gold_bar_is_halfway_between_chance_and_perfect(options: int, bar: float) -> None:
    assert gold_bar(ON, options) == pytest.approx(bar)
    assert gold_bar(QualitySettings(gold_min_accuracy=0.8), options) == 0.8


@pytest.mark.parametrize(("correct", "total", "fires"), [
    (0, 3, False),  # fewer than gold_min_answers (4): never
    (0, 4, True),  # the 4th answer: the minimum is reached
    (1, 4, True),  # P(accuracy < 0.625 | 1 of 4) = 0.93
    (2, 4, False),  # 0.71
    (1, 5, True),
    (2, 5, False),
    (4, 10, True),
    (5, 10, False),
    (9, 10, False),
])
def test_gold_rule_needs_m_answers_and_a_confident_posterior(correct: int, total: int,
                                                             fires: bool) -> None:
    verdict = check_gold(GoldScore(correct, total), ON, options=4)
    assert (verdict is not None) is fires
    if verdict is not None:
        assert verdict.rule is Rule.GOLD and verdict.action is RuleAction.SUSPEND
        assert verdict.params["correct"] == correct and verdict.params["bar"] == 62


def test_gold_rule_at_exactly_the_confidence_fires() -> None:
    score = GoldScore(1, 5)
    exact = QualitySettings(enabled=True, gold_confidence=score.probability_below(0.625))
    assert check_gold(score, exact, options=4) is not None
    above = QualitySettings(enabled=True, gold_confidence=min(0.9999, exact.gold_confidence
                                                              + 1e-6))
    assert check_gold(score, above, options=4) is None


@pytest.mark.parametrize(("seconds", "fires"), [
    ([1.0] * 9, False),  # fewer than the window (10)
    ([1.0] * 10, True),
    ([1.5] * 10, False),  # the median equals the floor: not under it
    ([1.4] * 10, True),
    ([0.1] * 5 + [9.0] * 5, False),  # median 4.55
    ([9.0] * 20 + [0.5] * 10, True),  # only the last 10 count
])
def test_speed_rule_uses_the_median_of_the_window(seconds: list[float], fires: bool) -> None:
    assert (check_speed(seconds, ON, "single") is not None) is fires


def test_speed_floor_depends_on_the_answer_type_and_zero_disables() -> None:
    assert speed_floor(ON, "yes_no") == 1.0 and speed_floor(ON, "text") == 4.0
    assert check_speed([0.1] * 10, QualitySettings(speed_min_seconds=0.0), "single") is None
    assert check_speed([2.5] * 10, QualitySettings(speed_min_seconds=3.0), "single")


@pytest.mark.parametrize(("matches", "total", "crowd", "fires"), [
    (0, 9, 0.8, False),  # fewer than agreement_min_answers (10)
    (4, 10, 0.8, True),  # 0.4 < 0.6 * 0.8 = 0.48
    (5, 10, 0.8, False),  # 0.5
    (6, 10, 1.0, False),  # exactly 0.6 * crowd: not below
    (3, 10, 0.0, False),  # no crowd rate yet
])
def test_agreement_rule_compares_with_the_crowd(matches: int, total: int, crowd: float,
                                                fires: bool) -> None:
    verdict = check_agreement(AgreementStats(matches, total, crowd), ON)
    assert (verdict is not None) is fires
    assert check_agreement(None, ON) is None


def test_same_answer_run_fires_at_the_limit() -> None:
    limit = same_answer_limit(ON, "single")
    assert limit == 15 and same_answer_limit(ON, "check") == 40  # checks: mostly "yes"
    assert check_same_answer(["1"] * (limit - 1), ON) is None
    assert check_same_answer(["1"] * limit, ON) is not None
    assert check_same_answer(["2"] + ["1"] * (limit - 1), ON) is None
    assert check_same_answer(["2"] * 5 + ["1"] * limit, ON) is not None
    assert check_same_answer(["1"] * 100, QualitySettings(run_max_same=0)) is None


def test_skip_run_fires_at_the_limit() -> None:
    assert check_skips(ON.run_max_skips - 1, ON) is None
    assert check_skips(ON.run_max_skips, ON) is not None
    assert check_skips(99, QualitySettings(run_max_skips=0)) is None


def test_daily_cap() -> None:
    capped = QualitySettings(enabled=True, daily_cap=50)
    assert check_daily_cap(49, capped) is None and not cap_reached(49, capped)
    assert check_daily_cap(50, capped) is not None and cap_reached(50, capped)
    assert check_daily_cap(10_000, ON) is None and not cap_reached(10_000, ON)


def test_evaluate_puts_suspensions_first_and_to_apply_gives_warnings_once() -> None:
    evidence = Evidence(gold=GoldScore(0, 6), seconds=[0.2] * 10, values=["1"] * 15)
    verdicts = evaluate(evidence, ON, options=4, answer_type="single")
    assert [v.rule for v in verdicts] == [Rule.GOLD, Rule.SAME_ANSWER, Rule.SPEED]
    suspension, others = to_apply(verdicts, frozenset())
    assert suspension is not None and suspension.rule is Rule.GOLD and others == []
    warn = Verdict(Rule.SPEED, RuleAction.WARN, {})
    flag = Verdict(Rule.AGREEMENT, RuleAction.FLAG, {})
    assert to_apply([flag, warn], frozenset()) == (None, [flag, warn])
    assert to_apply([flag, warn], frozenset({Rule.SPEED})) == (None, [flag])


def test_with_several_questions_the_gold_and_run_rules_judge_each_question() -> None:
    settings = QualitySettings(gold_min_answers=4, run_max_same=5)
    parts = (PartEvidence("safe", GoldScore(0, 6), ["yes", "no", "yes"], 2),
             PartEvidence("stars", GoldScore(6, 6), ["3"] * 5, 5))
    # the whole answer's gold score and values are not judged once questions are
    evidence = Evidence(gold=GoldScore(0, 9), values=["x"] * 9, parts=parts)
    verdicts = evaluate(evidence, settings, options=0, answer_type="questions")
    assert {(v.rule, v.params.get("question")) for v in verdicts} == {
        (Rule.GOLD, "safe"), (Rule.SAME_ANSWER, "stars")}
    quiet = (PartEvidence("safe", GoldScore(6, 6), ["yes", "no"], 2),)
    assert evaluate(Evidence(gold=GoldScore(0, 9), parts=quiet), settings, options=0,
                    answer_type="questions") == []


def test_a_check_project_tolerates_long_runs_of_yes_unless_the_spec_says_otherwise() -> None:
    assert check_same_answer(["yes"] * 39, ON, "check") is None
    assert check_same_answer(["yes"] * 40, ON, "check") is not None
    assert check_same_answer(["yes"] * 15, ON, "single") is not None
    assert check_same_answer(["yes"] * 15, QualitySettings(run_max_same=15), "check") \
        is not None
