"""Measure the sandbox Bot API server's own capacity.

    .venv/bin/python benchmarks/sandbox.py [--users 1000] [--requests 20000] [--taps 5]

(a) raw requests/s: the server runs alone in a child process with flood control off;
    the parent fires sendMessage + editMessageText pairs at 1,000 users from N concurrent
    aiohttp clients.
(b) a real PTB bot loop: the sandbox and the simulated users share one process, an
    unmodified PTB Application (polling, concurrent updates) runs in another and answers
    every tap with answerCallbackQuery + editMessageText; every user taps in a loop.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import multiprocessing.synchronize
import os
import random
import time
from typing import Any

import aiohttp
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.sandbox import SandboxConfig, SandboxServer, SimUser
from bot.sandbox.testing import free_port, running_sandbox

TOKEN = "123456:BENCH"


# --- (a) raw request capacity -----------------------------------------------------------
def _serve(port: int, users: int, ready: multiprocessing.synchronize.Event,
           stop: multiprocessing.synchronize.Event) -> None:
    async def main() -> None:
        config = SandboxConfig(token=TOKEN, port=port, flood_control=False)
        async with SandboxServer(config) as server:
            for user_id in range(1, users + 1):
                server.user(user_id)
            ready.set()
            await asyncio.to_thread(stop.wait)

    asyncio.run(main())


async def _fire(port: int, users: int, total: int, concurrency: int) -> float:
    url = f"http://127.0.0.1:{port}/bot{TOKEN}/"
    remaining = total // 2
    rng = random.Random(0)

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            chat = str(rng.randint(1, users))
            async with session.post(url + "sendMessage",
                                    data={"chat_id": chat, "text": "task"}) as response:
                sent = (await response.json())["result"]
            async with session.post(url + "editMessageText",
                                    data={"chat_id": chat, "message_id": str(sent["message_id"]),
                                          "text": "answered"}) as response:
                assert (await response.json())["ok"]

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
        return (total // 2 * 2) / (time.perf_counter() - start)


def measure_raw(users: int, total: int, concurrency: int) -> float:
    """Return requests/s the server sustains when alone in its process."""
    ctx = multiprocessing.get_context("spawn")
    ready, stop = ctx.Event(), ctx.Event()
    port = free_port()
    process = ctx.Process(target=_serve, args=(port, users, ready, stop))
    process.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("sandbox process did not start")
        return asyncio.run(_fire(port, users, total, concurrency))
    finally:
        stop.set()
        process.join(10)


# --- (b) PTB annotation loop ------------------------------------------------------------
def _keyboard(n: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Cat", callback_data=f"cat:{n}"),
                                  InlineKeyboardButton("Dog", callback_data=f"dog:{n}")]])


async def _cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text("task 0", reply_markup=_keyboard(0))


async def _on_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    n = int(query.data.split(":")[1]) + 1
    await query.answer("saved")
    await query.edit_message_text(f"task {n}", reply_markup=_keyboard(n))


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    print(f"bot error: {context.error!r}")


def run_bare_bot(base_url: str, file_url: str, stop: multiprocessing.synchronize.Event,
                 token: str = TOKEN) -> None:
    """Run a bot that answers each tap with one edit and stores nothing (the ceiling)."""

    async def main() -> None:
        app = (Application.builder().token(token).base_url(base_url).base_file_url(file_url)
               .concurrent_updates(256).connection_pool_size(16).pool_timeout(30.0)
               .build())
        app.add_handler(CommandHandler("start", _cmd_start))
        app.add_handler(CallbackQueryHandler(_on_tap))
        app.add_error_handler(_on_error)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=10)
            await asyncio.to_thread(stop.wait)
            await app.updater.stop()
            await app.stop()

    asyncio.run(main())


async def _annotate(user: SimUser, taps: int) -> None:
    for _ in range(taps):
        mark = user.version
        await user.tap(random.choice(("Cat", "Dog")))
        await user.next_change(timeout=60, after=mark)


async def _loop(users: int, taps: int) -> tuple[float, dict[str, int]]:
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    # queued taps may wait longer than Telegram's 15 s answer window when the bot is saturated;
    # this run measures capacity, not the bot's latency, so the window is widened
    async with running_sandbox(token=TOKEN, flood_control=False, log_requests=False,
                               callback_query_ttl=3600.0) as server:
        process = ctx.Process(target=run_bare_bot,
                              args=(server.base_url, server.base_file_url, stop))
        process.start()
        try:
            people = [server.user(i, f"Annotator {i}") for i in range(1, users + 1)]
            for person in people:
                await person.send_command("start")
            for person in people:
                await person.wait_for(lambda m: m.text == "task 0", timeout=60)
            server.stats.reset()
            start, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(_annotate(p, taps) for p in people))
            elapsed = time.perf_counter() - start
            busy = (time.process_time() - cpu) / elapsed
            calls = {**server.stats.calls, "sandbox+driver CPU %": round(100 * busy)}
            return users * taps / elapsed, calls
        finally:
            stop.set()
            await asyncio.to_thread(process.join, 30)


def measure_loop(users: int, taps: int) -> tuple[float, dict[str, int]]:
    """Return taps/s through a real PTB bot, and the API calls made during the run."""
    return asyncio.run(_loop(users, taps))


def main() -> None:
    """Run both measurements and print them as a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--taps", type=int, default=5, help="taps per user in (b)")
    parser.add_argument("--only", choices=("raw", "loop"), help="run one measurement")
    args = parser.parse_args()
    rows: list[tuple[str, Any]] = [("CPU cores", os.cpu_count())]
    if args.only in (None, "raw"):
        raw = measure_raw(args.users, args.requests, args.concurrency)
        rows.append((f"(a) raw sendMessage+editMessageText, {args.concurrency} clients, "
                     f"{args.users} users", f"{raw:,.0f} requests/s"))
    if args.only in (None, "loop"):
        taps, calls = measure_loop(args.users, args.taps)
        rows.append((f"(b) PTB bot loop, {args.users} users x {args.taps} taps",
                     f"{taps:,.0f} taps/s"))
        rows.append(("(b) API calls during the loop",
                     ", ".join(f"{k}={v}" for k, v in sorted(calls.items()))))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
