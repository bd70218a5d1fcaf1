"""Task kinds through the sandbox: comparisons, ratings and multiple choice, as annotators
see and answer them over real HTTP, down to what storage records."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.kinds.base import Turn
from annotation.models import AnnotatorId, Item, ItemId, MediaKind, ProjectId
from bot.crowd_screens import task_assignment
from bot.sandbox import SandboxServer, SimMessage, SimUser
from tests.e2e.conftest import Harness, sandbox

PAIRWISE_SPEC = """
name = "Helpfulness"
answer_type = "pairwise"
question = "Which response answers the prompt better?"
overlap = 2
gold_rate = 0.0
tie = true
"""
RATING_SPEC = """
name = "Fluency"
answer_type = "rating"
question = "How fluent is this sentence?"
points = 5
low = { en = "broken", fr = "incompréhensible" }
high = { en = "native", fr = "natif" }
overlap = 1
gold_rate = 0.0
"""
MULTI_SPEC = """
name = "Topics"
answer_type = "multi"
question = "Which topics does the text touch?"
options = ["health", "money", "school"]
overlap = 1
gold_rate = 0.0
"""


def is_task(message: SimMessage) -> bool:
    return task_assignment(message) is not None


def labels(message: SimMessage) -> list[str]:
    return [text for row in message.buttons for text in row]


def pairs_csv(rows: int, *, prompt: Callable[[int], str] = lambda i: f"Prompt {i}?") -> bytes:
    lines = ["id,prompt,response_a,response_b,response_a_id,response_b_id"]
    lines += [f"p{i},{prompt(i)},first answer {i},second answer {i},model-x,model-y"
              for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def join(server: SandboxServer, harness: Harness, user_id: int) -> SimUser:
    user = server.user(user_id, first_name=f"user {user_id}", language_code="en")
    await user.send_command("start", harness.invite)
    await user.wait_for(is_task)
    return user


def item_of(harness: Harness, assignment: int) -> Item:
    (item_id, project_id, external_id, payload), = harness.rows(
        "SELECT i.id, i.project_id, i.external_id, i.payload FROM items AS i "
        "JOIN assignments AS a ON a.item_id = i.id WHERE a.id = ?", (assignment,))
    return Item(ItemId(int(str(item_id))), ProjectId(int(str(project_id))), str(external_id),
                MediaKind.TEXT, "", None, None, payload=str(payload))


async def test_a_comparison_shows_both_responses_folded_and_records_the_item_order(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(PAIRWISE_SPEC)
    items = parse_items(pairs_csv(12), "pairs.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        swaps = set()
        for user_id in range(600, 612):
            user = await join(server, harness, user_id)
            task = await user.wait_for(is_task)
            assignment = task_assignment(task)
            assert assignment is not None
            item = item_of(harness, assignment)
            swapped = Turn(spec, item, AnnotatorId(user_id), "").swapped
            swaps.add(swapped)
            # the prompt quoted, both responses folded, A and B as this annotator sees them
            kinds = [e["type"] for e in task.entities]
            assert kinds.count("expandable_blockquote") == 2 and "blockquote" in kinds
            number = item.external_id[1:]
            first, second = f"first answer {number}", f"second answer {number}"
            shown = (second, first) if swapped else (first, second)
            text = task.text or ""
            assert text.index("Response A") < text.index(shown[0]) < text.index("Response B") \
                < text.index(shown[1])
            assert task.buttons[:3] == [["A much better", "A better"],
                                        ["B better", "B much better"], ["Tie / can't tell"]]
            await user.tap("A much better", task.message_id)
            await user.wait_for(lambda m, a=assignment: is_task(m) and task_assignment(m) != a)
            (value, detail), = harness.rows(
                "SELECT value, detail FROM answers WHERE assignment_id = ?", (assignment,))
            # the screen's A is the item's second candidate when the order was swapped
            assert value == ("b" if swapped else "a")
            assert json.loads(str(detail)) == {"level": 2, "position": 0,
                                               "shown": "ba" if swapped else "ab"}
        assert swaps == {True, False}  # both orders were drawn among twelve annotators


async def test_a_tie_and_a_plain_preference(make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(PAIRWISE_SPEC)
    items = parse_items(pairs_csv(3), "pairs.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        user = await join(server, harness, 700)
        task = await user.wait_for(is_task)
        await user.tap("Tie / can't tell", task.message_id)
        task = await user.wait_for(lambda m: is_task(m) and m.version > task.version)
        await user.tap("B better", task.message_id)
        await user.wait_for(lambda m: is_task(m) and m.version > task.version)
        rows = harness.rows("SELECT value, detail FROM answers ORDER BY id")
        assert rows[0][0] == "tie" and json.loads(str(rows[0][1]))["level"] == 0
        assert json.loads(str(rows[1][1]))["level"] == 1


@pytest.mark.parametrize("prompt_length", [3200, 3600])
async def test_long_comparisons_fit_one_message_or_are_refused_at_import(
        make_harness, prompt_length: int) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(PAIRWISE_SPEC)
    data = pairs_csv(2, prompt=lambda i: "x" * prompt_length)
    room = 4096 - 300 - len("Which response answers the prompt better?")
    used = prompt_length + len("first answer 0") + len("second answer 0")
    if used > room:
        from annotation.errors import ValidationFailed
        with pytest.raises(ValidationFailed) as refused:
            parse_items(data, "pairs.csv", spec, None)
        problem = refused.value.problems[0]
        assert (problem.code, problem.line, problem.params["length"]) == (
            "items.text_too_long", 2, used)
        return
    items = parse_items(data, "pairs.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        user = await join(server, harness, 710)
        task = await user.wait_for(is_task)
        assert "x" * prompt_length in (task.text or "")  # shown whole, never cut
        server.stats.reset()
        query = await user.tap("A better", task.message_id)
        await user.wait_for(lambda m: is_task(m) and m.version > task.version)
        await user.wait_for_callback_answer(query)  # sent beside the edit, may land later
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(1,)]
        # one answered comparison costs one edit of the same message (and the tap's ack)
        sent = {method: n for method, n in server.stats.calls.items() if method != "getUpdates"}
        assert sent == {"answerCallbackQuery": 1, "editMessageText": 1}


async def test_a_rating_is_one_row_of_points_with_its_ends_explained(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RATING_SPEC)
    data = b"id,text,gold\ns1,Manao ahoana,\ns2,Je suis content,\n"
    items = parse_items(data, "sentences.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        user = await join(server, harness, 720)
        task = await user.wait_for(is_task)
        assert task.buttons[0] == ["1", "2", "3", "4", "5"]
        assert "1 = broken · 5 = native" in (task.text or "")
        await user.tap("4", task.message_id)
        await user.wait_for(lambda m: is_task(m) and m.version > task.version)
        assert harness.rows("SELECT value FROM answers") == [("4",)]


async def test_multiple_choice_toggles_show_at_once_and_done_records_them(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(MULTI_SPEC)
    items = parse_items(b"id,text\nt1,School fees went up\nt2,Clinic hours\n", "t.csv", spec,
                        None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        user = await join(server, harness, 730)
        task = await user.wait_for(is_task)
        await user.tap("☐ school", task.message_id)
        task = await user.wait_for(lambda m: is_task(m) and "☑ school" in labels(m))
        await user.tap("☐ money", task.message_id)
        task = await user.wait_for(lambda m: is_task(m) and "☑ money" in labels(m))
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(0,)]
        await user.tap("Done ✓", task.message_id)
        await user.wait_for(lambda m: is_task(m) and "☑ money" not in labels(m))
        assert harness.rows("SELECT value FROM answers") == [("money|school",)]


CHECKED_PAIRWISE_SPEC = PAIRWISE_SPEC.replace("overlap = 2", "overlap = 3") + """
[quality]
training = 0
exam = 0
adaptive_gold = false
position_min_answers = 16
"""


async def test_an_always_a_clicker_is_suspended_and_an_honest_annotator_is_not(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(CHECKED_PAIRWISE_SPEC)
    items = parse_items(pairs_csv(40), "pairs.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        clicker = await join(server, harness, 800)
        honest = await join(server, harness, 801)
        for user in (clicker, honest):
            done: set[str] = set()
            for _ in range(20):
                task = await user.wait_for(
                    lambda m, done=done: (is_task(m) and task_assignment(m) not in done)
                    or "shown first" in (m.text or ""))
                assignment = task_assignment(task)
                if assignment is None or assignment in done:  # suspended: the notice
                    break
                button = "A better"  # the clicker: always the response shown first
                if user is honest:  # judges the responses, wherever they are shown
                    item = item_of(harness, int(assignment))
                    first_is_better = int(item.external_id[1:]) % 3 != 0
                    swapped = Turn(spec, item, AnnotatorId(801), "").swapped
                    button = "A better" if first_is_better != swapped else "B better"
                done.add(assignment)
                await user.tap(button, task.message_id)
        suspended = harness.rows(
            "SELECT annotator_id, rule FROM standings WHERE status = 'suspended'")
        assert suspended == [(800, "position")]
        notice = await clicker.wait_for(lambda m: "shown first" in (m.text or ""))
        assert "100% of your last 16 answers" in (notice.text or "")


RANKING_SPEC = """
name = "Best answer"
answer_type = "ranking"
question = "Put the responses in order, best first."
candidates = 3
overlap = 1
gold_rate = 0.0
"""


def rankings_csv(rows: int) -> bytes:
    lines = ["id,prompt,response_1,response_2,response_3,response_1_id,response_2_id,"
             "response_3_id"]
    lines += [f"r{i},Prompt {i}?,one {i},two {i},three {i},m1,m2,m3" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def test_a_ranking_walks_pick_by_pick_with_back_and_undo(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RANKING_SPEC)
    items = parse_items(rankings_csv(3), "r.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        user = await join(server, harness, 740)
        task = await user.wait_for(is_task)
        first = task_assignment(task)
        assert first is not None
        assert len(task.buttons[0]) == 3 and "Tap the responses from best to worst." in (
            task.text or "")
        # the letters as this annotator sees them: A is the response shown first
        text = task.text or ""
        shown = sorted(("one", "two", "three"), key=lambda w: text.index(f"{w} "))
        letter = {word: "ABC"[shown.index(word)] for word in shown}
        await user.tap(letter["two"], task.message_id)
        task = await user.wait_for(lambda m: "Your order so far" in (m.text or ""))
        assert len(task.buttons[0]) == 2 and "← Back" in labels(task)
        await user.tap("← Back", task.message_id)  # take "two" back, pick "three" instead
        task = await user.wait_for(lambda m: is_task(m) and len(m.buttons[0]) == 3)
        await user.tap(letter["three"], task.message_id)
        task = await user.wait_for(lambda m: is_task(m) and len(m.buttons[0]) == 2)
        await user.tap(letter["one"], task.message_id)  # "two" places itself last
        task = await user.wait_for(lambda m: is_task(m) and task_assignment(m) != first)
        (value, detail), = harness.rows("SELECT value, detail FROM answers")
        assert value == "3" and json.loads(str(detail))["ranking"] == [2, 0, 1]
        await user.tap("↩ Undo", task.message_id)  # back to the task, its last pick undone
        task = await user.wait_for(lambda m: task_assignment(m) == first
                                   and len(m.buttons[0]) == 2)
        assert f"Your order so far: {letter['three']}" in (task.text or "")
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(0,)]
        await user.tap(letter["two"], task.message_id)
        await user.wait_for(lambda m: is_task(m) and task_assignment(m) != first)
        (value, detail), = harness.rows("SELECT value, detail FROM answers")
        assert value == "3" and json.loads(str(detail))["ranking"] == [2, 1, 0]
