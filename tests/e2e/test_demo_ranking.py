"""The rankings demo, small, through the real bot and the sandbox.

Ten annotators on 40 items (8 of them gold), with quality control as the demo runs it:
one careless member (random taps) and two position-biased ones, who tap the top response
left at every pick ("always the first shown"). Standings and answers are read from the
database the demo leaves behind.

A ranker who always puts the top response first is right on a quarter of the gold, so the
exam stops most of them before the position rule can see them; one who passes by luck is
stopped by the gold rule or, at their 12th answer, by the position rule (twelve top picks
of twelve, where chance gives a quarter: p = 6e-8). So each biased member must be
suspended by one of these three rules, and the summary must count exactly what the
standings say. On this seed the exam stopped one biased ranker and the position rule the
other (at their 12th answer) in each of the 19 runs measured, and no careful one was
suspended. The floors sit well below what those runs reached (best response 0.75-0.88,
Kendall tau 0.80-0.91). Flood control is off: it only slows the run down.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

from bot.crowd import Style
from bot.demo_kinds import kind_crowd, run_kind_demo
from bot.demo_session import DemoOptions

BEST_FLOOR = 0.5  # the consensus best response against the truth (a random pick: 0.25)
TAU_FLOOR = 0.5  # mean Kendall tau of the consensus orders (a random order: 0)


def standings(out: Path) -> dict[int, tuple[str, str | None]]:
    with sqlite3.connect(out / "demo.db") as connection:
        return {int(a): (str(status), rule) for a, status, rule in connection.execute(
            "SELECT annotator_id, status, rule FROM standings")}


async def test_the_rankings_demo_stops_its_always_first_rankers(tmp_path: Path) -> None:
    demo = DemoOptions(annotators=10, items=40, careless=0.1, biased=0.2, seed=4,
                       out=tmp_path / "demo", sample="ranking", flood_control=False)
    summary = await run_kind_demo(demo)
    crowd = kind_crowd(demo)
    found = standings(demo.out)
    biased = [m.user_id for m in crowd if m.style is Style.POSITION]
    careful = [m.user_id for m in crowd if m.style is Style.CAREFUL]
    assert len(biased) == 2 and len(careful) == 7
    with sqlite3.connect(demo.out / "demo.db") as connection:
        details = [(int(a), json.loads(d)) for a, d in connection.execute(
            "SELECT annotator_id, detail FROM answers")]
    assert details and all(d["choices"] == 4 and len(d["ranking"]) == 4 for _, d in details)
    for who in biased:  # the response shown on top ranked best, every time
        assert {d["position"] for a, d in details if a == who} == {0}
        status, rule = found[who]
        assert status == "suspended" and rule in ("position", "exam", "gold"), (who, rule)
    tops = Counter(d["position"] for a, d in details if a in careful)
    assert len(tops) == 4 and tops[0] < sum(tops.values()) / 2  # anywhere on the screen
    assert all(found.get(user, ("", None))[1] != "position" for user in careful)
    # the summary says what the standings say
    assert (summary.biased, summary.biased_style, summary.biased_stopped) == (2, "position", 2)
    assert summary.biased_by_position == sum(found[b][1] == "position" for b in biased)
    assert summary.biased_by_position >= 1
    assert summary.careful_by_position == 0
    assert summary.careful_stopped == sum(found.get(u, ("", None))[0] == "suspended"
                                          for u in careful)
    assert dict(summary.stopped_by_rule) == dict(Counter(
        str(rule) for status, rule in found.values() if status == "suspended"))
    assert summary.items_labelled == summary.regular_items == 32
    assert summary.accuracy >= BEST_FLOOR
    assert summary.ranking_tau is not None and summary.ranking_tau >= TAU_FLOOR
    assert summary.top_two is not None and summary.exact_rankings is not None
    assert summary.models_tau is not None and summary.models_tau > 0
    assert summary.answers_per_item >= 3 and summary.api_calls > 3 * summary.answers
