"""Telegram's validation rules, each checked through PTB against the exact description."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import EndPointNotFound, Forbidden, InvalidToken, NetworkError

from bot.sandbox import SandboxConfig, SandboxServer
from bot.sandbox.testing import running_sandbox
from tests.sandbox.samples import call_api, png_bytes, refusal

CHAT = 1001


def markup(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Build an inline keyboard from (text, callback_data) rows."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in row]
                                 for row in rows])


@pytest.fixture
def chat(sandbox: SandboxServer) -> int:
    """Create the simulated user the bot writes to."""
    sandbox.user(CHAT, "Ravo")
    return CHAT


async def test_unknown_method_is_404(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    description = await refusal(sandbox, sandbox_bot.do_api_request("sendTelepathy"),
                                EndPointNotFound)
    assert description == "Not Found"
    assert sandbox.stats.log[-1].status == 404


async def test_method_names_are_case_insensitive(sandbox: SandboxServer, sandbox_bot: Bot
                                                 ) -> None:
    me = await sandbox_bot.do_api_request("GETME")
    assert me["is_bot"] is True


async def test_wrong_token_fails_initialize(sandbox: SandboxServer) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("123456:WRONG", base_url=sandbox.base_url):
            pass
    assert sandbox.stats.log[-1].status == 401
    assert sandbox.stats.log[-1].description == "Unauthorized"


@pytest.mark.parametrize(("method", "kwargs", "expected"), [
    ("sendMessage", {"chat_id": CHAT}, "Bad Request: message text is empty"),
    ("sendMessage", {"text": "hi"}, "Bad Request: chat_id is empty"),
    ("deleteMessage", {"chat_id": CHAT}, "Bad Request: message identifier is not specified"),
    ("sendPhoto", {"chat_id": CHAT}, "Bad Request: there is no photo in the request"),
    ("setMyCommands", {}, 'Bad Request: parameter "commands" is required'),
])
async def test_missing_required_parameter(sandbox: SandboxServer, chat: int, method: str,
                                          kwargs: dict[str, Any], expected: str) -> None:
    status, body = await call_api(sandbox, method, form=kwargs)
    assert (status, body) == (400, {"ok": False, "error_code": 400, "description": expected})


@pytest.mark.parametrize(("method", "kwargs", "expected"), [
    ("deleteMessage", {"chat_id": CHAT, "message_id": "abc"},
     'Bad Request: field "message_id" must be of type Integer'),
    ("getUpdates", {"limit": "many"}, 'Bad Request: field "limit" must be of type Integer'),
    ("sendMessage", {"chat_id": CHAT, "text": "x", "reply_markup": "{not json"},
     "Bad Request: can't parse reply_markup JSON object"),
    ("sendMessage", {"chat_id": CHAT, "text": "x", "disable_notification": "maybe"},
     'Bad Request: field "disable_notification" must be of type Boolean'),
])
async def test_wrong_parameter_type(sandbox: SandboxServer, chat: int, method: str,
                                    kwargs: dict[str, Any], expected: str) -> None:
    status, body = await call_api(sandbox, method, form=kwargs)
    assert (status, body["description"]) == (400, expected)


async def test_wrong_json_type(sandbox: SandboxServer, chat: int) -> None:
    status, body = await call_api(sandbox, "sendMessage",
                                  json_body={"chat_id": CHAT, "text": ["not", "text"]})
    assert (status, body["description"]) == (
        400, 'Bad Request: field "text" must be of type String')


async def test_text_limit_counts_visible_characters(sandbox: SandboxServer, sandbox_bot: Bot,
                                                    chat: int) -> None:
    await sandbox_bot.send_message(chat, f"<b>{'a' * 4096}</b>", parse_mode=ParseMode.HTML)
    call = sandbox_bot.send_message(chat, "a" * 4097)
    assert await refusal(sandbox, call) == "Bad Request: message is too long"


async def test_caption_limit(sandbox: SandboxServer, sandbox_bot: Bot, chat: int) -> None:
    sent = await sandbox_bot.send_document(chat, b"x", filename="x.txt", caption="c" * 1024)
    call = sandbox_bot.send_document(chat, sent.document.file_id,  # type: ignore[union-attr]
                                     caption="c" * 1025)
    assert await refusal(sandbox, call) == "Bad Request: message caption is too long"


@pytest.mark.parametrize("text", ["", "   ", "<b></b>"])
async def test_empty_text(sandbox: SandboxServer, sandbox_bot: Bot, chat: int, text: str
                          ) -> None:
    call = sandbox_bot.send_message(chat, text, parse_mode=ParseMode.HTML)
    assert await refusal(sandbox, call) == "Bad Request: message text is empty"


async def test_callback_data_limit_is_64_bytes(sandbox: SandboxServer, sandbox_bot: Bot,
                                               chat: int) -> None:
    await sandbox_bot.send_message(chat, "ok", reply_markup=markup([("A", "é" * 32)]))
    call = sandbox_bot.send_message(chat, "no", reply_markup=markup([("A", "é" * 32 + "x")]))
    assert await refusal(sandbox, call) == "Bad Request: BUTTON_DATA_INVALID"


async def test_at_most_100_inline_buttons(sandbox: SandboxServer, sandbox_bot: Bot, chat: int
                                          ) -> None:
    rows = [[(f"{r}{c}", f"{r}:{c}") for c in range(8)] for r in range(12)]
    await sandbox_bot.send_message(chat, "96 buttons", reply_markup=markup(*rows, rows[0][:4]))
    call = sandbox_bot.send_message(chat, "101", reply_markup=markup(*rows, rows[0][:5]))
    assert await refusal(sandbox, call) == "Bad Request: reply markup is too long"


async def test_edit_with_identical_content(sandbox: SandboxServer, sandbox_bot: Bot, chat: int
                                           ) -> None:
    keyboard = markup([("A", "a")])
    sent = await sandbox_bot.send_message(chat, "same", reply_markup=keyboard)
    call = sandbox_bot.edit_message_text("same", chat, sent.message_id, reply_markup=keyboard)
    assert await refusal(sandbox, call) == (
        "Bad Request: message is not modified: specified new message content and reply "
        "markup are exactly the same as a current content and reply markup of the message")
    # omitting reply_markup removes the keyboard, so the same text is a real change
    edited = await sandbox_bot.edit_message_text("same", chat, sent.message_id)
    assert edited.reply_markup is None  # type: ignore[union-attr]
    again = sandbox_bot.edit_message_reply_markup(chat, sent.message_id)
    assert (await refusal(sandbox, again)).startswith("Bad Request: message is not modified")


async def test_edit_of_missing_message(sandbox: SandboxServer, sandbox_bot: Bot, chat: int
                                       ) -> None:
    call = sandbox_bot.edit_message_text("x", chat, 999)
    assert await refusal(sandbox, call) == "Bad Request: message to edit not found"
    sent = await sandbox_bot.send_message(chat, "bye")
    await sandbox_bot.delete_message(chat, sent.message_id)
    call = sandbox_bot.edit_message_text("x", chat, sent.message_id)
    assert await refusal(sandbox, call) == "Bad Request: message to edit not found"
    call2 = sandbox_bot.delete_message(chat, sent.message_id)
    assert await refusal(sandbox, call2) == "Bad Request: message to delete not found"


async def test_edit_text_of_a_photo(sandbox: SandboxServer, sandbox_bot: Bot, chat: int
                                    ) -> None:
    sent = await sandbox_bot.send_photo(chat, png_bytes(50, 50))
    call = sandbox_bot.edit_message_text("x", chat, sent.message_id)
    assert await refusal(sandbox, call) == "Bad Request: there is no text in the message to edit"


async def test_photo_over_10_mb(sandbox: SandboxServer, sandbox_bot: Bot, chat: int) -> None:
    call = sandbox_bot.send_photo(chat, b"\x89PNG" + bytes(10 * 1024 * 1024))
    assert await refusal(sandbox, call) == "Bad Request: PHOTO_SAVE_FILE_INVALID"
    assert sandbox.stats.uploads == 0


@pytest.mark.parametrize(("width", "height"), [(9000, 1001), (2100, 100)])
async def test_photo_dimensions(sandbox: SandboxServer, sandbox_bot: Bot, chat: int,
                                width: int, height: int) -> None:
    call = sandbox_bot.send_photo(chat, png_bytes(width, height))
    assert await refusal(sandbox, call) == "Bad Request: PHOTO_INVALID_DIMENSIONS"


async def test_photo_that_is_not_an_image(sandbox: SandboxServer, sandbox_bot: Bot, chat: int
                                          ) -> None:
    call = sandbox_bot.send_photo(chat, b"definitely not an image")
    assert await refusal(sandbox, call) == "Bad Request: IMAGE_PROCESS_FAILED"


async def test_upload_over_limit_is_413() -> None:
    async with running_sandbox(SandboxConfig(flood_control=False, max_upload_bytes=100_000)
                               ) as server:
        server.user(CHAT)
        async with Bot(server.token, base_url=server.base_url) as bot:
            await bot.send_document(CHAT, bytes(99_000), filename="ok.bin")
            with pytest.raises(NetworkError, match="Request Entity Too Large"):
                await bot.send_document(CHAT, bytes(100_001), filename="big.bin")
        assert server.stats.log[-1].status == 413
        assert server.stats.uploads == 1


def test_default_upload_limit_is_50_mb() -> None:
    assert SandboxConfig().max_upload_bytes == 50 * 1024 * 1024


async def test_chat_not_found(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    call = sandbox_bot.send_message(424242, "anyone?")
    assert await refusal(sandbox, call) == "Bad Request: chat not found"


async def test_wrong_file_id(sandbox: SandboxServer, sandbox_bot: Bot, chat: int) -> None:
    call = sandbox_bot.send_photo(chat, "AgACnotAFileId")
    assert await refusal(sandbox, call) == (
        "Bad Request: wrong file identifier/HTTP URL specified")
    assert await refusal(sandbox, sandbox_bot.get_file("nope")) == "Bad Request: invalid file_id"


async def test_file_of_another_type(sandbox: SandboxServer, sandbox_bot: Bot, chat: int
                                    ) -> None:
    sent = await sandbox_bot.send_document(chat, b"doc", filename="d.txt")
    call = sandbox_bot.send_photo(chat, sent.document.file_id)  # type: ignore[union-attr]
    assert await refusal(sandbox, call) == "Bad Request: can't use file of type Document as Photo"


@pytest.mark.parametrize(("html", "expected"), [
    ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<blink>x</blink>", 'Unsupported start tag "blink" at byte offset 0'),
    ("é<b>x</i>", 'Unmatched end tag at byte offset 6, expected "</b>", found "</i>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
])
async def test_html_entity_errors(sandbox: SandboxServer, sandbox_bot: Bot, chat: int,
                                  html: str, expected: str) -> None:
    call = sandbox_bot.send_message(chat, html, parse_mode=ParseMode.HTML)
    assert await refusal(sandbox, call) == f"Bad Request: can't parse entities: {expected}"


async def test_html_is_stored_as_plain_text_and_entities(sandbox: SandboxServer,
                                                         sandbox_bot: Bot, chat: int) -> None:
    sent = await sandbox_bot.send_message(chat, 'Tap <a href="https://x.org">here</a> &amp; go',
                                          parse_mode=ParseMode.HTML)
    assert sent.text == "Tap here & go"
    assert sent.parse_entities() == {sent.entities[0]: "here"}
    assert sandbox.user(CHAT).last_message.html == (  # type: ignore[union-attr]
        'Tap <a href="https://x.org">here</a> &amp; go')


async def test_blocked_user_is_forbidden(sandbox: SandboxServer, sandbox_bot: Bot, chat: int
                                         ) -> None:
    sandbox.user(CHAT).block()
    call = sandbox_bot.send_message(chat, "still there?")
    assert await refusal(sandbox, call, Forbidden) == "Forbidden: bot was blocked by the user"
    assert sandbox.stats.log[-1].status == 403
    sandbox.user(CHAT).unblock()
    await sandbox_bot.send_message(chat, "welcome back")


async def test_answer_unknown_callback_query(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    call = sandbox_bot.answer_callback_query("12345")
    assert await refusal(sandbox, call) == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid")


async def test_callback_answer_text_limit(sandbox: SandboxServer, sandbox_bot: Bot, chat: int
                                          ) -> None:
    await sandbox_bot.send_message(chat, "q", reply_markup=markup([("A", "a")]))
    query_id = await sandbox.user(CHAT).tap("A")
    call = sandbox_bot.answer_callback_query(query_id, "t" * 201)
    assert await refusal(sandbox, call) == "Bad Request: MESSAGE_TOO_LONG"
    await sandbox_bot.answer_callback_query(query_id, "t" * 200)
    call = sandbox_bot.answer_callback_query(query_id, "twice")
    assert (await refusal(sandbox, call)).startswith("Bad Request: query is too old")


async def test_unknown_chat_action(sandbox: SandboxServer, sandbox_bot: Bot, chat: int) -> None:
    call = sandbox_bot.send_chat_action(chat, "dancing")
    assert await refusal(sandbox, call) == "Bad Request: wrong parameter action in request"
