"""Dawid-Skene EM on hand-built votes: gold evidence, clamping, missing data, parameters."""

from __future__ import annotations

import numpy as np
import pytest

from annotation.aggregation import (
    AggregationError,
    Method,
    Vote,
    dawid_skene,
    dawid_skene_arrays,
    encode_votes,
)


def proven_expert_votes() -> tuple[list[Vote], dict[str, str]]:
    """Annotator `a` is right on 6 gold items, `b` and `c` always wrong there."""
    gold = {f"g{n}": ("x" if n % 2 else "y") for n in range(6)}
    rows = []
    for item, truth in gold.items():
        wrong = "y" if truth == "x" else "x"
        rows += [Vote(item, "a", truth), Vote(item, "b", wrong), Vote(item, "c", wrong)]
    rows += [Vote("q", "a", "x"), Vote("q", "b", "y"), Vote("q", "c", "y")]
    return rows, gold


def test_gold_proven_annotator_outweighs_a_wrong_majority() -> None:
    rows, gold = proven_expert_votes()

    result = dawid_skene(rows, labels=["x", "y"], gold=gold)

    assert result.method is Method.DAWID_SKENE
    assert result.items["q"].label == "x"
    assert result.items["q"].confidence > 0.5
    assert result.annotators["a"].accuracy > result.annotators["b"].accuracy


def test_gold_items_are_clamped_whatever_the_votes() -> None:
    rows, gold = proven_expert_votes()

    result = dawid_skene(rows, labels=["x", "y"], gold=gold)

    for item, truth in gold.items():
        assert result.items[item].label == truth
        assert result.items[item].confidence == 1.0


def test_unanimous_crowd_gets_the_unanimous_label() -> None:
    rows = [Vote(f"i{n}", a, "cat") for n in range(5) for a in "abc"]

    result = dawid_skene(rows, labels=["cat", "dog"])

    assert {item.label for item in result.items.values()} == {"cat"}


def test_single_answer_from_one_time_annotator_is_followed() -> None:
    rows = [Vote("i", "once", "dog")]

    result = dawid_skene(rows, labels=["cat", "dog"])

    assert result.items["i"].label == "dog"
    assert result.annotators["once"].answers == 1
    assert 0.0 <= result.annotators["once"].accuracy <= 1.0


def test_unanswered_item_has_no_label() -> None:
    result = dawid_skene([Vote("i", "a", "cat")], items=["i", "empty"], labels=["cat", "dog"])

    assert result.items["empty"].label is None
    assert result.items["empty"].confidence == 0.0
    assert dict(result.items["empty"].probabilities) == {}


def test_confusion_matrices_are_row_stochastic_in_label_order() -> None:
    rows, gold = proven_expert_votes()

    result = dawid_skene(rows, labels=["x", "y", "z"], gold=gold)

    for skill in result.annotators.values():
        assert skill.confusion is not None
        matrix = np.array(skill.confusion)
        assert matrix.shape == (3, 3)
        np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
    expert = np.array(result.annotators["a"].confusion or ())
    assert expert[0, 0] > expert[0, 1]  # true x, says x


def test_stops_at_the_iteration_cap() -> None:
    rows, gold = proven_expert_votes()
    encoded = encode_votes(rows, gold=gold)

    assert dawid_skene_arrays(encoded, max_iter=1).iterations == 1
    assert dawid_skene_arrays(encoded, max_iter=500).iterations < 500


def test_plain_dawid_skene_without_smoothing_runs() -> None:
    rows, gold = proven_expert_votes()

    result = dawid_skene(rows, gold=gold, smoothing=0.0)

    assert result.items["q"].label == "x"


@pytest.mark.parametrize(
    "params", [{"max_iter": 0}, {"tol": -1.0}, {"smoothing": -0.5}]
)
def test_nonsense_parameters_are_refused(params: dict[str, float]) -> None:
    with pytest.raises(AggregationError):
        dawid_skene([Vote("i", "a", "x")], **params)  # type: ignore[arg-type]
