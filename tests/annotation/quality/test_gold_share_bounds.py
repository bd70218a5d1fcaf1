"""The defaults still catch careless annotators early, for fewer gold answers (a seeded
Monte-Carlo of the rules, ``benchmarks/gold_share.py``: same draws every run)."""

from __future__ import annotations

from benchmarks.gold_share import CONSTANT, DEFAULTS, RANDOM, TODAY, summarize


def test_a_random_clicker_is_rarely_still_working_at_the_25th_task() -> None:
    clicker = summarize(DEFAULTS, RANDOM, draws=3000, seed=11)
    today = summarize(TODAY, RANDOM, draws=3000, seed=11)
    assert clicker.working_at_25 < 0.04 < today.working_at_25
    assert clicker.gold_in_20 < today.gold_in_20
    assert summarize(DEFAULTS, CONSTANT, draws=300, seed=11).working_at_25 == 0


def test_careful_annotators_stay_and_cost_less_gold() -> None:
    careful = summarize(DEFAULTS, 0.9, draws=400, seed=11)
    today = summarize(TODAY, 0.9, draws=400, seed=11)
    assert careful.suspended_by_100 < 0.01
    assert careful.gold_in_20 < 0.65 * today.gold_in_20
    assert careful.gold_in_100 < 0.75 * today.gold_in_100
