"""Bradley-Terry with ties: recovery of known strengths, intervals, ties, degenerate graphs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from annotation.aggregation import (
    AggregationError,
    Comparison,
    bradley_terry,
    bradley_terry_arrays,
    head_to_head,
)
from annotation.aggregation.bradley_terry import DEFAULT_RIDGE


def simulate(
    seed: int, *, n_candidates: int = 8, n_comparisons: int = 3000, nu: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Draw strengths and Davidson comparisons; return (theta, winners, losers, ties)."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0.0, 1.0, n_candidates)
    theta -= theta.mean()
    first = rng.integers(0, n_candidates, n_comparisons)
    second = (first + rng.integers(1, n_candidates, n_comparisons)) % n_candidates
    weights = np.stack(
        [np.exp(theta[first]), np.exp(theta[second]),
         nu * np.exp((theta[first] + theta[second]) / 2)],
        axis=1,
    )
    p = weights / weights.sum(axis=1, keepdims=True)
    outcome = (rng.random(n_comparisons)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    winners = np.where(outcome == 1, second, first)
    losers = np.where(outcome == 1, first, second)
    return theta, winners, losers, outcome == 2


def as_comparisons(winners: np.ndarray, losers: np.ndarray, ties: np.ndarray) -> list[Comparison]:
    rows = zip(winners, losers, ties, strict=True)
    return [Comparison(f"m{winner}", f"m{loser}", bool(tie)) for winner, loser, tie in rows]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovers_known_strengths(seed: int) -> None:
    theta, winners, losers, ties = simulate(seed)

    fit = bradley_terry_arrays(winners, losers, ties, n_candidates=8)

    assert fit.converged
    assert np.max(np.abs(fit.theta - theta)) < 0.25
    assert np.all(fit.se < 0.15)
    assert fit.tie_strength == 0.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovers_davidson_tie_strength(seed: int) -> None:
    theta, winners, losers, ties = simulate(seed, nu=0.6)

    fit = bradley_terry_arrays(winners, losers, ties, n_candidates=8)

    assert 0.1 < ties.mean() < 0.4
    assert fit.tie_strength == pytest.approx(0.6, abs=0.1)
    assert np.max(np.abs(fit.theta - theta)) < 0.3
    assert fit.ties.sum() == 2 * ties.sum()


def test_intervals_cover_the_truth_about_as_often_as_they_claim() -> None:
    covered = total = 0
    for seed in range(60):
        theta, winners, losers, ties = simulate(seed, n_candidates=5, n_comparisons=150, nu=0.3)
        result = bradley_terry(as_comparisons(winners, losers, ties))
        for name, score in result.scores.items():
            truth = theta[int(name[1:])]
            covered += score.low <= truth <= score.high
            total += 1
        duel = head_to_head(result, "m0", "m1")
        truth_rate = 1.0 / (1.0 + math.exp(theta[1] - theta[0]))
        covered += duel.low <= truth_rate <= duel.high
        total += 1

    assert 0.88 <= covered / total <= 0.99


def test_scores_are_centred_and_records_are_counted() -> None:
    comparisons = [Comparison("a", "b")] * 3 + [Comparison("b", "a"), Comparison("b", "c"),
                                                 Comparison("a", "c", tie=True)]

    result = bradley_terry(comparisons)

    assert sum(s.score for s in result.scores.values()) == pytest.approx(0.0, abs=1e-12)
    a, b, c = (result.scores[name] for name in "abc")
    assert (a.wins, a.losses, a.ties) == (3, 1, 1)
    assert (b.wins, b.losses, b.ties) == (2, 3, 0)
    assert (c.wins, c.losses, c.ties) == (0, 1, 1)
    assert a.score > b.score > c.score
    assert a.low < a.score < a.high
    assert result.tie_strength > 0.0


def test_an_undefeated_candidate_stays_finite() -> None:
    result = bradley_terry([Comparison("champion", "x")] * 20 + [Comparison("x", "y")] * 5)

    champion = result.scores["champion"]
    assert math.isfinite(champion.score) and math.isfinite(champion.se)
    assert champion.score > result.scores["x"].score > result.scores["y"].score
    assert result.fit.converged


def test_a_candidate_never_compared_gets_the_prior() -> None:
    result = bradley_terry([Comparison("a", "b")] * 4, candidates=["a", "b", "idle"])

    idle = result.scores["idle"]
    assert idle.score == 0.0
    assert idle.se == pytest.approx(1.0 / math.sqrt(DEFAULT_RIDGE))
    assert (idle.wins, idle.losses, idle.ties) == (0, 0, 0)
    assert result.candidates == ("a", "b", "idle")


def test_a_disconnected_graph_gives_wide_intervals_across_pieces_only() -> None:
    within = [Comparison("a", "b")] * 30 + [Comparison("b", "a")] * 10
    other = [Comparison("c", "d")] * 30 + [Comparison("d", "c")] * 10

    result = bradley_terry(within + other)
    inside = head_to_head(result, "a", "b")
    across = head_to_head(result, "a", "c")

    assert inside.win_rate == pytest.approx(0.75, abs=0.02)
    assert inside.high - inside.low < 0.35
    assert across.win_rate == pytest.approx(0.5, abs=1e-6)
    assert across.low < 0.01 and across.high > 0.99


def test_head_to_head_is_consistent() -> None:
    theta, winners, losers, ties = simulate(4, nu=0.4)
    result = bradley_terry(as_comparisons(winners, losers, ties), level=0.9)

    ab, ba = head_to_head(result, "m0", "m1"), head_to_head(result, "m1", "m0")

    assert ab.win_rate == pytest.approx(1.0 - ba.win_rate)
    assert ab.low == pytest.approx(1.0 - ba.high)
    assert ab.low < ab.win_rate < ab.high
    assert ab.p_win + ab.p_tie + ab.p_loss == pytest.approx(1.0)
    assert ab.p_win / (ab.p_win + ab.p_loss) == pytest.approx(ab.win_rate)
    assert ab.p_tie == pytest.approx(ba.p_tie)
    truth = 1.0 / (1.0 + math.exp(theta[1] - theta[0]))
    assert ab.win_rate == pytest.approx(truth, abs=0.05)


def test_all_ties_say_the_candidates_are_equal() -> None:
    result = bradley_terry([Comparison("a", "b", tie=True)] * 6)

    assert result.scores["a"].score == pytest.approx(0.0, abs=1e-9)
    assert head_to_head(result, "a", "b").win_rate == pytest.approx(0.5)
    assert head_to_head(result, "a", "b").p_tie > 0.5
    assert math.isfinite(result.tie_strength)


def test_one_comparison_and_none() -> None:
    one = bradley_terry([Comparison("a", "b")])
    none = bradley_terry([])

    assert one.scores["a"].score > 0 > one.scores["b"].score
    assert dict(none.scores) == {} and none.candidates == ()
    assert none.fit.converged


def test_reports_when_it_stops_before_converging() -> None:
    _, winners, losers, ties = simulate(0)

    fit = bradley_terry_arrays(winners, losers, ties, n_candidates=8, max_iter=1)

    assert not fit.converged and fit.iterations == 1


def test_the_order_of_comparisons_does_not_matter() -> None:
    _, winners, losers, ties = simulate(5, n_comparisons=200, nu=0.3)
    order = np.random.default_rng(0).permutation(winners.size)

    first = bradley_terry_arrays(winners, losers, ties, n_candidates=8)
    again = bradley_terry_arrays(winners[order], losers[order], ties[order], n_candidates=8)

    np.testing.assert_allclose(first.theta, again.theta, atol=1e-9)


@pytest.mark.parametrize(
    "call",
    [
        lambda: bradley_terry([Comparison("a", "a")]),
        lambda: bradley_terry([Comparison("a", "b")], ridge=0.0),
        lambda: bradley_terry([Comparison("a", "b")], level=1.0),
        lambda: bradley_terry_arrays([0], [3], n_candidates=2),
        lambda: bradley_terry_arrays([0, 1], [1], n_candidates=2),
        lambda: head_to_head(bradley_terry([Comparison("a", "b")]), "a", "z"),
    ],
    ids=["self", "ridge", "level", "range", "shape", "unknown"],
)
def test_bad_input_is_refused(call: object) -> None:
    assert callable(call)
    with pytest.raises(AggregationError):
        call()
