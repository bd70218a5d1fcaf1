"""The HTTP server beside the bot: the Mini App's page and assets, its API, and (in webhook
mode) Telegram's webhook, all on one aiohttp server behind one HTTPS address.

Routes, under the public URL's path (``https://host/annobot`` serves ``/annobot/app``…; a
reverse proxy passes the path unchanged):

- ``GET /app``: the page (``static/index.html``); ``GET /app/static/<name>``: its assets.
  Everything is read once at start-up and gzipped in memory; a request that accepts gzip
  gets the compressed bytes. The page names each asset with ``?v=<content hash>``, so an
  asset asked for with its current hash is cached for a year, and anything else is
  revalidated by its ETag.
- ``GET /api/task``, ``GET /api/image``, ``POST /api/answer``: :mod:`handlers.miniapp.api`.
- ``POST /<webhook path>``: an update from Telegram, checked by its secret-token header and
  queued for the bot (what PTB's own webhook server would do).

After an answer from the app, :class:`ChatUpdates` shows the next task in the chat in the
background, in order for each user; the server waits for those edits when it stops.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import hmac
import logging
import mimetypes
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from telegram import Bot, Update

from annotation.loop.tasks import Outcome
from handlers.miniapp.api import MiniAppApi

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
PAGE = "index.html"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LONG_CACHE = "public, max-age=31536000, immutable"
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
_ASSET_REFERENCE = re.compile(r"""((?:src|href)\s*=\s*["'])([^"'?#]*?static/)([^"'?#]+)(["'])""")
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
# The page runs only its own script, talks only to its own server and shows the image it
# fetched (a blob: URL); inline style attributes colour the class chips.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; "
               "form-action 'none'")


@dataclass(frozen=True, slots=True)
class Asset:
    """One file of the page, ready to send: its bytes, gzipped bytes and content hash."""

    body: bytes
    gzipped: bytes | None  # None: not worth compressing (images)
    digest: str  # the first 16 hex digits of its SHA-256: the ETag and the ``v`` query
    content_type: str

    @classmethod
    def of(cls, name: str, body: bytes) -> Asset:
        """Return the asset of a file's bytes."""
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if content_type == "text/javascript":
            content_type = "application/javascript"
        gzipped = gzip.compress(body, 9, mtime=0) \
            if content_type.startswith(COMPRESSIBLE) else None
        if gzipped is not None and len(gzipped) >= len(body):
            gzipped = None
        return cls(body, gzipped, hashlib.sha256(body).hexdigest()[:16], content_type)


def load_static(folder: Path = STATIC) -> dict[str, Asset]:
    """Read the page and its assets (blocking: run it in a thread); the page's references
    to its assets get their content hash (``static/app.js`` -> ``static/app.js?v=…``)."""
    if not folder.is_dir():
        return {}
    files = {path.relative_to(folder).as_posix(): path.read_bytes()
             for path in sorted(folder.rglob("*"))
             if path.is_file() and not path.name.startswith(".")}
    assets = {name: Asset.of(name, body) for name, body in files.items() if name != PAGE}
    if PAGE in files:

        def versioned(match: re.Match[str]) -> str:
            asset = assets.get(match[3])
            version = f"?v={asset.digest}" if asset is not None else ""
            return f"{match[1]}{match[2]}{match[3]}{version}{match[4]}"

        page = _ASSET_REFERENCE.sub(versioned, files[PAGE].decode("utf-8"))
        assets[PAGE] = Asset.of(PAGE, page.encode("utf-8"))
    return assets


def _send(request: web.Request, asset: Asset, cache: str,
          policy: str | None = None) -> web.Response:
    headers = {**HEADERS, "Cache-Control": cache, "ETag": f'"{asset.digest}"',
               "Vary": "Accept-Encoding"}
    if policy is not None:
        headers["Content-Security-Policy"] = policy
    if request.headers.get("If-None-Match") == headers["ETag"]:
        return web.Response(status=304, headers=headers)
    body = asset.body
    if asset.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    return web.Response(body=body, headers=headers, content_type=asset.content_type)


class StaticPages:
    """Serves the page and its assets from memory."""

    def __init__(self, assets: dict[str, Asset]) -> None:
        self._assets = assets

    async def page(self, request: web.Request) -> web.Response:
        """Answer ``GET /app``: the page, revalidated on every opening."""
        asset = self._assets.get(PAGE)
        if asset is None:
            raise web.HTTPNotFound()
        return _send(request, asset, "no-cache", PAGE_POLICY)

    async def asset(self, request: web.Request) -> web.Response:
        """Answer ``GET /app/static/<name>``: long cached when asked for by its hash."""
        asset = self._assets.get(request.match_info["name"])
        if asset is None or request.match_info["name"] == PAGE:
            raise web.HTTPNotFound()
        current = request.query.get("v") == asset.digest
        return _send(request, asset, LONG_CACHE if current else "no-cache")


class ChatUpdates:
    """Runs the chat edits that follow answers from the app: one user's in the order the
    answers came, different users' at once; :meth:`drain` waits for all of them."""

    def __init__(self, show: Callable[[int, Outcome], Awaitable[None]]) -> None:
        self._show = show
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, user_id: int, outcome: Outcome) -> None:
        """Show what an answer led to in the user's chat, in the background."""
        lock, users = self._locks.get(user_id, (asyncio.Lock(), 0))
        self._locks[user_id] = (lock, users + 1)
        task = asyncio.get_running_loop().create_task(self._run(user_id, lock, outcome))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, user_id: int, lock: asyncio.Lock, outcome: Outcome) -> None:
        try:
            async with lock:
                await self._show(user_id, outcome)
        except Exception:  # a background task: nobody else would see it
            logger.exception("the chat of user %d did not show the next task", user_id)
        finally:
            _lock, users = self._locks[user_id]
            if users > 1:
                self._locks[user_id] = (lock, users - 1)
            else:
                del self._locks[user_id]

    async def drain(self) -> None:
        """Wait for every chat edit under way."""
        while self._tasks:
            await asyncio.gather(*self._tasks)


@dataclass(frozen=True, slots=True)
class Webhook:
    """Telegram's webhook on this server: its path, secret, and where updates go."""

    path: str
    secret: str
    bot: Bot
    queue: asyncio.Queue[object]

    async def receive(self, request: web.Request) -> web.Response:
        """Queue an update Telegram posted, after checking its secret-token header."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise web.HTTPForbidden()
        try:
            data = await request.json()
            update = Update.de_json(data, self.bot)
        except (ValueError, TypeError, KeyError):
            raise web.HTTPBadRequest() from None
        await self.queue.put(update)
        return web.Response()


def build_web_app(prefix: str, api: MiniAppApi | None, pages: StaticPages | None,
                  webhook: Webhook | None) -> web.Application:
    """Return the aiohttp application of the Mini App (``api``, ``pages``) and the webhook,
    its routes under ``prefix`` (the public URL's path, "" or "/annobot")."""
    app = web.Application(client_max_size=1024 * 1024)  # an update; API answers cap lower
    if pages is not None:
        app.router.add_get(f"{prefix}/app", pages.page)
        app.router.add_get(f"{prefix}/app/static/{{name:.+}}", pages.asset)
    if api is not None:
        app.router.add_get(f"{prefix}/api/task", api.task)
        app.router.add_get(f"{prefix}/api/image", api.image)
        app.router.add_post(f"{prefix}/api/answer", api.answer)
    if webhook is not None:
        app.router.add_post("/" + webhook.path.lstrip("/"), webhook.receive)
    return app


class WebServer:
    """Runs an aiohttp application on an address; the chat edits it started end with it."""

    def __init__(self, app: web.Application, updates: ChatUpdates | None = None) -> None:
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        self._updates = updates
        self._started = False

    async def start(self, listen: str, port: int) -> int:
        """Listen on ``listen:port`` (port 0: any free one); return the port."""
        await self._runner.setup()
        self._started = True
        site = web.TCPSite(self._runner, listen, port)
        await site.start()
        address = self._runner.addresses[0]
        return int(address[1])

    async def stop(self) -> None:
        """Stop serving, then wait for the chat edits under way."""
        if self._started:
            self._started = False
            await self._runner.cleanup()
        if self._updates is not None:
            await self._updates.drain()
