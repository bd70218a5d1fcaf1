"""Boxes on images and spans of texts, answered end to end: the real bot behind the
sandbox, the task in the chat with its Mini App button, answers posted to the Mini App's
HTTP API with the sandbox's signed data (or "Nothing to mark" tapped in the chat), then
exported and loaded back the way researchers load them: COCO JSON, YOLO label files, a
Hugging Face imagefolder with ``objects``, JSON lines of spans, and Label Studio tasks
checked against their labeling config."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from PIL import Image

from annotation.access import AccessService
from annotation.datasets.records import Format
from annotation.datasets.service import DatasetService, ExportRequest
from annotation.intake.item_drafts import ItemDraft
from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.media.sources import MemorySource
from annotation.models import ProjectId, ProjectSpec
from bot.crowd_screens import task_assignment
from bot.sandbox import SandboxServer, SimMessage, SimUser
from storage.database import Database
from storage.datasets import open_dataset_folder
from tests.e2e.conftest import Harness, app_url, sandbox

datasets = pytest.importorskip("datasets")  # the 'bench' extra, installed by .ci/run

OPERATOR = 0
NOTHING = "∅ Nothing to mark"
BOXES_SPEC = """
name = "Street"
answer_type = "boxes"
question = "Box every car and person."
classes = ["car", "person"]
points = true
overlap = 3
gold_rate = 0.0
"""
SPANS_SPEC = """
name = "Names"
answer_type = "spans"
question = "Tag the people and the places."
labels = ["PER", "LOC"]
overlap = 3
gold_rate = 0.0
"""
SIZES = {"a": (320, 240), "b": (240, 320), "c": (200, 100)}
TEXTS = {"s1": "Rakoto nankany Antananarivo omaly.",  # Rakoto 0-6, Antananarivo 15-27
         "s2": "Marie habite à Fianarantsoa.",  # Marie 0-5, Fianarantsoa 15-27
         "s3": "Tsara ny andro."}


def picture(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 140, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def image_items(spec: ProjectSpec) -> list[ItemDraft]:
    rows = "id,image\n" + "".join(f"{name},img/{name}.png\n" for name in SIZES)
    files = {f"img/{name}.png": picture(size) for name, size in SIZES.items()}
    return parse_items(rows.encode(), "items.csv", spec, MemorySource(files))


def text_items(spec: ProjectSpec) -> list[ItemDraft]:
    lines = "".join(json.dumps({"id": key, "text": text}) + "\n" for key, text in TEXTS.items())
    return parse_items(lines.encode(), "items.jsonl", spec, None)


class App:
    """The Mini App's HTTP API of a running bot, as its page calls it."""

    def __init__(self, base: str, http: aiohttp.ClientSession) -> None:
        self.base = base
        self.http = http

    async def task(self, user: SimUser, assignment: int) -> dict[str, Any]:
        async with self.http.get(f"{self.base}/api/task", params={"a": str(assignment)},
                                 headers={"Authorization": f"tma {user.init_data()}"}) as got:
            assert got.status == 200, await got.text()
            body: dict[str, Any] = await got.json()
            return body

    async def post(self, user: SimUser, assignment: int, answer: object
                   ) -> tuple[int, dict[str, Any]]:
        async with self.http.post(f"{self.base}/api/answer",
                                  json={"assignment": assignment, "answer": answer},
                                  headers={"Authorization": f"tma {user.init_data()}"}) as got:
            return got.status, await got.json()


@asynccontextmanager
async def running(make_harness: Any, spec: ProjectSpec, items: list[ItemDraft]
                  ) -> AsyncIterator[tuple[Harness, SandboxServer, App]]:
    async with make_harness(spec, items) as harness, sandbox() as server, \
            harness.bot(server) as application, aiohttp.ClientSession() as http:
        yield harness, server, App(app_url(application), http)


def is_task(message: SimMessage) -> bool:
    return task_assignment(message) is not None


def external_id(harness: Harness, assignment: int) -> str:
    ((found,),) = harness.rows("SELECT i.external_id FROM items AS i JOIN assignments AS a "
                               "ON a.item_id = i.id WHERE a.id = ?", (assignment,))
    return str(found)


Answer = Callable[[int, str], object | None]  # (user, item) -> value to post, None: Nothing


async def answer_all(server: SandboxServer, harness: Harness, app: App, users: range,
                     answer: Answer, seen: list[dict[str, Any]],
                     hostile: object | None = None) -> None:
    """Have each user answer every task they get: post ``answer(user, item)`` to the Mini
    App, or tap "Nothing to mark" when it is None; collect each ``/api/task`` view. The
    first user first posts ``hostile``, which must be refused (recording nothing)."""
    for user_id in users:
        user = server.user(user_id, first_name=f"u{user_id}", language_code="en")
        await user.send_command("start", harness.invite)
        task = await user.wait_for(is_task)
        while True:
            assignment = int(str(task_assignment(task)))
            url = user.open_web_app(task)
            assert f"/app?a={assignment}" in url and "#tgWebAppData=" in url
            view = await app.task(user, assignment)
            item = external_id(harness, assignment)
            seen.append({"item": item, **view})
            value = answer(user_id, item)
            version = task.version
            if hostile is not None:
                status, body = await app.post(user, assignment, hostile)
                assert (status, body["ok"], body["error"]) == (400, False, "invalid"), body
                seen.append({"refused": body["message"]})
                assert not harness.rows("SELECT 1 FROM answers")
                hostile = None
            if value is None:
                await user.tap(NOTHING, task.message_id)
            else:
                assert await app.post(user, assignment, value) == (200, {"ok": True,
                                                                         "duplicate": False})
            task = await user.wait_for(moved_on(task.message_id, version))
            if not is_task(task) or int(str(task_assignment(task))) == assignment:
                break


def moved_on(message_id: int, version: int) -> Callable[[SimMessage], bool]:
    """Return a predicate: the task message edited past ``version``."""
    return lambda m: m.message_id == message_id and m.version > version


async def export(harness: Harness, out: Path) -> Path:
    async with Database(harness.db_path) as database:
        access = AccessService(database, clock=lambda: datetime.now(UTC), admins={OPERATOR})
        service = DatasetService(database, access, clock=lambda: datetime.now(UTC),
                                 folders=open_dataset_folder)
        result = await service.export(OPERATOR, ExportRequest(ProjectId(1), frozenset(Format)), out)
    return result.folder


def load(tmp_path: Path, path: str, **options: str) -> Any:
    """Load a dataset's train split with a cache of the test's own."""
    return datasets.load_dataset(path, cache_dir=str(tmp_path / "hf-cache"), **options)["train"]


def check_label_studio(folder: Path) -> list[dict[str, Any]]:
    """Return the Label Studio tasks, each result checked against the labeling config."""
    config = ET.fromstring((folder / "label_studio/label_studio_config.xml").read_text())
    controls = {c.get("name"): (c.tag, c.get("toName"), {label.get("value") for label in c})
                for c in config if c.get("toName")}
    objects = {o.get("name") for o in config if o.get("value", "").startswith("$")}
    tasks: list[dict[str, Any]] = json.loads(
        (folder / "label_studio/label_studio_tasks.json").read_text())
    for task in tasks:
        for result in [r for a in task["annotations"] for r in a["result"]] + \
                [r for p in task.get("predictions", ()) for r in p["result"]]:
            tag, to_name, labels = controls[result["from_name"]]
            assert result["to_name"] == to_name and to_name in objects
            assert result["type"] == tag.lower()
            assert set(result["value"][result["type"]]) <= labels
    return tasks


BOX: dict[str, list[tuple[str, float, float, float, float]]] = {
    "a": [("car", 0.1, 0.1, 0.5, 0.5)], "b": [("person", 0.25, 0.2, 0.5, 0.6)]}


def draw(user: int, item: str) -> object | None:
    """Each user's marks: three agree on a car (a) and a person with an eye (b); nobody
    sees anything on c, one of them after drawing a stray box."""
    if item == "c":
        return {"boxes": [["car", 0.0, 0.0, 0.1, 0.1]]} if user == 902 else None
    jitter = (user - 901) * 0.01
    boxes = [[cls, x + jitter, y, w, h] for cls, x, y, w, h in BOX[item]]
    points = [["person", 0.5, 0.3 + jitter]] if item == "b" else []
    return {"boxes": boxes, "points": points}


async def test_boxes_are_drawn_in_the_app_and_exported_for_detectors(
        make_harness: Any, tmp_path: Path) -> None:
    spec = parse_spec(BOXES_SPEC)
    seen: list[dict[str, Any]] = []
    async with running(make_harness, spec, image_items(spec)) as (harness, server, app):
        await answer_all(server, harness, app, range(901, 904), draw, seen,
                         hostile={"boxes": [["bus", 0.1, 0.1, 0.2, 0.2]]})
        folder = await export(harness, tmp_path / "export")
    assert seen.pop(1) == {"refused": '"bus" is not one of this task\'s labels: car, person.'}
    assert len(seen) == 9 and all(v["kind"] == "boxes" for v in seen)
    assert {v["item"]: (v["image"]["width"], v["image"]["height"]) for v in seen} == SIZES
    assert all(v["classes"] == ["car", "person"] and v["points"] and v["nothing"]
               for v in seen)
    labels = {row["item_id"]: row for row in map(json.loads, (
        folder / "tables/labels.jsonl").read_text().splitlines())}
    assert labels["a"]["label"] == '{"boxes":[["car",0.11,0.1,0.5,0.5]],"points":[]}'
    assert labels["c"]["label"] == '{"boxes":[],"points":[]}'
    assert labels["c"]["confidence"] == pytest.approx(2 / 3)
    assert labels["a"]["method"] == "boxes_consensus"

    coco = json.loads((folder / "detection/coco.json").read_text())
    images = {image["id"]: image for image in coco["images"]}
    assert {i["file_name"]: (i["width"], i["height"]) for i in images.values()} == {
        f"images/{name}.jpg": size for name, size in SIZES.items()}
    for image in images.values():
        with Image.open(folder / "detection" / image["file_name"]) as opened:
            assert opened.size == (image["width"], image["height"])
    by_image = {images[a["image_id"]]["item_id"]: a for a in coco["annotations"]}
    assert set(by_image) == {"a", "b"} and len(coco["annotations"]) == 2
    for item, annotation in by_image.items():
        x, y, w, h = annotation["bbox"]
        width, height = SIZES[item]
        assert annotation["area"] == pytest.approx(w * h) and annotation["iscrowd"] == 0
        assert x >= 0 and x + w <= width + 0.01 and y >= 0 and y + h <= height + 0.01
        assert annotation["score"] == 1.0
    assert by_image["a"]["bbox"] == [35.2, 24.0, 160.0, 120.0]
    assert [c["name"] for c in coco["categories"] if c["id"] == by_image["b"]["category_id"]
            ] == ["person"]
    assert [p["point"] for p in coco["points"]] == [[120.0, 99.2]]

    yolo = {path.stem: path.read_text().split() for path in (folder / "detection/labels")
            .iterdir()}
    assert yolo == {"a": ["0", "0.360000", "0.350000", "0.500000", "0.500000"],
                    "b": ["1", "0.510000", "0.500000", "0.500000", "0.600000"], "c": []}
    assert (folder / "detection/classes.txt").read_text() == "car\nperson\n"
    assert "nc: 2" in (folder / "detection/data.yaml").read_text()

    objects = load(tmp_path, "imagefolder", data_dir=str(folder / "huggingface/boxes/objects"))
    assert objects.num_rows == 3
    by_item = {row["item_id"]: row for row in objects}
    assert by_item["a"]["image"].size == SIZES["a"]
    assert by_item["a"]["objects"]["bbox"] == [[35.2, 24.0, 160.0, 120.0]]
    assert by_item["b"]["objects"]["category"] == [1] and by_item["c"]["objects"]["bbox"] == []

    marks = [json.loads(line) for line in (folder / "tables/boxes/marks.jsonl").read_text()
             .splitlines()]
    assert sorted((m["mark"], m["class"], m["support"]) for m in marks) == [
        ("box", "car", 3), ("box", "person", 3), ("point", "person", 3)]
    tasks = check_label_studio(folder)
    assert len(tasks) == 3 and sum(len(t["annotations"]) for t in tasks) == 9
    first = next(t for t in tasks if t["data"]["item_id"] == "a")
    (region,) = first["predictions"][0]["result"]
    assert region["original_width"] == 320 and region["value"]["x"] == 11.0


SPANS = {"s1": [[0, 6, "PER"], [15, 27, "LOC"]], "s2": [[0, 5, "PER"], [15, 27, "LOC"]]}


def tag(user: int, item: str) -> object | None:
    """Each user's tags: all agree on s1; one tags Marie as a place on s2 (outvoted); one
    taps "Nothing to mark" on s3, the others tag nothing there either."""
    if item == "s3":
        return None if user == 911 else {"spans": []}
    if item == "s2" and user == 913:
        return {"spans": [[0, 5, "LOC"], [16, 20, "LOC"]]}  # snapped to Fianarantsoa
    return {"spans": SPANS[item]}


async def test_spans_are_tagged_in_the_app_and_exported_as_json_lines(
        make_harness: Any, tmp_path: Path) -> None:
    spec = parse_spec(SPANS_SPEC)
    seen: list[dict[str, Any]] = []
    async with running(make_harness, spec, text_items(spec)) as (harness, server, app):
        await answer_all(server, harness, app, range(911, 914), tag, seen,
                         hostile={"spans": [[0, 6, "PER"], [3, 20, "LOC"]]})
        stored = harness.rows("SELECT value FROM answers AS a JOIN assignments AS s "
                              "ON s.id = a.assignment_id WHERE s.annotator_id = 913")
        assert ('{"spans":[[0,5,"LOC"],[15,27,"LOC"]]}',) in stored
        folder = await export(harness, tmp_path / "export")
    assert seen.pop(1) == {"refused": 'Tags may not overlap here: "Rakoto" is tagged twice.'}
    assert len(seen) == 9 and all(v["image"] is None for v in seen)
    view = next(v for v in seen if v["item"] == "s1")
    assert view["text"] == TEXTS["s1"] and [0, 6] in view["tokens"]
    assert (view["kind"], view["classes"], view["overlapping"]) == ("spans", ["PER", "LOC"],
                                                                    False)
    spans = load(tmp_path, "json", data_files=str(folder / "tables/spans/items.jsonl"))
    rows = {row["item_id"]: row for row in spans}
    assert rows["s1"]["spans"] == [[0, 6, "PER"], [15, 27, "LOC"]]
    assert rows["s2"]["spans"] == [[0, 5, "PER"], [15, 27, "LOC"]]
    assert rows["s2"]["span_confidence"] == [pytest.approx(2 / 3, abs=1e-6), 1.0]
    assert rows["s3"]["spans"] == [] and rows["s3"]["confidence"] == 1.0
    hub = load(tmp_path, str(folder / "huggingface/spans/items"))
    assert hub.num_rows == 3
    tasks = check_label_studio(folder)
    first = next(t for t in tasks if t["data"]["item_id"] == "s2")
    words = [r["value"]["text"] for r in first["predictions"][0]["result"]]
    assert words == ["Marie", "Fianarantsoa"]
