"""The bundled sample project: deterministic, mixed kinds, gold equal to truth, importable."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path

import pytest

from annotation.intake.item_files import load_from_paths
from annotation.intake.spec import parse_spec
from annotation.media.preparation import TARGET_BYTES
from annotation.models import MediaKind
from bot.sample import SampleProject, build_sample_project, write_sample_project


@pytest.fixture(scope="module")
def sample() -> SampleProject:
    return build_sample_project()


def test_same_seed_same_bytes(sample: SampleProject) -> None:
    again = build_sample_project()
    assert again.items == sample.items
    assert again.truth == sample.truth
    other = build_sample_project(seed=8)
    assert [i.media.key for i in other.items if i.media] != [
        i.media.key for i in sample.items if i.media
    ]


def test_spec_is_translated(sample: SampleProject) -> None:
    spec = parse_spec(sample.spec_toml)
    assert spec.options == ("1", "2", "3", "4")
    assert set(spec.question.texts) == {"en", "fr", "mg"}
    assert set(spec.instructions.texts) == {"en", "fr", "mg"}


def test_kinds_are_mixed(sample: SampleProject) -> None:
    kinds = Counter(item.kind for item in sample.items)
    assert kinds == {MediaKind.IMAGE: 30, MediaKind.TEXT: 18, MediaKind.AUDIO: 12}


def test_truth_covers_every_item_and_gold_agrees(sample: SampleProject) -> None:
    assert set(sample.truth) == {item.external_id for item in sample.items}
    assert set(sample.truth.values()) <= {"1", "2", "3", "4"}
    gold = [item for item in sample.items if item.gold_answer is not None]
    assert len(gold) == 6
    assert all(item.gold_answer == sample.truth[item.external_id] for item in gold)
    assert all(item.explanation for item in gold)
    training = [item for item in sample.items if item.training]
    assert training and all(item.gold_answer is not None for item in training)


def test_text_items_say_the_count(sample: SampleProject) -> None:
    words = {"1": "one", "2": "two", "3": "three", "4": "four"}
    for item in sample.items:
        if item.kind is MediaKind.TEXT:
            assert words[sample.truth[item.external_id]] in item.text.lower()


def test_media_is_light(sample: SampleProject) -> None:
    images = [i.media for i in sample.items if i.kind is MediaKind.IMAGE and i.media]
    assert all((m.width, m.height) == (640, 480) for m in images)
    assert statistics.median(len(m.data) for m in images) < TARGET_BYTES / 2
    sounds = [i.media for i in sample.items if i.kind is MediaKind.AUDIO and i.media]
    assert all(m.duration is not None and 0.9 <= m.duration <= 2.2 for m in sounds)
    assert len({m.key for m in images + sounds}) == len(images) + len(sounds)


def test_gold_share_is_a_parameter() -> None:
    project = build_sample_project(20, gold_share=0.5, seed=1)
    assert len(project.items) == 20
    assert sum(item.gold_answer is not None for item in project.items) == 10


def test_written_files_import_to_the_same_items(tmp_path: Path, sample: SampleProject) -> None:
    spec_path, items_path = write_sample_project(tmp_path / "demo")
    spec, items = load_from_paths(spec_path, items_path)
    assert spec == parse_spec(sample.spec_toml)
    assert items == sample.items
    assert (tmp_path / "demo" / "truth.csv").read_text().startswith("id,label\n")
