"""The export folder (the ``DatasetFolder`` port on disk): each format's files, in place."""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotation.datasets.huggingface import media_file_name
from annotation.datasets.records import ALL_FORMATS, DatasetCard, Format, LabeledItem, RawAnswer
from annotation.models import MediaKind
from annotation.ports.datasets import DatasetFolder
from storage.datasets import open_dataset_folder

WHEN = datetime(2026, 1, 1, tzinfo=UTC)
CARD = DatasetCard("Cats", "Which?", "single", ("cat", "dog"), "majority", 2, 3, 2, None,
                   None, {"cat": 1, "dog": 1}, WHEN)


def _items() -> list[LabeledItem]:
    return [LabeledItem("t1", MediaKind.TEXT, "a cat", None, None, "cat", 1.0, 2, 1.0,
                        {"cat": 2}, "majority"),
            LabeledItem("i/2", MediaKind.IMAGE, "", media_file_name("i/2", "p.jpg"), None,
                        "dog", 1.0, 1, 1.0, {"dog": 1}, "majority")]


def _answer(item_id: str, annotator: str, label: str) -> RawAnswer:
    return RawAnswer(item_id, annotator, label, 1.5, False, None, False, WHEN)


def test_answers_are_appended_batch_by_batch(tmp_path: Path) -> None:
    folder: DatasetFolder = open_dataset_folder(tmp_path / "out", frozenset({Format.TABLES}))
    folder.add_answers([_answer("t1", "a_1", "cat")])
    folder.add_answers([_answer("t1", "a_2", "=cat"), _answer("i/2", "a_1", "dog")])
    folder.close_answers()
    folder.add_labels(_items(), CARD)
    tables = folder.path / "tables"
    rows = list(csv.DictReader((tables / "answers.csv").read_text().splitlines()))
    assert [(r["annotator"], r["label"]) for r in rows] == [
        ("a_1", "cat"), ("a_2", "'=cat"), ("a_1", "dog")]
    lines = [json.loads(x) for x in (tables / "answers.jsonl").read_text().splitlines()]
    assert [x["label"] for x in lines] == ["cat", "=cat", "dog"]
    assert [p.relative_to(folder.path).as_posix() for p in folder.files()] == [
        "tables/answers.csv", "tables/answers.jsonl", "tables/labels.csv",
        "tables/labels.jsonl"]


def test_every_format_lands_in_its_folder_and_zips_beside_it(tmp_path: Path) -> None:
    folder = open_dataset_folder(tmp_path / "project1", ALL_FORMATS)
    folder.close_answers()
    items = _items()
    folder.add_media(items[1], b"\xff\xd8photo")
    folder.add_labels(items, CARD)

    def tasks() -> Iterator[Mapping[str, object]]:
        yield from ({"id": n, "data": {"item_id": i.item_id}} for n, i in enumerate(items))

    written = folder.add_label_studio(tasks(), "<View/>\n")
    assert [p.name for p in written] == ["label_studio_tasks.json", "label_studio_config.xml"]
    assert [t["id"] for t in json.loads(written[0].read_text())] == [0, 1]
    hf = folder.path / "huggingface"
    assert (hf / "images" / items[1].media_file).read_bytes() == b"\xff\xd8photo"  # type: ignore[operator]
    assert json.loads((hf / "text/train.jsonl").read_text())["text"] == "a cat"
    assert (hf / "images/README.md").read_text().startswith("---\n")
    files = folder.files()
    assert files == sorted(files) and written[0] in files
    archives = folder.archive(files, 10_000_000)
    assert archives == [tmp_path / "project1.zip"]
    with zipfile.ZipFile(archives[0]) as archive:
        assert archive.namelist() == [p.relative_to(folder.path).as_posix() for p in files]


def test_only_the_requested_formats_are_written(tmp_path: Path) -> None:
    folder = open_dataset_folder(tmp_path / "ls", frozenset({Format.LABEL_STUDIO}))
    folder.add_answers([_answer("t1", "a_1", "cat")])
    folder.close_answers()
    folder.add_labels(_items(), CARD)
    assert folder.files() == []


def test_a_kind_s_file_is_written_where_it_says_and_never_outside(tmp_path: Path) -> None:
    folder = open_dataset_folder(tmp_path / "out", frozenset({Format.HUGGINGFACE}))
    folder.add_file("detection/labels/a.txt", b"0 0.5 0.5 0.2 0.2\n")
    assert (folder.path / "detection/labels/a.txt").read_bytes() == b"0 0.5 0.5 0.2 0.2\n"
    for escaping in ("../outside.txt", "/tmp/absolute.txt", "detection/../../x.txt"):
        with pytest.raises(ValueError):
            folder.add_file(escaping, b"x")
    assert not (tmp_path / "outside.txt").exists()
