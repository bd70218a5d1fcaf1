"""A crowd through the sandbox: the assignment rules hold end to end, in both update modes.

30 simulated annotators × 200 items, overlap 3, gold rate 10%, against the real bot over
HTTP. Afterwards: every non-gold item has exactly 3 answers from 3 distinct annotators,
nobody got an item twice, gold answers are scored, each image was uploaded once, each
answered task cost two Bot API calls, and the exported dataset holds exactly the answers.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bot.crowd import CrowdRunner, build_crowd, export_via_chat
from bot.demo import sample_truth
from bot.sample import SampleProject
from tests.e2e.conftest import ADMIN, sample_spec, sandbox

SHOW_METHODS = ("sendMessage", "editMessageText", "editMessageMedia", "editMessageCaption",
                "sendPhoto", "sendAudio", "sendVoice")


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_crowd_of_30_on_200_items(mode: str, sample_200: SampleProject,
                                        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = sample_spec(sample_200, overlap=3, gold_rate=0.1)
    async with make_harness(spec, sample_200.items) as harness, sandbox() as server, \
            harness.bot(server, mode):
        crowd = build_crowd(30, careless=0.1, accuracy=(0.85, 0.95), seed=2)
        runner = CrowdRunner(server, sample_truth(sample_200), harness.invite, seed=2)
        tally = await runner.run(crowd)
        # the bot answers a tap beside showing the next task: a member may see the task
        # (and stop) before the last answerCallbackQuery lands, so wait for each one
        for user, query, _assignment in tally.taps:
            await user.wait_for_callback_answer(query)
        calls = Counter(server.stats.calls)
        uploads = server.stats.uploads
        admin = server.user(ADMIN, first_name="Admin")
        exported = await export_via_chat(admin, server, "📦 Everything, with Telegram ids",
                                         "tables/answers.jsonl")

    answers = harness.rows("SELECT item_id, annotator_id, value, is_gold, correct FROM answers")
    per_item = Counter(row[0] for row in answers if not row[3])
    regular = harness.rows("SELECT id FROM items WHERE gold_answer IS NULL")
    assert {row[0]: per_item[row[0]] for row in regular} == {row[0]: 3 for row in regular}
    pairs = [(row[0], row[1]) for row in answers]
    assert len(pairs) == len(set(pairs))
    shown = harness.rows("SELECT item_id, annotator_id FROM assignments")
    assert len(shown) == len(set(shown))
    gold = [row for row in answers if row[3]]
    assert gold, "gold items were mixed in"
    assert all(row[4] is not None for row in gold)
    assert tally.answers == len(answers) and tally.retaps == 0

    distinct_media = harness.rows(
        "SELECT COUNT(DISTINCT i.media_key) FROM items AS i "
        "WHERE i.media_key IS NOT NULL AND EXISTS "
        "(SELECT 1 FROM assignments AS a WHERE a.item_id = i.id)")[0][0]
    assert uploads == distinct_media
    assert calls["answerCallbackQuery"] == len(answers)
    shows = sum(calls[m] for m in SHOW_METHODS)
    # one answered task: answerCallbackQuery + one call showing the next task; each
    # annotator also got a welcome message and a first task (counted before the export).
    assert shows == len(answers) + 2 * len(crowd)

    rows = [json.loads(line) for line in exported.decode().splitlines()]
    exported_answers = Counter((r["item_id"], r["annotator"], r["label"]) for r in rows)
    external = dict(harness.rows("SELECT id, external_id FROM items"))
    stored = Counter((external[a[0]], str(a[1]), a[2]) for a in answers)
    assert exported_answers == stored
