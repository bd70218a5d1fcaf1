"""``annobot demo``: the sandbox, the real bot and a simulated crowd, with no token.

It creates the bundled sample project (images, sentences and audio clips; the question is
"how many?"), lets the crowd annotate it through the local Bot API server, has the admin
export the dataset through the chat, and scores the exported labels against the sample's
hidden truth. With ``quality`` the project has quality control on (more gold items, for
training, the exam and the checks) and the summary counts who was stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from annotation.projects import ProjectService
from annotation.quality.settings import QualitySettings
from annotation.sample import SampleProject, build_sample_project
from annotation.spec import parse_spec
from bot.application import BotSettings, running_bot
from bot.crowd import CrowdRunner, Style, Truth, build_crowd, export_via_chat
from bot.logs import configure_logging
from bot.sandbox import SandboxConfig, SandboxServer
from storage.database import Database

ADMIN_ID = 1
TABLES_BUTTON = "📊 Tables (CSV, JSONL)"
DEMO_TOKEN = "100000001:annobot-sandbox-demo-token"
GOLD_SHARE = 0.1
QUALITY_GOLD_SHARE = 0.35  # training, the exam and the probation checks need gold items
# ``--quality``: the default rules, except an immediate exam retake (the demo cannot wait
# an hour) and no speed rule (simulated annotators answer instantly, careful or not).
QUALITY = QualitySettings(enabled=True, exam_cooldown=0, speed_min_seconds=0.0)


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """How big a demo to run."""

    annotators: int = 30
    items: int = 60
    overlap: int = 3
    careless: float = 0.1
    accuracy: tuple[float, float] = (0.85, 0.95)
    seed: int = 7
    out: Path = Path("annobot-demo")
    flood_control: bool = True
    quality: bool = False


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
    many are complete."""
    right = total = complete = regular = 0
    for line in labels_jsonl.decode("utf-8").splitlines():
        row = json.loads(line)
        if row["gold"] is not None:
            continue
        regular += 1
        complete += row["answers"] >= overlap
        if row["label"] is not None:
            total += 1
            right += row["label"] == sample.truth[row["item_id"]]
    return (right / total if total else 0.0), regular, complete


def _fresh_database(database_path: Path) -> None:
    """Remove a previous demo's database so every demo starts from nothing."""
    database_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database_path}{suffix}").unlink(missing_ok=True)


async def _create_project(database_path: Path, sample: SampleProject, overlap: int,
                          quality: bool) -> str:
    spec = dataclasses.replace(parse_spec(sample.spec_toml), overlap=overlap,
                               quality=QUALITY if quality else QualitySettings())
    async with Database(database_path) as database:
        project = await ProjectService(database, clock=lambda: datetime.now(UTC)).create(
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
                await asyncio.wait({work}, timeout=1.0)
                if on_progress is not None:
                    on_progress(runner.tally.answers, time.perf_counter() - started)
            await work
            seconds = time.perf_counter() - started
            admin = server.user(ADMIN_ID, first_name="Admin", language_code="en")
            labels = await export_via_chat(admin, server, TABLES_BUTTON, "tables/labels.jsonl")
        accuracy, regular, complete = score_labels(labels, sample, options.overlap)
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
        )


def _options(args: argparse.Namespace) -> DemoOptions:
    low, _, high = str(args.accuracy).partition("-")
    try:
        accuracy = (float(low), float(high or low))
    except ValueError:
        raise SystemExit("annobot: --accuracy: expected a range like 0.85-0.95") from None
    if not 0 <= args.careless <= 1 or not 0 <= accuracy[0] <= accuracy[1] <= 1:
        raise SystemExit("annobot: --careless/--accuracy: must lie between 0 and 1")
    if args.annotators < 1 or args.items < 1 or args.overlap < 1:
        raise SystemExit("annobot: --annotators/--items/--overlap: must be at least 1")
    return DemoOptions(annotators=args.annotators, items=args.items, overlap=args.overlap,
                       careless=args.careless, accuracy=accuracy, seed=args.seed,
                       out=Path(args.out), quality=args.quality)


def main_demo(args: argparse.Namespace) -> int:
    """Run the demo from the command line."""
    options = _options(args)
    configure_logging(level=30, token=DEMO_TOKEN)

    def progress(answers: int, seconds: float) -> None:
        if not args.json:
            print(f"\r  {answers} answers in {seconds:.0f} s", end="", file=sys.stderr,
                  flush=True)

    if not args.json:
        print(f"annobot demo: {options.annotators} simulated annotators, {options.items} "
              f"items, overlap {options.overlap}, quality control "
              f"{'on' if options.quality else 'off'}, against the local Bot API sandbox",
              file=sys.stderr)
    summary = asyncio.run(run_demo(options, progress))
    if args.json:
        print(json.dumps(dataclasses.asdict(summary)))
        return 0
    print(file=sys.stderr)
    print(f"items completed   {summary.items_completed} of {summary.regular_items} "
          f"(and {summary.items - summary.regular_items} gold checks)\n"
          f"answers           {summary.answers} ({summary.answers_per_second}/s)\n"
          f"label accuracy    {summary.accuracy:.1%} against the hidden truth\n"
          + (f"quality control   stopped {summary.careless_stopped} of {summary.careless} "
             f"careless annotators and {summary.careful_stopped} of "
             f"{summary.annotators - summary.careless} careful ones\n"
             if summary.quality else "")
          + f"Bot API calls     {summary.api_calls} ({summary.uploads} uploads)\n"
          f"export written to {summary.export_dir}")
    return 0
