"""The in-process storage benchmark runs and measures both designs (no figure is asserted)."""

from __future__ import annotations

from benchmarks.storage import measure


async def test_the_storage_benchmark_measures_both_designs() -> None:
    rows = dict(await measure(annotators=5, answers=40, rate=400.0, load=0.2))
    assert set(rows) >= {"capacity, on a thread", "capacity, inline",
                         "400 taps/s beside a 20% busy loop, inline",
                         "400 taps/s beside a 20% busy loop, on a thread"}
    assert all("answers/s" in rows[f"capacity, {name}"] for name in ("inline", "on a thread"))
