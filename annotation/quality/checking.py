"""How often to check an annotator: a gold share that follows the evidence about them.

Every gold answer an annotator gave in the project (training, exam and production, oldest
first: their *gold record*) is evidence about their accuracy. Weighted by recency (an
answer counts half as much after ``HALF_LIFE`` newer ones), the right and wrong answers give
a Beta posterior as in :mod:`annotation.quality.scores` (prior Beta(1, 1)). The *risk* is
its probability that the accuracy is under the gold rule's bar (``settings.gold_bar``: 0.625
with 4 options), the quantity the gold rule suspends on at ``gold_confidence``; the share
of production tasks that are gold is then::

    rate = gold_rate_floor + (gold_rate_ceiling - gold_rate_floor) * risk

A newcomer with no record has risk = the bar itself; each right answer lowers it, towards
the floor, and recent wrong answers raise it again, since old evidence fades. Someone just
above the bar stays uncertain, so stays checked more; a clicker who passed the exam by luck
gets close to the ceiling.

Training answers count here although feedback followed them: the answer was given before
the feedback, and a newcomer who erred while learning gets more checks, never fewer (those
answers are the first to fade). They do not count for the gold rule (``rules.check_gold``),
which suspends on exam and production gold only. The record ignores reinstatement's fresh
start: older answers may keep someone checked more often, they never suspend them.

Gold stays hidden: only how often a gold item comes, not how it looks, depends on this.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotation.quality.scores import PRIOR_RIGHT, PRIOR_WRONG, beta_cdf
from annotation.quality.settings import QualitySettings, gold_bar

HALF_LIFE = 8  # gold answers after which an answer weighs half
RECORD_LENGTH = 64  # gold answers read (the oldest of them weighs under 0.4%)


def weighted_record(record: Sequence[bool], half_life: float = HALF_LIFE
                    ) -> tuple[float, float]:
    """Return the recency-weighted right and wrong answers of a record (oldest first)."""
    right = wrong = 0.0
    for age, correct in enumerate(reversed(record)):
        weight = 0.5 ** (age / half_life)
        if correct:
            right += weight
        else:
            wrong += weight
    return right, wrong


def risk(record: Sequence[bool], settings: QualitySettings, options: int) -> float:
    """Return the posterior probability that the annotator's accuracy is under the bar."""
    right, wrong = weighted_record(record, HALF_LIFE)
    return beta_cdf(gold_bar(settings, options), PRIOR_RIGHT + right, PRIOR_WRONG + wrong)


def adaptive_gold_rate(record: Sequence[bool], settings: QualitySettings,
                       options: int) -> float:
    """Return the share of gold checks for an annotator with this gold record."""
    floor, ceiling = settings.gold_rate_floor, settings.gold_rate_ceiling
    return floor + (ceiling - floor) * risk(record, settings, options)
