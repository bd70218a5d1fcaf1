"""Web App buttons as Telegram validates them: chats, schemes, action fields, reply keyboards."""

from __future__ import annotations

from typing import Any

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
from telegram.error import BadRequest

from bot.sandbox import SandboxConfig, SandboxServer
from bot.sandbox.testing import running_sandbox
from tests.sandbox.samples import call_api, refusal

CHAT = 1001
GROUP = -1001234
APP = "http://127.0.0.1:8081/app?a=5"


def app_button(url: str = APP, text: str = "Open") -> InlineKeyboardMarkup:
    """Build a one-button inline keyboard that opens a Mini App."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, web_app=WebAppInfo(url))]])


@pytest.fixture
def chat(sandbox: SandboxServer) -> int:
    """Create the simulated user the bot writes to, and a group."""
    sandbox.user(CHAT, "Ravo")
    sandbox.group(GROUP, "Annotators")
    return CHAT


async def test_http_web_app_is_accepted_by_default(sandbox: SandboxServer, sandbox_bot: Bot,
                                                   chat: int) -> None:
    sent = await sandbox_bot.send_message(chat, "task", reply_markup=app_button())
    button = sent.reply_markup.inline_keyboard[0][0]  # type: ignore[union-attr]
    assert button.web_app == WebAppInfo(APP)
    assert sandbox.user(CHAT).last_message.buttons == [["Open"]]  # type: ignore[union-attr]


async def test_url_is_kept_in_telegrams_normal_form(sandbox: SandboxServer, sandbox_bot: Bot,
                                                    chat: int) -> None:
    sent = await sandbox_bot.send_message(chat, "task",
                                          reply_markup=app_button("HTTP://Example.ORG"))
    button = sent.reply_markup.inline_keyboard[0][0]  # type: ignore[union-attr]
    assert button.web_app.url == "http://example.org/"  # type: ignore[union-attr]


async def test_http_refused_when_the_option_is_off() -> None:
    async with running_sandbox(SandboxConfig(flood_control=False, allow_http_web_apps=False)
                               ) as server:
        server.user(CHAT)
        async with Bot(server.token, base_url=server.base_url) as bot:
            call = bot.send_message(CHAT, "task", reply_markup=app_button())
            assert await refusal(server, call) == (
                f"Bad Request: inline keyboard button Web App URL '{APP}' is invalid: Only "
                "HTTPS links are allowed")
            await bot.send_message(CHAT, "task",
                                   reply_markup=app_button("https://annobot.example/app"))


async def test_inline_web_app_refused_outside_private_chats(
        sandbox: SandboxServer, sandbox_bot: Bot, chat: int) -> None:
    call = sandbox_bot.send_message(GROUP, "task", reply_markup=app_button())
    assert await refusal(sandbox, call) == "Bad Request: BUTTON_TYPE_INVALID"
    sent = await sandbox_bot.send_message(GROUP, "task", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Skip", callback_data="skip")]]))
    edit = sandbox_bot.edit_message_reply_markup(GROUP, sent.message_id,
                                                 reply_markup=app_button())
    assert await refusal(sandbox, edit) == "Bad Request: BUTTON_TYPE_INVALID"


@pytest.mark.parametrize(("url", "reason"), [
    ("ftp://annobot.example/app", "Unsupported URL protocol"),
    ("javascript:alert(1)", "Wrong port number specified in the URL"),
    ("http:///app", "URL host is empty"),
    ("http://localhost:8081/app", "Wrong HTTP URL"),
])
async def test_bad_urls_refused_with_telegrams_reason(sandbox: SandboxServer, sandbox_bot: Bot,
                                                      chat: int, url: str, reason: str) -> None:
    call = sandbox_bot.send_message(chat, "task", reply_markup=app_button(url))
    assert await refusal(sandbox, call) == (
        f"Bad Request: inline keyboard button Web App URL '{url}' is invalid: {reason}")


async def test_user_link_refused(sandbox: SandboxServer, sandbox_bot: Bot, chat: int) -> None:
    call = sandbox_bot.send_message(chat, "task", reply_markup=app_button("tg://user?id=1"))
    assert await refusal(sandbox, call) == (
        "Bad Request: link to a user can't be used in Web App URL buttons")


async def send_markup(server: SandboxServer, chat_id: int, markup: dict[str, Any]
                      ) -> tuple[int, str | None]:
    """Send a raw reply_markup (as JSON, past PTB's own checks); return status, description."""
    status, body = await call_api(server, "sendMessage", json_body={
        "chat_id": chat_id, "text": "task", "reply_markup": markup})
    return status, body.get("description")


async def test_two_action_fields_refused(sandbox: SandboxServer, chat: int) -> None:
    button = {"text": "Open", "callback_data": "open", "web_app": {"url": APP}}
    assert await send_markup(sandbox, chat, {"inline_keyboard": [[button]]}) == (
        400, "Bad Request: can't parse inline keyboard button: exactly one action field must "
             "be used, found callback_data, web_app")
    # an empty callback_data or url is no action, as on Telegram
    button = {"text": "Open", "callback_data": "", "url": "", "web_app": {"url": APP}}
    assert (await send_markup(sandbox, chat, {"inline_keyboard": [[button]]}))[0] == 200
    assert await send_markup(sandbox, chat, {"inline_keyboard": [[{
        "text": "Open", "callback_data": ""}]]}) == (
        400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in "
             "the inline keyboard")


@pytest.mark.parametrize(("web_app", "expected"), [
    ("http://x.org", 'Field "web_app" must be of type Object'),
    ({}, 'Can\'t find field "url"'),
    ({"url": 5}, 'Field "url" must be of type String'),
])
async def test_malformed_web_app_objects(sandbox: SandboxServer, chat: int, web_app: Any,
                                         expected: str) -> None:
    markup = {"inline_keyboard": [[{"text": "Open", "web_app": web_app}]]}
    assert await send_markup(sandbox, chat, markup) == (
        400, f"Bad Request: can't parse inline keyboard button: {expected}")


async def test_reply_keyboard_web_app(sandbox: SandboxServer, sandbox_bot: Bot, chat: int
                                      ) -> None:
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("Open", web_app=WebAppInfo(APP))]])
    await sandbox_bot.send_message(chat, "task", reply_markup=keyboard)
    call = sandbox_bot.send_message(GROUP, "task", reply_markup=keyboard)
    assert await refusal(sandbox, call) == (
        "Bad Request: web App buttons can be used in private chats only")
    bad = ReplyKeyboardMarkup([[KeyboardButton("Open", web_app=WebAppInfo("ftp://x.org"))]])
    call = sandbox_bot.send_message(chat, "task", reply_markup=bad)
    assert await refusal(sandbox, call) == (
        "Bad Request: keyboard button Web App URL 'ftp://x.org' is invalid: Unsupported URL "
        "protocol")
    two = {"keyboard": [[{"text": "Open", "request_contact": True, "web_app": {"url": APP}}]]}
    assert await send_markup(sandbox, chat, two) == (
        400, "Bad Request: can't parse keyboard button: exactly one action field must be "
             "used, found request_contact, web_app")


async def test_menu_button(sandbox: SandboxServer, sandbox_bot: Bot, chat: int) -> None:
    assert (await sandbox_bot.get_chat_menu_button()).type == "commands"
    await sandbox_bot.set_chat_menu_button(chat, MenuButtonWebApp("Tasks", WebAppInfo(APP)))
    button = await sandbox_bot.get_chat_menu_button(chat)
    assert isinstance(button, MenuButtonWebApp) and button.web_app.url == APP
    bad = sandbox_bot.set_chat_menu_button(menu_button=MenuButtonWebApp(
        "Tasks", WebAppInfo("ftp://x.org")))
    assert await refusal(sandbox, bad, BadRequest) == (
        "Bad Request: menu button web app URL 'ftp://x.org' is invalid: Unsupported URL "
        "protocol")
    await sandbox_bot.set_chat_menu_button(chat)  # back to the default
    assert (await sandbox_bot.get_chat_menu_button(chat)).type == "default"
