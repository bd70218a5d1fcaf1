"""Benchmark pairwise preference aggregation on a simulated crowd judging model outputs.

Usage (crowd-kit comes with the optional extra: ``pip install -e '.[bench]'``)::

    .venv/bin/python benchmarks/pairwise.py                        # seed 2024, 400 prompts
    .venv/bin/python benchmarks/pairwise.py --seed 7 --prompts 1000 --json

Simulation (one ``numpy`` generator per run): ``--models`` candidates (default 8) with
latent strengths ~ N(0, 0.5); each prompt pairs two of them, and its hidden quality
difference is the strength difference plus N(0, 1) prompt noise; the truth is that
difference cut into the scale's levels (A much better ... B much better, optionally a tie
band). 40 annotators: 70% careful (their own noise, sd 0.3-0.9, on the difference before
cutting it), 15% careless (a uniformly random level), 15% position-biased (always "the
first shown is better", much or not). Each prompt gets 3-5 answers; 5% of the prompts are
gold (clamped, not scored). The two responses are shown in a random order per answer and
the votes are mapped back to the items' own A/B (the design of issue 13); ``fixed order``
scenarios show A first every time, so position bias becomes a bias towards A.

Per item (non-gold prompts): accuracy of the preferred side against the truth (tie is a
side on the tie scale), exact-level accuracy where a method gives levels, expected
calibration error of the side confidence, seconds. Per model: Spearman and Kendall
correlation of recovered strengths with the latent ones, seconds. crowd-kit's pairwise
methods take no ties (tied votes are dropped for them) and get the shown order as
left/right, which lets NoisyBT model each annotator's position bias.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from annotation.aggregation import (
    AggregationResult,
    Comparison,
    LevelVote,
    Side,
    Vote,
    aggregate_preferences,
    bradley_terry,
    dawid_skene,
    majority_vote,
)
from annotation.aggregation.calibration import expected_calibration_error
from annotation.aggregation.ordinal import choose_side_and_level, side_probabilities

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]
T = TypeVar("T")

FOUR = (-2, -1, 1, 2)
FIVE = (-2, -1, 0, 1, 2)
SIDE_NAMES = {Side.A: "a", Side.B: "b", Side.TIE: "tie"}


@dataclass(frozen=True, slots=True, eq=False)
class Judgments:
    """A simulated crowd's answers, with the hidden truth."""

    levels: tuple[int, ...]
    strength: FloatArray  # (models,)
    model_a: IntArray  # (prompts,)
    model_b: IntArray
    truth: IntArray  # (prompts,) true level
    gold: npt.NDArray[np.bool_]  # (prompts,)
    item: IntArray  # (answers,)
    annotator: IntArray
    level: IntArray  # in the item's own A/B
    a_shown_first: npt.NDArray[np.bool_]
    kind: tuple[str, ...]  # per annotator


@dataclass(frozen=True, slots=True)
class ItemScore:
    """How one per-item method did."""

    method: str
    side_accuracy: float
    level_accuracy: float | None
    side_ece: float | None
    seconds: float


@dataclass(frozen=True, slots=True)
class RankScore:
    """How one strength estimator did."""

    method: str
    spearman: float
    kendall: float
    pearson: float  # of log-strengths with the latent strengths
    seconds: float


def cut(difference: FloatArray, levels: tuple[int, ...]) -> IntArray:
    """Cut quality differences (B minus A) into levels: |d| > 1 is "much", |d| <= 0.25 a tie."""
    if 0 in levels:
        return np.select(
            [difference < -1.0, difference < -0.25, difference <= 0.25, difference <= 1.0],
            [-2, -1, 0, 1], 2,
        ).astype(np.intp)
    return np.select([difference < -1.0, difference < 0.0, difference <= 1.0], [-2, -1, 1],
                     2).astype(np.intp)


def simulate(seed: int, prompts: int, models: int, levels: tuple[int, ...],
             shuffle: bool, annotators: int = 40) -> Judgments:
    """Draw strengths, prompts, annotators and their answers."""
    rng = np.random.default_rng(seed)
    strength = rng.normal(0.0, 0.5, models)
    model_a = rng.integers(0, models, prompts)
    model_b = (model_a + rng.integers(1, models, prompts)) % models
    difference = strength[model_b] - strength[model_a] + rng.normal(0.0, 1.0, prompts)
    truth = cut(difference, levels)
    gold = np.zeros(prompts, dtype=bool)
    gold[rng.choice(prompts, max(1, prompts // 20), replace=False)] = True
    n_careless = n_biased = round(0.15 * annotators)
    kind = ("careful",) * (annotators - n_careless - n_biased) + ("careless",) * n_careless \
        + ("position",) * n_biased
    noise = rng.uniform(0.3, 0.9, annotators)
    overlap = rng.integers(3, 6, prompts)
    item = np.repeat(np.arange(prompts), overlap)
    annotator = np.concatenate([rng.choice(annotators, k, replace=False) for k in overlap])
    a_first = rng.random(item.size) < 0.5  # drawn either way: scenarios differ only here
    if not shuffle:
        a_first[:] = True
    perceived = cut(difference[item] + rng.normal(0.0, 1.0, item.size) * noise[annotator],
                    levels)
    random_level = np.asarray(levels)[rng.integers(0, len(levels), item.size)]
    first_better = np.where(rng.random(item.size) < 0.5, -2, -1)  # in shown order
    position = np.where(a_first, first_better, -first_better)  # back to the item's A/B
    kinds = np.asarray(kind)[annotator]
    level = np.where(kinds == "careful", perceived,
                     np.where(kinds == "careless", random_level, position)).astype(np.intp)
    return Judgments(levels, strength, model_a, model_b, truth, gold, item,
                     annotator.astype(np.intp), level, a_first, kind)


def side_of(level: int) -> Side:
    """Return the side a level speaks for."""
    return Side.A if level < 0 else Side.B if level > 0 else Side.TIE


def timed(run: Callable[[], T], repeats: int = 3) -> tuple[T, float]:
    """Run ``repeats`` times; return the last result and the best time."""
    best, result = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return result, float(best)


def score_items(name: str, j: Judgments, sides: list[Side], confidence: list[float] | None,
                levels: list[int] | None, seconds: float) -> ItemScore:
    """Score per-item sides (and levels) on the non-gold prompts."""
    keep = ~j.gold
    truth_sides = np.asarray([side_of(int(t)) for t in j.truth])
    hits = (np.asarray(sides) == truth_sides)[keep]
    level_accuracy = None
    if levels is not None:
        level_accuracy = float(np.mean((np.asarray(levels) == j.truth)[keep]))
    ece = None
    if confidence is not None:
        ece = expected_calibration_error(np.asarray(confidence)[keep], hits)
    return ItemScore(name, float(hits.mean()), level_accuracy, ece, seconds)


def run_items(j: Judgments) -> tuple[list[ItemScore], list[Side]]:
    """Run the per-item methods; return their scores and the ordinal method's sides."""
    items = [f"p{i}" for i in range(j.truth.size)]
    names = [f"w{a}" for a in j.annotator]
    votes = [LevelVote(items[i], names[n], int(k))
             for n, (i, k) in enumerate(zip(j.item, j.level, strict=True))]
    gold_levels = {items[i]: int(j.truth[i]) for i in np.flatnonzero(j.gold)}
    side_labels = [SIDE_NAMES[s] for s in (Side.A, Side.B, Side.TIE)][: 3 if 0 in j.levels else 2]
    side_votes = [Vote(v.item, v.annotator, SIDE_NAMES[side_of(v.level)]) for v in votes]
    gold_sides = {i: SIDE_NAMES[side_of(k)] for i, k in gold_levels.items()}
    level_votes = [Vote(v.item, v.annotator, str(v.level)) for v in votes]
    gold_strings = {i: str(k) for i, k in gold_levels.items()}
    by_name = {name: side for side, name in SIDE_NAMES.items()}
    scores = []

    ours, seconds = timed(lambda: aggregate_preferences(votes, levels=j.levels, items=items,
                                                        gold=gold_levels))
    labels = [ours.items[i] for i in items]
    chosen = [label.side or Side.A for label in labels]
    scores.append(score_items(
        "annobot aggregate_preferences (default)", j, chosen,
        [max(label.p_a, label.p_b, label.p_tie) for label in labels],
        [label.level if label.level is not None else 0 for label in labels], seconds))

    def levels_only() -> tuple[FloatArray, IntArray, IntArray]:
        result = dawid_skene(level_votes, labels=[str(k) for k in j.levels], items=items,
                             gold=gold_strings)
        probabilities = np.asarray([[result.items[i].probabilities.get(str(k), 0.0)
                                     for k in j.levels] for i in items])
        return (side_probabilities(probabilities, j.levels),
                *choose_side_and_level(probabilities, j.levels))

    (sides, side_idx, level_idx), seconds = timed(levels_only)
    scores.append(score_items(
        "annobot DS on levels only, side by summed posterior", j,
        [(Side.A, Side.B, Side.TIE)[max(int(s), 0)] for s in side_idx], sides.max(axis=1).tolist(),
        [j.levels[int(k)] if k >= 0 else 0 for k in level_idx], seconds))

    methods: tuple[tuple[str, Callable[..., AggregationResult]], ...] = (
        ("annobot DS on sides only", dawid_skene), ("majority vote on sides", majority_vote))
    for title, method in methods:
        result, seconds = timed(partial(method, side_votes, labels=side_labels, items=items,
                                        gold=gold_sides))
        scores.append(score_items(
            title, j, [by_name[result.items[i].label or "a"] for i in items],
            [result.items[i].confidence for i in items], None, seconds))

    result, seconds = timed(lambda: majority_vote(level_votes, labels=[str(k) for k in j.levels],
                                                  items=items, gold=gold_strings))
    top = [int(result.items[i].label or 0) for i in items]
    scores.append(score_items("majority vote on levels", j, [side_of(k) for k in top],
                              [result.items[i].confidence for i in items], top, seconds))

    means = np.bincount(j.item, weights=j.level, minlength=j.truth.size) / np.maximum(
        np.bincount(j.item, minlength=j.truth.size), 1)
    means[j.gold] = j.truth[j.gold]
    tie_band = 0.5 if 0 in j.levels else 0.0
    mean_sides = [Side.TIE if abs(m) < tie_band else Side.A if m <= 0 else Side.B
                  for m in means]
    scores.append(score_items("sign of the mean vote", j, mean_sides, None, None, 0.0))
    return scores, chosen


def spearman(x: FloatArray, y: FloatArray) -> float:
    """Rank correlation (no ties expected in continuous scores)."""
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    return float(np.corrcoef(rx, ry)[0, 1])


def kendall(x: FloatArray, y: FloatArray) -> float:
    """Kendall's tau-a over all pairs."""
    i, k = np.triu_indices(x.size, 1)
    return float(np.mean(np.sign(x[i] - x[k]) * np.sign(y[i] - y[k])))


def run_ranks(j: Judgments, chosen: list[Side], with_crowdkit: bool) -> list[RankScore]:
    """Recover model strengths from per-answer and per-item comparisons."""
    models = [f"m{m}" for m in range(j.strength.size)]
    a = j.model_a[j.item]
    b = j.model_b[j.item]
    per_vote = [Comparison(models[x] if k < 0 else models[y], models[y] if k < 0 else models[x],
                           tie=k == 0)
                for x, y, k in zip(a.tolist(), b.tolist(), j.level.tolist(), strict=True)]
    keep = ~j.gold  # gold items are not judgments of the models
    per_item = [Comparison(models[x] if s is not Side.B else models[y],
                           models[y] if s is not Side.B else models[x], tie=s is Side.TIE)
                for x, y, s, g in zip(j.model_a.tolist(), j.model_b.tolist(), chosen, keep,
                                      strict=True) if g]
    scores = []
    for title, comparisons in (("annobot Bradley-Terry (Davidson), every answer", per_vote),
                               ("annobot Bradley-Terry on aggregated items", per_item)):
        fitted, seconds = timed(partial(bradley_terry, comparisons, candidates=models))
        found = np.asarray([fitted.scores[m].score for m in models])
        scores.append(rank_score(title, found, j.strength, seconds))
    if with_crowdkit:
        scores += run_crowdkit(j)
    return scores


def run_crowdkit(j: Judgments) -> list[RankScore]:
    """Fit crowd-kit's BradleyTerry and NoisyBT on the decisive answers, shown order kept."""
    warnings.simplefilter("ignore")
    import crowdkit.aggregation as ck
    import pandas as pd

    decisive = j.level != 0
    a, b = j.model_a[j.item], j.model_b[j.item]
    left = np.where(j.a_shown_first, a, b)[decisive]
    right = np.where(j.a_shown_first, b, a)[decisive]
    winner = np.where(j.level < 0, a, b)[decisive]
    frame = pd.DataFrame({"worker": j.annotator[decisive], "left": left, "right": right,
                          "label": winner})
    # each maps crowd-kit's score to a log-strength: BT scores are strengths summing to 1,
    # NoisyBT's are expit(log-strength)
    fits: dict[str, tuple[Callable[[], pd.Series], Callable[[FloatArray], FloatArray]]] = {
        "crowd-kit BradleyTerry (n_iter=100, default tol)":
            (lambda: ck.BradleyTerry(n_iter=100).fit_predict(frame), np.log),
        "crowd-kit BradleyTerry (n_iter=1000, tol=-1: no early stop)":
            (lambda: ck.BradleyTerry(n_iter=1000, tol=-1.0).fit_predict(frame), np.log),
        "crowd-kit NoisyBT (n_iter=100)":
            (lambda: ck.NoisyBradleyTerry(n_iter=100).fit_predict(frame),
             lambda p: np.log(p) - np.log1p(-p)),
    }
    scores = []
    for title, (fit, to_log) in fits.items():
        series, seconds = timed(fit, repeats=1)
        values = np.full(j.strength.size, np.nan)
        values[series.index.to_numpy(dtype=np.intp)] = to_log(series.to_numpy(dtype=np.float64))
        values[~np.isfinite(values)] = np.nanmin(values[np.isfinite(values)]) - 10.0
        scores.append(rank_score(title, values, j.strength, seconds))
    return scores


def rank_score(title: str, found: FloatArray, truth: FloatArray, seconds: float) -> RankScore:
    """Compare recovered log-strengths with the latent strengths."""
    return RankScore(title, spearman(found, truth), kendall(found, truth),
                     float(np.corrcoef(found, truth)[0, 1]), seconds)


def cell(values: list[float | None], digits: int = 3) -> str:
    """Format one figure, or the mean and range of one figure over several seeds."""
    known = [v for v in values if v is not None]
    if not known:
        return "-"
    mean = f"{np.mean(known):.{digits}f}"
    if len(known) == 1:
        return mean
    return f"{mean} ({min(known):.{digits}f}-{max(known):.{digits}f})"


def print_scenario(title: str, runs: list[tuple[list[ItemScore], list[RankScore]]]) -> None:
    """Print one scenario's two tables in Markdown (means and ranges over seeds)."""
    print(f"\n### {title}\n")
    print("| per-item method | side accuracy | level accuracy | side ECE | seconds |")
    print("|---|---|---|---|---|")
    for k, first in enumerate(runs[0][0]):
        rows = [items[k] for items, _ in runs]
        print(f"| {first.method} | {cell([r.side_accuracy for r in rows])} | "
              f"{cell([r.level_accuracy for r in rows])} | {cell([r.side_ece for r in rows])} | "
              f"{cell([r.seconds for r in rows])} |")
    print("\n| strengths from | Spearman | Kendall | Pearson (log) | seconds |")
    print("|---|---|---|---|---|")
    for k, head in enumerate(runs[0][1]):
        fits = [ranks[k] for _, ranks in runs]
        print(f"| {head.method} | {cell([r.spearman for r in fits])} | "
              f"{cell([r.kendall for r in fits])} | {cell([r.pearson for r in fits])} | "
              f"{cell([r.seconds for r in fits])} |")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--seeds", help="comma-separated seeds: tables show mean (min-max)")
    parser.add_argument("--prompts", type=int, default=400)
    parser.add_argument("--models", type=int, default=8)
    parser.add_argument("--no-crowdkit", action="store_true", help="skip crowd-kit's methods")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    return parser.parse_args(argv)


SCENARIOS = (("4 levels, order shuffled", FOUR, True),
             ("5 levels with a tie, order shuffled", FIVE, True),
             ("4 levels, A always shown first", FOUR, False))


def main(argv: list[str] | None = None) -> None:
    """Run every scenario for each seed and print the figures."""
    args = parse_args(argv)
    seeds = [int(x) for x in args.seeds.split(",")] if args.seeds else [args.seed]
    with_crowdkit = not args.no_crowdkit
    if with_crowdkit:
        try:
            import crowdkit  # noqa: F401
        except ImportError:
            print("crowd-kit not installed (pip install -e '.[bench]'): its rows are left out",
                  file=sys.stderr)
            with_crowdkit = False
    results: dict[str, list[tuple[list[ItemScore], list[RankScore]]]] = {}
    answers: dict[str, list[int]] = {}
    for title, levels, shuffle in SCENARIOS:
        for seed in seeds:
            judgments = simulate(seed, args.prompts, args.models, levels, shuffle)
            items, chosen = run_items(judgments)
            ranks = run_ranks(judgments, chosen, with_crowdkit)
            results.setdefault(title, []).append((items, ranks))
            answers.setdefault(title, []).append(int(judgments.item.size))
    if args.json:
        print(json.dumps({
            "seeds": seeds, "prompts": args.prompts, "models": args.models,
            "python": platform.python_version(), "numpy": np.__version__,
            "scenarios": {
                title: [{"seed": seed, "answers": n, "items": [asdict(s) for s in items],
                         "strengths": [asdict(r) for r in ranks]}
                        for seed, n, (items, ranks) in zip(seeds, answers[title], runs,
                                                           strict=True)]
                for title, runs in results.items()
            },
        }, indent=2))
        return
    print(f"seeds {', '.join(map(str, seeds))}; {args.prompts} prompts, {args.models} models, "
          "40 annotators (28 careful, 6 careless, 6 position-biased); "
          f"Python {platform.python_version()}, numpy {np.__version__}")
    for title, runs in results.items():
        print_scenario(f"{title} ({cell([float(n) for n in answers[title]], 0)} answers)", runs)


if __name__ == "__main__":
    main()
