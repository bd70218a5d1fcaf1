"""Measure a broadcast against Telegram's limit, and what it costs the annotators.

    .venv/bin/python benchmarks/broadcast.py [--annotators 1000] [--limit 30] [--rate 28]
    .venv/bin/python benchmarks/broadcast.py --taps [--annotators 1500] [--tappers 20]
    .venv/bin/python benchmarks/broadcast.py --stall [--annotators 100000]

The sandbox runs with flood control on (bot-wide ``--limit`` messages/s, burst 30; 1/s per
chat). The real bot (same process, polling) sends a text broadcast from an admin to every
annotator through the outbox; the script prints the achieved rate (first to last send),
how many requests were refused with 429, duplicates, and the time per message.

``--taps``: ``--tappers`` annotators each tap every ``tappers / --tap-rate`` seconds (open
loop, random phase) and the time from each tap to the next task on screen gives
p50/p90/p99, first with no broadcast, then while a broadcast to ``--annotators`` people
runs; it also counts the 429s on the task messages and taps whose task never came.
``--stall``: the longest event-loop stall (a ticker task's largest gap) while a coordinator
confirms a broadcast to ``--annotators`` people (the outbox insert).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from annotation.access import AccessService
from annotation.console.broadcasts import BroadcastService
from annotation.console.records import AudienceKind, AudienceRequest
from annotation.intake.catalog import CatalogService
from annotation.intake.item_drafts import ItemDraft
from annotation.intake.spec import parse_spec
from annotation.loop.onboarding import OnboardingService
from annotation.models import AnnotatorId, AnswerType, LocalizedText, MediaKind, ProjectSpec
from bot.application import running_bot
from bot.config import BotSettings
from bot.crowd_screens import task_assignment
from bot.sample import build_sample_project
from bot.sandbox import FloodLimits, SandboxServer, SimMessage, SimUser
from bot.sandbox.testing import running_sandbox, wait_until
from storage.database import Database

ADMIN = 1
FIRST = 10_000
TEXT = "Benchmark broadcast"


async def _prepare(db_path: Path, annotators: int) -> None:
    sample = build_sample_project(4, gold_share=0.0, seed=1)
    async with Database(db_path) as database:
        await CatalogService(database, clock=lambda: datetime.now(UTC)).create(
            parse_spec(sample.spec_toml), sample.items)
    with sqlite3.connect(db_path) as connection:
        connection.executemany(
            "INSERT INTO annotators (id, name, language, joined_at) VALUES (?, ?, 'en', ?)",
            [(i, f"A{i}", time.time()) for i in range(FIRST, FIRST + annotators)])


async def main(annotators: int, limit: float, rate: float) -> dict[str, float]:
    """Run one broadcast and return its figures."""
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "annobot.db"
        await _prepare(db_path, annotators)
        flood = dataclasses.replace(FloodLimits(), global_per_second=limit)
        async with running_sandbox(flood_control=True, flood=flood) as server:
            for i in range(FIRST, FIRST + annotators):
                server.user(i, f"A{i}")
            settings = BotSettings(
                token=server.token, database=db_path, admins=frozenset({ADMIN}),
                base_url=server.base_url, base_file_url=server.base_file_url,
                export_dir=Path(folder), expiry_interval=timedelta(hours=1),
                broadcast_rate=rate)
            async with running_bot(settings):
                admin = server.user(ADMIN, "Admin")
                await admin.send_command("start")
                await admin.wait_for(lambda m: "Welcome" in (m.text or ""), timeout=30)
                await admin.send_text(f"/broadcast all {TEXT}")
                draft = await admin.wait_for(lambda m: bool(m.buttons) and "Send this" in
                                             (m.text or ""))
                await admin.tap("📣 Send", draft.message_id)
                await admin.wait_for(lambda m: "Broadcast finished" in (m.text or ""),
                                     timeout=annotators / rate * 2 + 30)
            sends = sorted((r.time, r.chat_id) for r in server.stats.log
                           if r.method == "sendMessage" and r.ok and (r.chat_id or 0) >= FIRST)
            refusals = server.stats.flood_refusals
    duration = sends[-1][0] - sends[0][0]
    per_chat = Counter(chat for _t, chat in sends)
    return {
        "messages": len(sends), "seconds": duration, "rate": (len(sends) - 1) / duration,
        "limit": limit, "configured": rate, "refusals_429": refusals,
        "duplicates": sum(n - 1 for n in per_chat.values()),
    }


TAP_OPTIONS = ("A", "B", "C")


async def _prepare_taps(db_path: Path, annotators: int, items: int) -> str:
    spec = ProjectSpec(name="Letters", question=LocalizedText({"en": "Which letter?"}),
                       answer_type=AnswerType.SINGLE, options=TAP_OPTIONS, overlap=3,
                       gold_rate=0.0, time_limit_seconds=3600)
    drafts = [ItemDraft(line=i + 2, external_id=f"t{i}", kind=MediaKind.TEXT,
                        text=f"Sentence {i}.", media=None, gold_answer=None,
                        explanation=None, training=False) for i in range(items)]
    async with Database(db_path) as database:
        project = await CatalogService(database, clock=lambda: datetime.now(UTC)).create(
            spec, drafts)
    with sqlite3.connect(db_path) as connection:
        connection.executemany(
            "INSERT INTO annotators (id, name, language, joined_at) VALUES (?, ?, 'en', ?)",
            [(i, f"A{i}", time.time()) for i in range(FIRST, FIRST + annotators)])
    return project.invite_code


async def tap_latency(annotators: int, tappers: int, tap_rate: float, rounds: int,
                      with_broadcast: bool) -> dict[str, float | int]:
    """Return tap-to-next-task percentiles (seconds) with or without a broadcast."""
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "annobot.db"
        invite = await _prepare_taps(db_path, annotators, tappers * rounds)
        async with running_sandbox(flood_control=True) as server:
            for i in range(FIRST, FIRST + annotators):
                server.user(i, f"A{i}")
            settings = BotSettings(
                token=server.token, database=db_path, admins=frozenset({ADMIN}),
                base_url=server.base_url, base_file_url=server.base_file_url,
                export_dir=Path(folder), expiry_interval=timedelta(hours=1))
            async with running_bot(settings):
                crowd = [server.user(100 + n, f"T{n}") for n in range(tappers)]
                firsts = await asyncio.gather(*(_join(user, invite) for user in crowd))
                if with_broadcast:
                    admin = server.user(ADMIN, "Admin")
                    await admin.send_command("start")
                    await admin.wait_for(lambda m: "Welcome" in (m.text or ""), timeout=30)
                    await admin.send_text(f"/broadcast all {TEXT}")
                    draft = await admin.wait_for(lambda m: "Send this" in (m.text or ""))
                    await admin.tap("📣 Send", draft.message_id)
                    await wait_until(lambda: _sent(server) >= 30, timeout=30)
                mark = len(server.stats.log)
                latencies: list[float] = []
                lost = 0
                loop = asyncio.get_running_loop()
                interval = tappers / tap_rate
                begin = loop.time()
                rng = random.Random(5)

                async def tapper(user: SimUser, message: SimMessage, phase: float) -> None:
                    nonlocal lost
                    for n in range(rounds):
                        delay = begin + phase + n * interval - loop.time()
                        if delay > 0:
                            await asyncio.sleep(delay)
                        answered = task_assignment(message)
                        version = user.version
                        started = time.perf_counter()
                        await user.tap(TAP_OPTIONS[0], message.message_id)
                        try:
                            message = await user.wait_for(
                                lambda m, v=version, a=answered: m.version >= v  # type: ignore[misc]
                                and task_assignment(m) not in (None, a), timeout=30)
                        except TimeoutError:
                            lost += 1
                            return
                        latencies.append(time.perf_counter() - started)

                await asyncio.gather(*(tapper(u, f, rng.uniform(0, interval))
                                       for u, f in zip(crowd, firsts, strict=True)))
                chats = {u.id for u in crowd}
                refused = sum(1 for r in server.stats.log[mark:] if r.status == 429
                              and r.chat_id in chats and r.method != "answerCallbackQuery")
    cuts = statistics.quantiles(latencies, n=100)
    return {"taps": len(latencies), "lost": lost, "p50": cuts[49], "p90": cuts[89],
            "p99": cuts[98], "task 429s": refused}


async def _join(user: SimUser, invite: str) -> SimMessage:
    await user.send_command("start", invite)
    return await user.wait_for(lambda m: task_assignment(m) is not None, timeout=30)


def _sent(server: SandboxServer) -> int:
    return sum(1 for r in server.stats.log if r.method == "sendMessage" and r.ok
               and (r.chat_id or 0) >= FIRST)


async def queue_stall(annotators: int) -> float:
    """Return the longest event-loop stall (s) while a broadcast to everyone is queued."""
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "annobot.db"
        await _prepare(db_path, annotators)
        clock = lambda: datetime.now(UTC)  # noqa: E731
        async with Database(db_path) as database:
            access = AccessService(database, clock=clock, admins={ADMIN})
            await OnboardingService(database, clock=clock, admins={ADMIN}).register(
                AnnotatorId(ADMIN), "Admin", "en")
            service = BroadcastService(database, access, clock=clock)
            draft = await service.draft(ADMIN, AudienceRequest(AudienceKind.ALL), TEXT)
            longest = 0.0
            done = asyncio.Event()

            async def ticker() -> None:
                nonlocal longest
                while not done.is_set():
                    before = time.perf_counter()
                    await asyncio.sleep(0)
                    longest = max(longest, time.perf_counter() - before)

            ticking = asyncio.create_task(ticker())
            await asyncio.sleep(0)
            queued = await service.confirm(ADMIN, draft.broadcast.id, ADMIN, 1)
            done.set()
            await ticking
            assert queued == annotators + 1, queued
    return longest


def _cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotators", type=int, default=1000)
    parser.add_argument("--limit", type=float, default=30.0, help="the sandbox's limit/s")
    parser.add_argument("--rate", type=float, default=28.0, help="the bot's pacing rate/s")
    parser.add_argument("--taps", action="store_true", help="tap latency with a broadcast")
    parser.add_argument("--tappers", type=int, default=20)
    parser.add_argument("--tap-rate", type=float, default=10.0, help="taps/s, all tappers")
    parser.add_argument("--rounds", type=int, default=15, help="taps per tapper")
    parser.add_argument("--stall", action="store_true", help="loop stall when queueing")
    args = parser.parse_args()
    if args.taps:
        for label, with_broadcast in (("no broadcast", False), ("broadcast", True)):
            result = asyncio.run(tap_latency(args.annotators, args.tappers, args.tap_rate,
                                             args.rounds, with_broadcast))
            print(f"{label:>12}: " + ", ".join(f"{k} {v:.0f}" if isinstance(v, int)
                                               else f"{k} {v:.3f}"
                                               for k, v in result.items()))
        return
    if args.stall:
        print(f"queueing a broadcast to {args.annotators} annotators: longest loop stall "
              f"{asyncio.run(queue_stall(args.annotators)) * 1000:.0f} ms")
        return
    figures = asyncio.run(main(args.annotators, args.limit, args.rate))
    print(f"broadcast to {figures['messages']:.0f} annotators in {figures['seconds']:.1f} s: "
          f"{figures['rate']:.1f} messages/s against a limit of {figures['limit']:.0f}/s "
          f"({100 * figures['rate'] / figures['limit']:.0f}% of the limit; paced at "
          f"{figures['configured']:.0f}/s); 429 refusals: {figures['refusals_429']:.0f}; "
          f"duplicates: {figures['duplicates']:.0f}")


if __name__ == "__main__":
    _cli()
