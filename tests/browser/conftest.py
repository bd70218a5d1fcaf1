"""Browser fixtures: Debian's Chromium driven by Playwright, and the Mini App's page served
with the contract's HTTP API over an in-memory fake task.

The page under test is the real one (``handlers/miniapp/static``), served by the server's
own static pages (assets named by content hash, gzipped) under a path prefix (``/annobot/app``)
as behind a reverse proxy; the API is the server's (``handlers/miniapp/api.py``):
``GET /api/task``, ``GET /api/image`` and ``POST /api/answer``, each refused without the
``Authorization: tma <initData>`` header. The same page against the real bot (the sandbox,
SQLite, the bot's own Mini App server) is tested in ``test_miniapp_live.py``.

The tests share one browser and one event loop (``pytestmark`` of each module: session loop
scope); each opens its own context. Without ``/usr/bin/chromium`` the tests are skipped,
unless ``ANNOBOT_BROWSER_TESTS=required`` (set by ``.ci/run``), which makes them fail.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import pytest_asyncio
from aiohttp import web
from PIL import Image, ImageDraw

from annotation.aggregation.spans import tokens as text_tokens
from handlers.miniapp.server import StaticPages, load_static
from handlers.miniapp.strings import STRINGS

CHROMIUM = Path("/usr/bin/chromium")
STATIC = Path(__file__).resolve().parents[2] / "handlers" / "miniapp" / "static"
PREFIX = "/annobot"
INIT_DATA = ("query_id=AAHdF6IQAAAAAN0XohDhrOrc&user=%7B%22id%22%3A42%2C%22first_name%22%3A"
             "%22Rova%22%2C%22language_code%22%3A%22fr%22%7D&auth_date=1764650000"
             "&signature=c2lnbmF0dXJl&hash=5c1d0e0f")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
IMAGE_SIZE = (800, 600)
CLASSES = ["car", "person", "bicycle"]
LABELS = ["PER", "LOC", "ORG"]
TEXT = "Rakoto lives in Antananarivo, Madagascar. 😀 Ny Zo works at Orange."


def tokens(text: str) -> list[list[int]]:
    """Return the tokens of ``text`` as the API sends them (the server's tokenizer)."""
    return [[start, end] for start, end in text_tokens(text)]


def make_jpeg(size: tuple[int, int]) -> bytes:
    """Return a JPEG with a few shapes (something to draw boxes on)."""
    image = Image.new("RGB", size, (205, 222, 235))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((0, height * 0.7, width, height), fill=(120, 120, 125))
    draw.rectangle((width * 0.1, height * 0.5, width * 0.45, height * 0.8), fill=(200, 40, 40))
    draw.ellipse((width * 0.15, height * 0.72, width * 0.23, height * 0.84), fill=(20, 20, 20))
    draw.ellipse((width * 0.33, height * 0.72, width * 0.41, height * 0.84), fill=(20, 20, 20))
    draw.rectangle((width * 0.62, height * 0.35, width * 0.7, height * 0.78), fill=(40, 90, 50))
    draw.ellipse((width * 0.615, height * 0.25, width * 0.705, height * 0.37),
                 fill=(230, 190, 150))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


@dataclass
class Reply:
    """An answer the fake gives to the next ``POST /api/answer`` instead of accepting it."""

    status: int
    error: str
    message: str


@dataclass
class FakeTask:
    """One live assignment behind the fake API, and what the page sent it."""

    view: dict[str, Any]
    assignment: int = 7
    strings: dict[str, str] = field(default_factory=lambda: dict(STRINGS))
    image: bytes = b""
    posts: list[dict[str, Any]] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    gate: asyncio.Event | None = None  # when set: answers wait for it
    image_gate: asyncio.Event | None = None  # when set: the image waits for it
    posted: asyncio.Event = field(default_factory=asyncio.Event)
    task_requests: int = 0
    recorded: Any = None

    def task_json(self, base: str) -> dict[str, Any]:
        """Return the body of ``GET /api/task``."""
        image = None
        if self.view["kind"] == "boxes":
            image = {"url": f"{base}/api/image?a={self.assignment}",
                     "width": IMAGE_SIZE[0], "height": IMAGE_SIZE[1]}
        return {"assignment": self.assignment, "lang": "en", "strings": self.strings,
                "question": "Mark every object.", "image": image, **self.view}


def boxes_view(**changes: Any) -> dict[str, Any]:
    """Return the app view of a boxes task (classes car, person, bicycle)."""
    return {"kind": "boxes", "classes": CLASSES, "points": True, "nothing": True,
            "overlapping": False, "text": None, "tokens": None, "draft": None, **changes}


def spans_view(**changes: Any) -> dict[str, Any]:
    """Return the app view of a spans task on :data:`TEXT` (labels PER, LOC, ORG)."""
    return {"kind": "spans", "classes": LABELS, "points": False, "nothing": True,
            "overlapping": False, "text": TEXT, "tokens": tokens(TEXT), "draft": None,
            **changes}


def _refused(status: int, error: str, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": error, "message": message}, status=status)


def fake_api(fake: FakeTask) -> web.Application:
    """Return an aiohttp app serving the real page and the contract's API over ``fake``."""

    def authorized(request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"tma {INIT_DATA}"

    def own(request: web.Request) -> bool:
        return request.query.get("a") == str(fake.assignment)

    async def task(request: web.Request) -> web.Response:
        fake.task_requests += 1
        if not authorized(request):
            return _refused(401, "forged", "Forged!")
        if not own(request):
            return _refused(403, "not_yours", "Not your task.")
        base = f"{request.scheme}://{request.host}{PREFIX}"
        return web.json_response(fake.task_json(base))

    async def image(request: web.Request) -> web.Response:
        if not authorized(request) or not own(request):
            return _refused(401, "forged", "Forged!")
        if fake.image_gate is not None:
            await fake.image_gate.wait()
        return web.Response(body=fake.image, content_type="image/jpeg")

    async def answer(request: web.Request) -> web.Response:
        if not authorized(request):
            return _refused(401, "forged", "Forged!")
        body = await request.json()
        fake.posts.append(body)
        fake.posted.set()
        if fake.gate is not None:
            await fake.gate.wait()
        if fake.replies:
            reply = fake.replies.pop(0)
            return _refused(reply.status, reply.error, reply.message)
        if body.get("assignment") != fake.assignment:
            return _refused(403, "not_yours", "Not your task.")
        duplicate = fake.recorded is not None
        if not duplicate:
            fake.recorded = body["answer"]
        return web.json_response({"ok": True, "duplicate": duplicate})

    pages = StaticPages(load_static(STATIC))  # the server's own: hashed, gzipped assets
    app = web.Application()
    app.router.add_get(f"{PREFIX}/app", pages.page)
    app.router.add_get(f"{PREFIX}/app/static/{{name:.+}}", pages.asset)
    app.router.add_get(f"{PREFIX}/api/task", task)
    app.router.add_get(f"{PREFIX}/api/image", image)
    app.router.add_post(f"{PREFIX}/api/answer", answer)
    return app


@dataclass
class Served:
    """The fake API running on a local port: the page's URL and the fake behind it."""

    fake: FakeTask
    origin: str

    def url(self, theme: dict[str, str] | None = None) -> str:
        """Return the page's URL the way Telegram opens it: initData in the fragment."""
        fragment = f"tgWebAppData={quote(INIT_DATA, safe='')}&tgWebAppVersion=8.0" \
                   "&tgWebAppPlatform=android"
        if theme is not None:
            fragment += "&tgWebAppThemeParams=" + quote(json.dumps(theme), safe="")
        return f"{self.origin}{PREFIX}/app?a={self.fake.assignment}#{fragment}"


@pytest.fixture
def fake() -> FakeTask:
    """Return a live boxes assignment (tests may swap its view before opening the page)."""
    return FakeTask(view=boxes_view(), image=make_jpeg(IMAGE_SIZE))


@pytest_asyncio.fixture(loop_scope="session")
async def served(fake: FakeTask) -> AsyncIterator[Served]:
    """Serve the page and the fake API on a free local port."""
    runner = web.AppRunner(fake_api(fake), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield Served(fake, f"http://127.0.0.1:{port}")
    finally:
        for gate in (fake.gate, fake.image_gate):
            if gate is not None:
                gate.set()
        await runner.cleanup()


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Return Debian's Chromium, or skip (fail in CI) when it is not installed."""
    if not CHROMIUM.exists():
        if os.environ.get("ANNOBOT_BROWSER_TESTS") == "required":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}")
    return CHROMIUM


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(chromium: Path) -> AsyncIterator[Any]:
    """Launch Debian's Chromium headless through Playwright, once for all the tests (each
    test has its own browser context: its own storage, like a fresh phone)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(chromium),
                                                    args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


PHONE = {"viewport": {"width": 360, "height": 640}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}


@pytest_asyncio.fixture(loop_scope="session")
async def context(browser: Any) -> AsyncIterator[Any]:
    """Return a phone-sized touch context (360×640 CSS px at 2×)."""
    opened = await browser.new_context(**PHONE)
    try:
        yield opened
    finally:
        await opened.close()


class Touch:
    """Finger gestures through Chrome's DevTools protocol (Playwright's touchscreen taps
    only): each call sends touchStart, touchMove steps and touchEnd, which Chrome turns
    into pointer events as a phone would."""

    def __init__(self, cdp: Any) -> None:
        self._cdp = cdp
        self._clock = 0.0

    async def _send(self, kind: str, points: list[tuple[float, float]],
                    after: float = 0.016) -> None:
        # event times a finger would give (a frame apart), not the test's speed: a drag sent
        # in a burst would end in a fling, and the next tap would only stop the fling
        self._clock = max(self._clock + after, time.time())
        await self._cdp.send("Input.dispatchTouchEvent", {
            "type": kind, "timestamp": self._clock,
            "touchPoints": [{"x": x, "y": y, "id": i} if len(points) > 1 else {"x": x, "y": y}
                            for i, (x, y) in enumerate(points)]})

    async def drag(self, start: tuple[float, float], end: tuple[float, float],
                   steps: int = 8) -> None:
        """Drag one finger from ``start`` to ``end``, and hold it there before lifting."""
        await self._send("touchStart", [start])
        for step in range(1, steps + 1):
            f = step / steps
            await self._send("touchMove", [(start[0] + (end[0] - start[0]) * f,
                                            start[1] + (end[1] - start[1]) * f)])
        await self._send("touchMove", [end], after=0.2)
        await self._send("touchEnd", [])

    async def tap(self, at: tuple[float, float]) -> None:
        """Tap one finger at ``at``."""
        await self._send("touchStart", [at])
        await self._send("touchEnd", [])

    async def pinch(self, center: tuple[float, float], start: float, end: float,
                    steps: int = 8) -> None:
        """Spread (or close) two fingers on a horizontal line through ``center``, from
        ``start`` to ``end`` pixels apart."""
        cx, cy = center

        def fingers(gap: float) -> list[tuple[float, float]]:
            return [(cx - gap / 2, cy), (cx + gap / 2, cy)]

        await self._send("touchStart", fingers(start)[:1])
        await self._send("touchStart", fingers(start))
        for step in range(1, steps + 1):
            await self._send("touchMove", fingers(start + (end - start) * step / steps))
        await self._send("touchEnd", fingers(end)[:1])
        await self._send("touchEnd", [])


# Counts the page's calls to fetch() per path, before any request leaves the page.
COUNT_FETCHES = """
window.__fetches = {};
const realFetch = window.fetch.bind(window);
window.fetch = (url, options) => {
  const path = new URL(String(url), location.href).pathname;
  window.__fetches[path] = (window.__fetches[path] || 0) + 1;
  return realFetch(url, options);
};
"""


@dataclass
class Phone:
    """An opened Mini App page on the phone-sized context, with touch gestures."""

    page: Any
    touch: Touch
    served: Served

    @property
    def draft_key(self) -> str:
        """Return the page's localStorage key of this assignment's draft."""
        return f"annobot:draft:{self.served.fake.assignment}"

    async def draft(self) -> Any:
        """Return the draft the page keeps, parsed (None: none)."""
        raw = await self.page.evaluate("k => localStorage.getItem(k)", self.draft_key)
        return None if raw is None else json.loads(raw)

    async def wait_draft(self, predicate: str) -> Any:
        """Wait until the stored draft ``d`` satisfies a JS expression; return it."""
        await self.page.wait_for_function(
            f"k => {{ const d = JSON.parse(localStorage.getItem(k) || 'null'); "
            f"return d !== null && ({predicate}); }}", arg=self.draft_key)
        await self.frame()
        return await self.draft()

    async def frame(self) -> None:
        """Wait for the page's next animation frame: what changed is drawn by then."""
        await self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")

    async def fetches(self, path: str) -> int:
        """Return how many times the page called fetch() on ``path``."""
        return int(await self.page.evaluate("p => window.__fetches[p] || 0", path))


async def open_phone(context: Any, served: Served, wait_image: bool = True,
                     **url: Any) -> Phone:
    """Open the Mini App page on the phone context and wait until its task is shown (and
    its picture, unless ``wait_image`` is false)."""
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await page.add_init_script(COUNT_FETCHES)
    await page.goto(served.url(**url))
    await page.wait_for_selector("#submit")
    if served.fake.view["kind"] == "boxes" and wait_image:
        await page.wait_for_selector(".stage.ready")
    cdp = await context.new_cdp_session(page)
    return Phone(page, Touch(cdp), served)


@pytest_asyncio.fixture(loop_scope="session")
async def phone(context: Any, served: Served) -> Phone:
    """Open the page on the fake task (a boxes task unless the test changed the view)."""
    return await open_phone(context, served)
