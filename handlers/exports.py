"""/export for admins: choose a format with a button; the dataset is built off the event
loop with a progress message, and arrives as zip files below Telegram's upload limit.
Projects answered by voice also offer everything with the recordings as 16 kHz WAV."""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from annotation.datasets.service import ALL_FORMATS, ExportRequest, Format
from annotation.kinds.registry import kind_of
from annotation.models import ProjectId
from handlers.callbacks import Action, Callback, decode, encode
from handlers.context import AnnobotContext
from handlers.editing import text_message
from handlers.messages import N_
from handlers.services import Translations
from handlers.session import language_of

REVEAL_IDS = 10  # added to a choice: name annotators by Telegram id, not pseudonym
CHOICES: dict[int, tuple[frozenset[Format], str]] = {
    0: (frozenset({Format.TABLES}), N_("📊 Tables (CSV, JSONL)")),
    1: (frozenset({Format.HUGGINGFACE}), N_("🤗 Hugging Face")),
    2: (frozenset({Format.LABEL_STUDIO}), N_("🏷 Label Studio")),
    3: (ALL_FORMATS, N_("📦 Everything")),
    4: (ALL_FORMATS | {Format.WAV}, N_("🎧 Everything + 16 kHz WAV")),
}
WAV_CHOICE = 4  # offered for projects answered by voice only
STAGES = {
    "answers": N_("Reading answers… {answers}"),
    "aggregated": N_("Labels aggregated, writing files…"),
    "zipping": N_("Packing the files…"),
}
PROGRESS_EVERY = 2.0  # seconds between progress edits


def _keyboard(project_id: int, t: Translations, *, voice: bool) -> InlineKeyboardMarkup:
    def button(text: str, choice: int) -> InlineKeyboardButton:
        data = encode(Callback(Action.EXPORT, subject=project_id, option=choice))
        return InlineKeyboardButton(text, callback_data=data)

    labels = {choice: t.gettext(label) for choice, (_f, label) in CHOICES.items()}
    return InlineKeyboardMarkup([
        [button(labels[0], 0), button(labels[1], 1)],
        [button(labels[2], 2), button(labels[3], 3)],
        *([[button(labels[WAV_CHOICE], WAV_CHOICE)]] if voice else []),
        [button(t.gettext("📦 Everything, with Telegram ids"), 3 + REVEAL_IDS)],
    ])


async def cmd_export(update: Update, context: AnnobotContext) -> None:
    """Offer a project's export formats (admins only)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    found = await context.services.datasets.project(user.id, " ".join(context.args or []))
    _language, t = await language_of(update, context)
    if found is None:
        await message.reply_text(t.gettext("No projects yet."))
        return
    await message.reply_text(
        t.gettext("Export <b>{name}</b>: choose a format. Annotators appear as stable "
                  "pseudonyms unless you ask for Telegram ids.").format(
            name=html.escape(found.spec.name)),
        parse_mode=ParseMode.HTML,
        reply_markup=_keyboard(found.id, t, voice=kind_of(found.spec).accepts_voice))


async def on_export_button(update: Update, context: AnnobotContext) -> None:
    """Build the chosen export and send it (the export checks the admin role again)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    callback = decode(query.data)
    assert callback is not None
    services = context.services
    _language, t = await language_of(update, context)
    formats, _label = CHOICES.get(callback.option % REVEAL_IDS, CHOICES[3])
    message = text_message(query.message)  # not a forged button's photo
    progress = _Progress(message, t, started=query.answer)  # answered once allowed
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out_dir = services.export_dir / f"project{callback.subject}-{stamp}"
    request = ExportRequest(ProjectId(callback.subject), formats,
                            reveal_ids=callback.option >= REVEAL_IDS)
    result = await services.datasets.export(user.id, request, out_dir, progress.stage)
    chat = update.effective_chat
    assert chat is not None
    for number, archive in enumerate(result.archives, start=1):
        data = await asyncio.to_thread(archive.read_bytes)
        caption = (t.gettext("Part {n} of {total}").format(n=number, total=len(result.archives))
                   if len(result.archives) > 1 else None)
        await context.bot.send_document(chat.id, data, filename=archive.name, caption=caption)
    await progress.done(t.gettext(
        "Export ready: {items} items ({labelled} labelled, method {method}), {answers} "
        "answers ({excluded} excluded by quality control).").format(
        items=result.items, labelled=result.labelled, method=result.method,
        answers=result.answers, excluded=result.excluded))


class _Progress:
    """The progress message, edited at most every few seconds."""

    def __init__(self, message: Message | None, t: Translations,
                 started: Callable[[], Awaitable[object]]) -> None:
        self._message = message
        self._t = t
        self._started = started
        self._last = 0.0
        self._answers = 0

    async def stage(self, name: str) -> None:
        """Report a stage (``answers`` is reported once per batch read)."""
        if name == "started":  # the role was checked: answer the button now
            await self._started()
            return
        if name == "answers":
            self._answers += 1
        now = time.monotonic()
        if name == "answers" and now - self._last < PROGRESS_EVERY:
            return
        self._last = now
        text = self._t.gettext(STAGES[name]).format(answers="▮" * min(self._answers, 20))
        await self._edit(text)

    async def done(self, text: str) -> None:
        """Replace the progress with the final summary."""
        await self._edit(text)

    async def _edit(self, text: str) -> None:
        if self._message is None:
            return
        try:
            await self._message.edit_text(text)
        except BadRequest as error:  # the same text twice in a row: nothing to change
            if "not modified" not in str(error):
                raise

