"""Broadcasts through the sandbox with Telegram's flood limits on: paced, no 429, no
duplicates, blocked annotators marked, photos sent by file_id, progress edited."""

from __future__ import annotations

import io
import sqlite3
import time
from collections import Counter
from pathlib import Path

from PIL import Image

from bot.sample import SampleProject
from bot.sandbox import SandboxServer, SimUser
from bot.sandbox.stats import RequestRecord
from tests.e2e.conftest import ADMIN, sample_spec, sandbox

LIMIT = 30.0  # the sandbox's bot-wide limit (FloodLimits.global_per_second)
FIRST = 10_000


def add_annotators(db_path: Path, count: int, project: int | None = 1) -> list[int]:
    """Register annotators straight in the database (as if they had sent /start)."""
    ids = list(range(FIRST, FIRST + count))
    with sqlite3.connect(db_path) as connection:
        connection.executemany(
            "INSERT INTO annotators (id, name, language, current_project, joined_at) "
            "VALUES (?, ?, 'en', ?, ?)",
            [(i, f"A{i}", project if i % 2 == 0 else None, time.time()) for i in ids])
    return ids


def send_rate(records: list[RequestRecord]) -> float:
    """Messages per second between the first and the last send."""
    times = sorted(r.time for r in records)
    return (len(times) - 1) / (times[-1] - times[0])


def broadcast_sends(server: SandboxServer, method: str = "sendMessage") -> list[RequestRecord]:
    return [r for r in server.stats.log
            if r.method == method and r.chat_id is not None and r.chat_id >= FIRST]


async def confirm(admin: SimUser, command: str, expected: str) -> None:
    await admin.send_text(command)
    draft = await admin.wait_for(lambda m: expected in (m.text or ""))
    await admin.tap("📣 Send", draft.message_id)
    await admin.tap("📣 Send", draft.message_id)  # a double tap queues nothing more


async def test_broadcast_is_paced_and_reaches_everyone_once(sample_small: SampleProject,
                                                             make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness:
        ids = add_annotators(harness.db_path, 150)
        async with sandbox(flood_control=True) as server, harness.bot(server):
            users = {i: server.user(i, f"A{i}") for i in ids}
            blocked = ids[:5]
            for i in blocked:
                users[i].block()
            admin = server.user(ADMIN, "Admin")
            await admin.send_command("start")
            await admin.wait_for(lambda m: "Welcome" in (m.text or ""))
            await confirm(admin, "/broadcast all Hello everyone\nsecond line",
                          "Send this to 151 annotators?")
            done = await admin.wait_for(lambda m: "Broadcast finished" in (m.text or ""),
                                        timeout=30)
            assert "146 sent, 5 blocked the bot, 0 failed, 0 uncertain, of 151." in done.text
            assert done.edit_count >= 2  # "Sending…", progress, finished
            for i, user in users.items():
                got = [m for m in user.messages if m.text == "Hello everyone\nsecond line"]
                assert len(got) == (0 if i in blocked else 1), user.dump()
            assert server.stats.flood_refusals == 0
            sends = broadcast_sends(server)
            print(f"broadcast: {len(sends)} messages at {send_rate(sends):.1f}/s")
            # never above Telegram's limit (how close below it comes is a measurement:
            # benchmarks/broadcast.py, docs/PERFORMANCE.md, not a timed test)
            assert send_rate(sends) <= 1.1 * LIMIT, send_rate(sends)
            assert harness.rows("SELECT id FROM annotators WHERE blocked = 1 ORDER BY id") == [
                (i,) for i in blocked]

            uploads = server.stats.uploads
            in_project = len([i for i in ids if i % 2 == 0 and i not in blocked])
            await admin.send_photo(_png(), caption="/broadcast project 1 Look at this")
            draft = await admin.wait_for(
                lambda m: f"Send this to {in_project} annotators?" in (m.text or ""))
            await admin.tap("📣 Send", draft.message_id)
            await admin.wait_for(
                lambda m: f"Broadcast finished: {in_project} sent" in (m.text or ""), timeout=30)
            photos = broadcast_sends(server, "sendPhoto")
            assert len({r.chat_id for r in photos if r.ok}) == len(photos) == in_project
            assert server.stats.uploads == uploads  # sent by file_id: no upload by the bot
            assert server.stats.flood_refusals == 0
    per_chat = Counter(r.chat_id for r in broadcast_sends(server))
    assert max(per_chat.values()) == 1


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()
