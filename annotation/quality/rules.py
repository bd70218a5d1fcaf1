"""Quality rules: pure checks of one annotator's evidence, each with a threshold and action.

Every rule reads :class:`Evidence` and the project's :class:`QualitySettings` and returns a
:class:`Verdict` (rule, action, the numbers behind it) or None. Boundaries: a rule fires
when its threshold is *reached* for counts (``>=``: the m-th gold answer, the N-th equal
answer in a row, the cap-th task of the day) and when a measure falls strictly *below* its
floor (median seconds, agreement ratio); the gold rule fires when the posterior
probability of an accuracy under the bar is at least the configured confidence.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from annotation.quality.scores import GoldScore
from annotation.quality.settings import (
    QualitySettings,
    Rule,
    RuleAction,
    gold_bar,
    speed_floor,
)

POSITION_WINDOW = 100  # the latest answers the position rule weighs
_SEVERITY = {RuleAction.WARN: 0, RuleAction.FLAG: 1, RuleAction.SUSPEND: 2}


@dataclass(frozen=True, slots=True)
class AgreementStats:
    """How often an annotator matched the others' majority, and the crowd's rate."""

    matches: int
    total: int
    crowd_rate: float

    @property
    def rate(self) -> float | None:
        """Return the annotator's agreement rate, or None without comparable answers."""
        return self.matches / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the rules know of one annotator in one project."""

    gold: GoldScore = field(default_factory=lambda: GoldScore(0, 0))  # since the last review
    seconds: Sequence[float] = ()  # seconds of the latest production answers, oldest first
    values: Sequence[str] = ()  # the latest answers, oldest first
    skips_in_row: int = 0  # tasks skipped in a row, most recent last
    tasks_today: int = 0  # answers in the last 24 hours
    agreement: AgreementStats | None = None
    first_picks: int = 0  # comparisons: picks of the response shown first…
    positioned: int = 0  # …among the latest answers that picked a side


@dataclass(frozen=True, slots=True)
class Verdict:
    """A rule that fired, what to do, and the numbers to show."""

    rule: Rule
    action: RuleAction
    params: Mapping[str, object] = field(default_factory=dict)


def check_gold(score: GoldScore, settings: QualitySettings, options: int) -> Verdict | None:
    """Fire when, after ``gold_min_answers``, accuracy is probably under the bar."""
    if score.total < max(1, settings.gold_min_answers):
        return None
    bar = gold_bar(settings, options)
    below = score.probability_below(bar)
    if below < settings.gold_confidence:
        return None
    return Verdict(Rule.GOLD, settings.gold_action, {
        "correct": score.correct, "total": score.total,
        "percent": round(100 * score.mean), "bar": round(100 * bar)})


def check_speed(seconds: Sequence[float], settings: QualitySettings,
                answer_type: str) -> Verdict | None:
    """Fire when the median of the last ``speed_window`` answers is under the floor."""
    floor = speed_floor(settings, answer_type)
    window = settings.speed_window
    if floor <= 0 or window < 1 or len(seconds) < window:
        return None
    median = statistics.median(seconds[-window:])
    if median >= floor:
        return None
    return Verdict(Rule.SPEED, settings.speed_action, {
        "median": round(median, 1), "floor": floor, "window": window})


def check_agreement(stats: AgreementStats | None, settings: QualitySettings) -> Verdict | None:
    """Fire when agreement with the majority is under ``min_ratio`` times the crowd's."""
    if stats is None or stats.total < max(1, settings.agreement_min_answers):
        return None
    rate = stats.matches / stats.total
    if stats.crowd_rate <= 0 or rate >= settings.agreement_min_ratio * stats.crowd_rate:
        return None
    return Verdict(Rule.AGREEMENT, settings.agreement_action, {
        "percent": round(100 * rate), "crowd": round(100 * stats.crowd_rate),
        "total": stats.total})


def check_same_answer(values: Sequence[str], settings: QualitySettings) -> Verdict | None:
    """Fire when the last ``run_max_same`` answers are all the same."""
    limit = settings.run_max_same
    if limit < 2 or len(values) < limit or len(set(values[-limit:])) != 1:
        return None
    return Verdict(Rule.SAME_ANSWER, settings.run_action, {"count": limit})


def check_skips(skips_in_row: int, settings: QualitySettings) -> Verdict | None:
    """Fire when ``run_max_skips`` tasks in a row were skipped."""
    limit = settings.run_max_skips
    if limit < 1 or skips_in_row < limit:
        return None
    return Verdict(Rule.SKIPS, settings.run_action, {"count": skips_in_row})


def fair_coin_p(successes: int, trials: int) -> float:
    """Return the two-sided probability of a split at least this uneven from a fair coin."""
    if trials == 0:
        return 1.0
    extreme = max(successes, trials - successes)
    tail = sum(math.comb(trials, k) for k in range(extreme, trials + 1)) / 2**trials
    return min(1.0, 2 * tail)


def check_position(first_picks: int, positioned: int,
                   settings: QualitySettings) -> Verdict | None:
    """Fire when picks of the response shown first are far from half.

    Each annotator sees a comparison's two responses in an order drawn at random, so the
    better one is shown first half the time, whatever their skill: an honest annotator picks
    the first shown about half the time, an "always A" clicker every time.
    """
    if settings.position_min_answers < 1 or positioned < settings.position_min_answers:
        return None
    p = fair_coin_p(first_picks, positioned)
    if p >= settings.position_max_p:
        return None
    return Verdict(Rule.POSITION, settings.position_action, {
        "percent": round(100 * first_picks / positioned), "total": positioned})


def check_daily_cap(tasks_today: int, settings: QualitySettings) -> Verdict | None:
    """Fire when the annotator reached the daily cap of tasks."""
    cap = settings.daily_cap
    if cap < 1 or tasks_today < cap:
        return None
    return Verdict(Rule.DAILY_CAP, settings.daily_cap_action, {"cap": cap})


def evaluate(evidence: Evidence, settings: QualitySettings, *, options: int,
             answer_type: str) -> list[Verdict]:
    """Return every rule that fires on ``evidence``, most severe first."""
    found = [
        check_gold(evidence.gold, settings, options),
        check_same_answer(evidence.values, settings),
        check_skips(evidence.skips_in_row, settings),
        check_agreement(evidence.agreement, settings),
        check_speed(evidence.seconds, settings, answer_type),
        check_daily_cap(evidence.tasks_today, settings),
        check_position(evidence.first_picks, evidence.positioned, settings),
    ]
    verdicts = [v for v in found if v is not None]
    return sorted(verdicts, key=lambda v: -_SEVERITY[v.action])


def to_apply(verdicts: Sequence[Verdict], notified: Collection[Rule]
             ) -> tuple[Verdict | None, list[Verdict]]:
    """Split verdicts into the suspension to apply (if any) and new warnings and flags.

    A warning or a flag is given once per rule (``notified`` lists those already given);
    a suspension wins over everything else.
    """
    suspension = next((v for v in verdicts if v.action is RuleAction.SUSPEND), None)
    if suspension is not None:
        return suspension, []
    return None, [v for v in verdicts if v.rule not in notified]


def cap_reached(tasks_today: int, settings: QualitySettings) -> bool:
    """Return whether the annotator may get no more tasks today."""
    return settings.daily_cap > 0 and tasks_today >= settings.daily_cap
