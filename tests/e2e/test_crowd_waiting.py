"""Simulated members who wait for work: "no task right now" while an item is held elsewhere.

One item, overlap 1. A person takes it, so a simulated member is told there is no task right
now. With ``wait_for_work`` saying the item is still unanswered, the member checks again and
answers it once the person gives it back (Skip); when ``wait_for_work`` turns false the
member stops, having waited. The tally counts the idle polls and the seconds they took.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from bot.crowd import CrowdRunner, Member, Style
from bot.crowd_screens import is_no_work, task_assignment
from bot.demo import sample_truth
from bot.sample import SampleProject
from bot.sandbox import SandboxServer, SimUser
from tests.e2e.conftest import Harness, sample_spec, sandbox

HOLDER, WAITER = 500, 501
HarnessFactory = Callable[..., AbstractAsyncContextManager[Harness]]


async def _hold_the_item(server: SandboxServer, harness: Harness) -> tuple[SimUser, int]:
    holder = server.user(HOLDER, "Holder")
    await holder.send_command("start", harness.invite)
    task = await holder.wait_for(lambda m: task_assignment(m) is not None, timeout=10)
    return holder, task.message_id


async def test_a_waiting_member_answers_the_item_once_it_is_given_back(
        sample_small: SampleProject, make_harness: HarnessFactory) -> None:
    spec = sample_spec(sample_small, overlap=1, gold_rate=0.0)
    async with make_harness(spec, sample_small.items[:1]) as harness, sandbox() as server, \
            harness.bot(server):
        holder, message_id = await _hold_the_item(server, harness)
        runner = CrowdRunner(server, sample_truth(sample_small), harness.invite, seed=1,
                             timeout=10,
                             wait_for_work=lambda: harness.rows(
                                 "SELECT answers FROM items")[0][0] == 0,
                             poll_interval=0.05)
        waiting = asyncio.create_task(runner.run_member(Member(WAITER, Style.CAREFUL, 1.0)))
        waiter = server.user(WAITER)
        await waiter.wait_for(is_no_work, timeout=10)
        await holder.tap("Skip ⏭", message_id)
        await asyncio.wait_for(waiting, timeout=30)
        answers = harness.rows("SELECT annotator_id FROM answers")

    assert answers == [(WAITER,)]
    tally = runner.tally
    assert tally.answered_by == {WAITER: 1} and tally.finished == 1
    assert tally.idle_polls >= 1 and tally.idle_seconds > 0
    assert is_no_work(waiter.messages[-1])  # it stopped at "no task" once nothing was left


async def test_a_waiting_member_stops_when_no_work_is_left_to_wait_for(
        sample_small: SampleProject, make_harness: HarnessFactory) -> None:
    spec = sample_spec(sample_small, overlap=1, gold_rate=0.0)
    asked = 0
    work_left = True
    checked_often = asyncio.Event()

    def wait_for_work() -> bool:
        nonlocal asked
        asked += 1
        if asked > 3:  # asked once before each "Check again": three checks so far
            checked_often.set()
        return work_left

    async with make_harness(spec, sample_small.items[:1]) as harness, sandbox() as server, \
            harness.bot(server):
        await _hold_the_item(server, harness)
        runner = CrowdRunner(server, sample_truth(sample_small), harness.invite, seed=1,
                             timeout=10, wait_for_work=wait_for_work, poll_interval=0.02)
        waiting = asyncio.create_task(runner.run_member(Member(WAITER, Style.CAREFUL, 1.0)))
        await asyncio.wait_for(checked_often.wait(), timeout=20)
        polls = runner.tally.idle_polls
        work_left = False
        await asyncio.wait_for(waiting, timeout=30)

    assert polls >= 3  # it kept checking while told work remained…
    assert runner.tally.finished == 1 and runner.tally.answered_by == {}  # …then stopped
    assert runner.tally.idle_seconds > 0
