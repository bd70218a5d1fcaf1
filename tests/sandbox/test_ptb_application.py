"""An unmodified PTB Application, polling and webhook, using every implemented method."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox import SandboxServer, SimMessage
from bot.sandbox.testing import Mode, application_builder, running_application
from tests.sandbox.samples import png_bytes, wav_bytes

LISTED_METHODS = {
    "getMe", "sendMessage", "sendPhoto", "sendAudio", "sendVoice", "sendDocument",
    "sendMediaGroup", "editMessageText", "editMessageCaption", "editMessageMedia",
    "editMessageReplyMarkup", "deleteMessage", "answerCallbackQuery", "sendChatAction",
    "setMyCommands", "getMyCommands", "getFile",
}


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    """Build a one-row keyboard whose callback data is the lowercased label."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=t.lower())
                                  for t in labels]])


async def cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with the deep-link payload and the menu."""
    assert update.message is not None and update.effective_user is not None
    await context.bot.send_chat_action(update.message.chat_id, ChatAction.TYPING)
    language = update.effective_user.language_code or "en"
    await context.bot.set_my_commands([BotCommand("start", f"start ({language})")],
                                      language_code=language)
    commands = await context.bot.get_my_commands(language_code=language)
    await update.message.reply_text(
        f"<b>Welcome</b> {' '.join(context.args or [])} ({commands[0].description})",
        parse_mode=ParseMode.HTML, reply_markup=keyboard("Photo", "Audio", "Album"))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run one step of the scenario per button."""
    query = update.callback_query
    assert query is not None and query.message is not None
    chat_id = query.message.chat.id
    await query.answer(f"got {query.data}")
    if query.data == "photo":
        await context.bot.send_photo(chat_id, png_bytes(), caption="a photo",
                                     reply_markup=keyboard("Caption", "Swap"))
    elif query.data == "caption":
        await query.edit_message_caption("new caption", reply_markup=keyboard("Swap"))
    elif query.data == "swap":
        await query.edit_message_media(InputMediaPhoto(png_bytes(200, 100, "blue"), "swapped"),
                                       reply_markup=keyboard("Strip"))
    elif query.data == "strip":
        await query.edit_message_reply_markup(None)
        await context.bot.send_message(chat_id, "stripped", reply_markup=keyboard("Delete"))
    elif query.data == "delete":
        await query.delete_message()
    elif query.data == "audio":
        await context.bot.send_audio(chat_id, wav_bytes(2), filename="a.wav", title="tone")
        await context.bot.send_voice(chat_id, wav_bytes(1), filename="v.ogg")
    elif query.data == "album":
        await context.bot.send_media_group(chat_id, [
            InputMediaDocument(b"one", filename="1.txt"),
            InputMediaDocument(b"two", filename="2.txt", caption="two"),
        ])
    if query.data in ("audio", "album"):
        await query.edit_message_text(f"chose {query.data}",
                                      reply_markup=keyboard("Photo", "Audio", "Album"))


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the user's document and send it back with its digest."""
    assert update.message is not None and update.message.document is not None
    file = await update.message.document.get_file()
    data = await file.download_as_bytearray()
    await update.message.reply_document(bytes(data), filename="echo.bin",
                                        caption=f"sha1 {hashlib.sha1(data).hexdigest()}")


def build_app(server: SandboxServer) -> Application:  # type: ignore[type-arg, unused-ignore]
    """Build the scenario bot."""
    app = application_builder(server).build()
    app.add_handler(CommandHandler("start", cmd_start))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    return app


def has_text(fragment: str) -> Callable[[SimMessage], bool]:
    """Return a predicate matching bot messages containing ``fragment``."""
    return lambda m: fragment in (m.text or "")


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_application_uses_every_method(sandbox: SandboxServer, mode: Mode) -> None:
    async with running_application(build_app(sandbox), mode=mode):
        user = sandbox.user(1001, "Ravo", language_code="mg")
        await user.send_command("start", payload="inv_abc")
        menu = await user.wait_for(lambda m: m.text == "Welcome inv_abc (start (mg))")
        assert menu.entities == [{"type": "bold", "offset": 0, "length": 7}]
        assert user.chat_actions == ["typing"]

        answer = await user.wait_for_callback_answer(await user.tap("Photo"))
        assert answer.text == "got photo"
        photo = await user.wait_for(lambda m: m.kind == "photo")
        sizes = photo.raw["photo"]
        assert [(s["width"], s["height"]) for s in sizes] == [(90, 68), (320, 240), (400, 300)]

        await user.tap("Caption", message_id=photo.message_id)
        await user.wait_for(lambda m: m.text == "new caption" and m.buttons == [["Swap"]])
        await user.tap("Swap", message_id=photo.message_id)
        swapped = await user.wait_for(lambda m: m.text == "swapped")
        assert swapped.file_id != photo.file_id and swapped.edit_count == 2
        await user.tap("Strip", message_id=photo.message_id)
        stripped = await user.wait_for(has_text("stripped"))
        assert user.message(photo.message_id).buttons == []
        await user.tap("Delete", message_id=stripped.message_id)
        await user.wait_for(lambda m: m.deleted and m.message_id == stripped.message_id,
                            include_deleted=True)
        assert stripped.message_id not in [m.message_id for m in user.messages]

        await user.tap("Audio", message_id=menu.message_id)
        audio = await user.wait_for(lambda m: m.kind == "audio")
        assert audio.raw["audio"]["duration"] == 2 and audio.raw["audio"]["title"] == "tone"
        await user.wait_for(lambda m: m.kind == "voice")
        await user.tap("Album", message_id=menu.message_id)
        second = await user.wait_for(lambda m: m.kind == "document" and m.text == "two")
        assert second.media_group_id is not None

        await user.send_document(b"payload bytes", "data.csv")
        digest = hashlib.sha1(b"payload bytes").hexdigest()
        echo = await user.wait_for(has_text(f"sha1 {digest}"))
        assert echo.kind == "document" and echo.document_name == "echo.bin"

    calls = sandbox.stats.calls
    assert set(calls) >= LISTED_METHODS, LISTED_METHODS - set(calls)
    assert ("getUpdates" in calls) == (mode == "polling")
    assert ("setWebhook" in calls) == (mode == "webhook")
    assert all(r.ok for r in sandbox.stats.log if r.method != "getUpdates"), [
        r for r in sandbox.stats.log if not r.ok]
