"""The users' side: simulated users who write to the bot, tap buttons and read its replies.

Waiting is event-driven: each chat logs every new or edited bot message with a version
number and wakes only its own waiters, so ``wait_for``/``next_change`` never sleep-poll and
never miss a change that happened between two calls.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.sandbox.chats import Chat
from bot.sandbox.errors import ButtonNotFound, MessageNotFound, UserBlockedBot, bad_request
from bot.sandbox.files import StoredFile, audio_duration, describe_photo, sticker_size
from bot.sandbox.messages import MEDIA_KINDS, CallbackAnswer, SimMessage
from bot.sandbox.methods.media import media_json
from bot.sandbox.state import SandboxState
from bot.sandbox.webapps import (
    WebAppButton,
    WebAppLaunch,
    launch_url,
    new_init_data,
    web_app_buttons,
)

Predicate = Callable[[SimMessage], bool]
_FORWARDED_KEYS = frozenset({"text", "entities", "caption", "caption_entities", *MEDIA_KINDS})


def _declared(duration: int | None, data: bytes) -> int:
    """Return the duration a sender's app declares: given, or read from the audio data."""
    return audio_duration(data) if duration is None else duration


class SimUser:
    """One simulated Telegram user and their private chat with the bot."""

    def __init__(self, state: SandboxState, chat: Chat, info: dict[str, Any]) -> None:
        self.state = state
        self.chat = chat
        self.info = info
        self.id: int = info["id"]
        self.first_name: str = info["first_name"]
        self.language_code: str | None = info.get("language_code")
        self.launches: list[WebAppLaunch] = []  # every Mini App this user opened, in order

    def __repr__(self) -> str:
        return f"SimUser(id={self.id}, first_name={self.first_name!r})"

    # --- reading ---------------------------------------------------------------------
    @property
    def messages(self) -> list[SimMessage]:
        """Return the bot's messages in chat order, in their current state, without deleted."""
        return [m for m in self.chat.messages.values() if not m.deleted]

    @property
    def history(self) -> list[SimMessage]:
        """Return the bot's messages in chat order, deleted ones included (flagged)."""
        return list(self.chat.messages.values())

    @property
    def last_message(self) -> SimMessage | None:
        """Return the bot's latest message that was not deleted."""
        for message in reversed(self.chat.messages.values()):
            if not message.deleted:
                return message
        return None

    @property
    def version(self) -> int:
        """Return the chat's change counter (pass to ``next_change(after=...)``)."""
        return self.chat.version

    @property
    def chat_actions(self) -> list[str]:
        """Return the chat actions the bot sent, oldest first."""
        return list(self.chat.actions)

    def message(self, message_id: int) -> SimMessage:
        """Return the current state of one bot message."""
        found = self.chat.messages.get(message_id)
        if found is None:
            raise MessageNotFound(f"no bot message #{message_id} in chat {self.id}")
        return found

    def dump(self) -> str:
        """Describe the whole chat, for failure messages."""
        lines = [f"chat {self.id} ({self.first_name}), {len(self.chat.messages)} bot messages:"]
        lines += [f"  {m.describe()}" for m in self.chat.messages.values()]
        return "\n".join(lines)

    async def wait_for(self, predicate: Predicate, timeout: float = 5.0, *,  # noqa: ASYNC109
                       include_deleted: bool = False) -> SimMessage:
        """Return the newest bot message matching ``predicate``, waiting for it if needed."""
        for message in reversed(self.chat.messages.values()):
            if (include_deleted or not message.deleted) and predicate(message):
                return message
        return await self._wait_change(lambda m: (include_deleted or not m.deleted)
                                       and predicate(m), self.chat.version, timeout)

    async def next_change(self, timeout: float = 5.0, *,  # noqa: ASYNC109
                          after: int | None = None, where: Predicate | None = None
                          ) -> SimMessage:
        """Return the next new, edited or deleted bot message after this call (or ``after``),
        among those ``where`` accepts (any, by default)."""
        since = self.chat.version if after is None else after
        return await self._wait_change(where or (lambda m: True), since, timeout)

    async def _wait_change(self, predicate: Predicate, since: int, seconds: float
                           ) -> SimMessage:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        seen = since
        while True:
            changes = self.chat.changes
            for message in changes[seen:]:
                if predicate(message):
                    return message
            seen = len(changes)
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self.chat.signal.wait(remaining):
                raise TimeoutError(f"no matching bot message within {seconds}s\n{self.dump()}")

    async def wait_for_callback_answer(self, callback_query_id: str,
                                       timeout: float = 5.0,  # noqa: ASYNC109
                                       ) -> CallbackAnswer:
        """Return the bot's answer to a callback query, waiting for it if needed."""
        answer = self.state.answers.get(callback_query_id)
        if answer is not None:
            return answer
        query = self.state.queries.get(callback_query_id)
        if query is None:
            raise MessageNotFound(f"unknown callback query {callback_query_id}")
        try:
            return await asyncio.wait_for(asyncio.shield(query.answer), timeout)
        except TimeoutError:
            raise TimeoutError(f"callback query {callback_query_id} not answered within "
                               f"{timeout}s\n{self.dump()}") from None

    # --- writing ---------------------------------------------------------------------
    def _new_message(self, fields: dict[str, Any], reply_to: int | None) -> int:
        if self.chat.blocked:
            raise UserBlockedBot(f"user {self.id} blocked the bot; call unblock() first")
        message_id = self.chat.allocate_id()
        raw: dict[str, Any] = {"message_id": message_id, "from": self.info,
                               "chat": self.chat.json, "date": self.state.now(), **fields}
        if reply_to is not None:
            target = self.chat.message_json(reply_to)
            if target is None:
                raise MessageNotFound(f"no message #{reply_to} to reply to in chat {self.id}")
            raw["reply_to_message"] = {k: v for k, v in target.items()
                                       if k != "reply_to_message"}
        self.chat.user_messages[message_id] = raw
        self.state.updates.push("message", raw)
        return message_id

    async def send_text(self, text: str, reply_to: int | None = None) -> int:
        """Send a text message (commands get a bot_command entity); return its id."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0,
                                   "length": len(command)}]
        return self._new_message(fields, reply_to)

    async def send_command(self, command: str, payload: str | None = None) -> int:
        """Send ``/command`` or ``/command payload`` (deep links: ``/start <payload>``)."""
        text = f"/{command.lstrip('/')}" + (f" {payload}" if payload else "")
        return await self.send_text(text)

    async def send_document(self, data: bytes, filename: str, caption: str | None = None,
                            mime_type: str | None = None) -> int:
        """Send a file as a document; the bot can getFile and download it."""
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        stored = self.state.files.add("document", data, file_name=filename, mime_type=mime)
        return self._send_file(stored, caption, None)

    async def send_voice(self, data: bytes, *, duration: int | None = None,
                         caption: str | None = None, reply_to: int | None = None) -> int:
        """Send a voice note (OGG/Opus, as Telegram's apps record them); return its id.

        ``duration`` is what the app declares, by default read from the OGG data (whole
        seconds, rounded down). The same bytes sent again keep their ``file_unique_id``.
        """
        stored = self.state.files.add("voice", data, mime_type="audio/ogg",
                                      duration=_declared(duration, data))
        return self._send_file(stored, caption, reply_to)

    async def send_audio(self, data: bytes, *, filename: str, title: str | None = None,
                         performer: str | None = None, duration: int | None = None,
                         caption: str | None = None, reply_to: int | None = None) -> int:
        """Send an audio file (a music track, not a voice note); return its message id."""
        mime = mimetypes.guess_type(filename)[0] or "audio/mpeg"
        stored = self.state.files.add("audio", data, file_name=filename, mime_type=mime,
                                      duration=_declared(duration, data), title=title,
                                      performer=performer)
        return self._send_file(stored, caption, reply_to)

    def _send_file(self, stored: StoredFile, caption: str | None, reply_to: int | None) -> int:
        fields: dict[str, Any] = {stored.kind: media_json(self.state, stored, {})}
        if caption:
            fields["caption"] = caption
        return self._new_message(fields, reply_to)

    async def forward(self, message_id: int, origin: SimUser | None = None) -> int:
        """Forward message ``message_id`` of ``origin``'s chat (default: this user's) to the bot.

        The message may be the user's own or one the bot sent there (a recording the bot
        asked someone to check, say). Its text or caption and media are copied; a file gets
        a new ``file_id`` and keeps its ``file_unique_id``, as on Telegram. ``forward_origin``
        names the original sender (or the first origin of a message forwarded before).
        """
        source = origin or self
        raw = source.chat.message_json(message_id)
        if raw is None:
            raise MessageNotFound(f"no message #{message_id} in chat {source.id} to forward")
        fields: dict[str, Any] = {k: v for k, v in raw.items() if k in _FORWARDED_KEYS}
        for kind in MEDIA_KINDS:
            if kind in fields:
                fields[kind] = self._reissued(kind, fields[kind])
        fields["forward_origin"] = raw.get("forward_origin") or {
            "type": "user", "sender_user": raw["from"], "date": raw["date"]}
        return self._new_message(fields, None)

    def _reissued(self, kind: str, media: Any) -> Any:
        files = self.state.files
        if kind == "photo":
            return files.photo_sizes(files.reissue(media[-1]["file_id"]))
        return {**media, "file_id": files.reissue(media["file_id"]).file_id}

    async def forward_text(self, text: str, origin: SimUser | None = None) -> int:
        """Forward a text written by ``origin`` (None: a user who hides their account)."""
        if origin is None:
            forward: dict[str, Any] = {"type": "hidden_user", "sender_user_name": "Hidden",
                                       "date": self.state.now()}
        else:
            forward = {"type": "user", "sender_user": origin.info, "date": self.state.now()}
        return self._new_message({"text": text, "forward_origin": forward}, None)

    async def send_photo(self, data: bytes, caption: str | None = None) -> int:
        """Send a photo; the bot receives a PhotoSize array."""
        info = await asyncio.to_thread(describe_photo, data, self.state.config.max_photo_bytes)
        stored = self.state.files.add_photo(data, info)
        fields: dict[str, Any] = {"photo": self.state.files.photo_sizes(stored)}
        if caption:
            fields["caption"] = caption
        return self._new_message(fields, None)

    async def send_sticker(self, data: bytes, *, emoji: str = "👍") -> int:
        """Send a static sticker (WEBP, one side 512 px, as in a sticker set); the bot
        receives a Sticker. Refused as Telegram refuses it (``files.sticker_size``)."""
        width, height = await asyncio.to_thread(sticker_size, data)
        stored = self.state.files.add("sticker", data, mime_type="image/webp", width=width,
                                      height=height)
        return self._new_message({"sticker": {
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "type": "regular", "width": width, "height": height, "is_animated": False,
            "is_video": False, "emoji": emoji, "file_size": stored.size}}, None)

    async def send_location(self, latitude: float, longitude: float) -> int:
        """Send a location (a point on the map); refused as Telegram refuses it."""
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("wrong latitude or longitude")
        return self._new_message({"location": {"latitude": latitude,
                                               "longitude": longitude}}, None)

    async def tap(self, text: str, message_id: int | None = None) -> str:
        """Tap the inline button labelled ``text``; return the callback query id."""
        message = self._keyboard_message(message_id)
        for row_texts, row_data in zip(message.buttons, message.callback_data, strict=True):
            for label, data in zip(row_texts, row_data, strict=True):
                if label == text and data:
                    return self._callback(message, data)
        raise ButtonNotFound(f"no callback button {text!r} on message "
                             f"#{message.message_id}; buttons: {message.buttons}\n{self.dump()}")

    async def tap_data(self, message_id: int, callback_data: str) -> str:
        """Send a callback query with arbitrary data (stale or forged buttons)."""
        message = self.chat.messages.get(message_id)
        if message is None:
            raise MessageNotFound(f"no bot message #{message_id} in chat {self.id}")
        return self._callback(message, callback_data)

    def _keyboard_message(self, message_id: int | None) -> SimMessage:
        if message_id is not None:
            message = self.chat.find_message(message_id)
            if message is None:
                raise MessageNotFound(f"no bot message #{message_id} in chat {self.id}")
            return message
        for message in reversed(self.chat.messages.values()):
            if not message.deleted and message.buttons:
                return message
        raise ButtonNotFound(f"no bot message with an inline keyboard\n{self.dump()}")

    def _callback(self, message: SimMessage, data: str) -> str:
        if self.chat.blocked:
            raise UserBlockedBot(f"user {self.id} blocked the bot; call unblock() first")
        query = self.state.new_query(self.chat.id, message.message_id)
        self.state.updates.push("callback_query", {
            "id": query.query_id, "from": self.info, "message": message.raw,
            "chat_instance": self.chat.chat_instance, "data": data,
        })
        return query.query_id

    # --- Mini Apps -------------------------------------------------------------------
    def init_data(self, auth_date: datetime | None = None) -> str:
        """Return the signed initData Telegram gives a Mini App this user opens now.

        ``auth_date`` (an aware datetime) pins the time; by default it is the sandbox's
        ``wall_clock``. Each call draws a new query_id and signature.
        """
        when = self.state.now() if auth_date is None else int(auth_date.timestamp())
        return new_init_data(self.info, self.state.config.token, auth_date=when)

    def open_web_app(self, message: SimMessage | int, text: str | None = None) -> str:
        """Open the Web App button ``text`` (or the only one) of a bot message; return its URL.

        The URL is the button's, with Telegram's launch parameters in the fragment
        (``#tgWebAppData=...&tgWebAppVersion=...``, see :mod:`bot.sandbox.webapps`). The
        message's current keyboard counts, as for :meth:`tap`.
        """
        if self.chat.blocked:
            raise UserBlockedBot(f"user {self.id} blocked the bot; call unblock() first")
        message_id = message if isinstance(message, int) else message.message_id
        current = self.chat.find_message(message_id)
        if current is None:
            raise MessageNotFound(f"no bot message #{message_id} in chat {self.id}")
        buttons = web_app_buttons(current.reply_markup)
        chosen = [b for b in buttons if text is None or b.text == text]
        if len(chosen) != 1:
            wanted = "a single Web App button" if text is None else f"Web App button {text!r}"
            raise ButtonNotFound(f"no {wanted} on message #{message_id}; Web App buttons: "
                                 f"{[b.text for b in buttons]}\n{self.dump()}")
        return self._launch(chosen[0], message_id)

    def open_menu_app(self) -> str:
        """Open the Mini App of the chat's menu button (setChatMenuButton); return its URL."""
        menus = self.state.menu_buttons
        menu = menus.get(self.chat.id) or menus.get(None) or {}
        if menu.get("type") != "web_app":
            raise ButtonNotFound(f"chat {self.id} has no Web App menu button: {menu}")
        return self._launch(WebAppButton(menu["text"], menu["web_app"]["url"], "menu"), None)

    def _launch(self, button: WebAppButton, message_id: int | None) -> str:
        # A reply keyboard's Mini App gets no initData (Telegram's documentation).
        init_data = "" if button.kind == "keyboard" else self.init_data()
        url = launch_url(button.url, init_data)
        self.launches.append(WebAppLaunch(self.id, message_id, button, init_data, url))
        self.state.stats.web_app_launches += 1
        return url

    def block(self) -> None:
        """Block the bot: its sends now fail with 403; the bot gets a my_chat_member update."""
        if not self.chat.blocked:
            self.chat.blocked = True
            self._member_update("member", "kicked")

    def unblock(self) -> None:
        """Unblock the bot again."""
        if self.chat.blocked:
            self.chat.blocked = False
            self._member_update("kicked", "member")

    def _member_update(self, old: str, new: str) -> None:
        bot = self.state.bot_json
        now = self.state.now()
        if new == "kicked":
            new_member: dict[str, Any] = {"status": "kicked", "user": bot, "until_date": 0}
        else:
            new_member = {"status": new, "user": bot}
        old_member: dict[str, Any] = ({"status": old, "user": bot, "until_date": 0}
                                      if old == "kicked" else {"status": old, "user": bot})
        self.state.updates.push("my_chat_member", {
            "chat": self.chat.json, "from": self.info, "date": now,
            "old_chat_member": old_member, "new_chat_member": new_member,
        })
