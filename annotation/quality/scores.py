"""Annotator scores: accuracy on gold as a Beta posterior.

With a uniform prior Beta(1, 1), ``c`` right out of ``n`` checked answers gives the
posterior Beta(1 + c, 1 + n - c) with mean ``(c + 1) / (n + 2)``: three right answers
score 80%, not 100%, and the score moves towards the raw share as evidence grows. The
posterior's distribution function has a closed form for integer parameters (the
binomial identity ``I_x(a, b) = P(Binomial(a + b - 1, x) >= a)``), so no SciPy is needed;
real parameters (recency-weighted counts, ``annotation.quality.checking``) use the
incomplete beta function's continued fraction (Numerical Recipes, ``betacf``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PRIOR_RIGHT = 1
PRIOR_WRONG = 1


def beta_cdf(x: float, a: float, b: float) -> float:
    """Return P(X <= x) for X ~ Beta(a, b): integers of at least 1, or positive reals."""
    integers = isinstance(a, int) and isinstance(b, int)
    if (integers and (a < 1 or b < 1)) or a <= 0 or b <= 0:
        raise ValueError("parameters must be integers of at least 1 or positive reals")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if integers:
        n = int(a + b - 1)
        return math.fsum(math.comb(n, k) * x**k * (1.0 - x) ** (n - k)
                         for k in range(int(a), n + 1))
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(x, a, b) / a
    return 1.0 - front * _beta_fraction(1.0 - x, b, a) / b


def _beta_fraction(x: float, a: float, b: float) -> float:
    # The continued fraction of I_x(a, b), evaluated by the modified Lentz method; it
    # converges fast for x < (a + 1) / (a + b + 2), which the caller ensures.
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 1000):
        for step in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                     -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + step * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + step / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return result


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
