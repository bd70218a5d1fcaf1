"""The position rule on rankings, through the sandbox: a ranker who always taps the response
shown on top is suspended, one who ranks by what the responses say is not.

Each annotator sees a ranking's three responses in an order drawn for them and the item,
so an honest ranker puts the top-shown response first about a third of the time; the
rule tests the count against that chance (``annotation.quality.rules.check_position``),
from the answers' recorded ``position`` and ``choices``.
"""

from __future__ import annotations

import json

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from bot.crowd_screens import task_assignment
from bot.sandbox import SimMessage, SimUser
from tests.e2e.conftest import Harness, sandbox

WORDS = ("one", "two", "three")
MIN_ANSWERS = 10  # a third by chance: ten top picks of ten is p = 3^-10 = 2e-5
SPEC = f"""
name = "Best answer"
answer_type = "ranking"
question = "Put the responses in order, best first."
candidates = 3
overlap = 2
gold_rate = 0.0

[quality]
training = 0
exam = 0
adaptive_gold = false
position_min_answers = {MIN_ANSWERS}
"""
RANKER, HONEST = 820, 821


def rankings_csv(rows: int) -> bytes:
    lines = ["id,prompt,response_1,response_2,response_3"]
    lines += [f"r{i},Prompt {i}?,one {i},two {i},three {i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def true_order(item: int) -> list[str]:
    """The honest ranker's order of an item's responses: the best changes with the item."""
    start = item % 3
    return [WORDS[(start + k) % 3] for k in range(3)]


def is_notice(message: SimMessage) -> bool:
    return "shown first" in (message.text or "")


def external_id(harness: Harness, assignment: str) -> int:
    (found,), = harness.rows("SELECT i.external_id FROM items AS i JOIN assignments AS a "
                             "ON a.item_id = i.id WHERE a.id = ?", (int(assignment),))
    return int(str(found)[1:])


async def rank(user: SimUser, harness: Harness, honest: bool, tasks: int) -> int:
    """Rank up to ``tasks`` tasks (or until suspended); return how many were answered."""
    done: set[str] = set()
    for _ in range(tasks):
        task = await user.wait_for(lambda m: (task_assignment(m) not in (None, *done)
                                              and "Your order so far" not in (m.text or ""))
                                   or is_notice(m))
        assignment = task_assignment(task)
        if assignment is None or is_notice(task):
            break
        text = task.text or ""
        shown = sorted(WORDS, key=lambda w: text.index(f"{w} "))  # top to bottom
        letter = {word: "ABC"[shown.index(word)] for word in shown}
        # the ranker taps the top button left each time; the honest one reads the responses
        picks = true_order(external_id(harness, assignment))[:2] if honest else shown[:2]
        await user.tap(letter[picks[0]], task.message_id)
        task = await user.wait_for(lambda m, a=assignment: task_assignment(m) == a
                                   and "Your order so far" in (m.text or ""))
        await user.tap(letter[picks[1]], task.message_id)  # the third places itself
        done.add(assignment)
    return len(done)


async def test_an_always_top_ranker_is_suspended_and_an_honest_ranker_is_not(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(SPEC)
    items = parse_items(rankings_csv(30), "r.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        users = {}
        for user_id in (RANKER, HONEST):
            users[user_id] = server.user(user_id, first_name=f"user {user_id}",
                                         language_code="en")
            await users[user_id].send_command("start", harness.invite)
        assert await rank(users[RANKER], harness, honest=False, tasks=20) == MIN_ANSWERS
        notice = await users[RANKER].wait_for(is_notice)
        assert f"100% of your last {MIN_ANSWERS} answers" in (notice.text or "")
        assert await rank(users[HONEST], harness, honest=True, tasks=20) == 20
        # wait until the honest ranker's last answer is stored (its next task is shown)
        await users[HONEST].wait_for(lambda m: task_assignment(m) is not None
                                     and "Your order so far" not in (m.text or "")
                                     and harness.rows("SELECT COUNT(*) FROM answers "
                                                      "WHERE annotator_id = ?",
                                                      (HONEST,)) == [(20,)])
        suspended = harness.rows(
            "SELECT annotator_id, rule, evidence FROM standings WHERE status = 'suspended'")
        assert [(who, rule) for who, rule, _ in suspended] == [(RANKER, "position")]
        assert json.loads(str(suspended[0][2])) == {"percent": 100, "total": MIN_ANSWERS,
                                                    "chance": 33}
        # every ranking records the best response's screen place and how many were shown
        details = {who: [json.loads(str(d)) for (d,) in harness.rows(
            "SELECT detail FROM answers WHERE annotator_id = ? ORDER BY id", (who,))]
            for who in (RANKER, HONEST)}
        assert {d["choices"] for ds in details.values() for d in ds} == {3}
        assert all(d["position"] == 0 for d in details[RANKER])
        honest_top = sum(d["position"] == 0 for d in details[HONEST])
        assert 0 < honest_top < 20  # about a third, never all of them
        assert all(d["shown"][d["position"]] == d["ranking"][0] for ds in details.values()
                   for d in ds)
