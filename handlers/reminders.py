"""/reminders for coordinators (a project's idle period); /mute and /unmute for annotators."""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ParseMode

from annotation.console.reminders import reminder_hours
from annotation.errors import DomainError, ErrorCode
from annotation.models import AnnotatorId
from handlers.context import AnnobotContext
from handlers.session import language_of


async def cmd_reminders(update: Update, context: AnnobotContext) -> None:
    """Set how long a project's annotators may stay idle before a reminder (coordinators)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    args = context.args or []
    project = await context.services.lifecycle.find(user.id, " ".join(args[:-1]))  # checks
    if not args:
        raise DomainError(ErrorCode.USAGE)
    hours = reminder_hours(args[-1])
    await context.services.reminders.set_period(user.id, project.id, hours)
    _language, t = await language_of(update, context)
    name = html.escape(project.spec.name)
    text = (t.gettext("<b>{name}</b>: annotators idle for {hours} h get a reminder.").format(
        name=name, hours=hours) if hours else
        t.gettext("<b>{name}</b>: no reminders.").format(name=name))
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def cmd_mute(update: Update, context: AnnobotContext) -> None:
    """Stop reminders for this annotator."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    await context.services.reminders.mute(AnnotatorId(user.id), True)
    _language, t = await language_of(update, context)
    await message.reply_text(t.gettext("Reminders are off. /unmute turns them back on."))


async def cmd_unmute(update: Update, context: AnnobotContext) -> None:
    """Turn reminders back on."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    await context.services.reminders.mute(AnnotatorId(user.id), False)
    _language, t = await language_of(update, context)
    await message.reply_text(t.gettext("Reminders are on."))
