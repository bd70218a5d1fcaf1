"""The Mini App's HTTP server: pages from memory (gzipped, hashed, cached), a request budget
per sender, chat edits in order per user, and the webhook's secret."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from telegram import Bot, Update

from annotation.loop.tasks import Outcome, Result
from handlers.miniapp.api import RequestBudget
from handlers.miniapp.server import (
    LONG_CACHE,
    SECRET_HEADER,
    ChatUpdates,
    StaticPages,
    Webhook,
    WebServer,
    build_web_app,
    load_static,
)

SCRIPT = b"const marks = [];\n" * 400
PAGE = (b'<!doctype html><link rel="stylesheet" href="app/static/app.css">'
        b'<script src="app/static/app.js"></script><img src="app/static/none.png">')


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_bytes(PAGE)
    (tmp_path / "app.js").write_bytes(SCRIPT)
    (tmp_path / "app.css").write_bytes(b"body { margin: 0 }\n" * 50)
    (tmp_path / ".hidden").write_bytes(b"secret")
    return tmp_path


@pytest.fixture
async def served(folder: Path) -> AsyncIterator[str]:
    pages = StaticPages(load_static(folder))
    server = WebServer(build_web_app("/annobot", None, pages, None))
    port = await server.start("127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{port}/annobot"
    finally:
        await server.stop()


def test_the_page_names_each_asset_by_its_content_hash(folder: Path) -> None:
    assets = load_static(folder)
    page = assets["index.html"].body.decode()
    assert f'src="app/static/app.js?v={assets["app.js"].digest}"' in page
    assert f'href="app/static/app.css?v={assets["app.css"].digest}"' in page
    assert 'src="app/static/none.png"' in page  # not an asset: left as written
    assert ".hidden" not in assets


async def test_assets_are_gzipped_when_accepted_and_cached_by_hash(served: str,
                                                                  folder: Path) -> None:
    digest = load_static(folder)["app.js"].digest
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        async with http.get(f"{served}/app/static/app.js", params={"v": digest},
                            headers={"Accept-Encoding": "gzip"}) as response:
            body = await response.read()
            assert response.status == 200
            assert response.headers["Content-Encoding"] == "gzip"
            assert response.headers["Cache-Control"] == LONG_CACHE
            assert response.headers["ETag"] == f'"{digest}"'
            assert gzip.decompress(body) == SCRIPT and len(body) < len(SCRIPT) / 10
        async with http.get(f"{served}/app/static/app.js",
                            headers={"Accept-Encoding": "identity"}) as response:
            assert await response.read() == SCRIPT
            assert "Content-Encoding" not in response.headers
            assert response.headers["Cache-Control"] == "no-cache"  # an old or missing hash
        async with http.get(f"{served}/app/static/app.js",
                            headers={"If-None-Match": f'"{digest}"'}) as response:
            assert response.status == 304


async def test_the_page_is_revalidated_and_unknown_files_are_not_found(served: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{served}/app", params={"a": "12"}) as response:
            assert response.status == 200
            assert response.headers["Cache-Control"] == "no-cache"
            assert response.content_type == "text/html"
            assert "app.js?v=" in await response.text()
            policy = response.headers["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "connect-src 'self'" in policy
            assert "default-src 'none'" in policy
        for missing in ("/app/static/.hidden", "/app/static/index.html",
                        "/app/static/../index.html", "/../app"):
            async with http.get(f"{served}{missing}") as response:
                assert response.status == 404, missing


def test_one_senders_budget_never_spends_anothers() -> None:
    now = [0.0]
    budget = RequestBudget(rate=2.0, burst=3, clock=lambda: now[0])
    assert [budget.take(1) for _ in range(4)] == [True, True, True, False]
    assert budget.take(2) and budget.take(2)
    now[0] += 0.5  # one request's worth of time
    assert budget.take(1) and not budget.take(1)


async def test_one_users_chat_edits_run_in_order_and_are_drained() -> None:
    names = ("a1", "a2", "b1")
    started = {name: asyncio.Event() for name in names}
    gates = {name: asyncio.Event() for name in names}
    order: list[str] = []

    async def show(user_id: int, outcome: Outcome) -> None:
        order.append(outcome.recorded)
        started[outcome.recorded].set()
        await gates[outcome.recorded].wait()

    updates = ChatUpdates(show)
    for user_id, name in ((1, "a1"), (1, "a2"), (2, "b1")):
        updates.submit(user_id, Outcome(Result.RECORDED, None, recorded=name))
    drained = asyncio.create_task(updates.drain())
    await started["a1"].wait()
    await started["b1"].wait()  # another user's edit does not wait for user 1's
    assert order == ["a1", "b1"]  # user 1's second edit waits for its first
    gates["a1"].set()
    await started["a2"].wait()
    assert not drained.done()
    gates["a2"].set()
    gates["b1"].set()
    await drained
    assert order == ["a1", "b1", "a2"]


async def test_the_webhook_takes_only_updates_with_its_secret() -> None:
    queue: asyncio.Queue[object] = asyncio.Queue()
    hook = Webhook("hook/path", "s3cret", Bot("123456:test-token-abcdefghijklmnopqrst"), queue)
    server = WebServer(build_web_app("", None, None, hook))
    port = await server.start("127.0.0.1", 0)
    update = {"update_id": 7, "message": {"message_id": 1, "date": 0, "text": "hi",
                                          "chat": {"id": 5, "type": "private"}}}
    try:
        async with aiohttp.ClientSession() as http:
            for secret, status in (("wrong", 403), ("", 403), ("s3cret", 200)):
                async with http.post(f"http://127.0.0.1:{port}/hook/path", json=update,
                                     headers={SECRET_HEADER: secret}) as response:
                    assert response.status == status
    finally:
        await server.stop()
    received = queue.get_nowait()
    assert isinstance(received, Update) and received.update_id == 7 and queue.empty()
