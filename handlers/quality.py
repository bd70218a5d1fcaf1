"""Quality control in the chat: what follows an answer, Continue, Appeal, and the
coordinators' decisions (reinstate, confirm, suspend)."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ParseMode

from annotation.models import AnnotatorId, ProjectId
from handlers.annotators_list import show_roster
from handlers.callbacks import QualityAction, decode_quality
from handlers.context import AnnobotContext
from handlers.editing import text_message
from handlers.quality_view import send_annotator_note, send_coordinator_notes
from handlers.session import language_of
from handlers.task_flow import show_current_task


async def on_quality_button(update: Update, context: AnnobotContext) -> None:
    """Handle Continue, Appeal, and the coordinators' quality buttons."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    _language, t = await language_of(update, context)
    callback = decode_quality(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if callback is None:
        await query.answer(t.gettext("This button has expired."))
        return
    quality = context.services.quality
    project = ProjectId(callback.project)
    annotator = AnnotatorId(callback.annotator)
    match callback.action:
        case QualityAction.CONTINUE:
            await query.answer()
            await show_current_task(update, context, message)
        case QualityAction.APPEAL:
            note = await quality.appeal(AnnotatorId(user.id), project)
            await query.answer(t.gettext("Your appeal was sent to the coordinators."))
            if message is not None:
                await message.edit_reply_markup(None)
            await send_coordinator_notes(context.bot, context.services.catalogs, (note,))
        case QualityAction.DECIDE | QualityAction.REINSTATE | QualityAction.SUSPEND:
            if callback.action is QualityAction.SUSPEND:
                decided = await quality.suspend(user.id, project, annotator)
            else:
                decided = await quality.decide(user.id, project, annotator, callback.reinstate)
            done = (t.gettext("Suspended.") if callback.action is QualityAction.SUSPEND
                    else t.gettext("Reinstated.") if callback.reinstate
                    else t.gettext("Suspension confirmed."))
            await query.answer(done)
            decision = text_message(message)  # the appeal's note: a text message
            if decision is not None and callback.action is QualityAction.DECIDE:
                await decision.edit_text(f"{decision.text_html}\n\n<b>{done}</b>",
                                         parse_mode=ParseMode.HTML)
            await send_annotator_note(context.bot, context.services.catalogs, decided)
        case QualityAction.PAGE:  # answered once shown: a refusal gets its own answer
            await show_roster(update, context, project, callback.page, message)
            await query.answer()
