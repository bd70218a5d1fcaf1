"""Free text, numbers and multiple choice on hand-built answers."""

from __future__ import annotations

import math

import pytest

from annotation.aggregation import (
    AggregationError,
    Method,
    aggregate_multi,
    aggregate_numbers,
    aggregate_text,
    normalize_text,
)


@pytest.mark.parametrize(
    ("raw", "key"),
    [("  Paris. ", "paris"), ("PARIS!", "paris"), ("New   York", "new york"),
     ("Cafe\u0301", "café"), ("l'été", "lété"), ("...", "")],
)
def test_normalize_text(raw: str, key: str) -> None:
    assert normalize_text(raw) == key


def test_text_plurality_groups_spellings_and_keeps_the_common_one() -> None:
    answers = [("q", "a", "Paris"), ("q", "b", "paris."), ("q", "c", "Paris"), ("q", "d", "Lyon")]

    label = aggregate_text(answers)["q"]

    assert (label.label, label.key, label.answers, label.groups) == ("Paris", "paris", 4, 2)
    assert label.confidence == pytest.approx(0.75)


def test_text_tie_goes_to_the_group_answered_first() -> None:
    label = aggregate_text([("q", "a", "Lyon"), ("q", "b", "Paris")])["q"]

    assert label.label == "Lyon"
    assert label.confidence == 0.5


def test_text_item_without_answers() -> None:
    label = aggregate_text([], items=["q"])["q"]

    assert (label.label, label.confidence, label.answers) == (None, 0.0, 0)


def test_numbers_median_resists_a_careless_answer() -> None:
    answers = [("n", "a", 10.0), ("n", "b", 12.0), ("n", "c", 11.0), ("n", "d", 1e9)]

    label = aggregate_numbers(answers)["n"]

    assert label.median == pytest.approx(11.5)
    assert label.mad == pytest.approx(1.0)
    assert label.answers == 4
    assert label.iqr > 0


def test_numbers_ignore_non_finite_and_report_empty_items() -> None:
    result = aggregate_numbers([("n", "a", math.nan), ("m", "a", 3.0)], items=["e"])

    assert result["n"].median is None and result["n"].answers == 0
    assert result["e"].median is None
    assert (result["m"].median, result["m"].mad, result["m"].iqr) == (3.0, 0.0, 0.0)


def test_multi_choice_aggregates_each_option() -> None:
    answers = [
        ("img", "a", frozenset({"cat", "dog"})),
        ("img", "b", frozenset({"cat"})),
        ("img", "c", frozenset({"cat", "dog"})),
    ]

    label = aggregate_multi(answers, options=["cat", "dog", "bird"], method=Method.MAJORITY)[
        "img"
    ]

    assert label.options == frozenset({"cat", "dog"})
    assert label.probabilities["cat"] == 1.0
    assert label.probabilities["dog"] == pytest.approx(2 / 3)
    assert label.probabilities["bird"] == 0.0
    assert label.answers == 3


def test_multi_choice_tie_leaves_the_option_out_and_gold_is_clamped() -> None:
    answers = [("img", "a", frozenset({"cat"})), ("img", "b", frozenset[str]())]

    result = aggregate_multi(
        answers, options=["cat"], method=Method.MAJORITY, items=["img", "g", "none"],
        gold={"g": frozenset({"cat"})},
    )

    assert result["img"].options == frozenset()
    assert result["g"].options == frozenset({"cat"})
    assert result["none"].options is None
    assert dict(result["none"].probabilities) == {}


def test_multi_choice_refuses_unknown_options() -> None:
    with pytest.raises(AggregationError):
        aggregate_multi([("img", "a", frozenset({"fish"}))], options=["cat"])
