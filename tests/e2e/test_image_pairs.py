"""Comparisons of two images through the sandbox: each annotator gets one photo with both
candidates side by side, in the order drawn for them; two who saw opposite orders and
preferred the same image agree in storage and in the export, which names the candidates by
their own ids and carries their images."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.kinds.base import Turn
from annotation.media.pairs import BAND, GAP, PANEL_WIDTH
from annotation.media.sources import MemorySource
from annotation.models import AnnotatorId, Item, ItemId, MediaKind, ProjectId, ProjectSpec
from bot.crowd_screens import task_assignment
from bot.sandbox import SandboxServer, SimMessage
from tests.e2e.conftest import Harness, sandbox
from tests.e2e.test_kind_exports import export
from tests.e2e.test_kinds import is_task, item_of

SPEC = """
name = "Dishes"
answer_type = "pairwise"
question = "Which photo makes the dish look better?"
overlap = 2
gold_rate = 0.0
"""
RED, BLUE = (210, 40, 40), (40, 60, 210)  # model-x's picture, model-y's


def png(color: tuple[int, int, int], size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


FILES = {"photos/x.png": png(RED, (640, 480)), "photos/y.png": png(BLUE, (480, 640))}
ITEMS = (b"id,prompt,response_a_media,response_b_media,response_a_id,response_b_id\n"
         b"d1,Rice with beans,photos/x.png,photos/y.png,model-x,model-y\n")


def side_colors(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Return the mean colour of the photo's left and right halves (below the letters)."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    middle = BAND + (image.height - BAND) // 2
    halves = [(PANEL_WIDTH // 2 - 40, middle - 40, PANEL_WIDTH // 2 + 40, middle + 40),
              (PANEL_WIDTH + GAP + PANEL_WIDTH // 2 - 40, middle - 40,
               PANEL_WIDTH + GAP + PANEL_WIDTH // 2 + 40, middle + 40)]
    left, right = (np.asarray(image.crop(box), dtype=np.float32).reshape(-1, 3).mean(axis=0)
                   for box in halves)
    return left, right


def shows_red_first(data: bytes) -> bool:
    left, right = side_colors(data)
    return bool(np.abs(left - RED).max() < 25 and np.abs(right - BLUE).max() < 25)


def shows_blue_first(data: bytes) -> bool:
    left, right = side_colors(data)
    return bool(np.abs(left - BLUE).max() < 25 and np.abs(right - RED).max() < 25)


def annotators_of_each_order(harness: Harness, spec: ProjectSpec) -> tuple[int, int]:
    """Return a user id who sees the item's order and one who sees it swapped."""
    (item_id, payload), = harness.rows("SELECT id, payload FROM items")
    item = Item(ItemId(int(str(item_id))), ProjectId(1), "d1", MediaKind.IMAGE, "", None,
                None, payload=str(payload))
    drawn = {Turn(spec, item, AnnotatorId(u), "").swapped: u for u in range(899, 799, -1)}
    return drawn[False], drawn[True]


async def photo_task(server: SandboxServer, harness: Harness, user_id: int) -> SimMessage:
    user = server.user(user_id, first_name=f"u{user_id}", language_code="en")
    await user.send_command("start", harness.invite)
    return await user.wait_for(is_task)


async def test_opposite_orders_get_opposite_photos_and_agree_in_the_export(
        make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(SPEC)
    items = parse_items(ITEMS, "items.csv", spec, MemorySource(FILES))
    async with make_harness(spec, items) as harness:
        straight, swapped = annotators_of_each_order(harness, spec)
        async with sandbox() as server, harness.bot(server):
            received: dict[int, bytes] = {}
            tapped: dict[int, str] = {}
            for user_id in (straight, swapped):
                task = await photo_task(server, harness, user_id)
                assert task.kind == "photo" and task.file_id is not None
                caption = task.text or ""
                assert "Which photo makes the dish look better?" in caption
                assert "Rice with beans" in caption and "Response A" not in caption
                assert task.buttons[:2] == [["A much better", "A better"],
                                            ["B better", "B much better"]]
                stored = server.state.files.get(task.file_id)
                assert stored is not None
                received[user_id] = stored.data
                # the annotator prefers model-x's red picture, wherever the photo shows it
                tapped[user_id] = "A better" if shows_red_first(stored.data) else "B better"
                assignment = task_assignment(task)
                user = server.user(user_id)
                await user.tap(tapped[user_id], task.message_id)
                await user.wait_for(lambda m, i=task.message_id, v=task.version:
                                    m.message_id == i and m.version > v)
                assert assignment is not None
                assert item_of(harness, int(assignment)).external_id == "d1"
            uploads = server.stats.uploads
        answers = harness.rows("SELECT annotator_id, value, detail FROM answers ORDER BY id")
        media = dict(harness.rows("SELECT key, data FROM media"))
        folder = await export(harness, tmp_path / "export")

    # two different photos went up, once each: the item's order, then the swapped one
    assert received[straight] != received[swapped] and uploads == 2
    assert shows_red_first(received[straight]) and shows_blue_first(received[swapped])
    assert set(received.values()) <= set(media.values())
    assert tapped == {straight: "A better", swapped: "B better"}
    # both preferred the item's first candidate; the order each saw is recorded
    assert [(a, v) for a, v, _ in answers] == [(straight, "a"), (swapped, "a")]
    assert [json.loads(str(d)) for _, _, d in answers] == [
        {"level": 1, "position": 0, "shown": "ab"}, {"level": 1, "position": 1, "shown": "ba"}]

    (pair,) = [json.loads(line) for line in
               (folder / "tables/preferences/pairs.jsonl").read_text().splitlines()]
    assert (pair["chosen_id"], pair["rejected_id"]) == ("model-x", "model-y")
    assert (pair["chosen_file_name"], pair["rejected_file_name"]) == ("d1_a.jpg", "d1_b.jpg")
    hub = folder / "huggingface/preferences/pairs"
    assert sorted(p.name for p in hub.iterdir()) == [
        "README.md", "d1_a.jpg", "d1_b.jpg", "metadata.jsonl"]
    red = np.asarray(Image.open(hub / "d1_a.jpg").convert("RGB"), dtype=np.float32)
    assert np.abs(red.reshape(-1, 3).mean(axis=0) - RED).max() < 10
    judgements = [json.loads(line) for line in
                  (folder / "tables/preferences/judgements.jsonl").read_text().splitlines()]
    assert [(j["preferred_id"], j["preferred_file_name"], j["shown"]) for j in judgements] == [
        ("model-x", "d1_a.jpg", "ab"), ("model-x", "d1_a.jpg", "ba")]
    config = (folder / "label_studio/label_studio_config.xml").read_text()
    assert '<Pairwise name="label" toName="image_a,image_b"/>' in config
    (task,) = json.loads((folder / "label_studio/label_studio_tasks.json").read_text())
    assert task["data"]["image_a"].endswith("d1_a.jpg")
    assert task["annotations"][0]["result"][0]["value"] == {"selected": "left"}

    datasets = pytest.importorskip("datasets")  # the 'bench' extra, installed by .ci/run
    loaded = datasets.load_dataset(str(hub), cache_dir=str(tmp_path / "hf-cache"))["train"]
    assert loaded.num_rows == 1 and loaded[0]["chosen_id"] == "model-x"
    chosen = np.asarray(loaded[0]["chosen"].convert("RGB"), dtype=np.float32)
    assert np.abs(chosen.reshape(-1, 3).mean(axis=0) - RED).max() < 10
