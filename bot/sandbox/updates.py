"""The bot's update queue: ids, offset confirmation, long polling, allowed_updates, replays.

Updates stay pending until confirmed by a getUpdates ``offset`` above their id (or a successful
webhook push). With ``redeliver_confirmed`` each confirmed update is queued once more for
replay, ignoring the offset, as when a bot process dies before confirming.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.signals import Signal

DEFAULT_ALLOWED = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
    "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
    "poll", "poll_answer", "my_chat_member", "chat_join_request", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "message_reaction", "purchased_paid_media", "removed_chat_boost", "chat_boost",
})
ALL_TYPES = DEFAULT_ALLOWED | {"chat_member", "message_reaction_count"}
DEFAULT_ALLOWED = DEFAULT_ALLOWED - {"message_reaction"}


@dataclass(slots=True)
class PendingUpdate:
    """One update with its id, type and JSON payload."""

    update_id: int
    kind: str
    payload: dict[str, Any]
    encoded: bytes = field(default=b"", repr=False)
    replayed: bool = False


class UpdateQueue:
    """Pending updates of the bot, in order."""

    def __init__(self) -> None:
        self._pending: deque[PendingUpdate] = deque()
        self._replay: deque[PendingUpdate] = deque()
        self._next_id = 1
        self.allowed: frozenset[str] = DEFAULT_ALLOWED
        self.redeliver = False
        self.signal = Signal()
        self.delivered = 0

    def push(self, kind: str, body: dict[str, Any]) -> int | None:
        """Queue an update of ``kind``; return its id, or None if allowed_updates drops it."""
        if kind not in self.allowed:
            return None
        update_id = self._next_id
        self._next_id += 1
        payload = {"update_id": update_id, kind: body}
        self._pending.append(PendingUpdate(update_id, kind, payload,
                                           json.dumps(payload).encode()))
        self.signal.notify()
        return update_id

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Set the update types to keep (an empty list restores the default)."""
        if allowed is not None:
            self.allowed = frozenset(allowed) & ALL_TYPES if allowed else DEFAULT_ALLOWED

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset`` (negative: keep only the last -offset updates)."""
        if offset < 0:
            while len(self._pending) > -offset:
                self._forget(self._pending.popleft())
            return
        while self._pending and self._pending[0].update_id < offset:
            self._forget(self._pending.popleft())

    def acknowledge(self, update: PendingUpdate) -> None:
        """Confirm one update delivered by webhook."""
        if update.replayed:
            return
        if self._pending and self._pending[0] is update:
            self._forget(self._pending.popleft())

    def _forget(self, update: PendingUpdate) -> None:
        if self.redeliver and not update.replayed:
            update.replayed = True
            self._replay.append(update)

    def batch(self, limit: int) -> list[PendingUpdate]:
        """Return the replays (consumed now) and then up to ``limit`` pending updates."""
        out: list[PendingUpdate] = []
        while self._replay and len(out) < limit:
            out.append(self._replay.popleft())
        for update in self._pending:
            if len(out) >= limit:
                break
            if update.kind in self.allowed:
                out.append(update)
        self.delivered += len(out)
        return out

    def requeue_replay(self, update: PendingUpdate) -> None:
        """Put back a replayed update whose delivery failed."""
        self._replay.appendleft(update)

    def drop_pending(self) -> None:
        """Forget every pending update (drop_pending_updates)."""
        self._pending.clear()
        self._replay.clear()

    def __len__(self) -> int:
        return len(self._pending) + len(self._replay)

    def has_ready(self) -> bool:
        """Return whether a batch would not be empty."""
        return bool(self._replay) or any(u.kind in self.allowed for u in self._pending)

    @property
    def last_id(self) -> int:
        """Return the id of the latest update ever queued (0 if none)."""
        return self._next_id - 1
