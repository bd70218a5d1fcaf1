"""Telegram's content rules: text and caption limits, parse modes, commands, callbacks.

Every check raises :class:`ApiError` with the description Telegram uses, so a bot's error
handling meets the same messages it would meet in production. Lengths are counted in
characters after entity parsing, as the Bot API documentation states. Reply markup has its
own module, :mod:`bot.sandbox.keyboards`.
"""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.html_entities import HtmlParseError, parse_html

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_COMMANDS = 100
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice",
    "upload_voice", "upload_document", "choose_sticker", "find_location",
    "record_video_note", "upload_video_note",
})
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")

Entities = list[dict[str, Any]]


def format_text(
    text: str, parse_mode: str | None, entities: list[Any] | None
) -> tuple[str, Entities]:
    """Apply ``parse_mode`` (or explicit ``entities``) and return plain text and entities."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            plain, parsed = parse_html(text)
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
        return plain, parsed
    if mode in ("", "markdown", "markdownv2"):
        # Markdown is not parsed: the text is kept verbatim (documented sandbox limitation).
        return text, [e for e in entities or [] if isinstance(e, dict)]
    raise bad_request(f"unsupported parse_mode {parse_mode!r}".replace("'", '"'))


def check_text(text: str, parse_mode: str | None, entities: list[Any] | None) -> tuple[
        str, Entities]:
    """Validate a message text; return its plain text and entities."""
    plain, parsed = format_text(text, parse_mode, entities)
    if not plain.strip():
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    return plain, parsed


def check_caption(caption: str | None, parse_mode: str | None, entities: list[Any] | None
                  ) -> tuple[str | None, Entities]:
    """Validate an optional media caption; return its plain text and entities."""
    if not caption:
        return None, []
    plain, parsed = format_text(caption, parse_mode, entities)
    if len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return plain or None, parsed


def check_commands(commands: list[Any]) -> list[dict[str, str]]:
    """Validate a setMyCommands list; return it as command/description dicts."""
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands specified")
    out: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("command description is empty" if not description
                              else "BOT_COMMAND_DESCRIPTION_INVALID")
        out.append({"command": command, "description": description})
    return out


def check_chat_action(action: str) -> None:
    """Refuse an unknown chat action."""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")


def check_callback_answer(text: str | None) -> None:
    """Refuse a callback answer text longer than Telegram shows."""
    if text is not None and len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")


def not_modified() -> ApiError:
    """Build Telegram's error for an edit that changes nothing."""
    return bad_request(
        "message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message")
