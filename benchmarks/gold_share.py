"""A Monte-Carlo of the qualification and gold rules: who is caught, who is checked, at what cost.

    .venv/bin/python -m benchmarks.gold_share [--draws 20000] [--seed 1] [--json]

One simulated annotator at a time goes through the real pure functions of
``annotation.quality`` (``advance``, ``next_step``, ``exam_due``, ``grade_exam``,
``gold_rate`` and the rules' ``evaluate``), task after task, with today's settings (a fixed
probation share, a full exam, fixed training) and with the defaults (adaptive gold share,
curtailed exam, training ending on a streak). Four options, truths uniform; the project
never runs out of gold or training items; retakes come at once (the cool-down costs time,
not tasks); speed and agreement are left out (the first needs timings, the second only flags).

Per kind of annotator it reports the probability of still working at the 25th task (that is,
not suspended within 24 answers), of being suspended within 100 tasks, and the expected gold
answers (training, exam and production gold) within the first 20 and 100 tasks.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from annotation.models import AnnotatorId, ProjectId, Stage
from annotation.quality.qualification import (
    Progress,
    Standing,
    Status,
    Step,
    advance,
    exam_due,
    first_phase,
    gold_rate,
    grade_exam,
    next_step,
)
from annotation.quality.rules import Evidence, evaluate, to_apply
from annotation.quality.scores import GoldScore
from annotation.quality.settings import QualitySettings, same_answer_limit

OPTIONS = 4
SPEC_GOLD_RATE = 0.1
PLENTY = 1_000_000  # training and gold items left: never runs out
NOW = datetime(2026, 1, 1, tzinfo=UTC)
# Today's behaviour: the new switches off. The defaults: the dataclass's own.
TODAY = QualitySettings(enabled=True, adaptive_gold=False, exam_stop_early=False,
                        training_streak=0, exam_cooldown=0, speed_min_seconds=0.0)
DEFAULTS = QualitySettings(enabled=True, exam_cooldown=0, speed_min_seconds=0.0)
RANDOM, CONSTANT = -1.0, -2.0  # accuracies that mean a careless style
KINDS: dict[str, float] = {"random clicker": RANDOM, "constant clicker": CONSTANT,
                           "careful 0.70": 0.70, "careful 0.80": 0.80, "careful 0.90": 0.90}


@dataclass(frozen=True, slots=True)
class Path:
    """What one simulated annotator did."""

    suspended_after: int | None  # tasks answered when suspended (None: never)
    qualified: bool  # passed the exam
    gold_by_task: Sequence[int]  # gold answers (all stages) after each task


@dataclass(frozen=True, slots=True)
class Summary:
    """One kind of annotator under one setting, over many draws."""

    qualified: float
    working_at_25: float
    suspended_by_100: float
    gold_in_20: float
    gold_in_100: float


def _answer(accuracy: float, truth: int, rng: random.Random) -> int:
    if accuracy == CONSTANT:
        return 0
    if accuracy == RANDOM:
        return rng.randrange(OPTIONS)
    if rng.random() < accuracy:
        return truth
    return (truth + 1 + rng.randrange(OPTIONS - 1)) % OPTIONS


def simulate(settings: QualitySettings, accuracy: float, tasks: int,
             rng: random.Random) -> Path:
    """Follow one annotator through ``tasks`` tasks (or until suspended)."""
    standing = Standing(ProjectId(1), AnnotatorId(1), first_phase(settings))
    training_done = streak = exam_done = exam_correct = production_done = 0
    record: list[bool] = []  # every gold answer, training included (the gold share)
    scored = GoldScore(0, 0)  # exam and production gold (the gold rule)
    values: list[str] = []
    gold_by_task: list[int] = []
    for task in range(1, tasks + 1):
        progress = _progress(training_done, streak, exam_done, exam_correct)
        standing = advance(standing, progress, settings)
        step = next_step(standing, progress, settings, NOW)
        if step is not Step.TRAINING and step is not Step.EXAM and step is not Step.PRODUCTION:
            return Path(task - 1, False, gold_by_task)
        is_gold = step is not Step.PRODUCTION or rng.random() < gold_rate(
            SPEC_GOLD_RATE, production_done, settings, record, OPTIONS)
        truth = rng.randrange(OPTIONS)
        value = _answer(accuracy, truth, rng)
        correct = value == truth
        values.append(str(value))
        if is_gold:
            record.append(correct)
        if step is Step.TRAINING:
            training_done += 1
            streak = streak + 1 if correct else 0
        elif step is Step.EXAM:
            exam_done += 1
            exam_correct += correct
            scored = scored.add(GoldScore(int(correct), 1))
            progress = _progress(training_done, streak, exam_done, exam_correct)
            if exam_due(progress, settings):
                standing, _ = grade_exam(standing, progress, settings, NOW)
                exam_done = exam_correct = 0
        else:
            production_done += 1
            if is_gold:
                scored = scored.add(GoldScore(int(correct), 1))
            evidence = Evidence(gold=scored,
                                values=values[-same_answer_limit(settings, "single"):])
            verdicts = evaluate(evidence, settings, options=OPTIONS, answer_type="single")
            if to_apply(verdicts, frozenset())[0] is not None:
                standing = replace(standing, status=Status.SUSPENDED)
        gold_by_task.append(len(record))
        if standing.suspended:
            return Path(task, standing.phase is Stage.PRODUCTION, gold_by_task)
    return Path(None, standing.phase is Stage.PRODUCTION, gold_by_task)


def _progress(training_done: int, streak: int, exam_done: int, exam_correct: int
              ) -> Progress:
    return Progress(training_done=training_done, training_left=PLENTY,
                    training_streak=streak, exam_done=exam_done, exam_correct=exam_correct,
                    gold_left=PLENTY)


def _gold_within(path: Path, tasks: int) -> int:
    done = path.gold_by_task[:tasks]
    return done[-1] if done else 0


def summarize(settings: QualitySettings, accuracy: float, draws: int, seed: int) -> Summary:
    """Return the figures of one kind of annotator over ``draws`` seeded draws."""
    rng = random.Random(seed)
    paths = [simulate(settings, accuracy, 100, rng) for _ in range(draws)]
    return Summary(
        qualified=sum(p.qualified for p in paths) / draws,
        working_at_25=sum(p.suspended_after is None or p.suspended_after >= 25
                          for p in paths) / draws,
        suspended_by_100=sum(p.suspended_after is not None for p in paths) / draws,
        gold_in_20=sum(_gold_within(p, 20) for p in paths) / draws,
        gold_in_100=sum(_gold_within(p, 100) for p in paths) / draws)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the figures for today's settings and the defaults."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = {name: {kind: summarize(settings, accuracy, args.draws, args.seed)
                      for kind, accuracy in KINDS.items()}
               for name, settings in (("today", TODAY), ("defaults", DEFAULTS))}
    if args.json:
        print(json.dumps({name: {kind: vars_of(s) for kind, s in rows.items()}
                          for name, rows in results.items()}, indent=2))
        return
    print(f"{args.draws} draws per row, seed {args.seed}, {OPTIONS} options")
    print(f"{'':10} {'kind':17} {'qualified':>9} {'working@25':>10} {'susp.<=100':>10} "
          f"{'gold/20':>8} {'gold/100':>8}")
    for name, rows in results.items():
        for kind, s in rows.items():
            print(f"{name:10} {kind:17} {s.qualified:9.4f} {s.working_at_25:10.4f} "
                  f"{s.suspended_by_100:10.4f} {s.gold_in_20:8.2f} {s.gold_in_100:8.2f}")


def vars_of(summary: Summary) -> dict[str, float]:
    """Return a summary as a plain dict (for JSON)."""
    return {"qualified": summary.qualified, "working_at_25": summary.working_at_25,
            "suspended_by_100": summary.suspended_by_100,
            "gold_in_20": summary.gold_in_20, "gold_in_100": summary.gold_in_100}


if __name__ == "__main__":
    main()
