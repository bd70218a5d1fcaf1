"""The comparisons and ratings demos, small, through the real bot and the sandbox.

Ten annotators on 40 items (8 of them gold), with quality control as the demo runs it:
one careless member (random taps) and two biased ones: "always A" clickers on the
comparisons, members who always give the same point on the ratings. Standings are read
from the database the demo leaves behind.

A clicker who always taps A is right on half the gold: the exam stops one in four before
the position rule can see them, and after a narrow pass one wrong gold check lets the
gold rule fire first; the position rule stops the others at their 12th comparison. So
each clicker must be suspended by one of these three rules, and the summary must count
exactly what the standings say. On this seed the position rule caught one of the two
clickers (at their 12th answer) and the gold rule the other (8th to 10th) in each of the
15 runs measured. The accuracy floors sit well below what those runs reached (pairwise
0.78-0.97; ratings 0.81-0.94 exact with a mean error of 0.06-0.19 points).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

from bot.crowd import Style
from bot.demo_kinds import POSITION_MIN_ANSWERS, kind_crowd, run_kind_demo
from bot.demo_session import DemoOptions

PAIRWISE_FLOOR = 0.6  # labels against the hidden truth (a coin flip scores 0.5)
RATINGS_FLOOR = 0.65  # exact points (a random point scores 0.2)
RATINGS_ERROR_CEILING = 0.4  # mean absolute error, in points


def options(sample: str, out: Path) -> DemoOptions:
    return DemoOptions(annotators=10, items=40, careless=0.1, biased=0.2, seed=5,
                       out=out, sample=sample)


def standings(out: Path) -> dict[int, tuple[str, str | None]]:
    with sqlite3.connect(out / "demo.db") as connection:
        return {int(a): (str(status), rule) for a, status, rule in connection.execute(
            "SELECT annotator_id, status, rule FROM standings")}


def rules_of(found: dict[int, tuple[str, str | None]]) -> Counter[str]:
    return Counter(str(rule) for status, rule in found.values() if status == "suspended")


async def test_the_comparisons_demo_stops_its_always_a_clickers(tmp_path: Path) -> None:
    demo = options("pairwise", tmp_path / "demo")
    summary = await run_kind_demo(demo)
    crowd = kind_crowd(demo)
    found = standings(demo.out)
    clickers = [m.user_id for m in crowd if m.style is Style.POSITION]
    careful = [m.user_id for m in crowd if m.style is Style.CAREFUL]
    assert len(clickers) == 2 and len(careful) == 7
    with sqlite3.connect(demo.out / "demo.db") as connection:
        picks = dict(connection.execute(
            "SELECT annotator_id, SUM(json_extract(detail, '$.position') = 0) * 1.0 / COUNT(*) "
            "FROM answers GROUP BY annotator_id"))
    for clicker in clickers:
        assert picks[clicker] == 1.0  # the response shown first, every time
        status, rule = found[clicker]
        assert status == "suspended" and rule in ("position", "exam", "gold"), (clicker, rule)
    assert all(found.get(user, ("", None))[1] != "position" for user in careful)
    # the summary says what the standings say
    assert (summary.biased, summary.biased_style, summary.biased_stopped) == (2, "position", 2)
    assert summary.biased_by_position == sum(found[c][1] == "position" for c in clickers)
    assert summary.biased_by_position >= 1
    assert summary.careful_by_position == 0
    assert summary.careful_stopped == sum(found.get(u, ("", None))[0] == "suspended"
                                          for u in careful)
    assert dict(summary.stopped_by_rule) == dict(rules_of(found))
    assert summary.items_labelled == summary.regular_items == 32
    assert summary.accuracy >= PAIRWISE_FLOOR and summary.mean_abs_error is None
    assert summary.answers_per_item >= 3 and summary.api_calls > summary.answers
    assert POSITION_MIN_ANSWERS == 12


async def test_the_ratings_demo_stops_its_constant_raters(tmp_path: Path) -> None:
    demo = options("ratings", tmp_path / "demo")
    summary = await run_kind_demo(demo)
    crowd = kind_crowd(demo)
    found = standings(demo.out)
    constant = [m.user_id for m in crowd if m.style is Style.CONSTANT]
    assert len(constant) == 2
    with sqlite3.connect(demo.out / "demo.db") as connection:
        points = {int(a): int(n) for a, n in connection.execute(
            "SELECT annotator_id, COUNT(DISTINCT value) FROM answers GROUP BY annotator_id")}
    for rater in constant:
        assert points[rater] == 1  # always the same point
        assert found[rater][0] == "suspended"
    assert (summary.biased, summary.biased_style, summary.biased_stopped) == (2, "constant", 2)
    assert summary.biased_by_position == summary.careful_by_position == 0
    assert dict(summary.stopped_by_rule) == dict(rules_of(found))
    assert summary.items_labelled == summary.regular_items == 32
    assert summary.accuracy >= RATINGS_FLOOR
    assert summary.mean_abs_error is not None
    assert summary.mean_abs_error <= RATINGS_ERROR_CEILING
    assert json.loads(json.dumps(summary.stopped_by_rule))  # JSON-ready
