"""Measure a broadcast's send rate against Telegram's limit, through the sandbox.

    .venv/bin/python benchmarks/broadcast.py [--annotators 1000] [--limit 30] [--rate 28]

The sandbox runs with flood control on (bot-wide ``--limit`` messages/s, burst 30; 1/s per
chat). The real bot (same process, polling) sends a text broadcast from an admin to every
annotator through the outbox; the script prints the achieved rate (first to last send),
how many requests were refused with 429, duplicates, and the time per message.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sqlite3
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from annotation.projects import ProjectService
from annotation.sample import build_sample_project
from annotation.spec import parse_spec
from bot.application import BotSettings, running_bot
from bot.sandbox import FloodLimits
from bot.sandbox.testing import running_sandbox
from storage.database import Database

ADMIN = 1
FIRST = 10_000
TEXT = "Benchmark broadcast"


async def _prepare(db_path: Path, annotators: int) -> None:
    sample = build_sample_project(4, gold_share=0.0, seed=1)
    async with Database(db_path) as database:
        await ProjectService(database, clock=lambda: datetime.now(UTC)).create(
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


def _cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotators", type=int, default=1000)
    parser.add_argument("--limit", type=float, default=30.0, help="the sandbox's limit/s")
    parser.add_argument("--rate", type=float, default=28.0, help="the bot's pacing rate/s")
    args = parser.parse_args()
    figures = asyncio.run(main(args.annotators, args.limit, args.rate))
    print(f"broadcast to {figures['messages']:.0f} annotators in {figures['seconds']:.1f} s: "
          f"{figures['rate']:.1f} messages/s against a limit of {figures['limit']:.0f}/s "
          f"({100 * figures['rate'] / figures['limit']:.0f}% of the limit; paced at "
          f"{figures['configured']:.0f}/s); 429 refusals: {figures['refusals_429']:.0f}; "
          f"duplicates: {figures['duplicates']:.0f}")


if __name__ == "__main__":
    _cli()
