"""Annotators and a broadcast share one outgoing budget, annotators first (issue 10, point 4).

With Telegram's flood limits on in the sandbox, 20 annotators tap through their tasks at a
person's pace (a few seconds' thought per task, about 13 taps a second in all) while a
broadcast to 600 people is under way: every tap gets its next task, the bot collects
(almost) no 429 on them, and the broadcast still reaches everyone once. A task message
that can no longer be edited is replaced by a new one.

Before this, the broadcast went out at its fixed 28 a second whatever the annotators
did, and their edits were refused (issue 10: 215 refusals, four tasks never shown).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from annotation.intake.item_drafts import ItemDraft
from annotation.models import AnswerType, LocalizedText, MediaKind, ProjectSpec
from bot.crowd_screens import task_assignment
from bot.sandbox import SandboxServer, SimMessage, SimUser
from bot.sandbox.testing import wait_until
from tests.e2e.conftest import ADMIN, Harness, sandbox
from tests.e2e.test_broadcast import FIRST, add_annotators, broadcast_sends

OPTIONS = ("A", "B", "C")
RECIPIENTS = 600
ANNOTATORS = 20
TAPS = 8
THINK = 1.5  # seconds an annotator looks at a task before tapping (pacing, not waiting)
MakeHarness = Callable[[ProjectSpec, list[ItemDraft]], AbstractAsyncContextManager[Harness]]
SHOW_METHODS = {"sendMessage", "editMessageText", "editMessageMedia", "sendPhoto"}


def text_spec() -> ProjectSpec:
    return ProjectSpec(name="Letters", question=LocalizedText({"en": "Which letter?"}),
                       answer_type=AnswerType.SINGLE, options=OPTIONS, overlap=3,
                       gold_rate=0.0, time_limit_seconds=3600)


def text_items(count: int) -> list[ItemDraft]:
    return [ItemDraft(line=i + 2, external_id=f"t{i}", kind=MediaKind.TEXT,
                      text=f"Sentence {i}.", media=None, gold_answer=None, explanation=None,
                      training=False) for i in range(count)]


def is_task(message: SimMessage) -> bool:
    return task_assignment(message) is not None


async def join(user: SimUser, invite: str) -> SimMessage:
    await user.send_command("start", invite)
    return await user.wait_for(is_task, timeout=30)


def next_task(mark: int, answered: str) -> Callable[[SimMessage], bool]:
    """Match a task other than ``answered`` shown after version ``mark``."""
    return lambda m: m.version >= mark and is_task(m) and task_assignment(m) != answered


async def tap_through(user: SimUser, first: SimMessage, taps: int,
                      think: float = 0.0) -> list[str]:
    """Answer ``taps`` tasks, about ``think`` seconds after each shows; return them."""
    message, answered = first, []
    pace = random.Random(user.id)  # people do not tap in step
    for _ in range(taps):
        assignment = task_assignment(message)
        assert assignment is not None
        if think:
            await asyncio.sleep(pace.uniform(0.5 * think, 1.5 * think))
        await user.tap(OPTIONS[0], message.message_id)
        message = await user.wait_for(next_task(user.version, assignment), timeout=60)
        answered.append(assignment)
    return answered


def refusals(server: SandboxServer, chats: set[int], since: int = 0) -> int:
    """429s the bot got while showing tasks to these chats (the broadcast's own aside)."""
    return sum(1 for r in server.stats.log[since:]
               if r.status == 429 and r.method in SHOW_METHODS and r.chat_id in chats
               and "Hello everyone" not in r.params)


async def test_every_tap_gets_its_next_task_while_a_broadcast_runs(
        make_harness: MakeHarness) -> None:
    async with make_harness(text_spec(), text_items(120)) as harness:
        add_annotators(harness.db_path, RECIPIENTS, project=None)
        async with sandbox(flood_control=True) as server, harness.bot(server):
            for i in range(FIRST, FIRST + RECIPIENTS):
                server.user(i, f"A{i}")
            crowd = [server.user(100 + n, f"Tapper{n}") for n in range(ANNOTATORS)]
            firsts = await asyncio.gather(*(join(user, harness.invite) for user in crowd))
            admin = server.user(ADMIN, "Admin")
            await admin.send_command("start")
            await admin.wait_for(lambda m: "Welcome" in (m.text or ""))
            await admin.send_text("/broadcast all Hello everyone")
            draft = await admin.wait_for(lambda m: "Send this to" in (m.text or ""))
            await admin.tap("📣 Send", draft.message_id)
            await wait_until(lambda: len(broadcast_sends(server)) >= 40, timeout=30,
                             what="the broadcast under way")
            sent_before = len(broadcast_sends(server))
            tapping = len(server.stats.log)  # (20 people joining at once is a burst of its own)

            answered = await asyncio.gather(*(
                tap_through(user, first, TAPS, THINK)
                for user, first in zip(crowd, firsts, strict=True)))

            sent_during = len(broadcast_sends(server)) - sent_before
            done = await admin.wait_for(lambda m: "Broadcast finished" in (m.text or ""),
                                        timeout=120)
        tappers = {user.id for user in crowd}
        assert all(len(set(a)) == TAPS for a in answered)  # every tap: a new task shown
        assert harness.rows("SELECT COUNT(*) FROM answers")[0][0] == ANNOTATORS * TAPS
        assert refusals(server, tappers, tapping) <= 3, server.stats.summary()
        assert f"{RECIPIENTS + ANNOTATORS + 1} sent" in (done.text or ""), done.text
        per_chat = Counter(r.chat_id for r in broadcast_sends(server) if r.ok)
        assert len(per_chat) == RECIPIENTS and max(per_chat.values()) == 1
        print(f"broadcast messages while {ANNOTATORS} annotators tapped: {sent_during}; "
              f"429s on their tasks: {refusals(server, tappers, tapping)}; "
              f"all 429s: {server.stats.flood_refusals}")


async def test_a_task_message_that_cannot_be_edited_is_sent_anew(
        make_harness: MakeHarness) -> None:
    async with make_harness(text_spec(), text_items(5)) as harness, \
            sandbox() as server, harness.bot(server):
        user = server.user(200, "Deleter")
        task = await join(user, harness.invite)
        mark = user.version
        await user.tap(OPTIONS[1], task.message_id)
        user.chat.publish(dataclasses.replace(task, deleted=True))  # the user deleted it
        fresh = await user.wait_for(lambda m: m.version >= mark and is_task(m)
                                    and m.message_id != task.message_id, timeout=10)
        assert task_assignment(fresh) != task_assignment(task)
        assert not any("went wrong" in (m.text or "") for m in user.messages), user.dump()
