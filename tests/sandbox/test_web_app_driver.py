"""Opening a Mini App as Telegram's Android client: launch URL, initData, its signature.

The signature is checked by a re-computation written here from Telegram's documentation
(core.telegram.org/bots/webapps, "Validating data received via the Mini App"), independent of
the sandbox's signer and of the bot's verifier.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonWebApp,
    ReplyKeyboardMarkup,
    WebAppInfo,
)

from bot.sandbox import ButtonNotFound, MessageNotFound, SandboxConfig, SandboxServer
from bot.sandbox.testing import running_sandbox
from bot.sandbox.webapps import launch_params, launch_url

CHAT = 1001
NOW = 1_790_000_000
APP = "http://127.0.0.1:8081/app?a=5"


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    """Yield a sandbox whose wall clock stands still at ``NOW``."""
    config = SandboxConfig(flood_control=False, wall_clock=lambda: NOW + 0.7)
    async with running_sandbox(config) as running:
        yield running


@pytest.fixture
async def bot(server: SandboxServer) -> AsyncIterator[Bot]:
    """Yield a PTB Bot talking to ``server``."""
    async with Bot(server.token, base_url=server.base_url) as started:
        yield started


def is_signed(init_data: str, token: str) -> bool:
    """Check initData's hash as Telegram documents it (every field but hash, sorted)."""
    fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=True))
    received = fields.pop("hash")
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received)


def fragment(url: str) -> dict[str, str]:
    """Parse a launch URL's fragment with the standard library (not the sandbox's parser)."""
    return dict(parse_qsl(urlsplit(url).fragment, keep_blank_values=True))


def keyboard(*labels: str, url: str = APP) -> InlineKeyboardMarkup:
    """Build one row of Mini App buttons."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, web_app=WebAppInfo(url))
                                  for t in labels]])


async def test_open_web_app_gives_a_signed_launch_url(server: SandboxServer, bot: Bot) -> None:
    user = server.user(CHAT, "Ravo", username="ravo", language_code="mg")
    sent = await bot.send_message(CHAT, "task", reply_markup=keyboard("Open"))
    url = user.open_web_app(user.message(sent.message_id))
    assert url.startswith(APP + "#tgWebAppData=")
    params = fragment(url)
    assert (params["tgWebAppVersion"], params["tgWebAppPlatform"]) == ("10.0", "android")
    assert json.loads(params["tgWebAppThemeParams"])["bg_color"] == "#ffffff"
    init_data = params["tgWebAppData"]
    assert is_signed(init_data, server.token)
    assert not is_signed(init_data, "123456:ANOTHER")
    fields = dict(parse_qsl(init_data))
    assert list(fields) == ["query_id", "user", "auth_date", "signature", "hash"]
    assert json.loads(fields["user"]) == {"id": CHAT, "first_name": "Ravo", "username": "ravo",
                                          "language_code": "mg", "allows_write_to_pm": True}
    assert fields["auth_date"] == str(NOW)
    base64.urlsafe_b64decode(fields["signature"] + "==")  # base64url
    forged = init_data.replace(f"auth_date={NOW}", f"auth_date={NOW + 1}")
    assert not is_signed(forged, server.token)
    assert user.launches[-1].init_data == init_data and server.stats.web_app_launches == 1


async def test_every_opening_is_a_new_session(server: SandboxServer, bot: Bot) -> None:
    user = server.user(CHAT)
    sent = await bot.send_message(CHAT, "task", reply_markup=keyboard("Open"))
    first, second = (dict(parse_qsl(fragment(user.open_web_app(sent.message_id))[
        "tgWebAppData"])) for _ in range(2))
    assert first["query_id"] != second["query_id"]
    assert first["signature"] != second["signature"]


async def test_init_data_for_http_clients(server: SandboxServer) -> None:
    user = server.user(CHAT, "Ravo")
    pinned = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    init_data = user.init_data(auth_date=pinned)
    assert is_signed(init_data, server.token)
    assert dict(parse_qsl(init_data))["auth_date"] == str(int(pinned.timestamp()))
    assert dict(parse_qsl(user.init_data()))["auth_date"] == str(NOW)


def test_fragment_round_trip() -> None:
    init_data = "query_id=AA1&user=%7B%22first_name%22%3A%22A+B%20C%22%7D&auth_date=1&hash=ff"
    url = launch_url(APP, init_data)
    params = launch_params(url)
    assert params["tgWebAppData"] == init_data  # what Telegram.WebApp.initData holds
    assert params == {key: value for key, value in fragment(url).items()}
    assert unquote(url.split("#tgWebAppData=", 1)[1].split("&", 1)[0]) == init_data


@pytest.mark.parametrize(("app", "query", "kept"), [
    ("http://127.0.0.1:8081/app?a=5&b=x%20y#top=1", "a=5&b=x%20y", {"top": "1"}),
    ("https://annobot.example/app#/tasks", "", {"_path": "/tasks"}),
    ("https://annobot.example/app#/tasks?view=list", "", {"_path": "/tasks", "view": "list"}),
    ("https://annobot.example/app#", "", {}),
])
def test_existing_query_and_fragment_are_kept(app: str, query: str, kept: dict[str, str]
                                              ) -> None:
    url = launch_url(app, "auth_date=1&hash=ff")
    parts = urlsplit(url)
    assert parts.query == query and url.startswith(app.rstrip("#"))
    params = launch_params(url)
    assert {key: params[key] for key in kept} == kept
    assert params["tgWebAppData"] == "auth_date=1&hash=ff"
    assert params["tgWebAppPlatform"] == "android"


async def test_open_by_text_and_on_the_current_keyboard(server: SandboxServer, bot: Bot
                                                        ) -> None:
    user = server.user(CHAT)
    sent = await bot.send_message(CHAT, "task", reply_markup=keyboard("Boxes", "Spans"))
    with pytest.raises(ButtonNotFound, match="Boxes"):
        user.open_web_app(sent.message_id)  # two buttons: name one
    assert user.open_web_app(sent.message_id, "Spans").startswith(APP + "#")
    other = "https://annobot.example/app?a=6"
    await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Next", web_app=WebAppInfo(other)),
          InlineKeyboardButton("Skip", callback_data="skip")]]))
    assert user.open_web_app(user.message(sent.message_id)).startswith(other + "#")
    with pytest.raises(ButtonNotFound):
        user.open_web_app(sent.message_id, "Spans")
    await bot.delete_message(CHAT, sent.message_id)
    with pytest.raises(MessageNotFound):
        user.open_web_app(sent.message_id)


async def test_reply_keyboard_app_gets_no_init_data(server: SandboxServer, bot: Bot) -> None:
    user = server.user(CHAT)
    sent = await bot.send_message(CHAT, "task", reply_markup=ReplyKeyboardMarkup(
        [[KeyboardButton("Open", web_app=WebAppInfo(APP))]]))
    params = fragment(user.open_web_app(sent.message_id))
    assert params["tgWebAppData"] == "" and params["tgWebAppVersion"] == "10.0"


async def test_menu_button_app(server: SandboxServer, bot: Bot) -> None:
    user = server.user(CHAT)
    with pytest.raises(ButtonNotFound):
        user.open_menu_app()
    await bot.set_chat_menu_button(menu_button=MenuButtonWebApp("Tasks", WebAppInfo(APP)))
    url = user.open_menu_app()
    assert url.startswith(APP + "#") and is_signed(fragment(url)["tgWebAppData"], server.token)
    assert user.launches[-1].message_id is None and user.launches[-1].button.kind == "menu"
