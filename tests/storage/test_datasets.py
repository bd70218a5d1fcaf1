"""Exports end to end on a real SQLite file: every format loads back in its consumer."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest

from annotation.access import AccessService
from annotation.datasets.service import DatasetService, ExportRequest, Format
from annotation.intake.item_drafts import ItemDraft
from annotation.intake.spec import parse_spec
from annotation.kinds.label_studio import CONTROL
from annotation.media.preparation import PreparedMedia
from annotation.models import MediaKey, MediaKind
from annotation.ports.datasets import TELEGRAM_UPLOAD_LIMIT
from bot.sample import build_sample_project
from storage.database import Database
from storage.datasets import open_dataset_folder
from tests.annotators import Services, answer_all, join
from tests.clocks import FakeClock

ADMIN = 1  # an admin by configuration, as in the ``services`` fixture


def _datasets(database: Database, clock: FakeClock) -> DatasetService:
    return DatasetService(database, AccessService(database, clock=clock, admins={ADMIN}),
                          clock=clock, folders=open_dataset_folder)


async def _annotate(services: Services, invite: str, people: range) -> None:
    """Everyone answers every task they get (option ``user % 2``), all at once."""
    for user in people:
        await join(services, user, invite)
    await asyncio.gather(*(answer_all(services, user, lambda u: u % 2) for user in people))


@pytest.fixture
def sample() -> object:
    return build_sample_project(18, gold_share=0.2, seed=3)


async def test_all_formats_load_back(services: Services, database, clock: FakeClock,  # type: ignore[no-untyped-def]
                                     sample, tmp_path: Path) -> None:
    spec = parse_spec(sample.spec_toml)
    project = await services[2].create(spec, sample.items)
    await _annotate(services, project.invite_code, range(100, 106))
    result = await _datasets(database, clock).export(
        ADMIN, ExportRequest(project.id), tmp_path / "out")
    folder = result.folder
    assert result.answers == sum(1 for _ in _read_jsonl(folder / "tables/answers.jsonl"))

    labels = _read_csv(folder / "tables/labels.csv")
    assert len(labels) == len(sample.items) == result.items
    jsonl = list(_read_jsonl(folder / "tables/labels.jsonl"))
    assert [row["item_id"] for row in jsonl] == [row["item_id"] for row in labels]
    assert all(0.0 <= row["confidence"] <= 1.0 for row in jsonl)
    assert {row["method"] for row in jsonl} == {spec.aggregation}

    answers = _read_csv(folder / "tables/answers.csv")
    annotators = {row["annotator"] for row in answers}
    assert len(annotators) == 6 and all(a.startswith("a_") for a in annotators)
    assert not any(str(user) in annotators for user in range(100, 106))
    assert {row["excluded"] for row in answers} == {"false"}

    hf = folder / "huggingface"
    card = (hf / "images/README.md").read_text()
    assert spec.aggregation in card and "6 annotators" in card
    images = list(_read_jsonl(hf / "images/metadata.jsonl"))
    assert images and all((hf / "images" / row["file_name"]).is_file() for row in images)
    assert sum(1 for _ in _read_jsonl(hf / "text/train.jsonl")) > 0

    tasks = json.loads((folder / "label_studio/label_studio_tasks.json").read_text())
    config = (folder / "label_studio/label_studio_config.xml").read_text()
    check_label_studio(tasks, config)
    assert sum(len(t["annotations"]) for t in tasks) == result.answers

    assert result.archives == [tmp_path / "out.zip"]
    with zipfile.ZipFile(result.archives[0]) as archive:
        assert "tables/labels.csv" in archive.namelist()


def check_label_studio(tasks: list[dict[str, object]], config: str) -> None:
    """The fields Label Studio's importer requires, and names that match the config."""
    for task in tasks:
        data = task["data"]
        assert isinstance(data, dict) and data
        for key in ("annotations", "predictions"):
            for entry in task.get(key, []):  # type: ignore[attr-defined]
                assert isinstance(entry["result"], list) and entry["result"]
                for result in entry["result"]:
                    assert set(result) >= {"from_name", "to_name", "type", "value"}
                    assert result["from_name"] == CONTROL
                    assert f'name="{result["to_name"]}"' in config
                    assert f'value="${result["to_name"]}"' in config
                    assert result["to_name"] in data
                    assert result["type"] in result["value"] or result["type"] == "textarea"
                    for choice in result["value"].get("choices", []):
                        assert f'<Choice value="{choice}"/>' in config
        for prediction in task.get("predictions", []):  # type: ignore[attr-defined]
            assert 0.0 <= prediction["score"] <= 1.0 and prediction["model_version"]


def _read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def test_pseudonyms_are_stable_and_ids_only_on_request(
        services: Services, database, clock: FakeClock, sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = await services[2].create(parse_spec(sample.spec_toml), sample.items)
    await _annotate(services, project.invite_code, range(100, 103))
    service = _datasets(database, clock)
    tables = frozenset({Format.TABLES})
    first = await service.export(ADMIN, ExportRequest(project.id, tables), tmp_path / "a")
    second = await service.export(ADMIN, ExportRequest(project.id, tables), tmp_path / "b")
    revealed = await service.export(ADMIN, ExportRequest(project.id, tables, reveal_ids=True),
                                    tmp_path / "c")
    names = [(r.folder / "tables/answers.csv").read_text() for r in (first, second, revealed)]
    assert names[0] == names[1]
    assert "100" not in {row["annotator"] for row in csv.DictReader(names[0].splitlines())}
    assert {row["annotator"] for row in csv.DictReader(names[2].splitlines())} == {
        "100", "101", "102"}
    assert not (first.folder / "huggingface").exists()
    hf = frozenset({Format.HUGGINGFACE})
    cards = [next((r.folder / "huggingface").rglob("README.md")).read_text() for r in (
        await service.export(ADMIN, ExportRequest(project.id, hf), tmp_path / "d"),
        await service.export(ADMIN, ExportRequest(project.id, hf, reveal_ids=True),
                             tmp_path / "e"))]
    assert "stable per-project pseudonyms" in cards[0]
    assert "Telegram user ids (requested by an admin)" in cards[1]


async def test_archive_over_50_mb_is_split_below_the_limit(
        services: Services, database, clock: FakeClock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec('name = "Big"\nquestion = "Which?"\nanswer_type = "yes_no"\n'
                      'overlap = 1\ngold_rate = 0\n')
    drafts = []
    for n in range(6):  # 6 x 11 MB of incompressible "photos"
        data = os.urandom(11 * 1000 * 1000)
        media = PreparedMedia(MediaKey(hashlib.sha256(data).hexdigest()), MediaKind.IMAGE,
                              f"big{n}.jpg", "image/jpeg", data, 1, 1, None, "photo")
        drafts.append(ItemDraft(n + 2, f"big{n}", MediaKind.IMAGE, "", media, None, None,
                                False))
    project = await services[2].create(spec, drafts)
    result = await _datasets(database, clock).export(
        ADMIN, ExportRequest(project.id, frozenset({Format.HUGGINGFACE})), tmp_path / "big")
    assert len(result.archives) == 2
    assert [p.name for p in result.archives] == ["big-part1.zip", "big-part2.zip"]
    assert all(p.stat().st_size < TELEGRAM_UPLOAD_LIMIT for p in result.archives)
    names: list[str] = []
    for part in result.archives:
        with zipfile.ZipFile(part) as archive:
            assert archive.testzip() is None
            names += archive.namelist()
    assert sorted(n for n in names if n.endswith(".jpg")) == [
        f"huggingface/images/big{n}.jpg" for n in range(6)]


async def test_huggingface_folders_load_with_datasets(
        services: Services, database, clock: FakeClock, sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    datasets = pytest.importorskip(
        "datasets", reason="the Hugging Face check needs the optional 'bench' extra")
    project = await services[2].create(parse_spec(sample.spec_toml), sample.items)
    await _annotate(services, project.invite_code, range(100, 104))
    result = await _datasets(database, clock).export(
        ADMIN, ExportRequest(project.id, frozenset({Format.HUGGINGFACE})), tmp_path / "hf")
    hf = result.folder / "huggingface"
    images = await asyncio.to_thread(datasets.load_dataset, str(hf / "images"), split="train")
    assert images.features["image"].__class__.__name__ == "Image"
    assert {"label", "confidence", "item_id"} <= set(images.features)
    assert images[0]["image"].size[0] > 0
    text = await asyncio.to_thread(datasets.load_dataset, str(hf / "text"), split="train")
    assert text.num_rows + images.num_rows + len(_read_jsonl(hf / "audio/metadata.jsonl")) \
        == result.items
    # decoding audio needs torchcodec (torch), left out of the extra: check the layout
    for row in _read_jsonl(hf / "audio/metadata.jsonl"):
        assert (hf / "audio" / str(row["file_name"])).is_file()


@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning",
                            "ignore:The copy keyword:DeprecationWarning")
async def test_raw_answers_load_into_crowdkit_and_agree_with_the_labels(
        services: Services, database, clock: FakeClock, sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pd = pytest.importorskip("pandas", reason="pandas comes with the optional 'bench' extra")
    aggregation = pytest.importorskip(
        "crowdkit.aggregation", reason="the crowd-kit check needs the optional 'bench' extra")
    spec = dataclasses.replace(parse_spec(sample.spec_toml), aggregation="majority")
    project = await services[2].create(spec, sample.items)
    await _annotate(services, project.invite_code, range(100, 105))
    result = await _datasets(database, clock).export(
        ADMIN, ExportRequest(project.id, frozenset({Format.TABLES})), tmp_path / "ck")
    answers = pd.read_csv(result.folder / "tables/answers.csv", dtype=str)
    frame = answers.rename(columns={"item_id": "task", "annotator": "worker"})
    frame = frame[frame["excluded"] == "false"][["task", "worker", "label"]]
    theirs = aggregation.MajorityVote().fit_predict(frame)
    ours = {row["item_id"]: row for row in _read_jsonl(result.folder / "tables/labels.jsonl")}
    compared = 0
    for task, label in theirs.items():
        votes = ours[task]["votes"]
        top = max(votes.values())
        if list(votes.values()).count(top) == 1 and ours[task]["gold"] is None:
            assert ours[task]["label"] == label
            compared += 1
    assert compared > 0
