"""40 simulated annotators through the sandbox with quality control on (benchmarks/quality).

30 careful (85-95% accurate), 5 random clickers and 5 who always press the first button,
on 300 items (15% gold, overlap 3, gold rate 10%): every clicker is suspended before their
25th task (or, rarely, a lucky one runs out of work first), no careful annotator is, every
item ends with 3 answers from annotators in good standing, and majority vote over the
export is at least 95% right.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.quality import run_trial, sample


async def test_quality_control_stops_clickers_and_keeps_the_careful(tmp_path: Path) -> None:
    trial = await run_trial(sample(), True, tmp_path, seed=4)
    assert trial.not_suspended["careful"] == 30
    clickers = trial.suspended["random"] + trial.suspended["constant"]
    assert max(clickers) < 25
    # A random clicker who passes the exam by luck (about 1 in 10) is caught by the gold
    # checks, one task in ten; once in a CI run one finished the work before: then they
    # answered fewer than 25 tasks, and nine of ten clickers are stopped all the same.
    escaped = trial.answered_unsuspended["random"] + trial.answered_unsuspended["constant"]
    assert len(clickers) >= 9 and all(answered < 25 for answered in escaped), escaped
    assert trial.items_complete == trial.items_regular == 255
    assert trial.accuracy >= 0.95
