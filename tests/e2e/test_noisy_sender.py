"""One noisy sender never slows the others, through the sandbox with flood control on.

Counted from the sandbox's request log, never timed: how many of the spammer's messages
the bot had handled when each honest annotator's next task was shown, how many replies
the spammer got, and that stopping the bot does not work through the spammer's backlog.
"""

from __future__ import annotations

import asyncio
import dataclasses

from annotation.models import AnswerType, LocalizedText, ProjectSpec
from bot.application import running_bot
from bot.crowd import at_or_after
from bot.crowd_screens import task_assignment
from bot.sandbox import FloodLimits, SandboxServer, SimMessage, SimUser
from bot.update_processor import BacklogPolicy
from tests.e2e.conftest import Harness, create_project, sandbox
from tests.projects import make_items, make_spec

SPAMMER = 900
STRANGER = 901
HONEST = range(1000, 1020)
SPAM = 1000
POLICY = BacklogPolicy(rate=0.001, burst=5, backlog=5)  # 5 messages admitted, then drops
SLOW_DOWN = "You are sending messages faster than I can read them"

TYPED = ProjectSpec(name="Captions", question=LocalizedText({"en": "Describe it."}),
                    answer_type=AnswerType.TEXT, overlap=1, gold_rate=0.0,
                    time_limit_seconds=3600)


def is_task(message: SimMessage) -> bool:
    return task_assignment(message) is not None


def ok_requests(server: SandboxServer, chat_id: int, until: int | None = None) -> int:
    """Count the requests for ``chat_id`` the sandbox accepted (in the first ``until``)."""
    return sum(1 for r in server.stats.log[:until]
               if r.chat_id == chat_id and r.ok and r.method != "answerCallbackQuery")


def first_edit_after(server: SandboxServer, chat_id: int, start: int) -> int:
    """Return the log position of the first accepted edit for ``chat_id`` from ``start``."""
    for index, record in enumerate(server.stats.log[start:], start):
        if record.chat_id == chat_id and record.ok and record.method.startswith("edit"):
            return index
    raise AssertionError(f"no edit for {chat_id} after {start}")


async def join(server: SandboxServer, user_id: int, invite: str) -> tuple[SimUser, SimMessage]:
    user = server.user(user_id, first_name=f"User {user_id}", language_code="en")
    await user.send_command("start", invite)
    return user, await user.wait_for(is_task, timeout=30)


def spammer_answers(harness: Harness) -> int:
    return int(harness.rows("SELECT COUNT(*) FROM answers WHERE annotator_id = ?",
                            (SPAMMER,))[0][0])


async def test_a_spammer_does_not_slow_honest_annotators(make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(make_spec(overlap=3), make_items(60)) as harness, \
            sandbox(flood_control=True) as server:
        typed_invite = await create_project(harness.db_path, TYPED, make_items(2 * SPAM))
        settings = dataclasses.replace(harness.settings(server), backlog=POLICY,
                                       reply_interval=3600.0)
        bot = running_bot(settings, clock=harness.clock)
        await bot.__aenter__()
        try:
            spammer, _ = await join(server, SPAMMER, typed_invite)
            honest = [await join(server, uid, harness.invite) for uid in HONEST]
            start = len(server.stats.log)
            for n in range(SPAM):
                await spammer.send_text(f"spam {n}")
            versions = [user.version for user, _task in honest]
            for user, task in honest:
                await user.tap("cat", task.message_id)
            for (user, task), version in zip(honest, versions, strict=True):
                await user.next_change(after=version, timeout=30,
                                       where=at_or_after(task.message_id))
            for user, _task in honest:  # each next task was shown with <= 5 spam handled
                shown = first_edit_after(server, user.id, start)
                assert ok_requests(server, SPAMMER, shown) - ok_requests(server, SPAMMER, start) \
                    <= POLICY.burst + 1
            await spammer.wait_for(lambda m: (m.text or "").startswith(SLOW_DOWN), timeout=30)
            at_stop = spammer_answers(harness)
        finally:
            await asyncio.wait_for(bot.__aexit__(None, None, None), 60)
        assert at_stop <= POLICY.burst
        assert spammer_answers(harness) <= at_stop + 1  # stopping handled at most the one running
        slow_downs = [m for m in spammer.messages if SLOW_DOWN in (m.text or "")]
        assert len(slow_downs) == 1
        # welcome + first task, then one task per handled answer and one notice
        assert ok_requests(server, SPAMMER) <= 2 + POLICY.burst + 1
        assert harness.rows("SELECT COUNT(*) FROM answers WHERE annotator_id >= 1000") == \
            [(len(HONEST),)]


async def test_a_stranger_gets_one_reply_and_honest_taps_go_through(make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(make_spec(overlap=3), make_items(20)) as harness, \
            sandbox(flood_control=True) as server:
        settings = dataclasses.replace(harness.settings(server), reply_interval=3600.0)
        async with running_bot(settings, clock=harness.clock):
            stranger = server.user(STRANGER, first_name="Stranger", language_code="fr")
            for n in range(SPAM):
                await stranger.send_text(f"bonjour {n}")
            user, task = await join(server, HONEST[0], harness.invite)
            version = user.version
            await user.tap("cat", task.message_id)
            await user.next_change(after=version, timeout=30, where=at_or_after(task.message_id))
            await stranger.wait_for(lambda m: bool(m.text), timeout=30)
            newcomer = server.user(STRANGER + 1, first_name="Newcomer", language_code="fr")
            for n in range(3):
                await newcomer.send_text(f"salut {n}")
            await newcomer.send_command("start", harness.invite)  # /start always passes
            await newcomer.wait_for(is_task, timeout=30)
        assert len(stranger.messages) == 1
        replies = [m.text or "" for m in newcomer.messages if not is_task(m)]
        assert len(replies) == 2  # one answer to the three messages, then the welcome
        assert replies[1].startswith("Bienvenue")


async def test_a_rush_of_sign_ups_under_flood_control_loses_no_reply(make_harness) -> None:  # type: ignore[no-untyped-def]
    """Replies are retried after every 429 until delivered: late, never lost."""
    tight = FloodLimits(global_per_second=5.0, global_burst=5.0)
    async with make_harness(make_spec(overlap=3), make_items(40)) as harness, \
            sandbox(flood_control=True, flood=tight) as server, harness.bot(server):
        users = [server.user(2000 + n, first_name=f"New {n}") for n in range(20)]
        for user in users:
            await user.send_command("start", harness.invite)
        for user in users:
            await user.wait_for(is_task, timeout=60)
        assert server.stats.flood_refusals > 0  # the rush did run into flood control
        for user in users:
            texts = [m.text or "" for m in user.messages]
            assert texts[0].startswith("Welcome") and not any("wrong" in t for t in texts)
