"""Parameter tables of the implemented Bot API methods and coercion of raw request values.

Derived by hand from the Bot API 10.0 reference (the project must not read the spec at run
time). Telegram accepts every parameter as a form string or as a JSON value; PTB sends form
strings with JSON-encoded objects, so each value is coerced to its declared type here.
Unknown parameters are ignored, as Telegram does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.sandbox.errors import ApiError, bad_request


class Kind(StrEnum):
    """Declared type of one parameter."""

    INT = "Integer"
    FLOAT = "Float"
    STR = "String"
    BOOL = "Boolean"
    CHAT = "Integer or String"
    OBJECT = "JSON object"
    ARRAY = "JSON array"
    FILE = "InputFile or String"


@dataclass(frozen=True, slots=True)
class Upload:
    """One file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


Param = tuple[str, Kind, bool]  # name, type, required

_SEND_COMMON: tuple[Param, ...] = (
    ("chat_id", Kind.CHAT, True),
    ("business_connection_id", Kind.STR, False),
    ("message_thread_id", Kind.INT, False),
    ("disable_notification", Kind.BOOL, False),
    ("protect_content", Kind.BOOL, False),
    ("allow_paid_broadcast", Kind.BOOL, False),
    ("message_effect_id", Kind.STR, False),
    ("reply_parameters", Kind.OBJECT, False),
    ("reply_to_message_id", Kind.INT, False),
    ("reply_markup", Kind.OBJECT, False),
)
_CAPTION: tuple[Param, ...] = (
    ("caption", Kind.STR, False),
    ("parse_mode", Kind.STR, False),
    ("caption_entities", Kind.ARRAY, False),
)
_EDIT_TARGET: tuple[Param, ...] = (
    ("chat_id", Kind.CHAT, False),
    ("message_id", Kind.INT, False),
    ("inline_message_id", Kind.STR, False),
    ("business_connection_id", Kind.STR, False),
    ("reply_markup", Kind.OBJECT, False),
)
_COMMAND_SCOPE: tuple[Param, ...] = (
    ("scope", Kind.OBJECT, False),
    ("language_code", Kind.STR, False),
)

METHOD_PARAMS: dict[str, tuple[Param, ...]] = {
    "getMe": (),
    "logOut": (),
    "close": (),
    "getWebhookInfo": (),
    "getUpdates": (
        ("offset", Kind.INT, False), ("limit", Kind.INT, False),
        ("timeout", Kind.INT, False), ("allowed_updates", Kind.ARRAY, False),
    ),
    "setWebhook": (
        ("url", Kind.STR, True), ("certificate", Kind.FILE, False),
        ("ip_address", Kind.STR, False), ("max_connections", Kind.INT, False),
        ("allowed_updates", Kind.ARRAY, False), ("drop_pending_updates", Kind.BOOL, False),
        ("secret_token", Kind.STR, False),
    ),
    "deleteWebhook": (("drop_pending_updates", Kind.BOOL, False),),
    "sendMessage": (
        *_SEND_COMMON, ("text", Kind.STR, True), ("parse_mode", Kind.STR, False),
        ("entities", Kind.ARRAY, False), ("link_preview_options", Kind.OBJECT, False),
    ),
    "sendPhoto": (
        *_SEND_COMMON, ("photo", Kind.FILE, True), *_CAPTION,
        ("show_caption_above_media", Kind.BOOL, False), ("has_spoiler", Kind.BOOL, False),
    ),
    "sendAudio": (
        *_SEND_COMMON, ("audio", Kind.FILE, True), *_CAPTION, ("duration", Kind.INT, False),
        ("performer", Kind.STR, False), ("title", Kind.STR, False),
        ("thumbnail", Kind.FILE, False),
    ),
    "sendVoice": (
        *_SEND_COMMON, ("voice", Kind.FILE, True), *_CAPTION, ("duration", Kind.INT, False),
    ),
    "sendDocument": (
        *_SEND_COMMON, ("document", Kind.FILE, True), *_CAPTION,
        ("thumbnail", Kind.FILE, False), ("disable_content_type_detection", Kind.BOOL, False),
    ),
    "sendMediaGroup": (*_SEND_COMMON[:-1], ("media", Kind.ARRAY, True)),
    "sendChatAction": (
        ("chat_id", Kind.CHAT, True), ("action", Kind.STR, True),
        ("message_thread_id", Kind.INT, False), ("business_connection_id", Kind.STR, False),
    ),
    "editMessageText": (
        *_EDIT_TARGET, ("text", Kind.STR, True), ("parse_mode", Kind.STR, False),
        ("entities", Kind.ARRAY, False), ("link_preview_options", Kind.OBJECT, False),
    ),
    "editMessageCaption": (
        *_EDIT_TARGET, *_CAPTION, ("show_caption_above_media", Kind.BOOL, False),
    ),
    "editMessageMedia": (*_EDIT_TARGET, ("media", Kind.OBJECT, True)),
    "editMessageReplyMarkup": _EDIT_TARGET,
    "deleteMessage": (("chat_id", Kind.CHAT, True), ("message_id", Kind.INT, True)),
    "deleteMessages": (("chat_id", Kind.CHAT, True), ("message_ids", Kind.ARRAY, True)),
    "answerCallbackQuery": (
        ("callback_query_id", Kind.STR, True), ("text", Kind.STR, False),
        ("show_alert", Kind.BOOL, False), ("url", Kind.STR, False),
        ("cache_time", Kind.INT, False),
    ),
    "setMyCommands": (("commands", Kind.ARRAY, True), *_COMMAND_SCOPE),
    "getMyCommands": _COMMAND_SCOPE,
    "deleteMyCommands": _COMMAND_SCOPE,
    "setMyDescription": (("description", Kind.STR, False), ("language_code", Kind.STR, False)),
    "getMyDescription": (("language_code", Kind.STR, False),),
    "setMyShortDescription": (
        ("short_description", Kind.STR, False), ("language_code", Kind.STR, False),
    ),
    "getMyShortDescription": (("language_code", Kind.STR, False),),
    "setMyName": (("name", Kind.STR, False), ("language_code", Kind.STR, False)),
    "getMyName": (("language_code", Kind.STR, False),),
    "getFile": (("file_id", Kind.STR, True),),
    "setChatMenuButton": (("chat_id", Kind.INT, False), ("menu_button", Kind.OBJECT, False)),
    "getChatMenuButton": (("chat_id", Kind.INT, False),),
}

MISSING_MESSAGES = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "photo": "there is no photo in the request",
    "audio": "there is no audio in the request",
    "voice": "there is no voice in the request",
    "document": "there is no document in the request",
    "media": "media is empty",
    "message_id": "message identifier is not specified",
    "callback_query_id": "query_id is empty",
    "file_id": "file_id is empty",
    "url": "url is empty",
    "action": "action is empty",
}

_INT = re.compile(r"^-?\d+$")


def _wrong_type(name: str, kind: Kind) -> ApiError:
    return bad_request(f'field "{name}" must be of type {kind.value}')


def _coerce(name: str, kind: Kind, value: Any) -> Any:
    """Convert one raw value (form string or JSON value) to ``kind``."""
    if kind is Kind.FILE:
        if isinstance(value, Upload | str):
            return value
        raise _wrong_type(name, kind)
    if isinstance(value, str):
        text = value.strip()
        if kind is Kind.STR:
            return value
        if kind in (Kind.INT, Kind.CHAT) and _INT.match(text):
            return int(text)
        if kind is Kind.CHAT:
            return value
        if kind is Kind.FLOAT:
            try:
                return float(text)
            except ValueError:
                raise _wrong_type(name, kind) from None
        if kind is Kind.BOOL and text.lower() in ("true", "false", "1", "0"):
            return text.lower() in ("true", "1")
        if kind in (Kind.OBJECT, Kind.ARRAY):
            try:
                value = json.loads(text)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        else:
            raise _wrong_type(name, kind)
    if kind is Kind.STR and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    expected: dict[Kind, type | tuple[type, ...]] = {
        Kind.INT: int, Kind.CHAT: int, Kind.FLOAT: (int, float), Kind.BOOL: bool,
        Kind.OBJECT: dict, Kind.ARRAY: list, Kind.STR: str,
    }
    if not isinstance(value, expected[kind]) or (kind is not Kind.BOOL
                                                  and isinstance(value, bool)):
        raise _wrong_type(name, kind)
    return value


def coerce_params(method: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Check required parameters and coerce declared ones; raise ApiError on a bad value."""
    params: dict[str, Any] = {}
    for name, kind, required in METHOD_PARAMS[method]:
        value = raw.get(name)
        if value is None or (value == "" and kind is not Kind.STR):
            if required:
                raise bad_request(MISSING_MESSAGES.get(name, f'parameter "{name}" is required'))
            continue
        params[name] = _coerce(name, kind, value)
    return params
