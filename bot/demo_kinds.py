"""``annobot demo --sample pairwise`` and ``--sample ratings``: comparisons and ratings
through the sandbox, by a crowd that includes careless and biased members.

The comparisons crowd has careful members, careless ones (tapping at random) and
position-biased ones, who always tap a button for the response shown first ("A much
better" or "A better") whatever it says; the position rule is on from
``POSITION_MIN_ANSWERS`` comparisons. The ratings crowd has careful, careless and constant
members (always the same point). Both run with quality control (training, the exam, hidden
gold checks, the rules) and a fixed overlap (3 by default). The summary scores the exported
labels of the regular items against the sample's hidden truth (the side preferred; for
ratings the exact point and the mean absolute error) and counts who quality control
stopped, and by which rule (read from the annotators' standings).
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
from bot.crowd import Judge, Member, Style, Truth, build_crowd
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
from bot.samples.ratings import RatingJudge, build_ratings_sample
from bot.samples.scoring import LabelScore, score_points, score_sides

POSITION_MIN_ANSWERS = 12  # comparisons before the position rule may fire (default 20)
SPEC_GOLD_RATE = 0.1  # the samples' gold_rate: gold mixed in with regular tasks
BIASED_STYLE = {"pairwise": Style.POSITION, "ratings": Style.CONSTANT}


@dataclass(frozen=True, slots=True)
class KindSummary:
    """What the comparisons or ratings demo reports at the end."""

    sample: str  # "pairwise" or "ratings"
    annotators: int
    items: int
    regular_items: int  # items that are not gold checks
    items_labelled: int  # of them, with a label in the export
    answers: int  # every answer the crowd gave (training, exam and gold checks included)
    answers_per_item: float  # exported answers (all of them) per regular item
    seconds: float
    answers_per_second: float
    accuracy: float  # labels equal to the hidden truth, among the labelled regular items
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


def kind_crowd(options: DemoOptions) -> list[Member]:
    """Return the crowd of a comparisons or ratings demo."""
    pairwise = options.sample == "pairwise"
    return build_crowd(options.annotators, careless=options.careless,
                       accuracy=options.accuracy, seed=options.seed,
                       constant_share=0.0 if pairwise else options.biased,
                       position_share=options.biased if pairwise else 0.0)


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
    """Run the comparisons or ratings demo and return its summary."""
    gold_share = QUALITY_GOLD_SHARE if options.quality else GOLD_SHARE
    quality = QUALITY
    project: SampleProject
    judge: Judge
    if options.sample == "pairwise":
        pairs = await asyncio.to_thread(build_pairwise_sample, options.items,
                                        gold_share=gold_share, seed=options.seed)
        project, judge = pairs.project, ComparisonJudge(pairs)
        quality = dataclasses.replace(QUALITY, position_min_answers=POSITION_MIN_ANSWERS)
    else:
        reviews = await asyncio.to_thread(build_ratings_sample, options.items,
                                          gold_share=gold_share, seed=options.seed)
        project, judge = reviews.project, RatingJudge(reviews)
    spec = dataclasses.replace(parse_spec(project.spec_toml), overlap=options.overlap,
                               quality=quality if options.quality else QualitySettings())
    crowd = kind_crowd(options)
    session = await run_session(options, spec, project.items, crowd, Truth({}, {}, ()),
                                judge=judge, on_progress=on_progress)
    with zipfile.ZipFile(io.BytesIO(session.tables)) as tables:
        labels = tables.read("tables/labels.jsonl")
        exported = len(tables.read("tables/answers.jsonl").splitlines())
    score = (score_sides if options.sample == "pairwise" else score_points)(
        labels, project.truth)
    return _summary(options, crowd, session, score, exported)


def _summary(options: DemoOptions, crowd: list[Member], session: Session, score: LabelScore,
             exported: int) -> KindSummary:
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
    )


def describe_kind_summary(summary: KindSummary) -> str:
    """Return the summary as the lines the demo prints."""
    pairwise = summary.sample == "pairwise"
    what = "the side preferred" if pairwise else "the exact point"
    accuracy = f"label accuracy    {summary.accuracy:.1%} against the hidden truth ({what})"
    if summary.mean_abs_error is not None:
        accuracy += f", mean absolute error {summary.mean_abs_error:.2f} points"
    careful = summary.annotators - summary.careless - summary.biased
    biased = ('position-biased ("always A")' if pairwise
              else "constant (always the same point)")
    rules = ", ".join(f"{rule} {count}" for rule, count in summary.stopped_by_rule.items())
    lines = [
        f"items labelled    {summary.items_labelled} of {summary.regular_items} "
        f"(and {summary.items - summary.regular_items} gold items)",
        f"answers           {summary.answers} ({summary.answers_per_second}/s), "
        f"{summary.answers_per_item} per labelled item, all answers counted",
        accuracy,
    ]
    if summary.quality:
        if pairwise:
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
