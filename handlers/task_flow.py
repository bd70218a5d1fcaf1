"""The task loop on the phone: buttons and typed answers in, the next task out.

An answered task costs two Bot API calls: ``answerCallbackQuery`` and the edit (or send)
that shows the next task.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import timedelta

from telegram import (
    Bot,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest

from annotation.kinds.base import DONE_CODE
from annotation.loop.onboarding import pick_language
from annotation.loop.tasks import Outcome, Result, TaskService
from annotation.loop.voice import VoiceNote
from annotation.models import AnnotatorId, AssignmentId, Task
from handlers.callbacks import Action, Callback, decode, encode
from handlers.context import AnnobotContext
from handlers.messages import TOASTS
from handlers.quality_view import deliver_notice, show_notice
from handlers.recording_view import received_text, refusal_text
from handlers.services import SERVICES_KEY, Services, Translations
from handlers.session import LANGUAGE_KEY, language_of
from handlers.task_view import MediaUploader, redraw, render_task, show_task

UPLOADER_KEY = "annobot.uploader"
APP_URL_KEY = "annobot.app_url"  # bot_data: the Mini App's public base URL, once it serves
SHOWN_KEY = "shown"  # user_data: the assignment last shown to the user by this process
TASK_MESSAGE_KEY = "task_message"  # user_data: the message showing the user's task (or none)

State = MutableMapping[object, object]


@dataclass(frozen=True, slots=True)
class Screen:
    """Where a user's tasks show: the bot and its state, the user's state, chat, language."""

    bot: Bot
    bot_data: State
    user_data: State | None
    chat_id: int
    language: str
    t: Translations

    @property
    def services(self) -> Services:
        """Return the services the composition root built."""
        services = self.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services


async def _screen(update: Update, context: AnnobotContext) -> Screen:
    chat = update.effective_chat
    assert chat is not None
    language, t = await language_of(update, context)
    return Screen(context.bot, context.bot_data, context.user_data, chat.id, language, t)


def _uploader(bot_data: State, services: Services) -> MediaUploader:
    uploader = bot_data.get(UPLOADER_KEY)
    if not isinstance(uploader, MediaUploader):
        uploader = MediaUploader(services.media)
        bot_data[UPLOADER_KEY] = uploader
    return uploader


def uploader_of(context: AnnobotContext) -> MediaUploader:
    """Return the bot's one media uploader (each file uploaded once, its file_id reused)."""
    return _uploader(context.bot_data, context.services)


def _app_url(screen: Screen) -> str | None:
    url = screen.bot_data.get(APP_URL_KEY)
    return url if isinstance(url, str) else None


def _remember(screen: Screen, shown: Message | bool | None) -> None:
    """Keep the message that shows the user's task, for answers that come from the app."""
    if screen.user_data is not None and isinstance(shown, Message):
        screen.user_data[TASK_MESSAGE_KEY] = shown


async def _present(screen: Screen, task: Task | None, replace: Message | None,
                   undo_of: int | None = None, *, edit_only: bool = False) -> None:
    if task is None:
        if not edit_only or replace is not None:
            _remember(screen, await _show_no_work(screen, replace))
        return
    view = render_task(task, screen.t, screen.language, undo_of, _app_url(screen))
    _remember(screen, await show_task(screen.bot, screen.chat_id, view,
                                      _uploader(screen.bot_data, screen.services), replace,
                                      edit_only=edit_only))
    if screen.user_data is not None:
        screen.user_data[SHOWN_KEY] = task.assignment.id


async def _show_no_work(screen: Screen, replace: Message | None) -> Message | bool:
    t = screen.t
    text = t.gettext("No tasks for you right now. Thank you! Tap the button to check again.")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        t.gettext("Check again 🔄"), callback_data=encode(Callback(Action.NEXT)))]])
    if replace is not None and replace.text is not None:
        return await replace.edit_text(text, reply_markup=keyboard)
    if replace is not None:
        return await replace.edit_caption(text, reply_markup=keyboard)
    return await screen.bot.send_message(screen.chat_id, text, reply_markup=keyboard)


async def show_after_app(bot: Bot, bot_data: State, user_data: State, user_id: int,
                         outcome: Outcome) -> None:
    """Show what an answer sent from the Mini App led to, exactly as a tap would: the
    remembered task message (a new message when none is known, e.g. after a restart)
    becomes the quality notice or the next task, with Undo."""
    services = bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    language = user_data.get(LANGUAGE_KEY)
    if not isinstance(language, str):
        annotator = await services.onboarding.get(AnnotatorId(user_id))
        language = annotator.language if annotator else pick_language(None)
        user_data[LANGUAGE_KEY] = language
    screen = Screen(bot, bot_data, user_data, user_id, language, services.catalogs.get(language))
    remembered = user_data.get(TASK_MESSAGE_KEY)
    replace = remembered if isinstance(remembered, Message) else None
    if await show_notice(bot, services.catalogs, user_id, (language, screen.t), outcome,
                         replace):
        return
    await _present(screen, outcome.task, replace, outcome.answered)


async def send_current_task(update: Update, context: AnnobotContext) -> None:
    """Show the user's open task (or a new one) as a new message."""
    user = update.effective_user
    assert user is not None
    task = await context.services.tasks.current_task(AnnotatorId(user.id))
    await _present(await _screen(update, context), task, None)


async def show_current_task(update: Update, context: AnnobotContext,
                            replace: Message | None) -> None:
    """Show the user's open task (or a new one), editing ``replace`` when possible."""
    user = update.effective_user
    assert user is not None
    task = await context.services.tasks.current_task(AnnotatorId(user.id))
    await _present(await _screen(update, context), task, replace)


async def _dispatch(tasks: TaskService, user_id: AnnotatorId, callback: Callback) -> Outcome:
    assignment = AssignmentId(callback.assignment)
    match callback.action:
        case Action.ANSWER | Action.TOGGLE:
            return await tasks.press(user_id, assignment, callback.option)
        case Action.DONE:
            return await tasks.press(user_id, assignment, DONE_CODE)
        case Action.SKIP:
            return await tasks.skip(user_id, assignment)
        case Action.UNDO:
            return await tasks.undo(user_id, assignment)
        case Action.NEXT:  # "Check again": look for work, no toast
            return Outcome(Result.CURRENT, await tasks.current_task(user_id))
    return Outcome(Result.EXPIRED, await tasks.current_task(user_id))


async def on_task_button(update: Update, context: AnnobotContext) -> None:
    """Handle a tap on a task button."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    screen = await _screen(update, context)
    t = screen.t
    callback = decode(query.data)
    if callback is None or callback.action is Action.LANGUAGE:
        await query.answer(t.gettext("This button has expired."))
        return
    outcome = await _dispatch(context.services.tasks, AnnotatorId(user.id), callback)
    toast = TOASTS.get(outcome.result)
    answer = query.answer(t.gettext(toast) if toast else None)
    replace = query.message if isinstance(query.message, Message) else None
    plain = outcome.notice is None and outcome.result not in (Result.DUPLICATE, Result.TOGGLED)
    if plain:  # the usual tap: answer the query and show the next task at the same time
        await asyncio.gather(answer, _present(screen, outcome.task, replace, outcome.answered))
        return
    await answer
    if outcome.result is Result.DUPLICATE:
        # Recorded before: a double tap (the next task is already on screen), or the bot
        # stopped before showing the next task (this process never showed it: show it now).
        task = await context.services.tasks.current_task(AnnotatorId(user.id))
        shown = context.user_data.get(SHOWN_KEY) if context.user_data is not None else None
        already_shown = task is not None and shown == task.assignment.id
        with contextlib.suppress(BadRequest):  # "message is not modified": already shown
            await _present(screen, task, replace, edit_only=already_shown)
        return
    if outcome.result is Result.TOGGLED and outcome.task is not None and replace is not None:
        await redraw(replace, render_task(outcome.task, t, screen.language,
                                         app_url=_app_url(screen)))
        return
    if await deliver_notice(update, context, outcome, replace):
        return
    await _present(screen, outcome.task, replace, outcome.answered)


async def on_typed_answer(update: Update, context: AnnobotContext) -> None:
    """Record a typed answer (free text or number) and show the next task."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and message.text is not None
    source = f"{message.chat_id}:{message.message_id}"
    outcome = await context.services.tasks.answer_typed(AnnotatorId(user.id), message.text,
                                                        source)
    if outcome.result is Result.DUPLICATE:
        return
    if await deliver_notice(update, context, outcome, None):
        return
    await _present(await _screen(update, context), outcome.task, None, outcome.answered)


async def on_voice_answer(update: Update, context: AnnobotContext) -> None:
    """Check and record a voice message (or an audio file, sent as audio or as a document)
    answering a recording task; say what is wrong with one that cannot be accepted."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    sound = message.voice or message.audio or message.document
    assert sound is not None
    duration = None if isinstance(sound, Document) else sound.duration  # a file has none
    seconds = int(duration.total_seconds()) if isinstance(duration, timedelta) \
        else int(duration or 0)
    note = VoiceNote(sound.file_id, sound.file_unique_id, seconds,
                     sound.file_size, sound.mime_type or "audio/ogg",
                     f"{message.chat_id}:{message.message_id}", voice=message.voice is not None,
                     forwarded=message.forward_origin is not None,
                     resendable=not isinstance(sound, Document))

    async def fetch() -> bytes:
        return bytes(await (await sound.get_file()).download_as_bytearray())

    outcome = await context.services.tasks.answer_voice(AnnotatorId(user.id), note, fetch)
    if outcome.result is Result.DUPLICATE:
        return
    _language, t = await language_of(update, context)
    if outcome.result is Result.REFUSED:
        await message.reply_text(refusal_text(outcome.problems, t), do_quote=True)
        return
    if outcome.recorded:
        await message.reply_text(received_text(outcome.recorded, t), do_quote=True)
    if await deliver_notice(update, context, outcome, None):
        return
    await _present(await _screen(update, context), outcome.task, None, outcome.answered)
