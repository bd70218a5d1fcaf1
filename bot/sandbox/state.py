"""The sandbox's whole world: bot identity, chats, files, updates, queries, commands.

Method handlers and the user driver both act on one :class:`SandboxState`; it owns no
networking. All mutation happens on the event loop thread, so no locks are needed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

from bot.sandbox.chats import Chat
from bot.sandbox.config import SandboxConfig
from bot.sandbox.errors import ApiError, bad_request, forbidden, too_many_requests
from bot.sandbox.faults import FaultInjector
from bot.sandbox.files import FileStore, StoredFile
from bot.sandbox.flood import FloodControl, Traffic
from bot.sandbox.messages import CallbackAnswer
from bot.sandbox.stats import Stats
from bot.sandbox.updates import UpdateQueue


@dataclass(slots=True)
class PendingQuery:
    """A callback query waiting for answerCallbackQuery."""

    query_id: str
    chat_id: int
    message_id: int | None
    created: float
    answer: asyncio.Future[CallbackAnswer]


@dataclass(slots=True)
class WebhookSettings:
    """What setWebhook registered."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class WebhookControl(Protocol):
    """What the webhook methods need from the pusher."""

    def restart(self) -> None:
        """Start pushing to the current webhook URL (or stop if it is empty)."""


class SandboxState:
    """Everything the server and the driver share."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.stats = Stats(keep_log=config.log_requests)
        self.flood = FloodControl(config.flood, config.clock)
        self.flood.enabled = config.flood_control
        self.faults = FaultInjector(config.faults, config.seed)
        self.files = FileStore()
        self.updates = UpdateQueue()
        self.updates.redeliver = config.faults.redeliver_confirmed
        self.chats: dict[int, Chat] = {}
        self.usernames: dict[str, int] = {}
        self.queries: dict[str, PendingQuery] = {}
        self.answers: dict[str, CallbackAnswer] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.texts: dict[tuple[str, str], str] = {}  # (field, language) -> description etc.
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}  # chat id (None: all chats)
        self.webhook = WebhookSettings()
        self.pusher: WebhookControl | None = None
        self.poll_generation = 0
        self.closing = False
        self._query_counter = 0
        self.bot_json: dict[str, Any] = {
            "id": config.bot_id, "is_bot": True, "first_name": config.bot_first_name,
            "username": config.bot_username, "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False,
        }

    def now(self) -> int:
        """Return the current Unix time in whole seconds, as Telegram dates are."""
        return int(self.config.wall_clock())

    def add_chat(self, chat: Chat) -> Chat:
        """Register a chat (and its user's username) and return it."""
        self.chats[chat.id] = chat
        if chat.user is not None and chat.user.get("username"):
            self.usernames[chat.user["username"].lower()] = chat.id
        return chat

    def resolve_chat(self, chat_id: int | str) -> Chat:
        """Return the chat the bot may write to; raise Telegram's error otherwise."""
        if isinstance(chat_id, str):
            found = self.usernames.get(chat_id.lstrip("@").lower())
            if found is None:
                raise bad_request("chat not found")
            chat_id = found
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        return chat

    def admit(self, chat: Chat, traffic: Traffic, cost: int = 1) -> None:
        """Charge flood control for a request to ``chat``; raise 429 when over the limit."""
        retry_after = self.flood.admit(chat.id, chat.is_group, traffic, cost)
        if retry_after is not None:
            raise too_many_requests(retry_after)

    def new_query(self, chat_id: int, message_id: int | None) -> PendingQuery:
        """Register a callback query and return it."""
        self._query_counter += 1
        query_id = f"{self.config.bot_id}{self._query_counter:09d}"
        query = PendingQuery(query_id, chat_id, message_id, self.config.clock(),
                             asyncio.get_running_loop().create_future())
        self.queries[query_id] = query
        return query

    def answer_query(self, answer: CallbackAnswer) -> None:
        """Record the answer of a live callback query; raise if it is unknown or too old."""
        query = self.queries.pop(answer.callback_query_id, None)
        if query is None or self.config.clock() - query.created > self.config.callback_query_ttl:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid")
        self.answers[answer.callback_query_id] = answer
        if not query.answer.done():
            query.answer.set_result(answer)

    def require_file(self, file_id: str) -> StoredFile:
        """Return a stored file by id; raise Telegram's wrong-identifier error otherwise."""
        stored = self.files.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored


def not_found() -> ApiError:
    """Build the 404 Telegram answers for an unknown method."""
    return ApiError(404, "Not Found")
