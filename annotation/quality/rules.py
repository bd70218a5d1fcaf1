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
from fractions import Fraction

from annotation.quality.scores import GoldScore
from annotation.quality.settings import (
    QualitySettings,
    Rule,
    RuleAction,
    gold_bar,
    same_answer_limit,
    speed_floor,
)

POSITION_WINDOW = 100  # the latest answers the position rule weighs
_TIE = 10**7  # outcomes within 1/_TIE of the observed one's probability tie with it
_DENOMINATOR = 10**6  # the largest denominator of a chance read from a float
_SEVERITY = {RuleAction.WARN: 0, RuleAction.FLAG: 1, RuleAction.SUSPEND: 2}


@dataclass(frozen=True, slots=True)
class AgreementStats:
    """How often an annotator matched the others' majority, and the crowd's rate; with
    several questions about one item, each question's own (the whole sums them)."""

    matches: int
    total: int
    crowd_rate: float
    parts: Mapping[str, AgreementStats] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        """Return the annotator's agreement rate, or None without comparable answers."""
        return self.matches / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class PartEvidence:
    """One question of several asked about each item: its own gold score, its latest
    answers and how many labels it has (its gold bar depends on them)."""

    key: str
    gold: GoldScore
    values: Sequence[str]
    options: int


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the rules know of one annotator in one project."""

    gold: GoldScore = field(default_factory=lambda: GoldScore(0, 0))  # since the last review
    seconds: Sequence[float] = ()  # seconds of the latest production answers, oldest first
    values: Sequence[str] = ()  # the latest answers, oldest first
    skips_in_row: int = 0  # tasks skipped in a row, most recent last
    tasks_today: int = 0  # answers in the last 24 hours
    agreement: AgreementStats | None = None
    first_picks: int = 0  # comparisons, rankings: picks of the response shown first…
    positioned: int = 0  # …among the latest answers that picked a side…
    expected_first: float | None = None  # …and how many chance gives (None: half of them)
    # several questions about one item: the gold and same-answer rules run per question
    parts: Sequence[PartEvidence] = ()


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


def agreement_verdicts(stats: AgreementStats | None, settings: QualitySettings
                       ) -> list[Verdict]:
    """Return the agreement rule's verdicts: one per question that fires, naming it, when
    the answers give several (each against its own crowd rate); else the whole's."""
    if stats is None:
        return []
    if not stats.parts:
        verdict = check_agreement(stats, settings)
        return [] if verdict is None else [verdict]
    return [Verdict(found.rule, found.action, {**found.params, "question": key})
            for key, part in stats.parts.items()
            if (found := check_agreement(part, settings)) is not None]


def check_same_answer(values: Sequence[str], settings: QualitySettings,
                      answer_type: str = "") -> Verdict | None:
    """Fire when the last ``run_max_same`` answers (by default per answer type:
    ``settings.same_answer_limit``) are all the same."""
    limit = same_answer_limit(settings, answer_type)
    if limit < 2 or len(values) < limit or len(set(values[-limit:])) != 1:
        return None
    return Verdict(Rule.SAME_ANSWER, settings.run_action, {"count": limit})


def check_skips(skips_in_row: int, settings: QualitySettings) -> Verdict | None:
    """Fire when ``run_max_skips`` tasks in a row were skipped."""
    limit = settings.run_max_skips
    if limit < 1 or skips_in_row < limit:
        return None
    return Verdict(Rule.SKIPS, settings.run_action, {"count": skips_in_row})


def binomial_p(successes: int, trials: int, chance: Fraction) -> float:
    """Return the exact two-sided binomial test's p-value of ``successes`` in ``trials``.

    The probability, with ``chance`` per trial, of a count no likelier than the one seen
    (as R's ``binom.test`` and scipy's ``binomtest``; counts within a relative 1e-7 of it
    are as likely). Exact integer arithmetic: at ``chance`` 1/2 it is twice the tail beyond
    the larger side, capped at 1, the fair coin's test.
    """
    if trials == 0:
        return 1.0
    if not 0 <= successes <= trials or not 0 <= chance <= 1:
        raise ValueError(f"{successes} of {trials} at chance {chance}")
    hit, miss = chance.numerator, chance.denominator - chance.numerator
    weights = [math.comb(trials, k) * hit**k * miss**(trials - k) for k in range(trials + 1)]
    bound = weights[successes] * (_TIE + 1)
    tail = sum(weight for weight in weights if weight * _TIE <= bound)
    return min(1.0, tail / chance.denominator**trials)


def first_pick_chance(positioned: int, expected: float | None) -> Fraction:
    """Return the chance of picking the response shown first, per positioned answer.

    ``expected`` sums 1/choices over the answers (None: two choices each); the mean is
    read back as the nearest fraction with a denominator up to a million, exact for any
    mix of two to four choices over up to ``POSITION_WINDOW`` answers.
    """
    if expected is None or positioned == 0:
        return Fraction(1, 2)
    return Fraction(expected / positioned).limit_denominator(_DENOMINATOR)


def check_position(first_picks: int, positioned: int, settings: QualitySettings,
                   expected: float | None = None) -> Verdict | None:
    """Fire when picks of the response shown first are far from what chance gives.

    Each annotator sees the responses of a comparison or a ranking in an order drawn at
    random, so with n of them the best is shown first 1/n of the time, whatever their
    skill: an honest annotator picks the first shown about ``expected`` times (half of the
    comparisons, a quarter of the rankings of four), an "always A" clicker every time. The
    count is tested against a binomial with the answers' mean chance (exact, two-sided).
    """
    if settings.position_min_answers < 1 or positioned < settings.position_min_answers:
        return None
    chance = first_pick_chance(positioned, expected)
    p = binomial_p(first_picks, positioned, chance)
    if p >= settings.position_max_p:
        return None
    return Verdict(Rule.POSITION, settings.position_action, {
        "percent": round(100 * first_picks / positioned), "total": positioned,
        "chance": round(100 * float(chance))})


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
        *_per_question(evidence.parts, settings),
        *([] if evidence.parts else [check_gold(evidence.gold, settings, options),
                                     check_same_answer(evidence.values, settings,
                                                       answer_type)]),
        check_skips(evidence.skips_in_row, settings),
        *agreement_verdicts(evidence.agreement, settings),
        check_speed(evidence.seconds, settings, answer_type),
        check_daily_cap(evidence.tasks_today, settings),
        check_position(evidence.first_picks, evidence.positioned, settings,
                       evidence.expected_first),
    ]
    verdicts = [v for v in found if v is not None]
    return sorted(verdicts, key=lambda v: -_SEVERITY[v.action])


def _per_question(parts: Sequence[PartEvidence], settings: QualitySettings
                  ) -> list[Verdict | None]:
    """Return the gold and same-answer rules' verdicts on each question, naming it."""
    found: list[Verdict | None] = []
    for part in parts:
        for verdict in (check_gold(part.gold, settings, part.options),
                        check_same_answer(part.values, settings)):
            found.append(None if verdict is None else
                         Verdict(verdict.rule, verdict.action,
                                 {**verdict.params, "question": part.key}))
    return found


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
