"""Adaptive overlap: the live one-coin confidence and the stopping rule."""

from __future__ import annotations

import pytest

from annotation.aggregation import (
    AggregationError,
    AnnotatorSkill,
    OverlapPolicy,
    item_confidence,
    needs_more_answers,
    smoothed_accuracy,
)
from annotation.aggregation.overlap import item_posterior

POLICY = OverlapPolicy(min_overlap=2, max_overlap=5, confidence_target=0.9)


@pytest.mark.parametrize(
    ("correct", "total", "expected"), [(0, 0, 0.5), (3, 3, 3.5 / 4), (1, 4, 1.5 / 5)]
)
def test_smoothed_accuracy_is_tolokas_formula(correct: int, total: int, expected: float) -> None:
    assert smoothed_accuracy(correct, total) == pytest.approx(expected)


def test_two_agreeing_good_annotators_give_the_one_coin_posterior() -> None:
    estimate = item_confidence([("a", "cat"), ("b", "cat")], {"a": 0.9, "b": 0.8}, 2)

    # odds 9 * 4 = 36 against 1
    assert estimate.label == "cat"
    assert estimate.confidence == pytest.approx(36 / 37)
    assert estimate.answers == 2


def test_labels_nobody_chose_share_the_rest_for_many_labels() -> None:
    estimate = item_confidence([("a", "cat")], {"a": 0.6}, 4)

    # weight 0.6 * 3 / 0.4 = 4.5 against three unvoted labels at 1 each
    assert estimate.confidence == pytest.approx(4.5 / 7.5)


def test_no_votes_means_no_label() -> None:
    estimate = item_confidence([], {}, 3)

    assert (estimate.label, estimate.confidence, estimate.answers) == (None, 0.0, 0)


def test_tie_goes_to_the_first_label_in_label_order() -> None:
    votes = [("a", "dog"), ("b", "cat")]

    assert item_confidence(votes, {"a": 0.8, "b": 0.8}, 2).label == "cat"
    assert item_confidence(votes, {"a": 0.8, "b": 0.8}, 2, labels=["dog", "cat"]).label == "dog"
    assert item_confidence(votes, {"a": 0.8, "b": 0.8}, 2).confidence == pytest.approx(0.5)


def test_unknown_and_worse_than_chance_annotators_carry_no_evidence_for_two_labels() -> None:
    estimate = item_confidence([("stranger", "cat"), ("bad", "cat")], {"bad": 0.1}, 2)

    assert estimate.confidence == pytest.approx(0.5)


def test_below_minimum_always_needs_more() -> None:
    assert needs_more_answers([("a", "cat")], {"a": 0.99}, POLICY, 2)


def test_confident_item_between_min_and_max_stops() -> None:
    votes = [("a", "cat"), ("b", "cat")]

    assert not needs_more_answers(votes, {"a": 0.9, "b": 0.9}, POLICY, 2)


def test_unsure_item_keeps_going_until_the_maximum() -> None:
    disputed = [("a", "cat"), ("b", "dog"), ("c", "cat"), ("d", "dog")]
    skills = dict.fromkeys("abcde", 0.7)

    assert needs_more_answers(disputed, skills, POLICY, 2)
    assert not needs_more_answers([*disputed, ("e", "dog")], skills, POLICY, 2)


@pytest.mark.parametrize(
    ("low", "high", "target"), [(0, 3, 0.9), (4, 3, 0.9), (1, 3, 0.0), (1, 3, 1.5)]
)
def test_incoherent_policies_are_refused(low: int, high: int, target: float) -> None:
    with pytest.raises(AggregationError):
        OverlapPolicy(low, high, target)


def test_confusion_rule_ignores_a_constant_clicker() -> None:
    constant = AnnotatorSkill("c", 0.75, 10, ((1.0, 0.0), (1.0, 0.0)))
    honest = AnnotatorSkill("h", 0.8, 10, ((0.8, 0.2), (0.2, 0.8)))
    skills = {"c": constant, "h": honest}

    alone = item_posterior([("c", "yes")], skills, ["yes", "no"])
    mixed = item_posterior([("c", "yes"), ("h", "no")], skills, ["yes", "no"])

    assert alone.confidence == pytest.approx(0.5)
    assert mixed.label == "no"
    assert mixed.confidence == pytest.approx(0.8)


def test_confusion_rule_uses_the_class_prior_and_one_coin_fallback() -> None:
    skills = {"a": AnnotatorSkill("a", 0.75, 3, None)}

    estimate = item_posterior([("a", "no")], skills, ["yes", "no"], prior=[0.75, 0.25])

    assert estimate.label == "yes"  # 0.75 * 0.25 against 0.25 * 0.75: a tie, the first wins
    assert estimate.confidence == pytest.approx(0.5)
