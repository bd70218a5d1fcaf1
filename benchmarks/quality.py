"""Quality control on a simulated crowd, with and without it, through the sandbox.

    .venv/bin/python -m benchmarks.quality [--seed 4] [--json]

40 simulated annotators (30 careful at 85-95% accuracy, 5 random clickers, 5 who always
press the first button) annotate the bundled sample project (300 items, 15% gold, a third
of the gold marked as training; overlap 3, gold rate 10%) against the real bot. The same
crowd runs twice: with the ``[quality]`` settings below, and with quality control off.
Each run reports who was suspended and after how many tasks, the answers spent, and the
majority-vote accuracy of the exported labels against the sample's hidden truth.
``tests/e2e/test_quality_crowd.py`` runs the quality-controlled trial and asserts it.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from annotation.aggregation import Method
from annotation.datasets.labels import label_snapshot
from annotation.intake.catalog import CatalogService
from annotation.intake.spec import parse_spec
from annotation.quality.settings import QualitySettings
from bot.application import running_bot
from bot.config import BotSettings
from bot.crowd import CrowdRunner, Member, Style, build_crowd
from bot.demo import sample_truth
from bot.sample import SampleProject, build_sample_project
from bot.sandbox import SandboxConfig, SandboxServer
from storage.database import Database

ADMIN = 1
TOKEN = "100000002:annobot-quality-benchmark"
ITEMS, GOLD_SHARE, OVERLAP, GOLD_RATE = 300, 0.15, 3, 0.1
# The trial's settings: defaults, except an immediate exam retake (the simulation has no
# time to wait), a full-gold probation of 12 tasks (the gold budget of this project allows
# it, and it is what catches clickers who pass the exam by luck before their 25th task),
# and no speed rule (simulated annotators answer instantly, careful or not). The fixed-size
# training and exam and the fixed probation are pinned (the adaptive gold share, the
# curtailed exam and the training streak are off) so the figures in docs/QUALITY.md hold.
QC = QualitySettings(enabled=True, training=3, exam=5, exam_pass=0.6, exam_retries=1,
                     exam_cooldown=0, probation_tasks=12, probation_gold_rate=1.0,
                     speed_min_seconds=0.0, training_streak=0, exam_stop_early=False,
                     adaptive_gold=False)


@dataclass(frozen=True, slots=True)
class Trial:
    """What one simulated run did."""

    quality: bool
    seconds: float
    answers: int  # every answer, training and exam included
    regular_answers: int  # answers to non-gold items, excluded ones included
    gold_answers: int
    excluded: int
    suspended: dict[str, list[int]]  # style -> tasks answered by each suspended member
    not_suspended: dict[str, int]  # style -> members never suspended
    # style -> tasks answered by each member never suspended (clickers: before work ran out)
    answered_unsuspended: dict[str, list[int]]
    items_complete: int  # non-gold items with `overlap` answers from annotators in good standing
    items_regular: int
    accuracy: float  # majority vote of the export against the hidden truth (non-gold items)


def crowd(seed: int) -> list[Member]:
    """Return the trial's 40 members."""
    return build_crowd(40, careless=5 / 40, constant_share=5 / 40, accuracy=(0.85, 0.95),
                       seed=seed)


def sample() -> SampleProject:
    """Return the trial's project."""
    return build_sample_project(ITEMS, gold_share=GOLD_SHARE, seed=11)


def _incomplete(db_path: Path) -> bool:
    with sqlite3.connect(db_path) as connection:
        row = connection.execute(
            "SELECT COUNT(*) FROM items AS i WHERE i.gold_answer IS NULL AND "
            "(SELECT COUNT(*) FROM answers AS a WHERE a.item_id = i.id AND a.excluded = 0)"
            " < ?", (OVERLAP,)).fetchone()
    return bool(row[0])


def _complete_items(db_path: Path) -> tuple[int, int]:
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute(
            "SELECT i.id, COUNT(a.id) FROM items AS i LEFT JOIN answers AS a "
            "ON a.item_id = i.id AND a.excluded = 0 AND NOT EXISTS (SELECT 1 FROM standings AS s"
            " WHERE s.annotator_id = a.annotator_id AND s.status = 'suspended') "
            "WHERE i.gold_answer IS NULL GROUP BY i.id").fetchall()
    return sum(1 for _, n in rows if n == OVERLAP), len(rows)


async def run_trial(project: SampleProject, quality: bool, workdir: Path, *,
                    seed: int = 4) -> Trial:
    """Run the crowd on a fresh database and return what happened."""
    db_path = workdir / ("quality.db" if quality else "plain.db")
    spec = dataclasses.replace(parse_spec(project.spec_toml), overlap=OVERLAP,
                               gold_rate=GOLD_RATE,
                               quality=QC if quality else QualitySettings())
    async with Database(db_path) as database:
        created = await CatalogService(database, clock=lambda: datetime.now(UTC)).create(
            spec, project.items)
    members = crowd(seed)
    config = SandboxConfig(token=TOKEN, flood_control=False, seed=seed, log_requests=False)
    async with SandboxServer(config) as server:
        settings = BotSettings(
            token=server.token, database=db_path, admins=frozenset({ADMIN}),
            base_url=server.base_url, base_file_url=server.base_file_url,
            export_dir=workdir / "exports", seed=seed, expiry_interval=timedelta(hours=1),
            quality_interval=timedelta(hours=1))
        async with running_bot(settings):
            runner = CrowdRunner(server, sample_truth(project), created.invite_code, seed=seed,
                                 timeout=60.0)
            started = time.perf_counter()
            tally = await runner.run(members, unfinished=lambda: _incomplete(db_path))
            seconds = time.perf_counter() - started
    async with Database(db_path) as database:
        snapshot = await CatalogService(database, clock=lambda: datetime.now(UTC)).snapshot(
            created.id)
    rows = label_snapshot(snapshot, Method.MAJORITY)
    regular = [r for r in rows if r.gold is None]
    right = sum(1 for r in regular if r.label == project.truth[r.item_id])
    styles = {m.user_id: m.style for m in members}
    used = [s for s in Style if any(m.style is s for m in members)]  # this crowd's styles
    suspended: dict[str, list[int]] = {str(s): [] for s in used}
    for user_id, answered in sorted(tally.suspended.items()):
        suspended[str(styles[user_id])].append(answered)
    kept = Counter(str(m.style) for m in members if m.user_id not in tally.suspended)
    unsuspended: dict[str, list[int]] = {str(s): [] for s in used}
    for member in members:
        if member.user_id not in tally.suspended:
            unsuspended[str(member.style)].append(tally.answered_by.get(member.user_id, 0))
    complete, total = _complete_items(db_path)
    return Trial(
        quality=quality, seconds=round(seconds, 1), answers=len(snapshot.answers),
        regular_answers=sum(1 for a in snapshot.answers if not a.is_gold),
        gold_answers=sum(1 for a in snapshot.answers if a.is_gold),
        excluded=sum(1 for a in snapshot.answers if a.excluded),
        suspended=suspended, not_suspended={str(s): kept[str(s)] for s in used},
        answered_unsuspended=unsuspended,
        items_complete=complete, items_regular=total,
        accuracy=round(right / len(regular), 4) if regular else 0.0)


async def _both(seed: int) -> list[Trial]:
    project = await asyncio.to_thread(sample)
    with tempfile.TemporaryDirectory() as workdir:
        return [await run_trial(project, quality, Path(workdir), seed=seed)
                for quality in (True, False)]


def main() -> None:
    """Run both trials and print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    trials = asyncio.run(_both(args.seed))
    if args.json:
        print(json.dumps([dataclasses.asdict(t) for t in trials], indent=1))
        return
    for trial in trials:
        print(f"quality control {'on' if trial.quality else 'off'}: {trial.seconds} s, "
              f"{trial.answers} answers ({trial.regular_answers} regular, "
              f"{trial.gold_answers} gold, {trial.excluded} excluded), "
              f"items complete {trial.items_complete}/{trial.items_regular}, "
              f"accuracy {trial.accuracy:.3f}")
        for style, counts in trial.suspended.items():
            print(f"  {style}: suspended {len(counts)} after {counts} tasks; "
                  f"kept {trial.not_suspended[style]}")


if __name__ == "__main__":
    main()
