"""``annobot demo --sample pairwise``, ``--sample ratings`` and ``--sample ranking``:
comparisons, ratings and rankings through the sandbox, by a crowd that includes careless
and biased members.

The comparisons crowd has careful members, careless ones (tapping at random) and
position-biased ones, who always tap a button for the response shown first ("A much
better" or "A better") whatever it says; the rankings crowd likewise, its position-biased
members tapping the top response left at every pick ("always the first shown"). The
position rule is on from ``POSITION_MIN_ANSWERS`` answers. The ratings crowd has careful,
careless and constant members (always the same point). All run with quality control
(training, the exam, hidden gold checks, the rules) and a fixed overlap (3 by default).
The summary scores the exported labels of the regular items against the sample's hidden
truth (the side preferred; for ratings the exact point and the mean absolute error; for
rankings the best response, and the consensus order's Kendall tau, top two and the
models' scores) and counts who quality control stopped, and by which rule (read from the
annotators' standings).
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from annotation.intake.spec import parse_spec
from annotation.quality.settings import QualitySettings, Rule
from bot.crowd import CrowdRunner, Judge, Member, Style, Truth, build_crowd
from bot.demo_session import (
    GOLD_SHARE,
    QUALITY,
    QUALITY_GOLD_SHARE,
    DemoOptions,
    Session,
    run_session,
)
from bot.sample import SampleProject
from bot.samples.pairwise import ComparisonJudge, build_pairwise_sample
from bot.samples.ranking import (
    RankingJudge,
    RankingRunner,
    RankingSample,
    build_ranking_sample,
)
from bot.samples.ranking_scores import RankingScore, score_rankings
from bot.samples.ratings import RatingJudge, build_ratings_sample
from bot.samples.scoring import LabelScore, score_points, score_sides

POSITION_MIN_ANSWERS = 12  # answers before the position rule may fire (default 20)
SPEC_GOLD_RATE = 0.1  # the samples' gold_rate: gold mixed in with regular tasks
RANKINGS = "tables/rankings/items.jsonl"  # the consensus order of every ranked item
MODEL_SCORES = "tables/rankings/scores.jsonl"  # the models' scores from every ranking
BIASED_STYLE = {"pairwise": Style.POSITION, "ratings": Style.CONSTANT,
                "ranking": Style.POSITION}


@dataclass(frozen=True, slots=True)
class KindSummary:
    """What the comparisons, ratings or rankings demo reports at the end."""

    sample: str  # "pairwise", "ratings" or "ranking"
    annotators: int
    items: int
    regular_items: int  # items that are not gold checks
    items_labelled: int  # of them, with a label in the export
    answers: int  # every answer the crowd gave (training, exam and gold checks included)
    answers_per_item: float  # exported answers (all of them) per regular item
    seconds: float
    answers_per_second: float
    accuracy: float  # labels equal to the hidden truth, among the labelled regular items
    # (rankings: the best response)
    mean_abs_error: float | None  # ratings: mean |label - true point|
    quality: bool
    careless: int  # careless annotators (tapping at random)
    careless_stopped: int  # of them, suspended (exam or rule)
    biased: int  # position-biased annotators (comparisons) or constant ones (ratings)
    biased_style: str  # "position" or "constant"
    biased_stopped: int  # of them, suspended (exam or rule)
    biased_by_position: int  # of them, suspended by the position rule
    careful_stopped: int  # careful annotators suspended (false alarms)
    careful_by_position: int  # of them, by the position rule
    stopped_by_rule: Mapping[str, int] = field(default_factory=dict)  # every suspension
    api_calls: int = 0
    uploads: int = 0
    export_dir: str = ""
    # rankings: the consensus orders of the regular items against the true ones
    ranking_tau: float | None = None  # mean Kendall tau (1: the same order, 0: unrelated)
    top_two: float | None = None  # share with the two best responses right, in order
    exact_rankings: float | None = None  # share ranked exactly right
    models_tau: float | None = None  # the models' Bradley-Terry scores against strengths


def kind_crowd(options: DemoOptions) -> list[Member]:
    """Return the crowd of a comparisons, ratings or rankings demo."""
    position = BIASED_STYLE[options.sample] is Style.POSITION
    return build_crowd(options.annotators, careless=options.careless,
                       accuracy=options.accuracy, seed=options.seed,
                       constant_share=0.0 if position else options.biased,
                       position_share=options.biased if position else 0.0)


def planned_kind_answers(options: DemoOptions) -> int:
    """Roughly how many answers the demo will take, for the progress bar's ETA."""
    gold_share = QUALITY_GOLD_SHARE if options.quality else GOLD_SHARE
    regular = options.items - round(options.items * gold_share)
    if not options.quality:
        return round(regular * options.overlap / (1 - SPEC_GOLD_RATE))
    per_annotator = QUALITY.training + QUALITY.exam + 5  # about five gold checks each
    return round(options.annotators * per_annotator + regular * options.overlap)


async def run_kind_demo(options: DemoOptions,
                        on_progress: Callable[[int, float], None] | None = None
                        ) -> KindSummary:
    """Run the comparisons, ratings or rankings demo and return its summary."""
    gold_share = QUALITY_GOLD_SHARE if options.quality else GOLD_SHARE
    quality = dataclasses.replace(QUALITY, position_min_answers=POSITION_MIN_ANSWERS)
    project: SampleProject
    judge: Judge
    runner_type: type[CrowdRunner] = CrowdRunner
    ranked: RankingSample | None = None
    if options.sample == "pairwise":
        pairs = await asyncio.to_thread(build_pairwise_sample, options.items,
                                        gold_share=gold_share, seed=options.seed)
        project, judge = pairs.project, ComparisonJudge(pairs)
    elif options.sample == "ranking":
        ranked = await asyncio.to_thread(build_ranking_sample, options.items,
                                         gold_share=gold_share, seed=options.seed)
        project, judge = ranked.project, RankingJudge(ranked, options.seed)
        runner_type = RankingRunner
    else:
        reviews = await asyncio.to_thread(build_ratings_sample, options.items,
                                          gold_share=gold_share, seed=options.seed)
        project, judge = reviews.project, RatingJudge(reviews)
        quality = QUALITY
    spec = dataclasses.replace(parse_spec(project.spec_toml), overlap=options.overlap,
                               quality=quality if options.quality else QualitySettings())
    crowd = kind_crowd(options)
    session = await run_session(options, spec, project.items, crowd, Truth({}, {}, ()),
                                judge=judge, on_progress=on_progress,
                                runner_type=runner_type)
    with zipfile.ZipFile(io.BytesIO(session.tables)) as tables:
        labels = tables.read("tables/labels.jsonl")
        exported = len(tables.read("tables/answers.jsonl").splitlines())
        names = set(tables.namelist())
        orders = (tables.read(RANKINGS) if RANKINGS in names else b"")
        scores = (tables.read(MODEL_SCORES) if MODEL_SCORES in names else None)
    if ranked is not None:
        order = score_rankings(labels, orders, scores, ranked.items)
        return _summary(options, crowd, session, order.best, exported, order)
    score = (score_sides if options.sample == "pairwise" else score_points)(
        labels, project.truth)
    return _summary(options, crowd, session, score, exported)


def _summary(options: DemoOptions, crowd: list[Member], session: Session, score: LabelScore,
             exported: int, order: RankingScore | None = None) -> KindSummary:
    biased_style = BIASED_STYLE[options.sample]
    rules = {user_id: standing.rule for user_id, standing in session.standings.items()
             if standing.suspended}

    def styled(style: Style) -> set[int]:
        return {m.user_id for m in crowd if m.style is style}

    careless, biased, careful = (styled(Style.RANDOM), styled(biased_style),
                                 styled(Style.CAREFUL))
    by_position = {user_id for user_id, rule in rules.items() if rule is Rule.POSITION}
    tally, seconds = session.tally, session.seconds
    regular = score.regular
    return KindSummary(
        sample=options.sample, annotators=options.annotators, items=options.items,
        regular_items=regular, items_labelled=score.labelled, answers=tally.answers,
        answers_per_item=round(exported / regular, 2) if regular else 0.0,
        seconds=round(seconds, 2),
        answers_per_second=round(tally.answers / seconds, 1) if seconds else 0.0,
        accuracy=round(score.accuracy, 4),
        mean_abs_error=(None if score.mean_abs_error is None
                        else round(score.mean_abs_error, 4)),
        quality=options.quality, careless=len(careless),
        careless_stopped=len(careless & rules.keys()), biased=len(biased),
        biased_style=str(biased_style), biased_stopped=len(biased & rules.keys()),
        biased_by_position=len(biased & by_position),
        careful_stopped=len(careful & rules.keys()),
        careful_by_position=len(careful & by_position),
        stopped_by_rule=dict(sorted(Counter(str(rule) for rule in rules.values()).items())),
        api_calls=session.api_calls, uploads=session.uploads,
        export_dir=str(options.out / "exports"),
        ranking_tau=None if order is None else round(order.tau, 4),
        top_two=None if order is None else round(order.top_two, 4),
        exact_rankings=None if order is None else round(order.exact, 4),
        models_tau=(None if order is None or order.models_tau is None
                    else round(order.models_tau, 4)),
    )


def describe_kind_summary(summary: KindSummary) -> str:
    """Return the summary as the lines the demo prints."""
    pairwise, ranking = summary.sample == "pairwise", summary.sample == "ranking"
    what = {"pairwise": "the side preferred", "ranking": "the best response"}.get(
        summary.sample, "the exact point")
    accuracy = f"label accuracy    {summary.accuracy:.1%} against the hidden truth ({what})"
    if summary.mean_abs_error is not None:
        accuracy += f", mean absolute error {summary.mean_abs_error:.2f} points"
    careful = summary.annotators - summary.careless - summary.biased
    biased = {"pairwise": 'position-biased ("always A")',
              "ranking": 'position-biased ("always the first shown")'}.get(
        summary.sample, "constant (always the same point)")
    rules = ", ".join(f"{rule} {count}" for rule, count in summary.stopped_by_rule.items())
    lines = [
        f"items labelled    {summary.items_labelled} of {summary.regular_items} "
        f"(and {summary.items - summary.regular_items} gold items)",
        f"answers           {summary.answers} ({summary.answers_per_second}/s), "
        f"{summary.answers_per_item} per labelled item, all answers counted",
        accuracy,
    ]
    if summary.ranking_tau is not None and summary.top_two is not None:
        models = ("" if summary.models_tau is None
                  else f"; the models' scores: Kendall tau {summary.models_tau:.2f}")
        lines.append(f"consensus order   Kendall tau {summary.ranking_tau:.2f} against the "
                     f"true order, top two right {summary.top_two:.1%}, all four "
                     f"{summary.exact_rankings or 0.0:.1%}{models}")
    if summary.quality:
        if pairwise or ranking:
            lines.append(f"position rule     suspended {summary.biased_by_position} of "
                         f"{summary.biased} position-biased annotators and "
                         f"{summary.careful_by_position} of {careful} careful ones")
        lines += [
            f"quality control   stopped {summary.biased_stopped} of {summary.biased} "
            f"{biased}, {summary.careless_stopped} of {summary.careless} careless and "
            f"{summary.careful_stopped} of {careful} careful annotators",
            f"                  (suspensions by rule: {rules or 'none'})",
        ]
    lines += [f"Bot API calls     {summary.api_calls} ({summary.uploads} uploads)",
              f"export written to {summary.export_dir}"]
    return "\n".join(lines)


def summary_json(summary: KindSummary) -> str:
    """Return the summary as one JSON object."""
    return json.dumps(dataclasses.asdict(summary))
