"""Messages that are neither typed text, commands nor voice notes: documents, photos, stickers…

A document goes where ``annotation.loop.voice.document_use`` says: a coordinator's project
file to the upload (``handlers.project_upload``), an audio file to the open recording task
(taken like an audio message), anything else to a refusal. Every other attachment (a photo,
video, sticker, location, contact…) answers no task: the sender is told, in their language,
what the open task takes instead (a voice message, a typed answer or a button) and nothing
is recorded. That refusal goes out at most once per interval per sender
(``handlers.throttle``): a flood of stickers costs one reply and one read, and waits in
the sender's own lane (``bot.update_processor``) behind the gate, like every message.
"""

from __future__ import annotations

from telegram import Update

from annotation.loop.voice import DocumentUse
from annotation.models import AnnotatorId
from handlers import project_upload, task_flow
from handlers.context import AnnobotContext
from handlers.quality_view import deliver_notice

NOT_AN_ANSWER = "not_an_answer"  # the throttle's reason: one refusal per interval


async def on_document(update: Update, context: AnnobotContext) -> None:
    """Send a document to the upload, to the open recording task, or to a refusal."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None and message.document is not None
    document = message.document
    actor = await context.services.access.actor(user.id)  # the role picks a path, as a menu
    use = await context.services.tasks.document_use(
        AnnotatorId(user.id), document.file_name or "", document.mime_type or "",
        coordinator=actor.is_coordinator)
    if use is DocumentUse.UPLOAD:
        await project_upload.on_document(update, context)
    elif use is DocumentUse.RECORDING:
        await task_flow.on_voice_answer(update, context)
    else:
        await on_attachment(update, context)


async def on_attachment(update: Update, context: AnnobotContext) -> None:
    """Tell the sender what their open task takes instead of a photo, sticker or file."""
    user = update.effective_user
    assert user is not None
    if not context.services.replies.allow(user.id, NOT_AN_ANSWER):
        return  # told already in this interval
    outcome = await context.services.tasks.refuse_message(AnnotatorId(user.id))
    await deliver_notice(update, context, outcome, None)  # a suspension: the notice says why
