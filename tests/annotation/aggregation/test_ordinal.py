"""Ordinal preference aggregation: simulated crowds with known truth, ties, gold, edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from annotation.aggregation import (
    AggregationError,
    LevelVote,
    Side,
    Vote,
    aggregate_preferences,
    majority_vote,
)
from annotation.aggregation.ordinal import (
    choose_side_and_level,
    combine_posteriors,
    side_probabilities,
)

FOUR = (-2, -1, 1, 2)
FIVE = (-2, -1, 0, 1, 2)


def level_of(difference: np.ndarray, with_tie: bool) -> np.ndarray:
    """Map a quality difference (B minus A) to the level a perfect judge would give."""
    if with_tie:
        return np.select(
            [difference < -1.0, difference < -0.25, difference <= 0.25, difference <= 1.0],
            [-2, -1, 0, 1],
            2,
        )
    return np.select([difference < -1.0, difference < 0.0, difference <= 1.0], [-2, -1, 1], 2)


def simulate(
    seed: int, *, with_tie: bool = False, n_items: int = 300, overlap: int = 5
) -> tuple[list[LevelVote], dict[str, int]]:
    """Simulate 20 careful, 5 careless and 5 "always A" annotators judging pairs."""
    rng = np.random.default_rng(seed)
    levels = FIVE if with_tie else FOUR
    difference = rng.normal(0.0, 1.2, n_items)
    truth = level_of(difference, with_tie)
    kinds = ["careful"] * 20 + ["careless"] * 5 + ["always_a"] * 5
    noise = rng.uniform(0.2, 0.7, len(kinds))
    votes = []
    for i in range(n_items):
        for a in rng.choice(len(kinds), overlap, replace=False):
            if kinds[a] == "careful":
                level = int(level_of(difference[i] + rng.normal(0.0, noise[a]), with_tie))
            elif kinds[a] == "careless":
                level = int(rng.choice(levels))
            else:
                level = int(rng.choice([-2, -1]))
            votes.append(LevelVote(f"i{i}", f"{kinds[a]}-{a}", level))
    return votes, {f"i{i}": int(t) for i, t in enumerate(truth)}


def side_of(level: int | None) -> Side | None:
    if level is None:
        return None
    return Side.A if level < 0 else Side.B if level > 0 else Side.TIE


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("with_tie", [False, True], ids=["no-tie", "tie"])
def test_preferred_side_beats_majority_vote_on_a_simulated_crowd(seed: int, with_tie: bool) -> None:
    votes, truth = simulate(seed, with_tie=with_tie)
    result = aggregate_preferences(votes, levels=FIVE if with_tie else FOUR)
    sides = [Vote(v.item, v.annotator, str(side_of(v.level))) for v in votes]
    majority = majority_vote(sides, labels=[str(Side.TIE), str(Side.A), str(Side.B)])

    ours = np.mean([result.items[i].side == side_of(t) for i, t in truth.items()])
    theirs = np.mean([majority.items[i].label == str(side_of(t)) for i, t in truth.items()])

    assert ours >= theirs + 0.02
    assert ours >= (0.8 if with_tie else 0.9)


def test_careless_and_always_a_members_get_low_side_accuracy() -> None:
    votes, _ = simulate(0)

    skills = aggregate_preferences(votes).annotators
    by_kind: dict[str, list[float]] = {}
    for name, skill in skills.items():
        by_kind.setdefault(name.split("-")[0], []).append(skill.side_accuracy)

    assert min(by_kind["careful"]) > max(by_kind["careless"] + by_kind["always_a"])
    assert all(0.0 <= s.level_accuracy <= 1.0 for s in skills.values())
    assert all(0.0 <= s.side_accuracy <= 1.0 for s in skills.values())


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_a_split_between_a_better_and_a_much_better_says_a(seed: int) -> None:
    votes, _ = simulate(seed)
    careful = sorted({v.annotator for v in votes if v.annotator.startswith("careful")})[:3]
    split = [LevelVote("x", careful[0], -1), LevelVote("x", careful[1], -2),
             LevelVote("x", careful[2], 1)]

    label = aggregate_preferences(votes + split).items["x"]

    assert label.side is Side.A
    assert label.level in (-2, -1)
    assert label.p_a > 0.5 > label.p_b


def test_the_side_comes_from_summed_levels_not_the_top_level() -> None:
    # "B better" is the single most probable level, but A's two levels together outweigh it
    probabilities = np.array([[0.3, 0.3, 0.4, 0.0]])

    side_idx, level_idx = choose_side_and_level(probabilities, FOUR)

    assert side_idx.tolist() == [0]
    assert FOUR[level_idx[0]] == -2  # the two A levels tie: first in scale order


@pytest.mark.parametrize(
    ("row", "side"),
    [
        ([0.5, 0.0, 0.5], 0),  # A and B tie: A (first in scale order)
        ([0.25, 0.5, 0.25], 2),
        ([1 / 3, 1 / 3, 1 / 3], 2),  # three-way tie: the tie side
        ([0.0, 0.0, 0.0], -1),  # nothing known
    ],
)
def test_exact_ties_between_sides(row: list[float], side: int) -> None:
    side_idx, level_idx = choose_side_and_level(np.array([row]), (-1, 0, 1))

    assert side_idx.tolist() == [side]
    assert (level_idx[0] == -1) == (side == -1)


def test_side_probabilities_sum_per_side() -> None:
    probabilities = np.array([[0.1, 0.2, 0.3, 0.15, 0.25]])

    np.testing.assert_allclose(side_probabilities(probabilities, FIVE), [[0.3, 0.4, 0.3]])


def test_combined_posterior_keeps_the_side_fit_and_the_level_split() -> None:
    by_level = np.array([[0.1, 0.3, 0.6, 0.0], [0.0, 0.0, 0.5, 0.5], [0.0, 0.0, 0.0, 0.0]])
    by_side = np.array([[0.8, 0.2], [0.6, 0.4], [0.0, 0.0]])

    combined = combine_posteriors(by_level, by_side, FOUR)

    np.testing.assert_allclose(side_probabilities(combined, FOUR)[:, :2], by_side)
    np.testing.assert_allclose(combined[0], [0.2, 0.6, 0.2, 0.0])
    np.testing.assert_allclose(combined[1], [0.3, 0.3, 0.2, 0.2])  # no level mass on A: even
    np.testing.assert_allclose(combined[2], 0.0)


def test_tie_votes_give_a_tie() -> None:
    votes = [LevelVote(f"i{n}", a, 0) for n in range(4) for a in "abc"]
    votes += [LevelVote("j", "a", -1), LevelVote("j", "b", -1), LevelVote("j", "c", -2)]

    result = aggregate_preferences(votes, levels=FIVE)

    assert result.items["i0"].side is Side.TIE and result.items["i0"].level == 0
    assert result.items["i0"].p_tie > 0.5
    assert result.items["j"].side is Side.A


def test_gold_is_clamped_on_any_level() -> None:
    votes, _ = simulate(1, with_tie=True, n_items=60)
    gold = {"i0": 2, "i1": 0, "i2": -2}
    # a careful member contradicts every gold item
    votes += [LevelVote(item, "careful-0", -level or 1) for item, level in gold.items()]

    result = aggregate_preferences(votes, levels=FIVE, gold=gold)

    for item, level in gold.items():
        label = result.items[item]
        assert label.level == level and label.confidence == 1.0
        assert label.probabilities[level] == 1.0
        assert label.margin == level
    assert result.items["i1"].side is Side.TIE and result.items["i1"].p_tie == 1.0


def test_gold_evidence_outweighs_a_wrong_majority() -> None:
    gold = {f"g{n}": (-1 if n % 2 else 1) for n in range(8)}
    votes = []
    for item, level in gold.items():
        votes += [LevelVote(item, "expert", level), LevelVote(item, "x", -level),
                  LevelVote(item, "y", -level)]
    votes += [LevelVote("q", "expert", 1), LevelVote("q", "x", -1), LevelVote("q", "y", -1)]

    result = aggregate_preferences(votes, gold=gold)

    assert result.items["q"].side is Side.B
    assert result.annotators["expert"].side_accuracy > result.annotators["x"].side_accuracy


def test_an_item_nobody_answered_has_no_preference() -> None:
    result = aggregate_preferences([LevelVote("i", "a", 1)], items=["i", "empty"])
    empty = result.items["empty"]

    assert (empty.side, empty.level, empty.confidence, empty.answers) == (None, None, 0.0, 0)
    assert (empty.p_a, empty.p_b, empty.p_tie) == (0.0, 0.0, 0.0)
    assert dict(empty.probabilities) == {}


def test_one_item_one_annotator_follows_the_vote() -> None:
    result = aggregate_preferences([LevelVote("i", "once", 2)])

    label = result.items["i"]
    assert (label.side, label.level, label.answers, label.mean_vote) == (Side.B, 2, 1, 2.0)
    assert result.annotators["once"].answers == 1


def test_no_votes_give_an_empty_result() -> None:
    result = aggregate_preferences([])

    assert dict(result.items) == {} and dict(result.annotators) == {}
    assert result.levels == FOUR


def test_margin_is_the_posterior_mean_and_mean_vote_the_plain_mean() -> None:
    votes, _ = simulate(2, n_items=40)

    result = aggregate_preferences(votes)

    for item in ("i0", "i1", "i2"):
        label = result.items[item]
        own = [v.level for v in votes if v.item == item]
        assert label.mean_vote == pytest.approx(np.mean(own))
        assert label.margin == pytest.approx(sum(k * p for k, p in label.probabilities.items()))
        assert label.p_a + label.p_b + label.p_tie == pytest.approx(1.0)


@pytest.mark.parametrize("levels", [(), (1, 2), (-2, -1), (-1, 1, 0), (-1, -1, 1)])
def test_a_scale_must_increase_and_have_both_sides(levels: tuple[int, ...]) -> None:
    with pytest.raises(AggregationError):
        aggregate_preferences([], levels=levels)


def test_a_level_off_the_scale_is_refused() -> None:
    with pytest.raises(AggregationError):
        aggregate_preferences([LevelVote("i", "a", 0)], levels=FOUR)
