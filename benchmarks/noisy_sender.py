"""Tap-to-next-task latency for honest annotators, with and without one noisy sender.

    .venv/bin/python -m benchmarks.noisy_sender [--users 20] [--taps 15] [--spam 1000]

The sandbox runs here with flood control on (Telegram's limits); the real bot runs in a
child process on a fresh SQLite file. ``--users`` annotators tap through a button
project, each about once a second (paced, open loop), and the time from each tap to the
next task on screen is measured. Then the same again while a stranger who never joined
sends ``--spam`` messages at once and keeps sending 100 a second. Printed: p50/p99 of
both phases, taps whose next task never came (within 60 s), and how many replies the
spammer got. docs/SECURITY.md records the figures.
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
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from annotation.intake.catalog import CatalogService
from annotation.intake.item_drafts import ItemDraft
from annotation.models import AnswerType, LocalizedText, MediaKind, ProjectSpec
from benchmarks.report import percentile_ms, print_rows
from benchmarks.sandbox import TOKEN
from bot.application import running_bot
from bot.config import BotSettings
from bot.crowd import at_or_after
from bot.crowd_screens import task_assignment
from bot.sandbox import SimMessage, SimUser
from bot.sandbox.testing import running_sandbox
from storage.database import Database

OPTIONS = ("A", "B", "C")
SPAMMER = 7
SHOW_TIMEOUT = 60.0


def _spec() -> ProjectSpec:
    return ProjectSpec(name="Noisy", question=LocalizedText({"en": "Which letter?"}),
                       answer_type=AnswerType.SINGLE, options=OPTIONS, overlap=3,
                       gold_rate=0.0, time_limit_seconds=3600)


async def _create_project(db_path: Path, items: int) -> str:
    drafts = [ItemDraft(line=i + 2, external_id=f"t{i}", kind=MediaKind.TEXT,
                        text=f"Sentence {i}.", media=None, gold_answer=None,
                        explanation=None, training=False) for i in range(items)]
    async with Database(db_path) as database:
        project = await CatalogService(database, clock=lambda: datetime.now(UTC)).create(
            _spec(), drafts)
    return project.invite_code


def _run_bot(base_url: str, file_url: str, db_path: str,
             stop: multiprocessing.synchronize.Event) -> None:
    async def main() -> None:
        settings = BotSettings(token=TOKEN, database=Path(db_path), base_url=base_url,
                               base_file_url=file_url, export_dir=Path(db_path).parent)
        async with running_bot(settings):
            await asyncio.to_thread(stop.wait)

    asyncio.run(main())


def _is_task(message: SimMessage) -> bool:
    return task_assignment(message) is not None


async def _tap(user: SimUser) -> float | None:
    """Tap an answer; return seconds until the next task shows, None if it never did."""
    message = await user.wait_for(_is_task, timeout=SHOW_TIMEOUT)
    mark = user.version
    started = time.perf_counter()
    await user.tap(random.choice(OPTIONS), message.message_id)
    try:
        await user.next_change(timeout=SHOW_TIMEOUT, after=mark,
                               where=at_or_after(message.message_id))
    except TimeoutError:
        return None
    return time.perf_counter() - started


async def _phase(users: list[SimUser], taps: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    lost = 0

    async def annotator(user: SimUser, phase: float) -> None:
        nonlocal lost
        await asyncio.sleep(phase)
        for _ in range(taps):
            began = time.perf_counter()
            seconds = await _tap(user)
            if seconds is None:
                lost += 1
                return
            latencies.append(seconds)
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - began)))

    rng = random.Random(3)
    await asyncio.gather(*(annotator(u, rng.uniform(0, 1)) for u in users))
    return latencies, lost


async def _spam(user: SimUser, burst: int, stop: asyncio.Event) -> int:
    for n in range(burst):
        await user.send_text(f"spam {n}")
    sent = burst
    while not stop.is_set():
        for _ in range(10):
            await user.send_text(f"spam {sent}")
            sent += 1
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.1)
    return sent



async def measure(n_users: int, taps: int, spam: int) -> dict[str, float]:
    """Run both phases against one bot; return the figures."""
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bench.db"
        invite = await _create_project(db_path, n_users * taps * 2 + 100)
        async with running_sandbox(token=TOKEN, flood_control=True, log_requests=True,
                                   callback_query_ttl=3600.0) as server:
            ctx = multiprocessing.get_context("spawn")
            stop = ctx.Event()
            process = ctx.Process(target=_run_bot, args=(server.base_url,
                                                        server.base_file_url, str(db_path),
                                                        stop))
            process.start()
            try:
                users = [server.user(10_000 + i, f"Annotator {i}") for i in range(n_users)]
                for user in users:
                    await user.send_command("start", invite)
                    await user.wait_for(_is_task, timeout=120)
                quiet, lost = await _phase(users, taps)
                figures.update(quiet_p50_ms=percentile_ms(quiet, 50),
                               quiet_p99_ms=percentile_ms(quiet, 99),
                               quiet_lost=lost, quiet_taps=len(quiet))
                spammer = server.user(SPAMMER, "Spammer")
                done = asyncio.Event()
                spamming = asyncio.create_task(_spam(spammer, spam, done))
                noisy, lost = await _phase(users, taps)
                done.set()
                figures["spam_sent"] = await spamming
                figures.update(noisy_p50_ms=percentile_ms(noisy, 50),
                               noisy_p99_ms=percentile_ms(noisy, 99),
                               noisy_lost=lost, noisy_taps=len(noisy))
                figures["spammer_replies"] = sum(
                    1 for r in server.stats.log if r.chat_id == SPAMMER and r.ok)
                stopping = time.perf_counter()
            finally:
                stop.set()
                await asyncio.to_thread(process.join, 600)
            figures["stop_seconds"] = time.perf_counter() - stopping
    return figures


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--taps", type=int, default=15, help="paced taps per user and phase")
    parser.add_argument("--spam", type=int, default=1000, help="messages sent at once")
    args = parser.parse_args()
    random.seed(1)
    f = asyncio.run(measure(args.users, args.taps, args.spam))
    print(f"noisy sender, {args.users} annotators tapping about once a second, sandbox "
          f"flood control on, Python {sys.version.split()[0]}")
    rows = [
        ("without the spammer", f"tap to next task p50 {f['quiet_p50_ms']:.0f} ms, "
         f"p99 {f['quiet_p99_ms']:.0f} ms ({f['quiet_taps']:.0f} taps, "
         f"{f['quiet_lost']:.0f} never shown)"),
        ("with the spammer", f"tap to next task p50 {f['noisy_p50_ms']:.0f} ms, "
         f"p99 {f['noisy_p99_ms']:.0f} ms ({f['noisy_taps']:.0f} taps, "
         f"{f['noisy_lost']:.0f} never shown)"),
        ("spam", f"{f['spam_sent']:.0f} messages sent, {f['spammer_replies']:.0f} replies"),
        ("stopping the bot afterwards", f"{f['stop_seconds']:.1f} s"),
    ]
    print_rows(rows)


if __name__ == "__main__":
    main()
