"""Comparisons and ratings answered through the sandbox, exported, and loaded back the way
researchers load them: TRL's preference layout, Hugging Face folders, Label Studio."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotation.access import AccessService
from annotation.datasets.records import Format
from annotation.datasets.service import DatasetService, ExportRequest
from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from bot.crowd_screens import task_assignment
from bot.sandbox import SandboxServer, SimMessage
from storage.database import Database
from storage.datasets import open_dataset_folder
from tests.e2e.conftest import Harness, sandbox
from tests.e2e.test_kinds import (
    PAIRWISE_SPEC,
    RANKING_SPEC,
    RATING_SPEC,
    is_task,
    item_of,
    rankings_csv,
)

datasets = pytest.importorskip("datasets")  # the 'bench' extra, installed by .ci/run

OPERATOR = 0
MODELS = ("m-large", "m-small", "m-tiny")  # better first: each item pits two of them


def load(tmp_path: Path, path: str, **options: str) -> datasets.Dataset:
    """Load a dataset's train split with a cache of the test's own (no cross-test reuse)."""
    loaded = datasets.load_dataset(path, cache_dir=str(tmp_path / "hf-cache"), **options)
    return loaded["train"]


def comparisons_csv() -> bytes:
    rows = ["id,prompt,response_a,response_b,response_a_id,response_b_id"]
    for number in range(9):
        first, second = MODELS[number % 3], MODELS[(number + 1) % 3]
        rows.append(f"q{number},Question {number}?,answer by {first} to {number},"
                    f"answer by {second} to {number},{first},{second}")
    return ("\n".join(rows) + "\n").encode()


Choose = Callable[[int, SimMessage], str | Sequence[str]]


async def answer_all(server: SandboxServer, harness: Harness, users: Iterable[int],
                     choose: Choose) -> None:
    """Have each user answer every task they get: ``choose(user, task)`` names the button
    to tap, or the buttons to tap one after the other (a ranking's picks)."""
    for user_id in users:
        user = server.user(user_id, first_name=f"u{user_id}", language_code="en")
        await user.send_command("start", harness.invite)
        done: set[str] = set()
        while True:
            task = await user.wait_for(
                lambda m, done=done: (is_task(m) and task_assignment(m) not in done)
                or "no task" in (m.text or "").lower() or "no more" in (m.text or "").lower())
            assignment = task_assignment(task)
            if assignment is None:
                break
            done.add(assignment)
            chosen = choose(user_id, task)
            for button in [chosen] if isinstance(chosen, str) else chosen:
                version = task.version
                await user.tap(button, task.message_id)
                task = await user.wait_for(lambda m, v=version, i=task.message_id:
                                           m.message_id == i and m.version > v)


async def export(harness: Harness, out: Path) -> Path:
    async with Database(harness.db_path) as database:
        access = AccessService(database, clock=lambda: datetime.now(UTC), admins={OPERATOR})
        service = DatasetService(database, access, clock=lambda: datetime.now(UTC),
                                 folders=open_dataset_folder)
        result = await service.export(OPERATOR, ExportRequest(1, frozenset(Format)), out)
    return result.folder


async def test_comparisons_export_as_preference_pairs_with_scores(
        make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(PAIRWISE_SPEC.replace("overlap = 2", "overlap = 3"))
    items = parse_items(comparisons_csv(), "pairs.csv", spec, None)

    def choose(user_id: int, task: SimMessage) -> str:
        # everyone prefers the better model, wherever it is shown; one says "much"
        text = task.text or ""
        shown_a = text.index("Response A")
        first_shown = next(m for m in MODELS if f"answer by {m}" in text[shown_a:]
                           and text.index(f"answer by {m}", shown_a) < text.index("Response B"))
        others = [m for m in MODELS if m != first_shown and f"answer by {m}" in text]
        better_shown_first = MODELS.index(first_shown) < MODELS.index(others[0])
        side = "A" if better_shown_first else "B"
        return f"{side} much better" if user_id == 901 else f"{side} better"

    async with make_harness(spec, items) as harness:
        async with sandbox() as server, harness.bot(server):
            await answer_all(server, harness, range(900, 903), choose)
        folder = await export(harness, tmp_path / "export")
    pairs = load(tmp_path, "json", data_files=str(folder / "tables/preferences/pairs.jsonl"))
    assert pairs.num_rows == 9 and {"prompt", "chosen", "rejected"} <= set(pairs.column_names)
    for row in pairs:
        # the export speaks of the candidates by their ids, whatever order each annotator saw
        assert MODELS.index(row["chosen_id"]) < MODELS.index(row["rejected_id"])
        assert row["chosen"].startswith(f"answer by {row['chosen_id']}")
        assert abs(row["margin"] - 4 / 3) < 1e-3  # two "better" (1) and one "much" (2)
        assert row["votes"] == {"a": 3} or row["votes"] == {"b": 3}
        assert row["level"] in (1, 2) and 0 < row["level_confidence"] <= 1
    hub = load(tmp_path, str(folder / "huggingface/preferences/pairs"))
    assert hub.num_rows == 9
    judgements = list(csv.DictReader(
        (folder / "tables/preferences/judgements.csv").read_text().splitlines()))
    assert len(judgements) == 27 and {j["shown"] for j in judgements} == {"ab", "ba"}
    scores = [json.loads(line) for line in
              (folder / "tables/preferences/scores.jsonl").read_text().splitlines()]
    assert [s["candidate"] for s in scores] == list(MODELS)  # the better, the higher
    tasks = json.loads((folder / "label_studio/label_studio_tasks.json").read_text())
    config = (folder / "label_studio/label_studio_config.xml").read_text()
    assert '<Pairwise name="label" toName="response_a,response_b"/>' in config
    result = tasks[0]["annotations"][0]["result"][0]
    assert result["type"] == "pairwise" and result["value"]["selected"] in ("left", "right")
    assert tasks[0]["data"]["response_a_id"] in MODELS


async def test_ratings_export_per_item_and_per_annotator(
        make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RATING_SPEC.replace("overlap = 1", "overlap = 3"))
    data = "id,text\n" + "".join(f"s{n},Sentence number {n}\n" for n in range(6))
    items = parse_items(data.encode(), "s.csv", spec, None)
    harsh = 951  # rates one point below the others

    async with make_harness(spec, items) as harness:
        def choose(user_id: int, task: SimMessage) -> str:
            assignment = task_assignment(task)
            assert assignment is not None
            number = int(item_of(harness, int(assignment)).external_id[1:])
            true = 2 + number % 3
            return str(true - 1 if user_id == harsh else true)

        async with sandbox() as server, harness.bot(server):
            await answer_all(server, harness, range(950, 953), choose)
        folder = await export(harness, tmp_path / "export")
    rows = {r["item_id"]: r for r in load(
        tmp_path, "json", data_files=str(folder / "tables/ratings/items.jsonl"))}
    assert set(rows) == {f"s{n}" for n in range(6)}
    for item_id, row in rows.items():
        true = 2 + int(item_id[1:]) % 3
        assert row["median"] == true and row["answers"] == 3
        assert abs(row["estimate"] - true) < abs((2 * true + true - 1) / 3 - true) + 1e-9
    long = list(csv.DictReader((folder / "tables/ratings/long.csv").read_text().splitlines()))
    assert len(long) == 18 and {r["dimension"] for r in long} == {"Fluency"}
    agreement = json.loads((folder / "tables/ratings/agreement.jsonl").read_text())
    assert agreement["alpha_interval"] > 0.5
    config = (folder / "label_studio/label_studio_config.xml").read_text()
    assert 'maxRating="5"' in config
    tasks = json.loads((folder / "label_studio/label_studio_tasks.json").read_text())
    assert tasks[0]["annotations"][0]["result"][0]["type"] == "rating"


async def test_rankings_export_the_consensus_and_the_pairs_it_implies(
        make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RANKING_SPEC.replace("overlap = 1", "overlap = 2"))
    items = parse_items(rankings_csv(4), "r.csv", spec, None)
    best_first = ("three", "one", "two")  # everyone agrees: m3 > m1 > m2

    def rank(_user_id: int, task: SimMessage) -> list[str]:
        text = task.text or ""
        shown = sorted(best_first, key=lambda w: text.index(f"{w} "))
        return ["ABC"[shown.index(word)] for word in best_first[:2]]

    async with make_harness(spec, items) as harness:
        async with sandbox() as server, harness.bot(server):
            await answer_all(server, harness, (960, 961), rank)
        folder = await export(harness, tmp_path / "export")
    rows = [json.loads(line) for line in
            (folder / "tables/rankings/items.jsonl").read_text().splitlines()]
    assert len(rows) == 4
    assert all(r["ranking"] == ["m3", "m1", "m2"] and r["best"] == "3" for r in rows)
    pairs = load(tmp_path, str(folder / "huggingface/rankings/pairs"))
    assert pairs.num_rows == 12  # 3 pairs per item
    assert {(p["chosen_id"], p["rejected_id"]) for p in pairs} == {
        ("m3", "m1"), ("m3", "m2"), ("m1", "m2")}
    judgements = (folder / "tables/rankings/judgements.jsonl").read_text().splitlines()
    assert len(judgements) == 8
