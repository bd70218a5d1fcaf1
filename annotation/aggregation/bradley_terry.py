"""Bradley-Terry scores of candidates (e.g. models) from pairwise comparisons, with ties.

Model (Davidson 1970): candidate ``i`` has a log-strength ``theta_i``; a comparison of ``i``
and ``j`` is won by ``i`` with probability ``e^theta_i / D``, by ``j`` with ``e^theta_j / D``,
and tied with ``nu * e^((theta_i + theta_j) / 2) / D``, where ``D`` is the sum of the three.
Without any tie in the data ``nu`` is 0 and this is plain Bradley-Terry.

Fit: maximum a posteriori by Newton's method with backtracking on the pair-level counts
(wins, losses and ties per pair of candidates), under a ``N(0, 1/ridge)`` prior on every
log-strength and on ``log nu``. The log-posterior is strictly concave, so Newton converges
from anywhere; the prior keeps an undefeated (or never-winning) candidate finite, and makes
the mean score 0 exactly (scores are log-strengths relative to the average candidate).

- Intervals: Laplace approximation, covariance = inverse of the negative Hessian of the
  log-posterior at the optimum. A candidate's ``se`` is that of its score relative to the
  mean of the compared candidates' scores (which is 0); :func:`head_to_head` uses the
  variance of the pair's difference, so its interval is the same whatever the centring.
- Ties in the data: a comparison marked ``tie`` is a third outcome (Davidson): it counts
  half a point to each side in the strengths' estimating equations and informs ``nu``;
  ``tie_strength`` is the fitted ``nu`` (P(tie) between equal candidates: ``nu / (2 + nu)``).
- Candidates never compared (listed in ``candidates`` only): score 0 (the prior mean), the
  prior's spread as ``se``, no wins, losses or ties. A comparison graph in several pieces is
  fitted as one: each piece is centred by the prior, and differences across pieces get the
  prior's wide intervals, not false precision.
- Convergence: stops when the Newton decrement (half of gradient times step: how far, in
  log-posterior, the optimum can still be) is below ``tol``, or after ``max_iter`` steps;
  ``converged`` says which (not converged: the last iterate is returned).
- A comparison of a candidate with itself is refused. The Newton system is dense: fine for
  the hundreds of candidates (models) a project compares, not for millions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from annotation.aggregation.encoding import FloatArray, IntArray
from annotation.aggregation.models import AggregationError, AggregationProblem

DEFAULT_RIDGE = 0.01


@dataclass(frozen=True, slots=True)
class Comparison:
    """One judgment between two candidates: who won, or a tie between them."""

    winner: str
    loser: str
    tie: bool = False


@dataclass(frozen=True, slots=True)
class CandidateScore:
    """The fitted score of one candidate, with its interval and record."""

    candidate: str
    score: float  # log-strength relative to the mean candidate
    se: float
    low: float
    high: float
    wins: int
    losses: int
    ties: int


@dataclass(frozen=True, slots=True)
class HeadToHead:
    """How candidate ``a`` fares against ``b``: win rate among decisive outcomes, with interval."""

    a: str
    b: str
    win_rate: float  # P(a beats b | not a tie)
    low: float
    high: float
    p_win: float
    p_tie: float
    p_loss: float


@dataclass(frozen=True, slots=True, eq=False)
class BradleyTerryFit:
    """What the fit computed, as arrays indexed by candidate number."""

    theta: FloatArray  # (candidates,), mean 0
    se: FloatArray  # (candidates,), of theta relative to the mean
    covariance: FloatArray  # (candidates, candidates), of theta
    tie_strength: float  # Davidson's nu; 0 without ties in the data
    wins: IntArray
    losses: IntArray
    ties: IntArray
    iterations: int
    converged: bool


@dataclass(frozen=True, slots=True, eq=False)
class BradleyTerryResult:
    """Scores of every candidate, with the fit that head-to-head intervals need."""

    candidates: tuple[str, ...]
    scores: Mapping[str, CandidateScore]
    level: float
    fit: BradleyTerryFit

    @property
    def tie_strength(self) -> float:
        """Davidson's tie parameter nu (0 when the data has no ties)."""
        return self.fit.tie_strength


def bradley_terry(
    comparisons: Sequence[Comparison],
    *,
    candidates: Sequence[str] | None = None,
    ridge: float = DEFAULT_RIDGE,
    level: float = 0.95,
    tol: float = 1e-9,
    max_iter: int = 100,
) -> BradleyTerryResult:
    """Score candidates from comparisons by Davidson's Bradley-Terry model, with intervals."""
    if not 0.0 < level < 1.0:
        raise AggregationError(reason=AggregationProblem.BAD_PARAMETER, name="level")
    position: dict[str, int] = {c: k for k, c in enumerate(dict.fromkeys(candidates or ()))}
    winners = [position.setdefault(c.winner, len(position)) for c in comparisons]
    losers = [position.setdefault(c.loser, len(position)) for c in comparisons]
    fit = bradley_terry_arrays(
        winners,
        losers,
        [c.tie for c in comparisons],
        n_candidates=len(position),
        ridge=ridge,
        tol=tol,
        max_iter=max_iter,
    )
    z = NormalDist().inv_cdf((1.0 + level) / 2.0)
    scores = {
        name: CandidateScore(
            candidate=name,
            score=float(fit.theta[k]),
            se=float(fit.se[k]),
            low=float(fit.theta[k] - z * fit.se[k]),
            high=float(fit.theta[k] + z * fit.se[k]),
            wins=int(fit.wins[k]),
            losses=int(fit.losses[k]),
            ties=int(fit.ties[k]),
        )
        for name, k in position.items()
    }
    return BradleyTerryResult(
        candidates=tuple(position), scores=MappingProxyType(scores), level=level, fit=fit
    )


def head_to_head(result: BradleyTerryResult, a: str, b: str) -> HeadToHead:
    """Estimate how often ``a`` beats ``b`` when one wins, with the result's interval level."""
    if a not in result.scores or b not in result.scores:
        raise AggregationError(
            reason=AggregationProblem.UNKNOWN_LABEL, label=b if a in result.scores else a
        )
    i, j = result.candidates.index(a), result.candidates.index(b)
    fit = result.fit
    difference = float(fit.theta[i] - fit.theta[j])
    cov = fit.covariance
    spread = float(np.sqrt(max(cov[i, i] + cov[j, j] - 2.0 * cov[i, j], 0.0)))
    z = NormalDist().inv_cdf((1.0 + result.level) / 2.0)
    # Davidson: P(win) : P(loss) : P(tie) = e^(d/2) : e^(-d/2) : nu, all scaled by e^(-|d|/2)
    half, shift = difference / 2.0, abs(difference) / 2.0
    weights = np.exp([half - shift, -half - shift, -shift]) * [1.0, 1.0, fit.tie_strength]
    weights /= weights.sum()
    return HeadToHead(
        a=a,
        b=b,
        win_rate=_logistic(difference),
        low=_logistic(difference - z * spread),
        high=_logistic(difference + z * spread),
        p_win=float(weights[0]),
        p_tie=float(weights[2]),
        p_loss=float(weights[1]),
    )


def bradley_terry_arrays(
    winner_idx: npt.ArrayLike,
    loser_idx: npt.ArrayLike,
    tie: npt.ArrayLike | None = None,
    *,
    n_candidates: int,
    ridge: float = DEFAULT_RIDGE,
    tol: float = 1e-9,
    max_iter: int = 100,
) -> BradleyTerryFit:
    """Fit Davidson's Bradley-Terry model to integer-coded comparisons by Newton's method."""
    winners = np.asarray(winner_idx, dtype=np.intp).ravel()
    losers = np.asarray(loser_idx, dtype=np.intp).ravel()
    tied = np.zeros(winners.shape, bool) if tie is None else np.asarray(tie, dtype=bool).ravel()
    _check(winners, losers, tied, n_candidates, ridge, tol, max_iter)
    wins = np.bincount(winners[~tied], minlength=n_candidates)
    losses = np.bincount(losers[~tied], minlength=n_candidates)
    ties = np.bincount(np.concatenate([winners[tied], losers[tied]]), minlength=n_candidates)
    # never-compared candidates stay out of the fit: they would only add prior-only directions
    compared = np.flatnonzero(wins + losses + ties > 0)
    local = np.full(n_candidates, -1, dtype=np.intp)
    local[compared] = np.arange(compared.size)
    pairs = _pair_counts(local[winners], local[losers], tied, compared.size)
    x, hessian, iterations, converged = _newton(
        pairs, compared.size, bool(tied.any()), ridge, tol, max_iter
    )
    m = compared.size
    fitted = np.linalg.inv(-hessian)[:m, :m] if m else np.zeros((0, 0))
    centre = np.eye(m) - 1.0 / max(m, 1)
    theta = np.zeros(n_candidates)
    theta[compared] = x[:m] - (x[:m].mean() if m else 0.0)
    se = np.full(n_candidates, 1.0 / np.sqrt(ridge))
    se[compared] = np.sqrt(np.clip(np.diagonal(centre @ fitted @ centre), 0.0, None))
    covariance = np.diag(np.full(n_candidates, 1.0 / ridge))
    covariance[np.ix_(compared, compared)] = fitted
    return BradleyTerryFit(
        theta=theta,
        se=se,
        covariance=covariance,
        tie_strength=float(np.exp(x[-1])) if x.size > m else 0.0,
        wins=wins,
        losses=losses,
        ties=ties,
        iterations=iterations,
        converged=converged,
    )


def _newton(
    pairs: _Pairs, n_candidates: int, with_ties: bool, ridge: float, tol: float, max_iter: int
) -> tuple[FloatArray, FloatArray, int, bool]:
    """Maximise the log-posterior; return the optimum, its Hessian, iterations, convergence."""
    x = np.zeros(n_candidates + (1 if with_ties else 0))
    objective, gradient, hessian = _evaluate(x, pairs, n_candidates, ridge)
    converged = x.size == 0
    iterations = 0
    while not converged and iterations < max_iter:
        iterations += 1
        step = np.linalg.solve(-hessian, gradient)
        if float(gradient @ step) / 2.0 < tol:  # Newton decrement: within tol of the optimum
            converged = True
            break
        size = 1.0
        while True:  # backtracking: the log-posterior must not go down
            trial = x + size * step
            evaluated = _evaluate(trial, pairs, n_candidates, ridge)
            if evaluated[0] >= objective - 1e-12 * abs(objective) or size < 1e-6:
                break
            size /= 2.0
        x = trial
        objective, gradient, hessian = evaluated
    return x, hessian, iterations, converged


@dataclass(frozen=True, slots=True, eq=False)
class _Pairs:
    """Comparisons summed per unordered pair ``first < second``."""

    first: IntArray
    second: IntArray
    counts: FloatArray  # (pairs, 3): first won, second won, tied


def _check(
    winners: IntArray,
    losers: IntArray,
    tied: npt.NDArray[np.bool_],
    n_candidates: int,
    ridge: float,
    tol: float,
    max_iter: int,
) -> None:
    """Refuse bad parameters, indices out of range and self-comparisons."""
    if ridge <= 0 or tol <= 0 or max_iter < 1 or n_candidates < 0:
        raise AggregationError(
            reason=AggregationProblem.BAD_PARAMETER, name="ridge/tol/max_iter/n_candidates"
        )
    if not winners.shape == losers.shape == tied.shape:
        raise AggregationError(reason=AggregationProblem.BAD_PARAMETER, name="shape")
    for name, arr in (("winner_idx", winners), ("loser_idx", losers)):
        if arr.size and (arr.min() < 0 or arr.max() >= n_candidates):
            raise AggregationError(reason=AggregationProblem.BAD_PARAMETER, name=name)
    if np.any(winners == losers):
        raise AggregationError(reason=AggregationProblem.BAD_PARAMETER, name="self_comparison")


def _pair_counts(
    winners: IntArray, losers: IntArray, tied: npt.NDArray[np.bool_], n_candidates: int
) -> _Pairs:
    """Sum comparisons into wins, losses and ties per unordered pair of candidates."""
    first, second = np.minimum(winners, losers), np.maximum(winners, losers)
    keys, inverse = np.unique(first * max(n_candidates, 1) + second, return_inverse=True)
    outcome = np.where(tied, 2, np.where(winners == first, 0, 1))
    counts = np.zeros((keys.size, 3))
    np.add.at(counts, (inverse, outcome), 1.0)
    return _Pairs(
        first=(keys // max(n_candidates, 1)).astype(np.intp),
        second=(keys % max(n_candidates, 1)).astype(np.intp),
        counts=counts,
    )


def _evaluate(
    x: FloatArray, pairs: _Pairs, n_candidates: int, ridge: float
) -> tuple[float, FloatArray, FloatArray]:
    """Return the log-posterior, its gradient and its Hessian at ``x``."""
    with_ties = x.size > n_candidates
    theta_i, theta_j = x[pairs.first], x[pairs.second]
    columns = 3 if with_ties else 2
    logits = np.empty((pairs.first.size, columns))
    logits[:, 0], logits[:, 1] = theta_i, theta_j
    if with_ties:
        logits[:, 2] = x[-1] + (theta_i + theta_j) / 2.0
    top = logits.max(axis=1, keepdims=True)
    log_norm = top + np.log(np.exp(logits - top).sum(axis=1, keepdims=True))
    p = np.exp(logits - log_norm)
    y = pairs.counts[:, :columns]
    n = y.sum(axis=1, keepdims=True)
    objective = float(np.sum(y * logits) - np.sum(n * log_norm)) - 0.5 * ridge * float(x @ x)
    # local parameters of a pair: (theta_i, theta_j[, eta]); jacobian of the logits in them
    jacobian = np.eye(columns)
    if with_ties:
        jacobian[2, :2] = 0.5
    g_local = (y - n * p) @ jacobian  # (pairs, local)
    a_logits = -n[:, :, None] * (p[:, :, None] * np.eye(columns) - p[:, :, None] * p[:, None, :])
    h_local = np.einsum("lp,nlm,mq->npq", jacobian, a_logits, jacobian)
    index = np.stack([pairs.first, pairs.second], axis=1)
    if with_ties:
        index = np.concatenate([index, np.full((index.shape[0], 1), n_candidates)], axis=1)
    gradient = -ridge * x
    np.add.at(gradient, index, g_local)
    hessian = -ridge * np.eye(x.size)
    np.add.at(hessian, (index[:, :, None], index[:, None, :]), h_local)
    return objective, gradient, hessian


def _logistic(value: float) -> float:
    """Return 1 / (1 + e^-value) without overflow."""
    if value >= 0:
        return float(1.0 / (1.0 + np.exp(-value)))
    e = float(np.exp(value))
    return e / (1.0 + e)
