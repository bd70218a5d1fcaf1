"""The table writers on hand-built rows: CSV safety, rolling files with a header each."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.datasets.tabular import write_csv, write_jsonl


@given(st.lists(st.text(max_size=30), max_size=20))
def test_csv_round_trips_every_text_safely(tmp_path_factory: pytest.TempPathFactory,
                                           texts: list[str]) -> None:
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    write_csv(path, ("text",), [{"text": t} for t in texts])
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(texts)
    for row, text in zip(rows, texts, strict=True):
        assert row["text"] in (text, "'" + text)
        if text.startswith(("=", "+", "-", "@", "\t", "\r")) and not _is_number(text):
            assert row["text"] == "'" + text  # a spreadsheet would run it as a formula


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_tables_roll_over_at_the_limit_with_a_header_each(tmp_path: Path) -> None:
    rows = [{"n": n, "text": "x" * 50} for n in range(100)]
    csv_files = write_csv(tmp_path / "a.csv", ("n", "text"), rows, limit=1000)
    jsonl_files = write_jsonl(tmp_path / "a.jsonl", rows, limit=1000)
    assert len(csv_files) > 3 and csv_files[1].name == "a-2.csv"
    assert all(p.stat().st_size <= 1000 for p in csv_files + jsonl_files)
    read = [r for p in csv_files for r in csv.DictReader(p.read_text().splitlines())]
    assert [int(r["n"]) for r in read] == list(range(100))
    lines = [json.loads(x) for p in jsonl_files for x in p.read_text().splitlines()]
    assert [r["n"] for r in lines] == list(range(100))


def test_cells_are_rendered_for_spreadsheets(tmp_path: Path) -> None:
    rows = [{"a": {"cat": 2}, "b": True, "c": None, "d": "=1+1", "e": -3}]
    [path] = write_csv(tmp_path / "c.csv", ("a", "b", "c", "d", "e"), rows)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "a,b,c,d,e", '"{""cat"": 2}",true,,\'=1+1,-3']


def test_empty_tables_still_exist(tmp_path: Path) -> None:
    [csv_path] = write_csv(tmp_path / "e.csv", ("a", "b"), [])
    [jsonl_path] = write_jsonl(tmp_path / "e.jsonl", [])
    assert csv_path.read_bytes() == b"a,b\r\n" and jsonl_path.read_bytes() == b""
