"""Opening a Mini App as Telegram does: the signed initData and the launch URL.

Telegram opens a Web App button's URL with launch parameters in the fragment::

    <url>#tgWebAppData=<initData, URL-encoded>&tgWebAppVersion=10.0
         &tgWebAppPlatform=android&tgWebAppThemeParams=<theme JSON, URL-encoded>

``initData`` (what ``Telegram.WebApp.initData`` holds) is a query string: ``query_id`` (an
inline or menu button's session; absent for a reply keyboard button), ``user`` (JSON),
``auth_date`` (Unix time), ``signature`` and ``hash``. ``hash`` is the one a bot checks, as
core.telegram.org/bots/webapps documents it: the hex HMAC-SHA-256 of the data-check-string
(every other field, ``signature`` included, sorted by key, ``key=value`` joined by newlines)
under the key HMAC-SHA-256(key="WebAppData", msg=bot token). This module is the sandbox's own
implementation, playing Telegram; it shares no code with the bot's verifier. ``signature``
(Telegram's Ed25519 signature for third parties, made with Telegram's private key) is random
base64url here: third-party validation cannot pass in the sandbox. A reply keyboard button
gets an empty initData, as Telegram's documentation says of apps opened from one.

A URL that already has a fragment keeps it: the parameters follow after ``&`` (or after ``?``
when the fragment is a bare route such as ``#/tasks``), which is where telegram-web-app.js's
``urlParseHashParams`` reads them; :func:`launch_params` reads a fragment the same way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, unquote

WEB_APP_VERSION = "10.0"
PLATFORM = "android"
# The day theme Telegram's Android client sends (tgWebAppThemeParams).
THEME_PARAMS: dict[str, str] = {
    "bg_color": "#ffffff", "section_bg_color": "#ffffff", "secondary_bg_color": "#f0f0f0",
    "text_color": "#222222", "hint_color": "#a8a8a8", "link_color": "#2678b6",
    "button_color": "#50a8eb", "button_text_color": "#ffffff", "header_bg_color": "#527da3",
    "bottom_bar_bg_color": "#f0f0f0", "accent_text_color": "#1c93e3",
    "section_header_text_color": "#3a95d5", "subtitle_text_color": "#82868a",
    "destructive_text_color": "#cc2929", "section_separator_color": "#d9d9d9",
}
_USER_KEYS = ("id", "first_name", "last_name", "username", "language_code", "is_premium")

ButtonKind = Literal["inline", "keyboard", "menu"]


@dataclass(frozen=True, slots=True)
class WebAppButton:
    """A button that opens a Mini App: its label, its URL and where it sits."""

    text: str
    url: str
    kind: ButtonKind


@dataclass(frozen=True, slots=True)
class WebAppLaunch:
    """One Mini App opening, as the sandbox records it."""

    user_id: int
    message_id: int | None  # None: the menu button
    button: WebAppButton
    init_data: str
    url: str


def web_app_buttons(markup: Mapping[str, Any] | None) -> list[WebAppButton]:
    """Return the Web App buttons of an inline or reply keyboard, in reading order."""
    if not markup:
        return []
    kind: ButtonKind = "inline" if "inline_keyboard" in markup else "keyboard"
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [WebAppButton(button["text"], button["web_app"]["url"], kind)
            for row in rows for button in row
            if isinstance(button, dict) and isinstance(button.get("web_app"), dict)]


def user_json(info: Mapping[str, Any]) -> str:
    """Return the ``user`` field of initData for a Telegram User object."""
    user = {key: info[key] for key in _USER_KEYS if info.get(key) is not None}
    user["allows_write_to_pm"] = True
    return json.dumps(user, separators=(",", ":"), ensure_ascii=False)


def data_check_string(fields: Mapping[str, str]) -> str:
    """Return the string ``hash`` signs: every field but ``hash``, sorted, one per line."""
    return "\n".join(f"{key}={value}" for key, value in sorted(fields.items())
                     if key != "hash")


def init_data_hash(fields: Mapping[str, str], token: str) -> str:
    """Return Telegram's ``hash`` of initData ``fields`` for the bot ``token``."""
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, data_check_string(fields).encode(), hashlib.sha256).hexdigest()


def sign_init_data(fields: Mapping[str, str], token: str) -> str:
    """Return the raw initData: ``fields`` in order, URL-encoded, then their ``hash``."""
    pairs = [*fields.items(), ("hash", init_data_hash(fields, token))]
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in pairs)


def new_init_data(info: Mapping[str, Any], token: str, *, auth_date: int,
                  with_query_id: bool = True) -> str:
    """Return a fresh signed initData for the user ``info`` (a random query_id and signature)."""
    fields: dict[str, str] = {}
    if with_query_id:
        fields["query_id"] = "AA" + _base64url(secrets.token_bytes(16))
    fields["user"] = user_json(info)
    fields["auth_date"] = str(auth_date)
    fields["signature"] = _base64url(secrets.token_bytes(64))
    return sign_init_data(fields, token)


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def launch_url(url: str, init_data: str) -> str:
    """Return ``url`` with Telegram's launch parameters added to its fragment."""
    params = "&".join(f"{key}={quote(value, safe='')}" for key, value in (
        ("tgWebAppData", init_data), ("tgWebAppVersion", WEB_APP_VERSION),
        ("tgWebAppPlatform", PLATFORM),
        ("tgWebAppThemeParams", json.dumps(THEME_PARAMS, separators=(",", ":")))))
    base, _, fragment = url.partition("#")
    if not fragment:
        return f"{base}#{params}"
    glue = "?" if "=" not in fragment and "?" not in fragment else "&"
    return f"{base}#{fragment}{glue}{params}"


def _decode(text: str) -> str:
    return unquote(text.replace("+", "%20"))


def launch_params(url: str) -> dict[str, str]:
    """Read the fragment of ``url`` as telegram-web-app.js does (a route lands in ``_path``)."""
    fragment = url.partition("#")[2]
    if not fragment:
        return {}
    if "=" not in fragment and "?" not in fragment:
        return {"_path": _decode(fragment)}
    params: dict[str, str] = {}
    route, question, query = fragment.partition("?")
    if question:
        params["_path"] = _decode(route)
    else:
        query = fragment
    for pair in query.split("&"):
        key, equals, value = pair.partition("=")
        if key:
            params[_decode(key)] = _decode(value) if equals else ""
    return params
