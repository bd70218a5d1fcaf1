"""What goes in a dataset, on hand-built rows: safe cells, pseudonyms, Label Studio tasks
and config, media file names, the dataset card (the files are written by
``storage/datasets/``, tested in ``tests/storage/datasets/``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from annotation.datasets.huggingface import dataset_card, media_file_name, metadata_record
from annotation.datasets.label_studio import iter_tasks, labeling_config
from annotation.datasets.pseudonyms import Pseudonymizer, pseudonym
from annotation.datasets.records import DatasetCard, LabeledItem, RawAnswer
from annotation.datasets.tabular import neutralize_cell, table_cell
from annotation.models import MediaKind
from tests.projects import make_spec

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+33 1", "'+33 1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("-cmd", "'-cmd"), ("\tx", "'\tx"), ("-3", "-3"), ("+2.5", "+2.5"), ("cat", "cat"), (7, 7),
])
def test_formula_cells_are_neutralized(cell: object, safe: object) -> None:
    assert neutralize_cell(cell) == safe


@pytest.mark.parametrize(("value", "cell"), [
    ({"cat": 2}, '{"cat": 2}'), (["é"], '["é"]'), (True, "true"), (False, "false"),
    (None, ""), (0.5, 0.5), ("=1", "'=1"), ('=["x"]', '\'=["x"]'),
])
def test_table_cells_render_structures_booleans_and_nothing(value: object, cell: object
                                                            ) -> None:
    assert table_cell(value) == cell


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
    spec = make_spec(options=("cat", "dog", 'say "hi"'))
    tasks = list(iter_tasks(((i, "") for i in items), answers, spec, "dawid_skene"))
    assert [len(t["annotations"]) for t in tasks] == [2, 1, 0]  # type: ignore[arg-type]
    assert tasks[1]["data"]["image"].startswith("/data/local-files/")  # type: ignore[index]
    assert tasks[1]["annotations"][0]["was_cancelled"] is True  # type: ignore[index]
    assert "predictions" not in tasks[2]
    config = labeling_config([MediaKind.TEXT, MediaKind.IMAGE], spec)
    assert '<Image name="image" value="$image"/>' in config
    assert 'toName="text,image"' in config and '<Choice value=\'say "hi"\'/>' in config


def test_media_file_names_are_safe_and_unique() -> None:
    assert media_file_name("img-1", "a.JPG") == "img-1.jpg"
    unsafe = media_file_name("../etc/passwd", "a.jpg")
    assert "/" not in unsafe and unsafe.endswith(".jpg")
    assert media_file_name("a/b", "x.jpg") != media_file_name("a_b", "x.jpg")


def test_metadata_records_name_the_text_or_the_file_first() -> None:
    text, image = _item("t1", MediaKind.TEXT, "cat"), _item("i/2", MediaKind.IMAGE, None)
    assert list(metadata_record(text))[:2] == ["text", "item_id"]
    assert list(metadata_record(image))[:3] == ["file_name", "caption", "item_id"]
    assert metadata_record(image)["file_name"] == image.media_file


def test_dataset_card_states_method_agreement_and_distribution() -> None:
    card = DatasetCard("Cats", "Which?", "single", ("cat", "dog"), "dawid_skene", 10, 30, 5,
                       0.61, 0.8, {"cat": 6, "dog": 4}, WHEN)
    text = dataset_card(card, MediaKind.IMAGE, 10)
    assert text.startswith("---\ntags:") and "# Cats: images" in text
    assert "`dawid_skene`" in text and "0.610" in text and "| cat | 6 |" in text
    assert "pseudonyms" in text
