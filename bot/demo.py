"""``annobot demo``: the sandbox, the real bot and a simulated crowd, with no token.

It creates the bundled sample project (images, sentences and audio clips; the question is
"how many?"), lets the crowd annotate it through the local Bot API server, has the admin
export the dataset through the chat, and scores the exported labels against the sample's
hidden truth. By default the project runs as we recommend: quality control on (training, an
exam, hidden gold checks, suspensions; so more gold items) and adaptive overlap (an item
stops at ``MIN_OVERLAP`` agreeing answers, else gets up to ``overlap``); the summary counts
who was stopped and what the labels cost: every human answer (training, exam, gold checks,
regular) per labelled item, and the share of them spent on training and gold items.
``quality=False`` (``--no-quality``) is the bare run: no quality control, fixed overlap.

``--sample pairwise``, ``--sample ratings`` and ``--sample ranking`` run the comparisons,
ratings and rankings samples instead (``bot/demo_kinds.py``); every sample runs through
``bot/demo_session.py``. ``--sample speech`` records, checks and transcribes
(``bot/demo_speech.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import io
import json
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO, TypeVar

from annotation.intake.spec import parse_spec
from annotation.quality.settings import QualitySettings
from bot.crowd import Style, Truth, build_crowd
from bot.demo_boxes import (
    boxes_summary_json,
    describe_boxes_summary,
    planned_boxes_answers,
    run_boxes_demo,
)
from bot.demo_kinds import (
    describe_kind_summary,
    planned_kind_answers,
    run_kind_demo,
    summary_json,
)
from bot.demo_session import (
    CONFIDENCE_TARGET,
    DEMO_TOKEN,
    GOLD_SHARE,
    PLAIN_OVERLAP,
    QUALITY,
    QUALITY_GOLD_SHARE,
    QUALITY_OVERLAP,
    DemoOptions,
    run_session,
)
from bot.demo_speech import DEFAULT_ITEMS as SPEECH_ITEMS
from bot.demo_speech import planned_speech_answers, run_speech_demo
from bot.logs import configure_logging
from bot.sample import SampleProject, build_sample_project
from bot.samples.pairwise import max_items
from bot.samples.ranking import max_items as max_rankings
from bot.samples.speech import max_items as max_sentences
from bot.speech_summary import describe_speech_summary, speech_summary_json

DEFAULT_ITEMS = 100  # ``--items`` when not given (the speech sample: ``SPEECH_ITEMS``)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo reports at the end."""

    annotators: int
    items: int
    regular_items: int  # items that are not gold checks
    items_completed: int
    answers: int
    seconds: float
    answers_per_second: float
    accuracy: float
    export_dir: str
    api_calls: int
    uploads: int
    quality: bool = False
    careless: int = 0  # careless annotators in the crowd
    careless_stopped: int = 0  # of them, stopped by quality control (exam or suspension)
    careful_stopped: int = 0  # careful annotators stopped (false alarms)
    # the cost: every human answer counts (``answers``), over the labelled (regular) items
    answers_per_item: float = 0.0
    training_answers: int = 0  # answers to training items (with feedback)
    gold_answers: int = 0  # answers to the other gold items (exam and hidden checks)
    gold_training_share: float = 0.0  # (training_answers + gold_answers) / answers


def sample_truth(sample: SampleProject) -> Truth:
    """Index the sample's hidden truth by item text and media key."""
    by_text: dict[str, str] = {}
    by_media: dict[str, str] = {}
    for draft in sample.items:
        label = sample.truth[draft.external_id]
        if draft.media is not None:
            by_media[draft.media.key] = label
            if draft.media.phone is not None:  # what phones are sent instead (a WAV's Opus)
                by_media[draft.media.phone.key] = label
        else:
            by_text[draft.text] = label
    spec = parse_spec(sample.spec_toml)
    return Truth(by_text, by_media, spec.labels)


def score_labels(labels_jsonl: bytes, sample: SampleProject, overlap: int
                 ) -> tuple[float, int, int]:
    """Return the accuracy of exported labels on non-gold items, how many there are and how
    many are complete (labelled, with at least ``overlap`` answers: the minimum one with
    adaptive overlap)."""
    right = total = complete = regular = 0
    for line in labels_jsonl.decode("utf-8").splitlines():
        row = json.loads(line)
        if row["gold"] is not None:
            continue
        regular += 1
        complete += row["answers"] >= overlap and row["label"] is not None
        if row["label"] is not None:
            total += 1
            right += row["label"] == sample.truth[row["item_id"]]
    return (right / total if total else 0.0), regular, complete


@dataclass(frozen=True, slots=True)
class AnswerCost:
    """Where the human answers went, from the exported answers table."""

    answers: int
    training: int  # on training items
    gold: int  # on the other gold items (exam, hidden checks)


def count_answers(answers_jsonl: bytes, sample: SampleProject) -> AnswerCost:
    """Count every exported answer (suspended annotators' too), by kind of item."""
    training_ids = {draft.external_id for draft in sample.items if draft.training}
    answers = training = gold = 0
    for line in answers_jsonl.decode("utf-8").splitlines():
        row = json.loads(line)
        answers += 1
        if row["item_id"] in training_ids:
            training += 1
        elif row["gold"]:
            gold += 1
    return AnswerCost(answers, training, gold)


def planned_answers(options: DemoOptions) -> int:
    """Roughly how many answers the demo will take, for the progress bar's ETA."""
    gold_share = QUALITY_GOLD_SHARE if options.quality else GOLD_SHARE
    regular = options.items - round(options.items * gold_share)
    spec_gold_rate = 0.1  # the sample spec's gold_rate: gold mixed in with regular tasks
    if not options.quality:
        return round(regular * options.overlap / (1 - spec_gold_rate))
    # adaptive overlap: about one answer past the minimum per item on average; training
    # and the exam stop early, and about five gold checks each (docs/QUALITY.md)
    per_annotator = QUALITY.training + QUALITY.exam + 5
    return round(options.annotators * per_annotator + regular * (options.min_overlap + 1))


async def run_demo(options: DemoOptions,
                   on_progress: Callable[[int, float], None] | None = None) -> DemoSummary:
    """Run the whole counting demo and return its summary."""
    gold_share = QUALITY_GOLD_SHARE if options.quality else GOLD_SHARE
    sample = await asyncio.to_thread(build_sample_project, options.items,
                                     gold_share=gold_share, seed=options.seed)
    spec = dataclasses.replace(
        parse_spec(sample.spec_toml), overlap=options.overlap,
        min_overlap=options.min_overlap if options.quality else None,
        confidence_target=CONFIDENCE_TARGET if options.quality else None,
        quality=QUALITY if options.quality else QualitySettings())
    crowd = build_crowd(options.annotators, careless=options.careless,
                        accuracy=options.accuracy, seed=options.seed)
    session = await run_session(options, spec, sample.items, crowd, sample_truth(sample),
                                on_progress=on_progress)
    with zipfile.ZipFile(io.BytesIO(session.tables)) as tables:
        labels = tables.read("tables/labels.jsonl")
        cost = count_answers(tables.read("tables/answers.jsonl"), sample)
    accuracy, regular, complete = score_labels(labels, sample, options.min_overlap)
    tally, seconds = session.tally, session.seconds
    careless = {m.user_id for m in crowd if m.style is not Style.CAREFUL}
    stopped = set(tally.suspended)
    return DemoSummary(
        annotators=options.annotators, items=options.items, regular_items=regular,
        items_completed=complete,
        answers=tally.answers, seconds=round(seconds, 2),
        answers_per_second=round(tally.answers / seconds, 1) if seconds else 0.0,
        accuracy=round(accuracy, 4), export_dir=str(options.out / "exports"),
        api_calls=session.api_calls, uploads=session.uploads,
        quality=options.quality, careless=len(careless),
        careless_stopped=len(stopped & careless), careful_stopped=len(stopped - careless),
        answers_per_item=round(cost.answers / regular, 2) if regular else 0.0,
        training_answers=cost.training, gold_answers=cost.gold,
        gold_training_share=(round((cost.training + cost.gold) / cost.answers, 4)
                             if cost.answers else 0.0),
    )


def _options(args: argparse.Namespace) -> DemoOptions:
    low, _, high = str(args.accuracy).partition("-")
    try:
        accuracy = (float(low), float(high or low))
    except ValueError:
        raise SystemExit("annobot: --accuracy: expected a range like 0.85-0.95") from None
    if not 0 <= args.careless <= 1 or not 0 <= accuracy[0] <= accuracy[1] <= 1:
        raise SystemExit("annobot: --careless/--accuracy: must lie between 0 and 1")
    quality = not args.no_quality
    sample = args.sample
    items = args.items if args.items is not None else (
        SPEECH_ITEMS if sample == "speech" else DEFAULT_ITEMS)
    overlap = args.overlap
    if overlap is None:
        overlap = QUALITY_OVERLAP if quality and sample == "counting" else PLAIN_OVERLAP
    if args.annotators < 1 or items < 1 or overlap < 1:
        raise SystemExit("annobot: --annotators/--items/--overlap: must be at least 1")
    if sample == "pairwise" and items > max_items():
        raise SystemExit(f"annobot: --items: the pairwise sample holds at most {max_items()}")
    if sample == "ranking" and items > max_rankings():
        raise SystemExit("annobot: --items: the ranking sample holds at most "
                         f"{max_rankings()}")
    if sample == "speech" and (items > max_sentences() or args.annotators < 9):
        raise SystemExit("annobot: the speech sample takes at most "
                         f"{max_sentences()} --items and at least 9 --annotators")
    return DemoOptions(annotators=args.annotators, items=items, overlap=overlap,
                       careless=args.careless, accuracy=accuracy, seed=args.seed,
                       out=Path(args.out), quality=quality, sample=sample)


def _header(options: DemoOptions) -> str:
    items = {"pairwise": "comparisons", "ratings": "reviews to rate", "boxes": "pictures",
             "ranking": "rankings", "speech": "sentences to read (and clips to transcribe)"
             }.get(options.sample, "items")
    if options.sample == "speech":
        overlap = ("2 speakers per sentence, checks and transcripts with quality control "
                   + ("on" if options.quality else "off"))
    elif options.adaptive:
        overlap = f"quality control on, adaptive overlap {options.min_overlap} to " \
                  f"{options.overlap}"
    elif options.quality:
        overlap = f"quality control on, overlap {options.overlap}"
    else:
        overlap = f"overlap {options.overlap}, quality control off"
    return (f"annobot demo: {options.annotators} simulated annotators, {options.items} "
            f"{items}, {overlap}, against the local Bot API sandbox")


class ProgressLine:
    """One progress line rewritten in place (carriage return) on a terminal: a bar, the
    answers so far against the plan, the rate and an ETA. Not on a terminal, it prints
    nothing until :meth:`close`, which writes the final line."""

    WIDTH = 24

    def __init__(self, planned: int, stream: TextIO) -> None:
        self._planned = max(planned, 1)
        self._stream = stream
        self._live = stream.isatty()
        self._shown = 0

    def _write(self, text: str, end: str = "") -> None:
        padding = " " * max(0, self._shown - len(text))  # wipe a longer previous line
        self._stream.write(f"\r{text}{padding}{end}")
        self._stream.flush()
        self._shown = len(text)

    def update(self, answers: int, seconds: float) -> None:
        """Show ``answers`` given after ``seconds``."""
        if not self._live:
            return
        done = min(answers / self._planned, 0.99)  # the plan is an estimate
        filled = round(done * self.WIDTH)
        rate = answers / seconds if seconds > 0 else 0.0
        eta = (f"ETA {max(self._planned - answers, 0) / rate:.0f} s"
               if rate > 0 and answers < self._planned else "ETA -")
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self._write(f"  [{bar}] {done:4.0%}  {answers} answers  {rate:.1f}/s  {eta}")

    def close(self, answers: int, seconds: float) -> None:
        """Write the final line."""
        rate = answers / seconds if seconds > 0 else 0.0
        bar = "#" * self.WIDTH
        self._write(f"  [{bar}] 100%  {answers} answers in {seconds:.0f} s  {rate:.1f}/s",
                    end="\n")


class _Finished(Protocol):
    """A demo's summary: what the progress line's last words need."""

    @property
    def answers(self) -> int:
        """Return every answer the crowd gave."""
        ...

    @property
    def seconds(self) -> float:
        """Return how long the crowd worked."""
        ...


_S = TypeVar("_S", bound=_Finished)


def _report(line: ProgressLine | None, summary: _S, as_json: Callable[[_S], str],
            describe: Callable[[_S], str]) -> int:
    """Print a sample's summary: one JSON object (``line`` None), else the last progress
    line and the summary's lines."""
    if line is None:
        print(as_json(summary))
    else:
        line.close(summary.answers, summary.seconds)
        print(describe(summary))
    return 0


def main_demo(args: argparse.Namespace) -> int:
    """Run the demo from the command line."""
    options = _options(args)
    configure_logging(level=30, token=DEMO_TOKEN)
    counting, speech = options.sample == "counting", options.sample == "speech"
    planned = (planned_answers(options) if counting else planned_speech_answers(options)
               if speech else planned_boxes_answers(options) if options.sample == "boxes"
               else planned_kind_answers(options))
    line = None if args.json else ProgressLine(planned, sys.stderr)

    def progress(answers: int, seconds: float) -> None:
        if line is not None:
            line.update(answers, seconds)

    if not args.json:
        print(_header(options), file=sys.stderr)
    if options.sample == "boxes":
        return _report(line, asyncio.run(run_boxes_demo(options, progress)),
                       boxes_summary_json, describe_boxes_summary)
    if speech:
        return _report(line, asyncio.run(run_speech_demo(options, progress)),
                       speech_summary_json, describe_speech_summary)
    if not counting:
        return _report(line, asyncio.run(run_kind_demo(options, progress)),
                       summary_json, describe_kind_summary)
    summary = asyncio.run(run_demo(options, progress))
    if args.json:
        print(json.dumps(dataclasses.asdict(summary)))
        return 0
    assert line is not None
    line.close(summary.answers, summary.seconds)
    print(f"items completed   {summary.items_completed} of {summary.regular_items} "
          f"(and {summary.items - summary.regular_items} gold items)\n"
          f"answers           {summary.answers} ({summary.answers_per_second}/s)\n"
          f"label accuracy    {summary.accuracy:.1%} against the hidden truth\n"
          + (f"quality control   stopped {summary.careless_stopped} of {summary.careless} "
             f"careless annotators and {summary.careful_stopped} of "
             f"{summary.annotators - summary.careless} careful ones\n"
             if summary.quality else "")
          + f"cost              {summary.answers_per_item} human answers per labelled item, "
          f"{summary.gold_training_share:.0%} of them on training and gold items\n"
          f"                  ({summary.training_answers} training, {summary.gold_answers} "
          f"on the exam and gold checks; all answers counted)\n"
          f"Bot API calls     {summary.api_calls} ({summary.uploads} uploads)\n"
          f"export written to {summary.export_dir}"
          + ("" if summary.quality else
             "\n(quality control off: run without --no-quality to compare)"))
    return 0
