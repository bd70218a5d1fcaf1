"""Label accuracy against what it costs, live: the real bot, a simulated crowd, three setups.

    .venv/bin/python -m benchmarks.quality_cost [--seed 1] [--annotators 60] [--items 400]
        [--gold-share 0.1] [--configs fixed3,adaptive,defaults]
        [--overlap 3] [--min-overlap 2] [--target 0.9] [--set KEY=VALUE …] [--json]

The bundled sample project ("how many? 1-4", options in that order; ``--gold-share`` of the
items gold, a third of those training) is annotated through the sandbox by a crowd working
concurrently: a quarter careless (half random clickers, half who always press the first
button) and careful members 0.70-0.92 accurate who, when wrong, pick a neighbouring count.
The same crowd and the same items run once per setup, each on a fresh database:

- ``fixed3``: fixed overlap 3, quality control as it was before issue 11 (pinned below);
- ``adaptive``: overlap 3, ``min_overlap`` 2, ``confidence_target`` 0.9 (``--overlap``,
  ``--min-overlap``, ``--target`` change it), the same quality control;
- ``defaults``: the sample spec without ``overlap``, ``min_overlap``, ``confidence_target``
  and ``gold_rate``, with a ``[quality]`` table holding only ``exam_cooldown = 0`` and
  ``speed_min_seconds = 0`` (no waiting an hour for a retake; simulated annotators answer
  instantly): whatever the code's defaults are is what gets measured.

Members who are told "no task right now" while some regular item is unsettled with fewer
answers than its overlap (it waits for other people's answers) check again until it is
done. Each setup reports label accuracy on regular items against the hidden truth (the
project's aggregation, majority vote and Dawid-Skene; an unlabelled item counts as wrong),
every human answer (training, exam, gold checks, regular, excluded ones too) per regular
item and per item, where the answers went, how many answers regular items ended with, who
quality control stopped, and how long members waited for work.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sqlite3
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from annotation.aggregation import Method
from annotation.datasets.labels import label_snapshot
from annotation.intake.catalog import CatalogService
from annotation.intake.spec import parse_spec, spec_from_mapping
from annotation.models import ProjectSpec
from annotation.quality.settings import QualitySettings
from annotation.records import ProjectSnapshot
from bot.application import running_bot
from bot.config import BotSettings
from bot.crowd import Confusion, CrowdRunner, Member, Style, build_crowd
from bot.demo import sample_truth
from bot.sample import SPEC_TOML, SampleProject, build_sample_project
from bot.sandbox import SandboxConfig, SandboxServer
from storage.database import Database

ADMIN = 1
TOKEN = "100000003:annobot-quality-cost-benchmark"
CONFIGS = ("fixed3", "adaptive", "defaults")
ACCURACY = (0.70, 0.92)  # careful members
DEFAULTS_REMOVED = ("overlap", "min_overlap", "confidence_target", "gold_rate", "aggregation")
# Issue 11 adds an adaptive gold share, a curtailed exam and sized training to
# QualitySettings. "Today's" quality control switches them off, but only where the fields
# exist yet (another change is adding them); drop this check once they have landed.
TODAY_OFF: dict[str, Any] = {"adaptive_gold": False, "exam_stop_early": False,
                             "training_streak": 0}
ROUNDS = 5  # times the members in good standing come back for items a suspension reopened
STALL_SECONDS = 120.0  # no answer at all for this long while work remains: give up


@dataclass(frozen=True, slots=True)
class Options:
    """One benchmark run."""

    seed: int = 1
    annotators: int = 60
    items: int = 400
    gold_share: float = 0.1
    configs: tuple[str, ...] = CONFIGS
    overlap: int = 3  # the adaptive setup's
    min_overlap: int = 2
    target: float = 0.9
    timeout: float = 1800.0  # seconds per setup, all rounds together
    poll: float = 0.3  # seconds between a waiting member's "Check again" taps
    changes: tuple[str, ...] = ()  # ``--set``: the defaults setup's spec, changed


@dataclass(frozen=True, slots=True)
class Result:
    """What one setup cost and how right its labels were."""

    config: str
    overlap: int
    min_overlap: int | None
    confidence_target: float | None
    gold_rate: float
    pinned: list[str]  # quality settings switched off to keep today's behaviour
    items: int
    regular_items: int
    method: str  # the project's aggregation
    accuracy: float  # by the project's aggregation, over every regular item
    accuracy_majority: float
    accuracy_dawid_skene: float
    unlabelled: int  # regular items with no accepted answer
    answers: int  # every answer row: training, exam, gold checks, regular, excluded
    answers_per_regular_item: float  # answers / regular items
    answers_per_item: float  # answers / all items, gold included
    training: int
    exam: int
    production_gold: int
    regular_kept: int
    regular_excluded: int  # regular answers of members suspended later
    excluded_all: int  # every excluded answer, whatever the item
    final_answers: dict[int, int]  # answers in good standing -> regular items with that many
    careless: int
    careless_stopped: list[int]  # answers each had given when stopped
    careless_unstopped: list[int]  # answers each careless member never stopped gave
    careful: int
    careful_stopped: list[int]
    idle_polls: int
    idle_seconds: float
    first_wait: float | None  # seconds into the run when a member first waited for work
    seconds: float
    answers_per_second: float
    unfinished: int  # regular items still waiting for answers at the end (0 when done)
    gave_up: str  # "" when done; else "stalled" or "timeout"


def quality_today() -> tuple[QualitySettings, list[str]]:
    """Return quality control as before issue 11, and which new settings it switched off."""
    names = {f.name for f in dataclasses.fields(QualitySettings)}
    pinned = {name: value for name, value in TODAY_OFF.items() if name in names}
    settings = QualitySettings(enabled=True, exam_cooldown=0, speed_min_seconds=0.0, **pinned)
    return settings, sorted(pinned)


def defaults_spec(changes: Sequence[str] = ()) -> ProjectSpec:
    """Return the sample spec with the cost keys removed and a minimal ``[quality]`` table,
    then ``changes`` (``key=value`` in TOML, ``quality.key=value`` for the table) applied:
    to try other defaults."""
    data = tomllib.loads(SPEC_TOML)
    for key in DEFAULTS_REMOVED:
        data.pop(key, None)
    data["quality"] = {"exam_cooldown": 0, "speed_min_seconds": 0}
    for change in changes:
        key, _, value = change.partition("=")
        table = data
        if key.startswith("quality."):
            table, key = data["quality"], key.removeprefix("quality.")
        table[key.strip()] = tomllib.loads(f"v = {value}")["v"]
    return spec_from_mapping(data)


def config_spec(name: str, options: Options) -> tuple[ProjectSpec, list[str]]:
    """Return the spec of one setup and the quality settings it pinned."""
    if name == "defaults":
        return defaults_spec(options.changes), []
    quality, pinned = quality_today()
    base = parse_spec(SPEC_TOML)
    if name == "fixed3":
        return dataclasses.replace(base, overlap=3, min_overlap=None, confidence_target=None,
                                   quality=quality), pinned
    if name == "adaptive":
        return dataclasses.replace(base, overlap=options.overlap,
                                   min_overlap=options.min_overlap,
                                   confidence_target=options.target, quality=quality), pinned
    raise ValueError(f"unknown setup {name!r}; expected one of {', '.join(CONFIGS)}")


def crowd(count: int, seed: int) -> list[Member]:
    """Return ``count`` members: a quarter careless (random, then constant), the rest
    careful, confusing neighbouring counts."""
    careless = round(count / 4)
    clicking = (careless + 1) // 2
    return build_crowd(count, careless=clicking / count,
                       constant_share=(careless - clicking) / count, accuracy=ACCURACY,
                       seed=seed, confusion=Confusion.NEIGHBOURS)


def open_items(db_path: Path, overlap: int) -> int:
    """Count regular items that are unsettled with fewer answers than ``overlap``."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        row = connection.execute(
            "SELECT COUNT(*) FROM items WHERE is_gold = 0 AND settled = 0 AND answers < ?",
            (overlap,)).fetchone()
    return int(row[0])


class WorkLeft:
    """Whether members should wait for work: regular items are open, the run is not over
    time, and answers still come in (re-read from the database at most every ``every`` s)."""

    def __init__(self, db_path: Path, overlap: int, answers: Callable[[], int], *,
                 timeout: float, every: float = 0.25) -> None:
        self._db_path = db_path
        self._overlap = overlap
        self._answers = answers
        self._every = every
        now = time.monotonic()
        self._deadline = now + timeout
        self._read_at = -1e9
        self._open = 1
        self._seen = -1
        self._moved_at = now
        self.gave_up = ""

    def __call__(self) -> bool:
        """Return whether work remains that members should wait for."""
        now = time.monotonic()
        if now >= self._deadline:
            self.gave_up = "timeout"
            return False
        if self._answers() != self._seen:
            self._seen, self._moved_at = self._answers(), now
        elif now - self._moved_at > STALL_SECONDS:
            self.gave_up = "stalled"
            return False
        if now - self._read_at >= self._every:
            self._open, self._read_at = open_items(self._db_path, self._overlap), now
        return self._open > 0

    def unfinished(self) -> bool:
        """Return whether work remains, read now (a late suspension may have reopened
        items after the members stopped)."""
        self._read_at = -1e9
        return self()


@dataclass(frozen=True, slots=True)
class Ledger:
    """Where a finished project's answers went, read from its database."""

    kinds: Counter[str]  # training, exam, production_gold, regular_kept, regular_excluded
    final: dict[int, int]  # answers in good standing -> regular items with that many
    by_annotator: dict[int, int]  # every answer, by annotator
    suspended: frozenset[int]
    excluded: int


def read_ledger(db_path: Path) -> Ledger:
    """Read where the answers of a finished project went."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        kinds: Counter[str] = Counter()
        for stage, gold, excluded, count in connection.execute(
                "SELECT g.stage, i.is_gold, a.excluded, COUNT(*) FROM answers AS a "
                "JOIN assignments AS g ON g.id = a.assignment_id "
                "JOIN items AS i ON i.id = a.item_id GROUP BY 1, 2, 3"):
            kind = (stage if stage != "production" else "production_gold" if gold
                    else "regular_excluded" if excluded else "regular_kept")
            kinds[kind] += count
        final = dict(connection.execute(
            "SELECT answers, COUNT(*) FROM items WHERE is_gold = 0 GROUP BY answers"))
        by_annotator = dict(connection.execute(
            "SELECT annotator_id, COUNT(*) FROM answers GROUP BY annotator_id"))
        suspended = frozenset(row[0] for row in connection.execute(
            "SELECT annotator_id FROM standings WHERE status = 'suspended'"))
        excluded = connection.execute(
            "SELECT COUNT(*) FROM answers WHERE excluded = 1").fetchone()[0]
    return Ledger(kinds, final, by_annotator, suspended, excluded)


def _accuracy(snapshot: ProjectSnapshot, sample: SampleProject, method: str) -> float:
    rows = [r for r in label_snapshot(snapshot, method) if r.gold is None]
    right = sum(1 for r in rows if r.label == sample.truth[r.item_id])
    return round(right / len(rows), 4) if rows else 0.0


async def run_config(name: str, sample: SampleProject, members: Sequence[Member],
                     workdir: Path, options: Options) -> Result:
    """Run the crowd on one setup, on a fresh database, until its items are done."""
    spec, pinned = config_spec(name, options)
    db_path = workdir / f"{name}.db"
    async with Database(db_path) as database:
        created = await CatalogService(database, clock=lambda: datetime.now(UTC)).create(
            spec, sample.items)
    config = SandboxConfig(token=TOKEN, flood_control=False, seed=options.seed,
                           log_requests=False)
    async with SandboxServer(config) as server:
        settings = BotSettings(
            token=server.token, database=db_path, admins=frozenset({ADMIN}),
            base_url=server.base_url, base_file_url=server.base_file_url,
            export_dir=workdir / "exports", seed=options.seed)
        async with running_bot(settings):
            runner = CrowdRunner(server, sample_truth(sample), created.invite_code,
                                 seed=options.seed, timeout=60.0,
                                 wait_for_work=lambda: work(), poll_interval=options.poll)
            work = WorkLeft(db_path, spec.overlap, lambda: runner.tally.answers,
                            timeout=options.timeout)
            started, loop_started = time.perf_counter(), asyncio.get_running_loop().time()
            tally = await runner.run(members, unfinished=work.unfinished, rounds=ROUNDS)
            seconds = time.perf_counter() - started
    async with Database(db_path) as database:
        snapshot = await CatalogService(database, clock=lambda: datetime.now(UTC)).snapshot(
            created.id)
    ledger = await asyncio.to_thread(read_ledger, db_path)
    unfinished = await asyncio.to_thread(open_items, db_path, spec.overlap)
    kinds, final, answered = ledger.kinds, ledger.final, ledger.by_annotator
    regular = sum(final.values())
    total = len(snapshot.answers)
    careless = {m.user_id for m in members if m.style is not Style.CAREFUL}
    careful = {m.user_id for m in members} - careless
    labels = [r for r in label_snapshot(snapshot) if r.gold is None]
    return Result(
        config=name, overlap=spec.overlap, min_overlap=spec.min_overlap,
        confidence_target=spec.confidence_target, gold_rate=spec.gold_rate, pinned=pinned,
        items=len(snapshot.items), regular_items=regular, method=spec.aggregation,
        accuracy=_accuracy(snapshot, sample, spec.aggregation),
        accuracy_majority=_accuracy(snapshot, sample, Method.MAJORITY),
        accuracy_dawid_skene=_accuracy(snapshot, sample, Method.DAWID_SKENE),
        unlabelled=sum(1 for r in labels if r.label is None), answers=total,
        answers_per_regular_item=round(total / regular, 3) if regular else 0.0,
        answers_per_item=round(total / len(snapshot.items), 3) if snapshot.items else 0.0,
        training=kinds["training"], exam=kinds["exam"],
        production_gold=kinds["production_gold"], regular_kept=kinds["regular_kept"],
        regular_excluded=kinds["regular_excluded"], excluded_all=ledger.excluded,
        final_answers=dict(sorted(final.items())), careless=len(careless),
        careless_stopped=sorted(answered.get(u, 0) for u in careless & ledger.suspended),
        careless_unstopped=sorted(answered.get(u, 0) for u in careless - ledger.suspended),
        careful=len(careful),
        careful_stopped=sorted(answered.get(u, 0) for u in careful & ledger.suspended),
        idle_polls=tally.idle_polls, idle_seconds=round(tally.idle_seconds, 1),
        first_wait=(round(min(at for at, _ in tally.waits) - loop_started, 1)
                    if tally.waits else None),
        seconds=round(seconds, 1),
        answers_per_second=round(tally.answers / seconds, 1) if seconds else 0.0,
        unfinished=unfinished, gave_up=work.gave_up)


async def measure(options: Options) -> list[Result]:
    """Run every chosen setup with the same crowd on the same items."""
    sample = await asyncio.to_thread(build_sample_project, options.items,
                                     gold_share=options.gold_share, seed=options.seed)
    members = crowd(options.annotators, options.seed)
    with tempfile.TemporaryDirectory() as workdir:
        return [await run_config(name, sample, members, Path(workdir), options)
                for name in options.configs]


def _stopped(answers: Sequence[int], members: int) -> str:
    """Describe who was stopped: how many of ``members``, after how many answers."""
    if not answers:
        return f"0/{members}"
    middle = sorted(answers)[len(answers) // 2]
    return (f"{len(answers)}/{members}, {min(answers)}-{max(answers)} answers "
            f"(median {middle})")


ROWS: tuple[tuple[str, Callable[[Result], object]], ...] = (
    ("overlap / min_overlap / target", lambda r: f"{r.overlap} / {r.min_overlap or '-'} / "
                                                 f"{r.confidence_target or '-'}"),
    ("gold rate", lambda r: r.gold_rate),
    ("new QC switched off", lambda r: ", ".join(r.pinned) or "-"),
    ("items (regular)", lambda r: f"{r.items} ({r.regular_items})"),
    ("accuracy, project's method", lambda r: f"{r.accuracy:.4f} ({r.method})"),
    ("accuracy, majority vote", lambda r: f"{r.accuracy_majority:.4f}"),
    ("accuracy, Dawid-Skene", lambda r: f"{r.accuracy_dawid_skene:.4f}"),
    ("answers, all counted", lambda r: r.answers),
    ("  per regular item", lambda r: f"{r.answers_per_regular_item:.2f}"),
    ("  per item (gold included)", lambda r: f"{r.answers_per_item:.2f}"),
    ("  training", lambda r: r.training),
    ("  exam", lambda r: r.exam),
    ("  gold checks (production)", lambda r: r.production_gold),
    ("  regular, kept", lambda r: r.regular_kept),
    ("  regular, excluded", lambda r: r.regular_excluded),
    ("excluded, any item", lambda r: r.excluded_all),
    ("regular items by answers", lambda r: " ".join(f"{k}:{v}"
                                                    for k, v in r.final_answers.items())),
    ("careless stopped, after", lambda r: _stopped(r.careless_stopped, r.careless)),
    ("careless never stopped, gave", lambda r: _stopped(r.careless_unstopped, r.careless)),
    ("careful stopped, after", lambda r: _stopped(r.careful_stopped, r.careful)),
    ("idle polls / seconds", lambda r: f"{r.idle_polls} / {r.idle_seconds}"),
    ("first wait for work, s", lambda r: "-" if r.first_wait is None else r.first_wait),
    ("wall seconds", lambda r: r.seconds),
    ("answers per second", lambda r: r.answers_per_second),
    ("unfinished items", lambda r: f"{r.unfinished} {r.gave_up}".strip()),
)


def print_table(results: Sequence[Result]) -> None:
    """Print one column per setup, then the frontier: accuracy against answers per item."""
    cells = [[str(value(r)) for r in results] for _, value in ROWS]
    label_width = max(len(label) for label, _ in ROWS)
    widths = [max(len(r.config), *(len(row[i]) for row in cells))
              for i, r in enumerate(results)]
    print(" " * label_width + "  " + "  ".join(
        f"{r.config:<{w}}" for r, w in zip(results, widths, strict=True)))
    for (label, _), row in zip(ROWS, cells, strict=True):
        print(f"{label:<{label_width}}  " + "  ".join(
            f"{cell:<{w}}" for cell, w in zip(row, widths, strict=True)).rstrip())
    print()
    for r in results:
        print(f"frontier {r.config}: accuracy {r.accuracy:.4f} at "
              f"{r.answers_per_regular_item:.2f} human answers per regular item "
              f"(all counted; {r.answers_per_item:.2f} per item with gold)")


def _options(args: argparse.Namespace) -> Options:
    configs = tuple(name.strip() for name in args.configs.split(",") if name.strip())
    unknown = [name for name in configs if name not in CONFIGS]
    if unknown or not configs:
        raise SystemExit(f"--configs: choose among {', '.join(CONFIGS)}")
    return Options(seed=args.seed, annotators=args.annotators, items=args.items,
                   gold_share=args.gold_share, configs=configs, overlap=args.overlap,
                   min_overlap=args.min_overlap, target=args.target, timeout=args.timeout,
                   changes=tuple(args.set))


def main() -> None:
    """Run the chosen setups and print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--annotators", type=int, default=60)
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--gold-share", type=float, default=0.1)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--overlap", type=int, default=3, help="the adaptive setup's")
    parser.add_argument("--min-overlap", type=int, default=2, help="the adaptive setup's")
    parser.add_argument("--target", type=float, default=0.9, help="the adaptive setup's")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per setup")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="change the defaults setup's spec (quality.KEY for [quality])")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = asyncio.run(measure(_options(args)))
    if args.json:
        print(json.dumps([dataclasses.asdict(r) for r in results], indent=1))
        return
    print_table(results)


if __name__ == "__main__":
    main()
