"""Chats: per-chat message ids, the bot messages' current state and their change log.

Each chat numbers its messages itself (user and bot messages share one counter, as in a
private chat on Telegram). Every new or edited bot message is appended to ``changes`` and
wakes only this chat's waiters, so a thousand idle users cost nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from bot.sandbox.messages import SimMessage
from bot.sandbox.signals import Signal


class Chat:
    """One private chat or group as the sandbox stores it."""

    __slots__ = ("_json", "actions", "blocked", "changes", "chat_instance", "id", "messages",
                 "next_id", "signal", "title", "type", "user", "user_messages")

    def __init__(self, chat_id: int, chat_type: str, *, user: dict[str, Any] | None = None,
                 title: str | None = None) -> None:
        self.id = chat_id
        self.type = chat_type
        self.user = user
        self.title = title
        self.blocked = False
        self.next_id = 1
        self.messages: dict[int, SimMessage] = {}
        self.user_messages: dict[int, dict[str, Any]] = {}
        self.changes: list[SimMessage] = []
        self.actions: list[str] = []
        self.signal = Signal()
        digest = hashlib.sha1(f"chat-instance:{chat_id}".encode()).hexdigest()
        self.chat_instance = str(int(digest[:15], 16))
        self._json = self._render_json()

    @property
    def is_group(self) -> bool:
        """Return whether this is a group or supergroup."""
        return self.type in ("group", "supergroup")

    def _render_json(self) -> dict[str, Any]:
        if self.user is not None:
            keys = ("first_name", "last_name", "username")
            return {"id": self.id, "type": "private",
                    **{k: self.user[k] for k in keys if self.user.get(k)}}
        return {"id": self.id, "type": self.type, "title": self.title or f"Group {self.id}"}

    @property
    def json(self) -> dict[str, Any]:
        """Return the Chat object of this chat."""
        return self._json

    def allocate_id(self) -> int:
        """Return the next message id of this chat."""
        message_id = self.next_id
        self.next_id += 1
        return message_id

    @property
    def version(self) -> int:
        """Return the number of bot message changes so far."""
        return len(self.changes)

    def publish(self, message: SimMessage) -> SimMessage:
        """Store a new state of a bot message, log the change and wake this chat's waiters."""
        message = dataclasses.replace(message, version=len(self.changes))
        self.messages[message.message_id] = message
        self.changes.append(message)
        self.signal.notify()
        return message

    def find_message(self, message_id: int) -> SimMessage | None:
        """Return the current state of a bot message that was not deleted."""
        message = self.messages.get(message_id)
        return None if message is None or message.deleted else message

    def message_json(self, message_id: int) -> dict[str, Any] | None:
        """Return the Message object of any live message in this chat (bot or user)."""
        message = self.find_message(message_id)
        if message is not None:
            return message.raw
        return self.user_messages.get(message_id)
