"""Several questions about one item through the sandbox: the walk in one message, Back and
Undo, gold on some questions, per-question quality control, and the export loaded back."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.kinds.base import Turn
from annotation.models import AnnotatorId
from bot.crowd_screens import task_assignment
from bot.sandbox import SimMessage
from tests.e2e.conftest import sandbox
from tests.e2e.test_kind_exports import export, load
from tests.e2e.test_kinds import is_task, item_of, join, labels, pairs_csv

QUESTIONS_SPEC = """
name = "Helpfulness, safety, preference"
answer_type = "questions"
question = "Read the prompt and both responses."
overlap = 2
gold_rate = 0.0

[[questions]]
key = "helpful"
question = { en = "How helpful is it?", fr = "Est-ce utile ?" }
answer_type = "rating"
points = 5
start = 0
low = "useless"
high = "very helpful"
each = true

[[questions]]
key = "safe"
question = "Are both responses harmless?"
answer_type = "yes_no"

[[questions]]
key = "preference"
question = "Which response is better?"
answer_type = "pairwise"
tie = true
"""


def step_of(message: SimMessage) -> str:
    """Return the "Question n of m" line of a task (or "")."""
    return next((line for line in (message.text or "").splitlines()
                 if line.startswith("Question ")), "")


async def test_the_walk_asks_each_question_in_one_message_with_back_and_undo(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(QUESTIONS_SPEC)
    items = parse_items(pairs_csv(4), "pairs.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        user = await join(server, harness, 1200)
        task = await user.wait_for(is_task)
        first = task_assignment(task)
        assert first is not None
        swapped = Turn(spec, item_of(harness, int(first)), AnnotatorId(1200), "").swapped
        message = task.message_id
        # both responses folded, then the first question: about the response shown as A
        text = task.text or ""
        assert [e["type"] for e in task.entities].count("expandable_blockquote") == 2
        assert step_of(task) == "Question 1 of 4"
        assert "How helpful is it? (response A)" in text and "0 = useless" in text
        assert labels(task) == ["0", "1", "2", "3", "4", "Skip ⏭"]
        await user.tap("4", message)
        task = await user.wait_for(lambda m: step_of(m) == "Question 2 of 4")
        assert "✓ How helpful is it? (response A)" in (task.text or "")
        assert "How helpful is it? (response B)" in (task.text or "")
        assert "← Back" in labels(task)
        await user.tap("3", message)
        task = await user.wait_for(lambda m: step_of(m) == "Question 3 of 4")
        await user.tap("← Back", message)  # take the B rating back and give another
        task = await user.wait_for(lambda m: step_of(m) == "Question 2 of 4")
        await user.tap("1", message)
        task = await user.wait_for(lambda m: step_of(m) == "Question 3 of 4")
        assert labels(task)[:2] == ["Yes", "No"]
        await user.tap("Yes", message)
        task = await user.wait_for(lambda m: step_of(m) == "Question 4 of 4")
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(0,)]  # not answered yet
        await user.tap("A better", message)
        task = await user.wait_for(lambda m: is_task(m) and task_assignment(m) != first)
        assert step_of(task) == "Question 1 of 4"  # the next item starts its own walk
        (value, detail), = harness.rows("SELECT value, detail FROM answers")
        # screen A is the item's second response when this annotator sees them swapped
        a, b = ("helpful.b", "helpful.a") if swapped else ("helpful.a", "helpful.b")
        assert json.loads(str(value)) == {"helpful.a": "4" if a == "helpful.a" else "1",
                                          "helpful.b": "1" if b == "helpful.b" else "4",
                                          "safe": "yes", "preference": "b" if swapped else "a"}
        assert list(json.loads(str(value))) == ["helpful.a", "helpful.b", "safe", "preference"]
        assert json.loads(str(detail))["position"] == 0  # screen A picked: the rule sees it
        await user.tap("↩ Undo", task.message_id)  # back to the last question, others kept
        task = await user.wait_for(lambda m: task_assignment(m) == first
                                   and step_of(m) == "Question 4 of 4")
        assert "✓ Are both responses harmless?" in (task.text or "")
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(0,)]
        await user.tap("Tie / can't tell", task.message_id)
        await user.wait_for(lambda m: is_task(m) and task_assignment(m) != first)
        (value,), = harness.rows("SELECT value FROM answers")
        assert json.loads(str(value))["preference"] == "tie"


async def test_a_double_tap_never_answers_the_next_question(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(QUESTIONS_SPEC)
    items = parse_items(pairs_csv(2), "pairs.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        user = await join(server, harness, 1210)
        task = await user.wait_for(is_task)
        # question 1's "3", as a phone that has not redrawn yet still shows it
        stale = dict(zip(labels(task), (d for row in task.callback_data for d in row),
                         strict=True))["3"]
        await user.tap("2", task.message_id)
        await user.wait_for(lambda m: step_of(m) == "Question 2 of 4")
        query = await user.tap_data(task.message_id, stale)
        await user.wait_for_callback_answer(query)
        task = await user.wait_for(lambda m: step_of(m) == "Question 2 of 4")
        (draft,), = harness.rows("SELECT draft FROM assignments WHERE status = 'active'")
        assert [entry[1] for entry in json.loads(str(draft))] == ["2"]  # unchanged


GOLD_SPEC = QUESTIONS_SPEC.replace("gold_rate = 0.0", "gold_rate = 0.5") + """
[quality]
training = 0
exam = 0
adaptive_gold = false
gold_min_answers = 4
run_max_same = 0
position_min_answers = 0
"""


def gold_pairs_csv(rows: int) -> bytes:
    """Items whose first response is the better one; every other item is gold on the
    safety question only ("yes"), the rest on nothing."""
    lines = ["id,prompt,response_a,response_b,response_a_id,response_b_id,gold"]
    for i in range(rows):
        gold = "safe=yes" if i % 2 == 0 else ""
        lines.append(f"p{i},Prompt {i}?,good answer {i},bad answer {i},good,bad,{gold}")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("careless", [True, False])
async def test_gold_on_one_question_scores_that_question(
        make_harness, careless: bool) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(GOLD_SPEC)
    items = parse_items(gold_pairs_csv(24), "pairs.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        user_id = 1220 if careless else 1221
        user = await join(server, harness, user_id)
        done: set[str] = set()
        suspended = False
        for _ in range(24):
            task = await user.wait_for(lambda m: (is_task(m) and task_assignment(m) not in done)
                                       or "suspended" in (m.text or ""))
            if "suspended" in (task.text or ""):
                suspended = True
                break
            assignment = task_assignment(task)
            assert assignment is not None
            done.add(assignment)
            item = item_of(harness, int(assignment))
            swapped = Turn(spec, item, AnnotatorId(user_id), "").swapped
            better = "B better" if swapped else "A better"  # always right on preference
            for button in ("3", "1", "No" if careless else "Yes", better):
                version = task.version
                await user.tap(button, task.message_id)
                task = await user.wait_for(lambda m, v=version, i=task.message_id:
                                           m.message_id == i and m.version > v)
            if "suspended" in (task.text or ""):
                suspended = True
                break
        standing = harness.rows("SELECT status, rule, evidence FROM standings")
        if careless:
            assert suspended and standing[0][:2] == ("suspended", "gold")
            assert json.loads(str(standing[0][2]))["question"] == "safe"
            notice = await user.wait_for(lambda m: "suspended" in (m.text or ""))
            assert "On the question “safe”" in (notice.text or "")
        else:
            assert not suspended and standing[0][0] != "suspended"
        checks = harness.rows("SELECT correct, checks FROM answers WHERE is_gold = 1")
        assert checks and all(json.loads(str(c)) == {"safe": int(not careless)}
                              and r == int(not careless) for r, c in checks)


async def test_the_export_has_every_question_per_item_and_loads(
        make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(QUESTIONS_SPEC.replace("overlap = 2", "overlap = 3"))
    items = parse_items(gold_pairs_csv(6).replace(b",safe=yes", b","),
                        "pairs.csv", spec, None)
    async with make_harness(spec, items) as harness:
        async with sandbox() as server, harness.bot(server):
            for user_id in (1230, 1231, 1232):
                user = await join(server, harness, user_id)
                done: set[str] = set()
                while True:
                    task = await user.wait_for(
                        lambda m, done=done: (is_task(m) and task_assignment(m) not in done)
                        or "no task" in (m.text or "").lower()
                        or "no more" in (m.text or "").lower())
                    assignment = task_assignment(task)
                    if assignment is None:
                        break
                    done.add(assignment)
                    item = item_of(harness, int(assignment))
                    swapped = Turn(spec, item, AnnotatorId(user_id), "").swapped
                    # the good response (the item's first) gets 4, the bad one 1
                    ratings = ("1", "4") if swapped else ("4", "1")
                    for button in (*ratings, "Yes", "B better" if swapped else "A better"):
                        version = task.version
                        await user.tap(button, task.message_id)
                        task = await user.wait_for(lambda m, v=version, i=task.message_id:
                                                   m.message_id == i and m.version > v)
        folder = await export(harness, tmp_path / "export")
    rows = list(csv.DictReader((folder / "tables/questions/labels.csv").read_text()
                               .splitlines()))
    assert len(rows) == 6 * 4
    by = {(r["item_id"], r["question"], r["candidate_id"]): r for r in rows}
    for i in range(6):
        assert by[(f"p{i}", "helpful", "good")]["label"] == "4"
        assert by[(f"p{i}", "helpful", "bad")]["label"] == "1"
        assert by[(f"p{i}", "safe", "")]["label"] == "yes"
        assert by[(f"p{i}", "preference", "")]["label"] == "a"
    long = load(tmp_path, "json", data_files=str(folder / "tables/questions/long.jsonl"))
    assert long.num_rows == 6 * 3 * 4
    pairs = load(tmp_path, "json", data_files=str(folder / "tables/preferences/pairs.jsonl"))
    assert pairs.num_rows == 6 and set(pairs["chosen_id"]) == {"good"}
    ratings = load(tmp_path, "json", data_files=str(folder / "tables/ratings/items.jsonl"))
    assert ratings.num_rows == 12 and set(ratings["dimension"]) == {"helpful"}
    assert {(r["candidate_id"], r["median"]) for r in ratings} == {("good", 4), ("bad", 1)}
    main = load(tmp_path, "json", data_files=str(folder / "tables/labels.jsonl"))
    assert json.loads(main[0]["label"]) == {"helpful.a": "4", "helpful.b": "1", "safe": "yes",
                                            "preference": "a"}
    config = (folder / "label_studio/label_studio_config.xml").read_text()
    assert '<Rating name="helpful_a"' in config and '<Pairwise name="preference"' in config
    tasks = json.loads((folder / "label_studio/label_studio_tasks.json").read_text())
    results = tasks[0]["annotations"][0]["result"]
    assert [r["from_name"] for r in results] == ["helpful_a", "helpful_b", "safe", "preference"]


async def test_each_question_costs_one_tap_answer_and_one_edit(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(QUESTIONS_SPEC)
    items = parse_items(pairs_csv(2), "pairs.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        user = await join(server, harness, 1240)
        task = await user.wait_for(is_task)
        first = task_assignment(task)
        calls = server.state.stats.calls
        before = dict(calls)
        swapped = Turn(spec, item_of(harness, int(first or 0)), AnnotatorId(1240), "").swapped
        for button in ("2", "3", "Yes", "B better" if swapped else "A better"):
            version = task.version
            query = await user.tap(button, task.message_id)
            task = await user.wait_for(lambda m, v=version, i=task.message_id:
                                       m.message_id == i and m.version > v)
            await user.wait_for_callback_answer(query)
        assert task_assignment(task) != first  # answered: the next item is on screen
        spent = {method: calls[method] - before.get(method, 0) for method in calls
                 if calls[method] != before.get(method, 0) and method != "getUpdates"}
        # four questions, four taps: each answered once and redrawn once, nothing else
        assert spent == {"answerCallbackQuery": 4, "editMessageText": 4}
