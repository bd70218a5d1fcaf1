"""Dataset writers on hand-built rows: CSV safety, rolling files, zip parts, Label Studio."""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotation.datasets.archive import FileTooLarge, write_archives
from annotation.datasets.huggingface import dataset_card, media_file_name
from annotation.datasets.label_studio import iter_tasks, labeling_config
from annotation.datasets.pseudonyms import Pseudonymizer, pseudonym
from annotation.datasets.records import DatasetCard, LabeledItem, RawAnswer
from annotation.datasets.tabular import neutralize_cell, write_csv, write_jsonl
from annotation.models import AnswerType, MediaKind

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+33 1", "'+33 1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("-cmd", "'-cmd"), ("\tx", "'\tx"), ("-3", "-3"), ("+2.5", "+2.5"), ("cat", "cat"), (7, 7),
])
def test_formula_cells_are_neutralized(cell: object, safe: object) -> None:
    assert neutralize_cell(cell) == safe


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


def test_archives_split_in_order_and_refuse_a_file_too_big(tmp_path: Path) -> None:
    files = []
    for n in range(5):
        path = tmp_path / f"f{n}.bin"
        path.write_bytes(bytes([n]) * 400)
        files.append((f"d/f{n}.bin", path))
    parts = write_archives(files, tmp_path / "out", "export", max_bytes=1200)
    assert [p.name for p in parts] == ["export-part1.zip", "export-part2.zip",
                                       "export-part3.zip"]
    names = [n for p in parts for n in zipfile.ZipFile(p).namelist()]
    assert names == [name for name, _ in files]
    assert all(p.stat().st_size <= 1200 for p in parts)
    with pytest.raises(FileTooLarge):
        write_archives(files, tmp_path / "out2", "x", max_bytes=300)
    single = write_archives(files[:1], tmp_path / "out3", "one", max_bytes=1200)
    assert [p.name for p in single] == ["one.zip"]


def test_pseudonyms_differ_by_project_and_secret() -> None:
    assert pseudonym(b"k", 1, 42) == pseudonym(b"k", 1, 42)
    assert pseudonym(b"k", 1, 42) != pseudonym(b"k", 2, 42)
    assert pseudonym(b"k", 1, 42) != pseudonym(b"other", 1, 42)
    assert Pseudonymizer(b"k", 1, reveal_ids=True)(42) == "42"
    assert "42" not in Pseudonymizer(b"k", 1)(42)


def _item(item_id: str, kind: MediaKind, label: str | None) -> LabeledItem:
    media = media_file_name(item_id, "x.jpg") if kind is not MediaKind.TEXT else None
    return LabeledItem(item_id, kind, "some text", media, None, label, 0.8, 2, 1.0,
                       {label or "": 2}, "dawid_skene")


def test_label_studio_tasks_pair_answers_with_their_items() -> None:
    items = [_item("t1", MediaKind.TEXT, "cat"), _item("i/2", MediaKind.IMAGE, "dog"),
             _item("t3", MediaKind.TEXT, None)]
    answers = [RawAnswer("t1", "a_1", "cat", 1.0, False, None, False, WHEN),
               RawAnswer("t1", "a_2", "cat", 2.0, False, None, False, WHEN),
               RawAnswer("i/2", "a_1", "dog", 1.5, False, None, True, WHEN)]
    tasks = list(iter_tasks(items, answers, AnswerType.SINGLE, "dawid_skene"))
    assert [len(t["annotations"]) for t in tasks] == [2, 1, 0]  # type: ignore[arg-type]
    assert tasks[1]["data"]["image"].startswith("/data/local-files/")  # type: ignore[index]
    assert tasks[1]["annotations"][0]["was_cancelled"] is True  # type: ignore[index]
    assert "predictions" not in tasks[2]
    config = labeling_config([MediaKind.TEXT, MediaKind.IMAGE], AnswerType.SINGLE,
                             ("cat", "dog", 'say "hi"'))
    assert '<Image name="image" value="$image"/>' in config
    assert 'toName="text,image"' in config and '<Choice value=\'say "hi"\'/>' in config


def test_media_file_names_are_safe_and_unique() -> None:
    assert media_file_name("img-1", "a.JPG") == "img-1.jpg"
    unsafe = media_file_name("../etc/passwd", "a.jpg")
    assert "/" not in unsafe and unsafe.endswith(".jpg")
    assert media_file_name("a/b", "x.jpg") != media_file_name("a_b", "x.jpg")


def test_dataset_card_states_method_agreement_and_distribution() -> None:
    card = DatasetCard("Cats", "Which?", "single", ("cat", "dog"), "dawid_skene", 10, 30, 5,
                       0.61, 0.8, {"cat": 6, "dog": 4}, WHEN)
    text = dataset_card(card, MediaKind.IMAGE, 10)
    assert text.startswith("---\ntags:") and "# Cats: images" in text
    assert "`dawid_skene`" in text and "0.610" in text and "| cat | 6 |" in text
    assert "pseudonyms" in text
