"""Quality settings of a project, as declared by the ``[quality]`` table of its spec.

A spec without a ``[quality]`` table has quality control off (``enabled = False``): gold
items are still mixed in and scored, but there is no training, no exam and no rule. Every
threshold has a default chosen for balanced questions with a handful of options; ``None``
means "derived from the question" (see :func:`gold_bar` and :func:`speed_floor`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RuleAction(StrEnum):
    """What happens when a rule fires."""

    WARN = "warn"  # tell the annotator, once
    SUSPEND = "suspend"  # suspend from the project (answers excluded, items reopened)
    FLAG = "flag"  # tell the coordinators, once; the annotator keeps working


class Rule(StrEnum):
    """The quality rules, by the code stored with a suspension or event."""

    EXAM = "exam"  # failed the qualification exam with no retries left
    GOLD = "gold"
    SPEED = "speed"
    AGREEMENT = "agreement"
    SAME_ANSWER = "same_answer"
    POSITION = "position"  # picks the response shown first far more often than chance
    SKIPS = "skips"
    DAILY_CAP = "daily_cap"
    MANUAL = "manual"  # suspended by a coordinator


# Median seconds per task below which answers are "too fast", by answer type.
DEFAULT_RUN = 15
# Equal answers in a row that the runs rule fires at, where the default would catch the
# careful: most recordings are good, so a careful checker says "yes" about 85% of the time
# and 15 in a row come by chance (0.85^15 is 9% of windows; 0.85^40 is 0.15%); the gold
# checks, half of them "no", still stop an "always yes" checker.
# Boxes and spans: only "Nothing to mark" answers repeat exactly, and sparse data (rare
# objects, few names in a text) gives long honest runs of it; the gold checks, which hold
# marks, stop an "always nothing" annotator instead.
RUN_LIMITS: dict[str, int] = {"check": 40, "boxes": 40, "spans": 40}
SPEED_FLOORS: dict[str, float] = {
    "yes_no": 1.0,
    "single": 1.5,
    "multi": 3.0,
    "number": 2.0,
    "text": 4.0,
    "transcript": 4.0,  # typing what a clip says
    "check": 2.0,  # listening to a recording before judging it
    "boxes": 2.0,  # opening the Mini App and drawing (a "Nothing to mark" tap is quicker)
    "spans": 2.0,  # reading the text and tagging in the Mini App
}


@dataclass(frozen=True, slots=True)
class QualitySettings:
    """Training, exam and rule thresholds of one project."""

    enabled: bool = False
    training: int = 3  # training items first, each followed by feedback
    training_streak: int = 2  # training ends after this many right in a row (0: off)
    exam: int = 5  # exam gold items, no feedback
    exam_pass: float = 0.6  # exam accuracy needed to qualify
    exam_stop_early: bool = True  # end the exam once its outcome cannot change
    exam_retries: int = 1  # retakes after a failed exam
    exam_cooldown: int = 3600  # seconds before a retake
    probation_tasks: int = 10  # first production tasks with a higher gold rate…
    probation_gold_rate: float = 0.5  # …(both unused with ``adaptive_gold``)
    adaptive_gold: bool = True  # gold share per annotator, from their gold record
    gold_rate_floor: float = 0.02  # the share for a trusted annotator…
    gold_rate_ceiling: float = 0.8  # …and for one who is surely under the bar
    gold_min_answers: int = 4
    gold_min_accuracy: float | None = None  # None: halfway between guessing and perfect
    gold_confidence: float = 0.9
    gold_action: RuleAction = RuleAction.SUSPEND
    speed_min_seconds: float | None = None  # None: SPEED_FLOORS by answer type; 0: off
    speed_window: int = 10
    speed_action: RuleAction = RuleAction.WARN
    agreement_min_ratio: float = 0.6
    agreement_min_answers: int = 10
    agreement_action: RuleAction = RuleAction.FLAG
    run_max_same: int | None = None  # None: RUN_LIMITS by answer type; 0: off
    run_max_skips: int = 10  # 0: off
    run_action: RuleAction = RuleAction.SUSPEND
    daily_cap: int = 0  # tasks per 24 hours; 0: no cap
    daily_cap_action: RuleAction = RuleAction.WARN
    # comparisons: the share of picks of the response shown first (order drawn at random)
    position_min_answers: int = 20  # 0: off
    position_max_p: float = 0.001  # fire when chance (1/2, or 1/n of n responses) is this unlikely
    position_action: RuleAction = RuleAction.SUSPEND


def gold_bar(settings: QualitySettings, options: int) -> float:
    """Return the gold accuracy bar: the setting, else halfway between chance and 1."""
    if settings.gold_min_accuracy is not None:
        return settings.gold_min_accuracy
    if options >= 2:
        return (1.0 + 1.0 / options) / 2.0
    return 0.6


def same_answer_limit(settings: QualitySettings, answer_type: str) -> int:
    """Return how many equal answers in a row the runs rule fires at (0 disables it)."""
    if settings.run_max_same is not None:
        return settings.run_max_same
    return RUN_LIMITS.get(answer_type, DEFAULT_RUN)


def speed_floor(settings: QualitySettings, answer_type: str) -> float:
    """Return the median-seconds floor of the speed rule (0 disables it)."""
    if settings.speed_min_seconds is not None:
        return settings.speed_min_seconds
    return SPEED_FLOORS.get(answer_type, 1.5)
