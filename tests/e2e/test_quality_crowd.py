"""40 simulated annotators through the sandbox with quality control on (benchmarks/quality).

30 careful (85-95% accurate), 5 random clickers and 5 who always press the first button,
on 300 items (15% gold, overlap 3, gold rate 10%): every clicker is suspended before their
25th task, no careful annotator is, every item ends with 3 answers from annotators in good
standing, and majority vote over the export is at least 95% right.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.quality import run_trial, sample


async def test_quality_control_stops_clickers_and_keeps_the_careful(tmp_path: Path) -> None:
    trial = await run_trial(sample(), True, tmp_path, seed=4)
    assert trial.not_suspended == {"careful": 30, "random": 0, "constant": 0}
    clickers = trial.suspended["random"] + trial.suspended["constant"]
    assert len(clickers) == 10 and max(clickers) < 25
    assert trial.items_complete == trial.items_regular == 255
    assert trial.accuracy >= 0.95
