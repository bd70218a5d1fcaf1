"""/broadcast for coordinators: draft a text or photo, confirm it, watch it go out.

``/broadcast all|project <id>|idle <days> <message>`` (or a photo with that caption) drafts
the broadcast and shows how many annotators it reaches; "Send" queues it in the outbox and
the same message becomes the progress message the sender edits (``bot/broadcaster.py``).
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from annotation.console.broadcasts import parse_broadcast
from annotation.console.records import Broadcast, BroadcastKind, BroadcastProgress, OutboxEntry
from handlers.callbacks import Action, Callback, decode, encode
from handlers.context import AnnobotContext
from handlers.editing import replace_text
from handlers.services import Translations
from handlers.session import language_of


def render_message(broadcast: Broadcast, recipient: OutboxEntry, project_name: str,
                   t: Translations) -> str:
    """Return the text one recipient gets (plain text: no parse mode)."""
    if broadcast.kind is BroadcastKind.PROJECT_OPENED:
        return t.gettext("The project “{project}” is open: send /start to get a task.").format(
            project=project_name)
    if broadcast.kind is BroadcastKind.REMINDER:
        return t.gettext("Hello {name}! Tasks are waiting for you in “{project}”. Send /start "
                         "to continue, or /mute to stop these reminders.").format(
            name=recipient.name, project=project_name)
    return broadcast.text


def progress_text(progress: BroadcastProgress, t: Translations, final: bool) -> str:
    """Return the coordinator's progress message."""
    counts = t.gettext("{sent} sent, {blocked} blocked the bot, {failed} failed, "
                       "{uncertain} uncertain, of {total}.").format(
        sent=progress.sent, blocked=progress.blocked, failed=progress.failed,
        uncertain=progress.uncertain, total=progress.total)
    head = t.gettext("Broadcast finished:") if final else t.gettext("Broadcast under way:")
    return f"{head} {counts}"


async def _draft(update: Update, context: AnnobotContext, raw: str,
                 photo_file_id: str | None) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    request, text = parse_broadcast(raw)  # only the draft below checks the role
    draft = await context.services.broadcasts.draft(user.id, request, text, photo_file_id)
    _language, t = await language_of(update, context)
    broadcast = draft.broadcast.id
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(t.gettext("📣 Send"), callback_data=encode(
            Callback(Action.BROADCAST_SEND, subject=broadcast))),
        InlineKeyboardButton(t.gettext("Cancel"), callback_data=encode(
            Callback(Action.BROADCAST_CANCEL, subject=broadcast))),
    ]])
    header = t.ngettext("Send this to {n} annotator?", "Send this to {n} annotators?",
                        draft.recipients).format(n=draft.recipients)
    quoted = f"<blockquote>{html.escape(text)}</blockquote>" if text else ""
    await message.reply_text(f"{header}\n{quoted}", parse_mode=ParseMode.HTML,
                             reply_markup=keyboard)


async def cmd_broadcast(update: Update, context: AnnobotContext) -> None:
    """Draft a text broadcast (coordinators only)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    parts = message.text.split(maxsplit=1)
    await _draft(update, context, parts[1] if len(parts) > 1 else "", None)


async def on_broadcast_photo(update: Update, context: AnnobotContext) -> None:
    """Draft a photo broadcast from a photo captioned ``/broadcast …`` (coordinators only)."""
    message = update.effective_message
    assert message is not None and message.caption is not None and message.photo
    parts = message.caption.split(maxsplit=1)
    await _draft(update, context, parts[1] if len(parts) > 1 else "", message.photo[-1].file_id)


async def on_broadcast_button(update: Update, context: AnnobotContext) -> None:
    """Send or cancel a drafted broadcast (the role is checked again on the server)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    callback = decode(query.data)
    assert callback is not None and isinstance(query.message, Message)
    services = context.services
    _language, t = await language_of(update, context)
    if callback.action is Action.BROADCAST_CANCEL:
        cancelled = await services.broadcasts.cancel(user.id, callback.subject)
        await query.answer()
        if cancelled:
            await replace_text(context.bot, query, t.gettext("Broadcast cancelled."))
        return
    queued = await services.broadcasts.confirm(user.id, callback.subject, query.message.chat_id,
                                               query.message.message_id)
    await query.answer()
    if queued:
        await replace_text(context.bot, query, t.ngettext(
            "Sending to {n} annotator…", "Sending to {n} annotators…", queued).format(n=queued))
