"""Gold-weighted vote and one-coin Dawid-Skene on hand-built votes."""

from __future__ import annotations

import pytest

from annotation.aggregation import Vote, one_coin, weighted_vote


def gold_history() -> tuple[list[Vote], dict[str, str]]:
    """`good` right on 4 gold items, `bad1` and `bad2` wrong on all of them."""
    gold = {f"g{n}": "x" for n in range(4)}
    votes = [Vote(item, "good", "x") for item in gold]
    votes += [Vote(item, name, "y") for item in gold for name in ("bad1", "bad2")]
    return votes, gold


def test_weighted_vote_follows_the_gold_proven_annotator() -> None:
    votes, gold = gold_history()
    votes += [Vote("q", "good", "x"), Vote("q", "bad1", "y"), Vote("q", "bad2", "y")]

    result = weighted_vote(votes, labels=["x", "y"], gold=gold)

    assert result.items["q"].label == "x"
    assert result.annotators["good"].accuracy > 0.5 > result.annotators["bad1"].accuracy


def test_weighted_vote_without_gold_is_a_majority_vote() -> None:
    votes = [Vote("q", "a", "x"), Vote("q", "b", "y"), Vote("q", "c", "y")]

    result = weighted_vote(votes, labels=["x", "y"])

    assert result.items["q"].label == "y"
    assert len({s.accuracy for s in result.annotators.values()}) == 1


def test_weighted_vote_annotator_who_answered_once_gets_the_crowd_accuracy() -> None:
    gold = {f"g{n}": "x" for n in range(4)}
    votes = [Vote(item, name, "x") for item in gold for name in ("good1", "good2")]
    votes += [Vote(item, "bad", "y") for item in gold]
    votes.append(Vote("q", "newcomer", "x"))

    result = weighted_vote(votes, gold=gold)

    assert result.items["q"].label == "x"
    assert result.annotators["newcomer"].answers == 1
    assert result.annotators["newcomer"].accuracy == pytest.approx((8 + 1) / (12 + 2))


def test_one_coin_learns_skills_and_clamps_gold() -> None:
    votes, gold = gold_history()
    votes += [Vote("q", "good", "x"), Vote("q", "bad1", "y"), Vote("q", "bad2", "y")]

    result = one_coin(votes, labels=["x", "y"], gold=gold)

    assert result.items["q"].label == "x"
    assert result.items["g0"].confidence == 1.0
    assert result.annotators["good"].accuracy > result.annotators["bad1"].accuracy
    assert result.annotators["good"].confusion is None


def test_one_coin_single_answer_and_empty_item() -> None:
    result = one_coin([Vote("q", "a", "y")], labels=["x", "y"], items=["q", "e"])

    assert result.items["q"].label == "y"
    assert result.items["e"].label is None
    assert result.items["e"].confidence == pytest.approx(0.0)
