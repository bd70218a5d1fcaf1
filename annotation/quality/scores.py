"""Annotator scores: accuracy on gold as a Beta posterior.

With a uniform prior Beta(1, 1), ``c`` right out of ``n`` checked answers gives the
posterior Beta(1 + c, 1 + n - c) with mean ``(c + 1) / (n + 2)``: three right answers
score 80%, not 100%, and the score moves towards the raw share as evidence grows. The
posterior's distribution function has a closed form for integer parameters (the
binomial identity ``I_x(a, b) = P(Binomial(a + b - 1, x) >= a)``), so no SciPy is needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PRIOR_RIGHT = 1
PRIOR_WRONG = 1


def beta_cdf(x: float, a: int, b: int) -> float:
    """Return P(X <= x) for X ~ Beta(a, b) with positive integer ``a`` and ``b``."""
    if a < 1 or b < 1:
        raise ValueError("integer parameters of at least 1")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    n = a + b - 1
    return math.fsum(math.comb(n, k) * x**k * (1.0 - x) ** (n - k) for k in range(a, n + 1))


@dataclass(frozen=True, slots=True)
class GoldScore:
    """Right and total checked answers, and the Beta posterior they give."""

    correct: int
    total: int

    @property
    def mean(self) -> float:
        """Return the posterior mean accuracy (smoothed: 0.5 with no evidence)."""
        return (self.correct + PRIOR_RIGHT) / (self.total + PRIOR_RIGHT + PRIOR_WRONG)

    @property
    def raw(self) -> float | None:
        """Return the raw share right, or None without checked answers."""
        return self.correct / self.total if self.total else None

    def probability_below(self, bar: float) -> float:
        """Return the posterior probability that the true accuracy is below ``bar``."""
        return beta_cdf(bar, self.correct + PRIOR_RIGHT, self.total - self.correct + PRIOR_WRONG)

    def add(self, other: GoldScore) -> GoldScore:
        """Return the score of both sets of answers together."""
        return GoldScore(self.correct + other.correct, self.total + other.total)
