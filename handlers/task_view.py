"""How a task looks on a phone: one message with the media, the question and buttons.

A new task replaces the previous one in place (``editMessageText`` between text tasks,
``editMessageMedia`` between media tasks); only a change between text and media, or a
voice clip, needs a new message. Media is uploaded once: the first upload's ``file_id``
is stored and every later view reuses it (from memory when storing it failed).

The next task always appears: its edit or send is retried after every 429 until Telegram
takes it (``handlers.delivery.UNTIL_DELIVERED``; the rate limiter gives it priority over
broadcasts), and a message that can no longer be edited is replaced by a new one.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaAudio,
    InputMediaPhoto,
    Message,
    WebAppInfo,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from annotation.errors import StorageFull
from annotation.kinds.base import DONE_CODE, Block, BlockStyle, Button, Turn
from annotation.kinds.registry import kind_of
from annotation.media.library import MediaLibrary
from annotation.models import Media, MediaKey, Stage, Task
from handlers.callbacks import Action, Callback, encode
from handlers.delivery import UNTIL_DELIVERED
from handlers.phrases import markup, plain
from handlers.services import Translations

logger = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
# Why Telegram refuses to edit a message that is gone or too old: the task is sent anew.
UNEDITABLE = ("message to edit not found", "message can't be edited",
              "message_id_invalid", "there is no text in the message to edit",
              "there is no caption in the message to edit")


@dataclass(frozen=True, slots=True)
class TaskView:
    """A rendered task: its text (or caption), keyboard and media."""

    text: str
    keyboard: InlineKeyboardMarkup
    media: Media | None


def _button(text: str, callback: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode(callback))


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i:i + width] for i in range(0, len(buttons), width)]


def _block(block: Block, _: Translations) -> str:
    text = markup(block.text, _)
    caption = f"<b>{markup(block.caption, _)}</b>\n" if block.caption is not None else ""
    match block.style:
        case BlockStyle.HEADING:
            return f"{caption}<b>{text}</b>"
        case BlockStyle.QUOTE:
            return f"{caption}<blockquote>{text}</blockquote>"
        case BlockStyle.COLLAPSED:
            return f"{caption}<blockquote expandable>{text}</blockquote>"
    return f"{caption}<i>{text}</i>"


def app_link(app_url: str, assignment: int) -> str:
    """Return the Mini App's address for an assignment (``app_url``: its public base)."""
    return f"{app_url}/app?a={assignment}"


def _task_button(button: Button, assignment: int, _: Translations,
                 app_url: str | None = None) -> InlineKeyboardButton:
    label = plain(button.label, _)
    if button.opens_app and app_url:
        return InlineKeyboardButton(label, web_app=WebAppInfo(app_link(app_url, assignment)))
    if button.checked is not None:
        mark = "☑" if button.checked else "☐"
        return _button(f"{mark} {label}", Callback(Action.TOGGLE, assignment, button.code))
    if button.code == DONE_CODE:
        return _button(label, Callback(Action.DONE, assignment))
    return _button(label, Callback(Action.ANSWER, assignment, button.code))


def render_task(task: Task, _: Translations, language: str,
                undo_of: int | None = None, app_url: str | None = None) -> TaskView:
    """Render a task in the annotator's language, as its kind lays it out.

    A button that opens the Mini App needs its public address (``app_url``); without one
    the button is left out and a note says the task cannot be done here (Skip remains).
    """
    spec = task.project.spec
    assignment = task.assignment.id
    parts = [f"<b>{html.escape(spec.question.get(language))}</b>"]
    if task.stage is Stage.TRAINING:
        parts.insert(0, _.gettext("📘 Training: after each answer you will see the right one."))
    elif task.stage is Stage.EXAM:
        parts.insert(0, _.gettext("📝 Qualification exam: no hints, answer carefully."))
    if task.item.text:
        parts.append(f"<blockquote>{html.escape(task.item.text)}</blockquote>")
    layout = kind_of(spec).layout(Turn(spec, task.item, task.assignment.annotator_id,
                                       task.assignment.draft, language))
    parts += [_block(block, _) for block in layout.blocks]
    every = [*(b for row in layout.rows for b in row), *layout.controls]
    if not app_url and any(button.opens_app for button in every):
        parts.append("<i>" + _.gettext("This task is done in the Mini App, which this bot does "
                                       "not serve right now. Please skip it and tell a "
                                       "coordinator.") + "</i>")
    rows: list[list[InlineKeyboardButton]] = []
    for row in layout.rows:
        buttons = [_task_button(button, assignment, _, app_url) for button in row
                   if app_url or not button.opens_app]
        if not buttons:
            continue
        width = 2 if max((len(b.text) for b in buttons), default=0) > 12 else 3
        rows += _rows(buttons, width) if layout.wrap else [buttons]
    footer = [_task_button(button, assignment, _, app_url) for button in layout.controls
              if app_url or not button.opens_app]
    footer.append(_button(_.gettext("Skip ⏭"), Callback(Action.SKIP, assignment)))
    if undo_of is not None:
        footer.append(_button(_.gettext("↩ Undo"), Callback(Action.UNDO, undo_of)))
    rows.append(footer)
    text = "\n".join(parts)
    if task.media is not None and len(plain_text(text)) > CAPTION_LIMIT:
        # Telegram counts a caption's text, not its markup; import leaves room for every
        # accepted item, so only a change of wording gets here: cut the text, never a tag
        text = html.escape(plain_text(text)[:CAPTION_LIMIT - 1] + "…")
    return TaskView(text, InlineKeyboardMarkup(rows), task.media)


class MediaUploader:
    """Sends task media, uploading each file once and reusing its ``file_id``.

    The file id is kept in memory first: if storing it fails (the disk is full), the
    annotator's task is shown all the same, later views reuse the id from memory, and
    ``on_unsaved`` (an alert to the admins) is called.
    """

    def __init__(self, library: MediaLibrary,
                 on_unsaved: Callable[[], Awaitable[None]] | None = None) -> None:
        self._library = library
        self._on_unsaved = on_unsaved
        self._file_ids: dict[MediaKey, str] = {}
        self._locks: dict[MediaKey, asyncio.Lock] = {}

    async def known_file_id(self, media: Media) -> str | None:
        """Return the file id to reuse, waiting for a first upload under way."""
        cached = self._file_ids.get(media.key) or media.file_id
        if cached:
            return cached
        lock = self._locks.setdefault(media.key, asyncio.Lock())
        await lock.acquire()
        cached = self._file_ids.get(media.key) or await self._library.file_id(media.key)
        if cached:
            self._file_ids[media.key] = cached
            lock.release()
            return cached
        return None  # the caller uploads, then calls uploaded() which releases the lock

    async def upload_data(self, media: Media) -> bytes:
        """Return the bytes to upload for media with no file id yet."""
        return await self._library.data(media.key)

    async def uploaded(self, media: Media, message: Message | None) -> None:
        """Record the file id from the message an upload produced, and release waiters."""
        try:
            file_id = _file_id_of(message) if message is not None else None
            if file_id:
                self._file_ids[media.key] = file_id
                await self._remember(media.key, file_id)
        finally:
            lock = self._locks.get(media.key)
            if lock is not None and lock.locked():
                lock.release()

    async def _remember(self, key: MediaKey, file_id: str) -> None:
        try:
            await self._library.remember(key, file_id)
        except StorageFull:
            logger.error("the file id of %s was not saved (the disk is full): kept in memory",
                         key)
            if self._on_unsaved is not None:
                await self._on_unsaved()


def _file_id_of(message: Message) -> str | None:
    if message.photo:
        return message.photo[-1].file_id
    if message.audio:
        return message.audio.file_id
    if message.voice:
        return message.voice.file_id
    return None


def _is_media_message(message: Message) -> bool:
    return bool(message.photo or message.audio)


def can_edit(replace: Message | None, view: TaskView) -> bool:
    """Return whether ``replace`` can be edited into ``view`` (same kind of message)."""
    if replace is None:
        return False
    if view.media is None:
        return replace.text is not None
    return _is_media_message(replace) and view.media.send_as != "voice"


def _uneditable(error: BadRequest) -> bool:
    """Whether an edit failed because the message cannot be edited (not a bad request)."""
    text = error.message.lower()
    return any(reason in text for reason in UNEDITABLE)


def plain_text(markup: str) -> str:
    """Return what a message written in HTML parse mode reads as (tags dropped)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


async def redraw(message: Message, view: TaskView) -> None:
    """Show a task's new draft on its message: only the keyboard when the text is the same
    (a toggled option), else the text or caption with it (a ranking's order so far)."""
    current = message.caption if message.caption is not None else message.text
    if plain_text(view.text) == (current or ""):
        await message.edit_reply_markup(view.keyboard)
    elif message.caption is not None:
        await message.edit_caption(view.text, parse_mode=ParseMode.HTML,
                                   reply_markup=view.keyboard)
    else:
        await message.edit_text(view.text, parse_mode=ParseMode.HTML,
                                reply_markup=view.keyboard)


async def show_task(bot: Bot, chat_id: int, view: TaskView, uploader: MediaUploader,
                    replace: Message | None = None, *, edit_only: bool = False
                    ) -> Message | None:
    """Show a task, editing ``replace`` in place when the kinds allow it; return the
    message that now shows it (None if nothing was shown).

    Every call is retried after a 429 until Telegram takes it: the next task always
    appears. An edit refused because the message cannot be edited (deleted, too old)
    sends the task as a new message instead. With ``edit_only`` nothing is sent when the
    message cannot be edited. A task that comes as a new message (a voice note, a change
    between text and media) then takes the buttons off the message it replaced, so no
    stale task stays tappable above it. The new task comes first: a crash between the two
    calls leaves a stale button (which the answer rules refuse), never a chat with nothing
    to tap.
    """
    if edit_only and not can_edit(replace, view):
        return None
    shown = await _show(bot, chat_id, view, uploader, replace, edit_only=edit_only)
    if replace is not None and shown is not None and shown.message_id != replace.message_id \
            and replace.reply_markup is not None:
        await _retire(bot, replace)
    return shown


async def _retire(bot: Bot, message: Message) -> None:
    """Take the buttons off a task message a new one replaced (best effort: a message
    deleted meanwhile keeps nothing to take off)."""
    try:
        await bot.edit_message_reply_markup(message.chat_id, message.message_id,
                                            reply_markup=None)
    except TelegramError as error:
        logger.info("buttons of message %d in chat %d left: %s", message.message_id,
                    message.chat_id, error)


async def _show(bot: Bot, chat_id: int, view: TaskView, uploader: MediaUploader,
                replace: Message | None, *, edit_only: bool) -> Message | None:
    """Edit ``replace`` into the task when the kinds allow it, else send it anew."""
    target = replace if can_edit(replace, view) else None
    media = view.media
    if media is None:
        edit_text = None if target is None else (lambda: bot.edit_message_text(  # type: ignore[call-arg]
            view.text, chat_id=target.chat_id, message_id=target.message_id,
            parse_mode=ParseMode.HTML, reply_markup=view.keyboard,
            rate_limit_args=UNTIL_DELIVERED))
        shown = await _edit_else_send(chat_id, edit_text, lambda: bot.send_message(  # type: ignore[call-arg]
            chat_id, view.text, parse_mode=ParseMode.HTML, reply_markup=view.keyboard,
            rate_limit_args=UNTIL_DELIVERED), edit_only=edit_only)
        return shown if isinstance(shown, Message) else None
    file_id = await uploader.known_file_id(media)
    message: Message | bool | None = None
    try:
        source: str | bytes = file_id or await uploader.upload_data(media)
        edit_media = None if target is None else (
            lambda: _edit_media(bot, target, view, media, source))
        message = await _edit_else_send(
            chat_id, edit_media, lambda: _send_media(bot, chat_id, view, media, source),
            edit_only=edit_only)
    finally:
        if file_id is None:
            await uploader.uploaded(media, message if isinstance(message, Message) else None)
    return message if isinstance(message, Message) else None


async def _edit_else_send(chat_id: int, edit: Callable[[], Awaitable[Message | bool]] | None,
                          send: Callable[[], Awaitable[Message]], *, edit_only: bool
                          ) -> Message | bool:
    """Edit the task message; send a new one if there is none or it cannot be edited."""
    if edit is not None:
        try:
            return await edit()
        except BadRequest as error:
            if edit_only or not _uneditable(error):
                raise
            logger.info("task message in chat %d not editable (%s): sent anew", chat_id,
                        error.message)
    return await send()


async def _edit_media(bot: Bot, target: Message, view: TaskView, media: Media,
                      source: str | bytes) -> Message | bool:
    input_media = (
        InputMediaPhoto(source, caption=view.text, parse_mode=ParseMode.HTML)
        if media.send_as == "photo"
        else InputMediaAudio(source, caption=view.text, parse_mode=ParseMode.HTML,
                             filename=media.filename)
    )
    return await bot.edit_message_media(  # type: ignore[call-arg]
        input_media, chat_id=target.chat_id, message_id=target.message_id,
        reply_markup=view.keyboard, rate_limit_args=UNTIL_DELIVERED)


async def _send_media(bot: Bot, chat_id: int, view: TaskView, media: Media,
                      source: str | bytes) -> Message:
    if media.send_as == "photo":
        return await bot.send_photo(  # type: ignore[call-arg]
            chat_id, source, caption=view.text, parse_mode=ParseMode.HTML,
            reply_markup=view.keyboard, rate_limit_args=UNTIL_DELIVERED)
    if media.send_as == "voice":
        return await bot.send_voice(  # type: ignore[call-arg]
            chat_id, source, caption=view.text, parse_mode=ParseMode.HTML,
            reply_markup=view.keyboard, rate_limit_args=UNTIL_DELIVERED)
    return await bot.send_audio(  # type: ignore[call-arg]
        chat_id, source, caption=view.text, parse_mode=ParseMode.HTML,
        reply_markup=view.keyboard, filename=media.filename, rate_limit_args=UNTIL_DELIVERED)
