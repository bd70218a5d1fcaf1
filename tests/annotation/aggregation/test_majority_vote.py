"""Majority vote on hand-built votes: ties, single answers, unanswered items, gold."""

from __future__ import annotations

import pytest

from annotation.aggregation import (
    AggregationError,
    Method,
    Vote,
    aggregate,
    majority_vote,
)


def votes(*rows: tuple[str, str, str]) -> list[Vote]:
    return [Vote(item, annotator, label) for item, annotator, label in rows]


def test_majority_label_wins_with_its_vote_share() -> None:
    result = majority_vote(votes(("i", "a", "cat"), ("i", "b", "cat"), ("i", "c", "dog")))

    item = result.items["i"]
    assert item.label == "cat"
    assert item.confidence == pytest.approx(2 / 3)
    assert item.agreement == pytest.approx(2 / 3)
    assert item.answers == 3
    assert dict(item.probabilities) == pytest.approx({"cat": 2 / 3, "dog": 1 / 3})


@pytest.mark.parametrize(
    ("labels", "winner"),
    [(["cat", "dog"], "cat"), (["dog", "cat"], "dog"), (None, "cat")],
)
def test_tie_goes_to_the_first_label_in_label_order(
    labels: list[str] | None, winner: str
) -> None:
    result = majority_vote(votes(("i", "a", "dog"), ("i", "b", "cat")), labels=labels)

    assert result.items["i"].label == winner
    assert result.items["i"].confidence == 0.5


def test_three_way_tie_has_confidence_one_third() -> None:
    result = majority_vote(
        votes(("i", "a", "z"), ("i", "b", "y"), ("i", "c", "x")), labels=["z", "y", "x"]
    )

    assert result.items["i"].label == "z"
    assert result.items["i"].confidence == pytest.approx(1 / 3)


def test_single_answer_is_taken_with_full_confidence() -> None:
    result = majority_vote(votes(("i", "a", "dog")), labels=["cat", "dog"])

    assert result.items["i"].label == "dog"
    assert result.items["i"].confidence == 1.0
    assert dict(result.items["i"].probabilities) == {"cat": 0.0, "dog": 1.0}


def test_unanswered_item_has_no_label_and_zero_confidence() -> None:
    result = majority_vote(votes(("i", "a", "cat")), items=["empty", "i"])

    empty = result.items["empty"]
    assert (empty.label, empty.confidence, empty.answers, empty.agreement) == (None, 0.0, 0, 0.0)
    assert dict(empty.probabilities) == {}
    assert list(result.items) == ["empty", "i"]


def test_labels_nobody_chose_still_get_a_probability() -> None:
    result = majority_vote(votes(("i", "a", "cat")), labels=["cat", "dog", "bird"])

    assert result.labels == ("cat", "dog", "bird")
    assert dict(result.items["i"].probabilities) == {"cat": 1.0, "dog": 0.0, "bird": 0.0}


def test_gold_item_is_clamped_to_its_truth() -> None:
    result = majority_vote(
        votes(("g", "a", "cat"), ("g", "b", "cat"), ("g", "c", "dog")), gold={"g": "dog"}
    )

    assert result.items["g"].label == "dog"
    assert result.items["g"].confidence == 1.0
    assert result.items["g"].agreement == pytest.approx(1 / 3)


def test_annotator_accuracy_is_agreement_with_the_final_labels() -> None:
    result = majority_vote(
        votes(
            ("i", "a", "cat"), ("i", "b", "cat"), ("i", "c", "dog"),
            ("j", "a", "dog"), ("j", "b", "dog"),
        )
    )

    assert result.annotators["a"].accuracy == 1.0
    assert result.annotators["a"].answers == 2
    assert result.annotators["c"].accuracy == 0.0
    assert result.annotators["c"].answers == 1
    assert result.annotators["c"].confusion is None


def test_no_votes_at_all_gives_unlabelled_items() -> None:
    result = aggregate([], method=Method.MAJORITY, labels=["cat"], items=["i"])

    assert result.items["i"].label is None
    assert dict(result.annotators) == {}


def test_vote_outside_the_project_labels_is_refused() -> None:
    with pytest.raises(AggregationError) as caught:
        majority_vote(votes(("i", "a", "fish")), labels=["cat", "dog"])

    assert caught.value.params["label"] == "fish"


@pytest.mark.parametrize("method", list(Method))
def test_every_method_answers_through_aggregate(method: Method) -> None:
    result = aggregate(
        votes(("i", "a", "cat"), ("i", "b", "cat"), ("j", "a", "dog")),
        method=method,
        labels=["cat", "dog"],
        items=["i", "j", "k"],
    )

    assert result.method is method
    assert result.items["i"].label == "cat"
    assert result.items["j"].label == "dog"
    assert result.items["k"].label is None
