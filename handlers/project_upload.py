"""Projects from the chat: the spec and items sent as documents, or the guided conversation.

Documents are downloaded, then parsed on the uploads' own thread pool (cancelled with the
handler: ``annotation.intake.workers``); the parser's progress is passed
back with ``call_soon_threadsafe`` and shown by editing one message at most once a second.
The spec waiting for its items, and the guided conversation's state, are throw-away UI
state in ``user_data``; the project itself is written only when everything is valid.
"""

from __future__ import annotations

import asyncio
import contextlib
import html

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from annotation.errors import StorageFull, ValidationFailed
from annotation.intake.guided_spec import SUGGESTIONS, GuidedSpec, GuidedStep, advance
from annotation.intake.uploads import Upload, UploadKind, check_size, read_upload, upload_kind
from annotation.intake.workers import prepare_off_loop
from annotation.models import Project, ProjectSpec
from handlers.callbacks import Action, Callback, encode
from handlers.context import AnnobotContext
from handlers.messages import N_
from handlers.problems import DISK_FULL, describe_problems
from handlers.services import Translations
from handlers.session import language_of

PENDING_SPEC = "pending_spec"
GUIDED = "guided"
EDIT_EVERY = 1.0  # seconds between progress edits

QUESTIONS: dict[GuidedStep, str] = {
    GuidedStep.NAME: N_("New project. What is its name? (/cancel to stop)"),
    GuidedStep.QUESTION: N_("What question do annotators answer?"),
    GuidedStep.ANSWER_TYPE: N_("How do they answer? single (one option), multi (several), "
                               "yes_no, text or number"),
    GuidedStep.OPTIONS: N_("The options, separated by commas (e.g. cat, dog, bird)"),
    GuidedStep.OVERLAP: N_("How many annotators should answer each item? (overlap)"),
    GuidedStep.GOLD_RATE: N_("What share of tasks are hidden gold checks, in percent?"),
    GuidedStep.TIME_LIMIT: N_("How many minutes does an annotator have for one task?"),
}


class ProgressMessage:
    """Edits a message with "done of total" as a worker thread reports it, throttled."""

    def __init__(self, message: Message, template: str) -> None:
        self._message = message
        self._template = template
        self._loop = asyncio.get_running_loop()
        self._latest: tuple[int, int] | None = None
        self._changed = asyncio.Event()

    def report(self, done: int, total: int) -> None:
        """Record progress (called from the worker thread)."""
        self._loop.call_soon_threadsafe(self._set, done, total)

    def _set(self, done: int, total: int) -> None:
        self._latest = (done, total)
        self._changed.set()

    async def run(self) -> None:
        """Edit the message whenever progress changed, at most once per EDIT_EVERY."""
        while True:
            await self._changed.wait()
            self._changed.clear()
            if self._latest is not None:
                done, total = self._latest
                with contextlib.suppress(BadRequest):  # e.g. "message is not modified"
                    await self._message.edit_text(self._template.format(done=done,
                                                                        total=total))
            await asyncio.sleep(EDIT_EVERY)


async def _read(message: Message, context: AnnobotContext, t: Translations, kind: UploadKind,
                data: bytes, filename: str) -> Upload:
    stored = context.user_data.get(PENDING_SPEC) if context.user_data is not None else None
    pending = stored if isinstance(stored, ProjectSpec) else None
    status = await message.reply_text(t.gettext("Checking {file}…").format(file=filename))
    progress = ProgressMessage(status, t.gettext("Checking {file}: {{done}} of {{total}} "
                                                 "items…").format(
        file=filename.replace("{", "{{").replace("}", "}}")))
    editor = asyncio.create_task(progress.run())
    try:
        limit = context.services.upload_pixels
        return await prepare_off_loop(lambda cancel: read_upload(
            kind, data, filename, pending, progress.report, cancel=cancel, pixel_limit=limit))
    finally:
        editor.cancel()
        with contextlib.suppress(BadRequest):
            await status.edit_text(t.gettext("Checked {file}.").format(file=filename))


async def on_document(update: Update, context: AnnobotContext) -> None:
    """Take a spec, items file or zip from a coordinator; create the project when complete."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None and message.document is not None
    # early refusal only, so a stranger's file is not downloaded: create() checks again
    await context.services.access.coordinator(user.id)
    _language, t = await language_of(update, context)
    document = message.document
    filename = document.file_name or "file"
    kind = upload_kind(filename)
    if kind is UploadKind.UNKNOWN:
        await message.reply_text(t.gettext("Send the project settings (.toml) and the items "
                                           "(.csv, .jsonl or a .zip with media)."))
        return
    try:
        check_size(filename, document.file_size)
        data = bytes(await (await context.bot.get_file(document.file_id))
                     .download_as_bytearray())
        upload = await _read(message, context, t, kind, data, filename)
    except ValidationFailed as exc:
        await message.reply_text(t.gettext("Nothing was created. Please fix:") + "\n"
                                 + describe_problems(exc.problems, t))
        return
    try:
        await _accept(update, context, upload)
    except StorageFull:  # rolled back: no project, item or media of it was kept
        await message.reply_text(t.gettext(DISK_FULL))


async def _accept(update: Update, context: AnnobotContext, upload: Upload) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    _language, t = await language_of(update, context)
    if upload.drafts is None:
        if context.user_data is not None:
            context.user_data[PENDING_SPEC] = upload.spec
        await message.reply_text(t.gettext(
            "Settings of “{name}” are valid. Now send the items file (CSV, JSONL, or a zip "
            "with media).").format(name=upload.spec.name), reply_markup=ReplyKeyboardRemove())
        return
    project = await context.services.lifecycle.create(user.id, upload.spec, upload.drafts)
    if context.user_data is not None:
        context.user_data.pop(PENDING_SPEC, None)
    await message.reply_text(created_text(t, project, len(upload.drafts)),
                             parse_mode=ParseMode.HTML, reply_markup=draft_keyboard(t, project))


def created_text(t: Translations, project: Project, items: int) -> str:
    """Describe a newly created draft project."""
    return t.gettext("Project #{id} <b>{name}</b> created as a draft with {items} items. "
                     "Preview it, then open it.").format(
        id=project.id, name=html.escape(project.spec.name), items=items)


def draft_keyboard(t: Translations, project: Project) -> InlineKeyboardMarkup:
    """Buttons under a draft project: preview and open."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t.gettext("👁 Preview"), callback_data=encode(
            Callback(Action.PREVIEW, subject=project.id, option=0))),
        InlineKeyboardButton(t.gettext("▶ Open"), callback_data=encode(
            Callback(Action.LIFECYCLE, subject=project.id, option=0))),
    ]])


async def _ask(message: Message, t: Translations, step: GuidedStep) -> None:
    choices = SUGGESTIONS.get(step)
    markup = (ReplyKeyboardMarkup([list(choices)], resize_keyboard=True, one_time_keyboard=True)
              if choices else ReplyKeyboardRemove())
    await message.reply_text(t.gettext(QUESTIONS[step]), reply_markup=markup)


async def cmd_newproject(update: Update, context: AnnobotContext) -> None:
    """Start the guided conversation (coordinators only)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    await context.services.access.coordinator(user.id)
    _language, t = await language_of(update, context)
    if context.user_data is not None:
        context.user_data[GUIDED] = GuidedSpec()
    await _ask(message, t, GuidedStep.NAME)


async def on_guided_text(update: Update, context: AnnobotContext) -> None:
    """Take the next answer of a guided conversation; other texts go on to the task loop."""
    state = context.user_data.get(GUIDED) if context.user_data is not None else None
    if not isinstance(state, GuidedSpec):
        return
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None and message.text is not None
    await context.services.access.coordinator(user.id)
    _language, t = await language_of(update, context)
    try:
        state = advance(state, message.text)
    except ValidationFailed as exc:
        await message.reply_text(describe_problems(exc.problems, t))
        raise ApplicationHandlerStop from None
    assert context.user_data is not None
    if state.step is GuidedStep.DONE:
        del context.user_data[GUIDED]
        await _accept(update, context, Upload(state.spec, None))
    else:
        context.user_data[GUIDED] = state
        await _ask(message, t, state.step)
    raise ApplicationHandlerStop


async def cmd_cancel(update: Update, context: AnnobotContext) -> None:
    """Drop a guided conversation or a spec waiting for its items."""
    message = update.effective_message
    assert message is not None
    if context.user_data is not None:
        context.user_data.pop(GUIDED, None)
        context.user_data.pop(PENDING_SPEC, None)
    _language, t = await language_of(update, context)
    await message.reply_text(t.gettext("Cancelled."), reply_markup=ReplyKeyboardRemove())
