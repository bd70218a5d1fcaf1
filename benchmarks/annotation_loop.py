"""Answered tasks per second, end to end, against the sandbox: annobot versus the ceiling.

    .venv/bin/python -m benchmarks.annotation_loop [--users 200] [--taps 10] [--paced 20]

The same sandbox (flood control off) and the same 200 simulated annotators drive, in
turn, two bots running in a child process each:

- the ceiling: a bare python-telegram-bot bot that answers each tap with
  answerCallbackQuery + one edit and stores nothing;
- annobot: the real Application (SQLite, assignment rules, gettext) on a text project.

Each annotator taps as soon as the next task shows (closed loop): answered taps/s is the
capacity. Then both bots run paced at half the ceiling's rate (open loop: every annotator
taps on its own schedule, whatever the bot's latency), and the time from each tap to the
next task on screen gives p50/p99 latency; the bare bot's figures are the harness's own
floor (the sandbox and 200 simulated users share one process). Ratios are computed within
one run.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import multiprocessing.synchronize
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from annotation.intake.catalog import CatalogService
from annotation.intake.item_drafts import ItemDraft
from annotation.models import AnswerType, LocalizedText, MediaKind, ProjectSpec
from benchmarks.report import percentile_ms, print_rows
from benchmarks.sandbox import TOKEN, run_bare_bot
from bot.application import running_bot
from bot.config import BotSettings
from bot.crowd import at_or_after
from bot.crowd_screens import task_assignment
from bot.sandbox import SandboxServer, SimMessage, SimUser
from bot.sandbox.testing import running_sandbox
from storage.database import Database

OPTIONS = ("A", "B", "C", "D")
BARE_BUTTONS = ("Cat", "Dog")


def _spec() -> ProjectSpec:
    return ProjectSpec(name="Benchmark", question=LocalizedText({"en": "Which letter?"}),
                       answer_type=AnswerType.SINGLE, options=OPTIONS, overlap=3,
                       gold_rate=0.0, time_limit_seconds=3600)


def _items(count: int) -> list[ItemDraft]:
    return [ItemDraft(line=i + 2, external_id=f"t{i}", kind=MediaKind.TEXT,
                      text=f"Sentence number {i} to label.", media=None, gold_answer=None,
                      explanation=None, training=False) for i in range(count)]


async def _create_project(db_path: Path, items: int) -> str:
    async with Database(db_path) as database:
        project = await CatalogService(database, clock=lambda: datetime.now(UTC)).create(
            _spec(), _items(items))
    return project.invite_code


def _run_annobot(base_url: str, file_url: str, db_path: str,
                 stop: multiprocessing.synchronize.Event) -> None:
    async def main() -> None:
        settings = BotSettings(token=TOKEN, database=Path(db_path), base_url=base_url,
                               base_file_url=file_url, export_dir=Path(db_path).parent)
        async with running_bot(settings):
            await asyncio.to_thread(stop.wait)

    asyncio.run(main())


Tap = Callable[[SimUser], Awaitable[float]]


def _is_task(message: SimMessage) -> bool:
    return task_assignment(message) is not None


async def _tap_annobot(user: SimUser) -> float:
    message = await user.wait_for(_is_task, timeout=120)
    mark = user.version
    started = time.perf_counter()
    await user.tap(random.choice(OPTIONS), message.message_id)
    await user.next_change(timeout=120, after=mark, where=at_or_after(message.message_id))
    return time.perf_counter() - started


async def _tap_bare(user: SimUser) -> float:
    mark = user.version
    started = time.perf_counter()
    await user.tap(random.choice(BARE_BUTTONS))
    await user.next_change(timeout=120, after=mark)
    return time.perf_counter() - started


async def _closed_loop(users: list[SimUser], taps: int, tap: Tap) -> tuple[float, list[float]]:
    latencies: list[float] = []

    async def annotator(user: SimUser) -> None:
        for _ in range(taps):
            latencies.append(await tap(user))

    started = time.perf_counter()
    await asyncio.gather(*(annotator(user) for user in users))
    return len(latencies) / (time.perf_counter() - started), latencies


async def _paced(users: list[SimUser], taps: int, rate: float, tap: Tap
                 ) -> tuple[float, list[float]]:
    """Each user taps every len(users)/rate seconds (random phase), waiting for the task."""
    interval = len(users) / rate
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    begin = loop.time()

    async def annotator(user: SimUser, phase: float) -> None:
        for n in range(taps):
            delay = begin + phase + n * interval - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            latencies.append(await tap(user))

    rng = random.Random(5)
    started = time.perf_counter()
    await asyncio.gather(*(annotator(u, rng.uniform(0, interval)) for u in users))
    return len(latencies) / (time.perf_counter() - started), latencies



async def _with_bot(server: SandboxServer, target: Callable[..., None], *args: object
                    ) -> tuple[multiprocessing.process.BaseProcess,
                               multiprocessing.synchronize.Event]:
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    process = ctx.Process(target=target,
                          args=(server.base_url, server.base_file_url, *args, stop))
    process.start()
    return process, stop


async def _stop(process: multiprocessing.process.BaseProcess,
                stop: multiprocessing.synchronize.Event) -> None:
    stop.set()
    await asyncio.to_thread(process.join, 60)


async def measure(n_users: int, taps: int, paced_taps: int) -> dict[str, float]:
    """Run the ceiling and annobot on one sandbox; return the figures."""
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bench.db"
        invite = await _create_project(db_path, n_users * (taps + paced_taps) // 3 + 200)
        async with running_sandbox(token=TOKEN, flood_control=False, log_requests=False,
                                   callback_query_ttl=3600.0) as server:
            process, stop = await _with_bot(server, run_bare_bot)
            try:
                bare = [server.user(i, f"Bare {i}") for i in range(1, n_users + 1)]
                for user in bare:
                    await user.send_command("start")
                for user in bare:
                    await user.wait_for(lambda m: m.text == "task 0", timeout=120)
                figures["ceiling_taps_per_s"], bare_lat = await _closed_loop(bare, taps,
                                                                           _tap_bare)
                figures["ceiling_p99_ms"] = percentile_ms(bare_lat, 99)
                _rate, bare_paced = await _paced(bare, paced_taps,
                                                 figures["ceiling_taps_per_s"] / 2, _tap_bare)
                figures["ceiling_paced_p50_ms"] = percentile_ms(bare_paced, 50)
                figures["ceiling_paced_p99_ms"] = percentile_ms(bare_paced, 99)
            finally:
                await _stop(process, stop)

            process, stop = await _with_bot(server, _run_annobot, str(db_path))
            try:
                crowd = [server.user(100_000 + i, f"Annotator {i}") for i in range(n_users)]
                for user in crowd:
                    await user.send_command("start", invite)
                for user in crowd:
                    await user.wait_for(_is_task, timeout=120)
                server.stats.reset()
                figures["annobot_taps_per_s"], closed_lat = await _closed_loop(
                    crowd, taps, _tap_annobot)
                calls = server.stats.calls
                figures["api_calls_per_task"] = sum(calls.values()) / (n_users * taps)
                figures["answer_plus_show_calls_per_task"] = (
                    calls["answerCallbackQuery"] + calls["editMessageText"]) / (n_users * taps)
                figures["annobot_closed_p99_ms"] = percentile_ms(closed_lat, 99)
                target = figures["ceiling_taps_per_s"] / 2
                figures["paced_target_per_s"] = target
                figures["paced_achieved_per_s"], paced_lat = await _paced(
                    crowd, paced_taps, target, _tap_annobot)
                figures["paced_p50_ms"] = percentile_ms(paced_lat, 50)
                figures["paced_p99_ms"] = percentile_ms(paced_lat, 99)
            finally:
                await _stop(process, stop)
    figures["ratio"] = figures["annobot_taps_per_s"] / figures["ceiling_taps_per_s"]
    return figures


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--taps", type=int, default=10, help="closed-loop taps per user")
    parser.add_argument("--paced", type=int, default=20, help="paced taps per user")
    args = parser.parse_args()
    random.seed(1)
    figures = asyncio.run(measure(args.users, args.taps, args.paced))
    print(f"annotation loop, {args.users} simulated annotators, sandbox flood control off, "
          f"Python {sys.version.split()[0]}")
    rows = [
        ("ceiling: bare PTB bot (answer + edit, no storage)",
         f"{figures['ceiling_taps_per_s']:.0f} taps/s (p99 {figures['ceiling_p99_ms']:.0f} ms)"),
        ("annobot, closed loop",
         f"{figures['annobot_taps_per_s']:.0f} taps/s "
         f"(p99 {figures['annobot_closed_p99_ms']:.0f} ms)"),
        ("ratio annobot / ceiling", f"{figures['ratio']:.2f}"),
        ("annobot API calls per answered task",
         f"{figures['answer_plus_show_calls_per_task']:.2f} (answer + edit), "
         f"{figures['api_calls_per_task']:.2f} with getUpdates"),
        ("ceiling paced at half its rate",
         f"tap to next task p50 {figures['ceiling_paced_p50_ms']:.0f} ms, "
         f"p99 {figures['ceiling_paced_p99_ms']:.0f} ms"),
        (f"annobot paced at half the ceiling ({figures['paced_target_per_s']:.0f}/s)",
         f"achieved {figures['paced_achieved_per_s']:.0f}/s, tap to next task "
         f"p50 {figures['paced_p50_ms']:.0f} ms, p99 {figures['paced_p99_ms']:.0f} ms"),
    ]
    print_rows(rows)


if __name__ == "__main__":
    main()
