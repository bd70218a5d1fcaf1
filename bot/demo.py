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
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import io
import json
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from annotation.intake.catalog import CatalogService
from annotation.intake.spec import ADAPTIVE_DEFAULT, parse_spec
from annotation.quality.settings import QualitySettings
from bot.application import running_bot
from bot.config import BotSettings
from bot.crowd import CrowdRunner, Style, Truth, build_crowd, export_zip_via_chat
from bot.logs import configure_logging
from bot.sample import SampleProject, build_sample_project
from bot.sandbox import SandboxConfig, SandboxServer
from storage.database import Database

ADMIN_ID = 1
TABLES_BUTTON = "📊 Tables (CSV, JSONL)"
DEMO_TOKEN = "100000001:annobot-sandbox-demo-token"
GOLD_SHARE = 0.1  # ``--no-quality``: gold items only measure the crowd
QUALITY_GOLD_SHARE = 0.2  # training, the exam and the probation checks need gold items
# quality control: the default rules, except an immediate exam retake (the demo cannot wait
# an hour) and no speed rule (simulated annotators answer instantly, careful or not).
QUALITY = QualitySettings(enabled=True, exam_cooldown=0, speed_min_seconds=0.0)
# adaptive overlap (with quality control), as a spec gets it by default: two agreeing
# answers are enough, else up to ``overlap`` answers until the item's confidence reaches
# the target
MIN_OVERLAP = ADAPTIVE_DEFAULT.min_overlap
CONFIDENCE_TARGET = ADAPTIVE_DEFAULT.confidence_target
QUALITY_OVERLAP = ADAPTIVE_DEFAULT.max_overlap  # the most answers per item by default
PLAIN_OVERLAP = 3  # the default fixed overlap with ``--no-quality``


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """How big a demo to run."""

    annotators: int = 30
    items: int = 100
    overlap: int = QUALITY_OVERLAP  # with quality control: the most answers an item may get
    careless: float = 0.1
    accuracy: tuple[float, float] = (0.85, 0.95)
    seed: int = 7
    out: Path = Path("annobot-demo")
    flood_control: bool = True
    quality: bool = True

    @property
    def min_overlap(self) -> int:
        """Answers an item needs at least: ``MIN_OVERLAP`` with adaptive overlap."""
        return min(MIN_OVERLAP, self.overlap) if self.quality else self.overlap


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


def _fresh_database(database_path: Path) -> None:
    """Remove a previous demo's database so every demo starts from nothing."""
    database_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database_path}{suffix}").unlink(missing_ok=True)


async def _create_project(database_path: Path, sample: SampleProject, overlap: int,
                          quality: bool) -> str:
    spec = dataclasses.replace(
        parse_spec(sample.spec_toml), overlap=overlap,
        min_overlap=min(MIN_OVERLAP, overlap) if quality else None,
        confidence_target=CONFIDENCE_TARGET if quality else None,
        quality=QUALITY if quality else QualitySettings())
    async with Database(database_path) as database:
        project = await CatalogService(database, clock=lambda: datetime.now(UTC)).create(
            spec, sample.items)
    return project.invite_code


async def run_demo(options: DemoOptions,
                   on_progress: Callable[[int, float], None] | None = None) -> DemoSummary:
    """Run the whole demo and return its summary."""
    database_path = options.out / "demo.db"
    await asyncio.to_thread(_fresh_database, database_path)
    gold_share = QUALITY_GOLD_SHARE if options.quality else GOLD_SHARE
    sample = await asyncio.to_thread(build_sample_project, options.items,
                                     gold_share=gold_share, seed=options.seed)
    invite = await _create_project(database_path, sample, options.overlap, options.quality)
    config = SandboxConfig(token=DEMO_TOKEN, flood_control=options.flood_control,
                           seed=options.seed, log_requests=False)
    async with SandboxServer(config) as server:
        settings = BotSettings(
            token=server.token, database=database_path, admins=frozenset({ADMIN_ID}),
            base_url=server.base_url, base_file_url=server.base_file_url,
            export_dir=options.out / "exports", seed=options.seed,
        )
        async with running_bot(settings):
            crowd = build_crowd(options.annotators, careless=options.careless,
                                accuracy=options.accuracy, seed=options.seed)
            runner = CrowdRunner(server, sample_truth(sample), invite, seed=options.seed)
            started = time.perf_counter()
            # with quality control, a late suspension reopens items: bring the others back
            work = asyncio.create_task(runner.run(crowd, unfinished=lambda: options.quality))
            while not work.done():
                await asyncio.wait({work}, timeout=0.25)
                if on_progress is not None:
                    on_progress(runner.tally.answers, time.perf_counter() - started)
            await work
            seconds = time.perf_counter() - started
            admin = server.user(ADMIN_ID, first_name="Admin", language_code="en")
            archive = await export_zip_via_chat(admin, server, TABLES_BUTTON)
        with zipfile.ZipFile(io.BytesIO(archive)) as tables:
            labels = tables.read("tables/labels.jsonl")
            cost = count_answers(tables.read("tables/answers.jsonl"), sample)
        accuracy, regular, complete = score_labels(labels, sample, options.min_overlap)
        stats = server.stats
        careless = {m.user_id for m in crowd if m.style is not Style.CAREFUL}
        stopped = set(runner.tally.suspended)
        return DemoSummary(
            annotators=options.annotators, items=options.items, regular_items=regular,
            items_completed=complete,
            answers=runner.tally.answers, seconds=round(seconds, 2),
            answers_per_second=round(runner.tally.answers / seconds, 1) if seconds else 0.0,
            accuracy=round(accuracy, 4), export_dir=str(options.out / "exports"),
            api_calls=sum(stats.calls.values()), uploads=stats.uploads,
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
    overlap = args.overlap
    if overlap is None:
        overlap = QUALITY_OVERLAP if quality else PLAIN_OVERLAP
    if args.annotators < 1 or args.items < 1 or overlap < 1:
        raise SystemExit("annobot: --annotators/--items/--overlap: must be at least 1")
    return DemoOptions(annotators=args.annotators, items=args.items, overlap=overlap,
                       careless=args.careless, accuracy=accuracy, seed=args.seed,
                       out=Path(args.out), quality=quality)


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


def main_demo(args: argparse.Namespace) -> int:
    """Run the demo from the command line."""
    options = _options(args)
    configure_logging(level=30, token=DEMO_TOKEN)
    line = None if args.json else ProgressLine(planned_answers(options), sys.stderr)

    def progress(answers: int, seconds: float) -> None:
        if line is not None:
            line.update(answers, seconds)

    if not args.json:
        print(f"annobot demo: {options.annotators} simulated annotators, {options.items} "
              f"items, "
              + (f"quality control on, adaptive overlap {options.min_overlap} to "
                 f"{options.overlap}" if options.quality
                 else f"overlap {options.overlap}, quality control off")
              + ", against the local Bot API sandbox", file=sys.stderr)
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
