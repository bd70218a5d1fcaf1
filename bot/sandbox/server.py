"""The local Bot API server: HTTP routing, request pipeline, lifecycle, public controls.

Pipeline of ``/bot<token>/<method>``: check the token (401, or 404 if malformed), find the
method (404), read the body, apply injected faults (delay, 500/502), coerce parameters, run
the handler (which validates, charges flood control and acts), then answer in Telegram's
``{"ok": ...}`` shape -- or lose the answer when a drop fault says so. Every request is
counted and logged in :attr:`SandboxServer.stats`. ``/file/bot<token>/<file_path>`` serves
a file's bytes while the link getFile issued for it lives, and answers 404 otherwise.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.sandbox.bodies import read_body
from bot.sandbox.chats import Chat
from bot.sandbox.config import MIB, Faults, SandboxConfig
from bot.sandbox.driver import SimUser
from bot.sandbox.errors import ApiError
from bot.sandbox.methods import BY_LOWER_NAME, HANDLERS, Call, DropResponse, RawResult
from bot.sandbox.params import coerce_params
from bot.sandbox.state import SandboxState, not_found
from bot.sandbox.stats import Stats
from bot.sandbox.webhook import WebhookPusher

logger = logging.getLogger(__name__)
_TOKEN_SHAPE = re.compile(r"^\d+:[\w-]+$")
_SUMMARY_KEYS = ("chat_id", "message_id", "text", "caption", "callback_query_id", "offset",
                 "timeout", "url", "file_id")


def _json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=json.dumps(body).encode(), status=status,
                        content_type="application/json")


def _summarize(raw: dict[str, Any]) -> str:
    parts = []
    for key in _SUMMARY_KEYS:
        if key in raw:
            value = raw[key]
            parts.append(f"{key}={value[:40]!r}" if isinstance(value, str)
                         else f"{key}={value!r}")
    return " ".join(parts)


class SandboxServer:
    """A local Telegram Bot API server with simulated users, in one asyncio process."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.state = SandboxState(self.config)
        self._pusher = WebhookPusher(self.state)
        self.state.pusher = self._pusher
        self._users: dict[int, SimUser] = {}
        self._runner: web.AppRunner | None = None
        self.port = self.config.port
        self.app = web.Application(client_max_size=self.config.max_upload_bytes + MIB)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)

    # --- lifecycle -------------------------------------------------------------------
    async def start(self) -> None:
        """Bind the HTTP server; ``port`` holds the real port afterwards."""
        self.state.closing = False
        self._runner = web.AppRunner(self.app, access_log=None, handler_cancellation=True,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        logger.info("sandbox Bot API server listening on %s:%s", self.config.host, self.port)

    async def stop(self) -> None:
        """End long polls, stop webhook pushes and close the HTTP server."""
        self.state.closing = True
        self.state.updates.signal.notify()
        await self._pusher.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.stop()

    # --- public controls -------------------------------------------------------------
    @property
    def token(self) -> str:
        """Return the only token this server accepts."""
        return self.config.token

    @property
    def base_url(self) -> str:
        """Return the value for ``ApplicationBuilder.base_url``."""
        return f"http://{self.config.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the value for ``ApplicationBuilder.base_file_url``."""
        return f"http://{self.config.host}:{self.port}/file/bot"

    @property
    def stats(self) -> Stats:
        """Return the live request counters and log."""
        return self.state.stats

    def user(self, user_id: int, first_name: str = "User", *, last_name: str | None = None,
             username: str | None = None, language_code: str | None = "en") -> SimUser:
        """Return the simulated user ``user_id``, creating them (and their chat) if new."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        info: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            info["last_name"] = last_name
        if username:
            info["username"] = username
        if language_code:
            info["language_code"] = language_code
        chat = self.state.add_chat(Chat(user_id, "private", user=info))
        user = self._users[user_id] = SimUser(self.state, chat, info)
        return user

    def group(self, chat_id: int, title: str = "Group") -> Chat:
        """Return the group chat ``chat_id`` (negative id), creating it if new."""
        chat = self.state.chats.get(chat_id)
        if chat is None:
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            chat = self.state.add_chat(Chat(chat_id, kind, title=title))
        return chat

    def chat(self, chat_id: int) -> Chat | None:
        """Return any chat by id."""
        return self.state.chats.get(chat_id)

    @property
    def users(self) -> list[SimUser]:
        """Return every simulated user."""
        return list(self._users.values())

    def set_faults(self, faults: Faults) -> None:
        """Replace the fault-injection settings (the seeded random stream continues)."""
        self.state.faults.configure(faults)
        self.state.updates.redeliver = faults.redeliver_confirmed

    def set_flood_control(self, enabled: bool) -> None:
        """Switch flood control on or off."""
        self.state.flood.enabled = enabled

    # --- HTTP handlers ---------------------------------------------------------------
    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        token = request.match_info["token"]
        if token != self.config.token:
            error = (ApiError(401, "Unauthorized") if _TOKEN_SHAPE.match(token)
                     else not_found())
            self.stats.record(method, None, error.status, "", error.description)
            return _json_response(error.to_json(), error.status)
        name = BY_LOWER_NAME.get(method.lower())
        if name is None:
            self.stats.record(method, None, 404, "", "Not Found")
            return _json_response(not_found().to_json(), 404)
        call = Call(name, {})
        raw: dict[str, Any] = {}
        try:
            raw, call.uploads = await read_body(request, self.config.max_upload_bytes)
            plan = self.state.faults.plan(name)
            if plan.delay:
                self.stats.faults_injected += 1
                await asyncio.sleep(plan.delay)
            if plan.error_status:
                self.stats.faults_injected += 1
                description = ("Internal Server Error" if plan.error_status == 500
                               else "Bad Gateway")
                raise ApiError(plan.error_status, description)
            call.params = coerce_params(name, raw)
            result = await HANDLERS[name](self.state, call)
            if plan.drop_response:
                self.stats.faults_injected += 1
                raise DropResponse("response lost (injected fault)")
        except ApiError as error:
            self.stats.record(name, call.chat_id, error.status,
                              _summarize(call.params or raw), error.description)
            return _json_response(error.to_json(), error.status)
        except DropResponse:
            self.stats.dropped_responses += 1
            self.stats.record(name, call.chat_id, 0, _summarize(call.params), "dropped")
            if request.transport is not None:
                request.transport.close()
            raise asyncio.CancelledError from None
        self.stats.record(name, call.chat_id, 200, _summarize(call.params))
        if isinstance(result, RawResult):
            return web.Response(body=result.body, content_type="application/json")
        return _json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.config.token:
            return _json_response(ApiError(401, "Unauthorized").to_json(), 401)
        path = request.match_info["path"]
        stored = self.state.files.by_path(path)
        if stored is None:
            return _json_response(not_found().to_json(), 404)
        if not self.state.files.link_alive(path, self.config.clock()):
            self.stats.expired_downloads += 1
            return _json_response(not_found().to_json(), 404)
        self.stats.downloads += 1
        return web.Response(body=stored.data,
                            content_type=stored.mime_type or "application/octet-stream")
