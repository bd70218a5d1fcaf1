"""The transcript benchmark runs on a small simulated crowd (a fixed seed, so the comparison
with a single transcript is deterministic)."""

from __future__ import annotations

import pytest

from annotation.aggregation.transcripts import normalize_transcript
from benchmarks.transcripts import SENTENCES, main, run_methods, simulate


def test_the_simulated_crowd_is_scored_by_every_method() -> None:
    scenario = simulate(seed=1, items=60, overlap=3)

    assert len(scenario.answers) == 180
    assert set(scenario.truth.values()) <= {normalize_transcript(t) for t in SENTENCES}
    rows = {row.method: row for row in run_methods(scenario, weighted=True)}

    single, rover = rows["one transcript (overlap 1)"], rows["rover (default)"]
    assert rover.wer < single.wer and rover.cer < single.cer
    assert rows["oracle: the best transcript of the item"].cer <= rows["medoid"].cer
    for row in rows.values():
        assert 0.0 <= row.exact <= 1.0
        assert row.auroc is None or 0.0 <= row.auroc <= 1.0
    assert rover.ms_per_1000 is not None and rover.ms_per_1000 > 0


def test_the_benchmark_prints_its_command_and_tables(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--seeds", "1", "--items", "10"])

    out = capsys.readouterr().out
    command = "command: .venv/bin/python benchmarks/transcripts.py --seeds 1 --items 10"
    assert out.startswith(command)
    assert out.count("| rover (default) |") == 4
    assert "Gold answers by kind of annotator" in out
