"""Messages as the simulated users see them, and their Telegram JSON shape.

A :class:`SimMessage` is an immutable snapshot: sending creates one, every edit creates the
next one (``edit_count`` + 1). Its ``raw`` field is the Message object the Bot API returned
for that state, reused for callback queries and replies instead of re-rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MEDIA_KINDS = ("photo", "audio", "voice", "document", "video")


@dataclass(frozen=True, slots=True)
class SimMessage:
    """One bot message (or a user's own message) in its current state."""

    message_id: int
    chat_id: int
    date: int
    kind: str  # "text" | "photo" | "audio" | "voice" | "document" | "video"
    text: str | None  # plain text, or the caption of a media message
    raw: dict[str, Any] = field(repr=False)
    html: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list, repr=False)
    file_id: str | None = None
    document_name: str | None = None
    reply_markup: dict[str, Any] | None = field(default=None, repr=False)
    buttons: list[list[str]] = field(default_factory=list)
    callback_data: list[list[str]] = field(default_factory=list, repr=False)
    edit_count: int = 0
    deleted: bool = False
    from_bot: bool = True
    media_group_id: str | None = None
    reply_to_message_id: int | None = None
    version: int = 0

    @property
    def caption(self) -> str | None:
        """Return the caption of a media message (None for text messages)."""
        return self.text if self.kind != "text" else None

    @property
    def has_inline_keyboard(self) -> bool:
        """Return whether the message carries an inline keyboard."""
        return bool(self.buttons)

    def describe(self) -> str:
        """Describe the message in one line, for failure dumps."""
        flags = "".join((" [deleted]" if self.deleted else "",
                         f" [edited x{self.edit_count}]" if self.edit_count else ""))
        who = "bot" if self.from_bot else "user"
        text = (self.text or "")[:80].replace("\n", "\\n")
        keyboard = f" buttons={self.buttons}" if self.buttons else ""
        return f"#{self.message_id} {who} {self.kind}{flags}: {text!r}{keyboard}"


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """The bot's answer to a callback query (the toast or alert the user sees)."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None = None
    cache_time: int = 0


def keyboard_of(markup: dict[str, Any] | None) -> tuple[list[list[str]], list[list[str]]]:
    """Return the button texts and callback data of an inline keyboard."""
    if not markup or "inline_keyboard" not in markup:
        return [], []
    rows = markup["inline_keyboard"]
    texts = [[b.get("text", "") for b in row] for row in rows]
    data = [[b.get("callback_data", "") for b in row] for row in rows]
    return texts, data


def content_fields(kind: str, text: str | None, entities: list[dict[str, Any]]
                   ) -> dict[str, Any]:
    """Return the text/caption keys of a Message object."""
    key, entities_key = ("text", "entities") if kind == "text" else ("caption",
                                                                     "caption_entities")
    out: dict[str, Any] = {}
    if text is not None:
        out[key] = text
        if entities:
            out[entities_key] = entities
    return out


def build_message(
    *,
    base: dict[str, Any],
    kind: str,
    text: str | None,
    entities: list[dict[str, Any]],
    media: dict[str, Any] | list[dict[str, Any]] | None,
    reply_markup: dict[str, Any] | None,
    html: str | None,
    file_id: str | None = None,
    document_name: str | None = None,
    media_group_id: str | None = None,
    reply_to: dict[str, Any] | None = None,
    edit_count: int = 0,
    edit_date: int | None = None,
) -> SimMessage:
    """Render a bot message from ``base`` (message_id, from, chat, date) and its content."""
    raw = dict(base)
    raw.update(content_fields(kind, text, entities))
    if media is not None:
        raw[kind] = media
    if media_group_id:
        raw["media_group_id"] = media_group_id
    if reply_to is not None:
        raw["reply_to_message"] = reply_to
    if reply_markup is not None and "inline_keyboard" in reply_markup:
        raw["reply_markup"] = reply_markup
    if edit_date is not None:
        raw["edit_date"] = edit_date
    buttons, data = keyboard_of(reply_markup)
    return SimMessage(
        message_id=base["message_id"], chat_id=base["chat"]["id"], date=base["date"],
        kind=kind, text=text, raw=raw, html=html, entities=entities, file_id=file_id,
        document_name=document_name, reply_markup=reply_markup, buttons=buttons,
        callback_data=data, edit_count=edit_count, media_group_id=media_group_id,
        reply_to_message_id=reply_to["message_id"] if reply_to else None,
    )


def base_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """Return the identity keys of a Message object (message_id, from, chat, date)."""
    return {k: raw[k] for k in ("message_id", "from", "chat", "date") if k in raw}
