"""Annotator commands: /start (with an invite), /language, /me, /help."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from annotation.kinds.registry import kind_of
from annotation.models import LANGUAGES, AnnotatorId, Role
from handlers.callbacks import Action, Callback, decode, encode
from handlers.context import AnnobotContext
from handlers.editing import replace_text
from handlers.menus import publish_menu
from handlers.quality_view import quality_lines
from handlers.roles import console_help_lines
from handlers.session import language_of, remember_language
from handlers.task_flow import send_current_task

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "mg": "Malagasy"}


async def cmd_start(update: Update, context: AnnobotContext) -> None:
    """Register the user, join the invite's project, show instructions and a first task."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    invite = context.args[0] if context.args else None
    joined = await context.services.onboarding.register(
        AnnotatorId(user.id), user.full_name, user.language_code, invite
    )
    remember_language(context, joined.annotator.language)
    language, t = await language_of(update, context)
    _ = t.gettext
    member = await context.services.access.member(user.id)
    if member.role is not Role.ANNOTATOR:  # e.g. an admin's first message: their menu
        await publish_menu(context.bot, member, context.services.catalogs)
    if joined.invite_unknown:
        await message.reply_text(_("This invitation link is not valid. Ask your coordinator "
                                   "for a new one."))
        return
    if joined.project is None:
        await message.reply_text(_("Welcome to annobot! Ask your coordinator for an "
                                   "invitation link to join a project."))
        return
    spec = joined.project.spec
    lines = [_("Welcome, {name}! You are working on <b>{project}</b>.").format(
        name=html.escape(user.first_name), project=html.escape(spec.name))]
    instructions = spec.instructions.get(language)
    if instructions:
        lines.append(html.escape(instructions))
    lines.append(_("Tap an answer under each task. /language changes the language, "
                   "/me shows your progress."))
    if kind_of(spec).accepts_voice:
        lines.append(_("🎙 If you like, tell us a little about your voice with /speaker "
                       "(optional)."))
    await message.reply_text("\n\n".join(lines), parse_mode=ParseMode.HTML)
    await send_current_task(update, context)


async def cmd_language(update: Update, context: AnnobotContext) -> None:
    """Offer the supported languages as buttons."""
    message = update.effective_message
    assert message is not None
    _language, t = await language_of(update, context)
    buttons = [
        InlineKeyboardButton(LANGUAGE_NAMES[code],
                             callback_data=encode(Callback(Action.LANGUAGE, language=code)))
        for code in LANGUAGES
    ]
    await message.reply_text(t.gettext("Choose your language:"),
                             reply_markup=InlineKeyboardMarkup([buttons]))


async def on_language_chosen(update: Update, context: AnnobotContext) -> None:
    """Store the chosen language and confirm in it."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    callback = decode(query.data)
    assert callback is not None
    await context.services.onboarding.set_language(AnnotatorId(user.id), callback.language)
    remember_language(context, callback.language)
    _language, t = await language_of(update, context)
    await query.answer()
    await replace_text(context.bot, query, t.gettext("Language set: English."))
    member = await context.services.access.member(user.id)
    await publish_menu(context.bot, member, context.services.catalogs)


async def cmd_me(update: Update, context: AnnobotContext) -> None:
    """Show tasks done and gold accuracy."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    _language, t = await language_of(update, context)
    _ = t.gettext
    profile = await context.services.onboarding.profile(AnnotatorId(user.id))
    if profile is None:
        await message.reply_text(_("Send /start first."))
        return
    stats = profile.in_project
    lines = [t.ngettext("You have answered {n} task.", "You have answered {n} tasks.",
                        stats.answered).format(n=stats.answered)]
    if profile.project is not None:
        lines.insert(0, _("Project: {project}").format(project=profile.project.spec.name))
    accuracy = stats.gold_accuracy
    if accuracy is not None:
        lines.append(_("Checked answers: {correct} of {total} right ({percent}%).").format(
            correct=stats.gold_correct, total=stats.gold_answered,
            percent=round(100 * accuracy)))
    else:
        lines.append(_("None of your answers has been checked yet."))
    card = await context.services.quality.score(AnnotatorId(user.id))
    if card is not None:
        lines.append(quality_lines(card, t))
    await message.reply_text("\n".join(lines))


async def cmd_help(update: Update, context: AnnobotContext) -> None:
    """List the commands the user can use."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    _language, t = await language_of(update, context)
    _ = t.gettext
    lines = [
        _("/start – get a task"),
        _("/me – your progress"),
        _("/language – change the language"),
        _("/help – this list"),
        _("/speaker – about your voice, for recordings (optional)"),
        _("/withdraw – take your recordings out of later exports"),
    ]
    actor = await context.services.access.actor(user.id)
    if actor.is_coordinator:
        lines.append(_("/projects – projects and their invitation links"))
        lines.append(_("/annotators – scores and standing; suspend or reinstate"))
    if actor.role is Role.ADMIN:
        lines.append(_("/export [project] – the dataset, in the format you choose"))
    lines += console_help_lines(actor, t)
    await message.reply_text("\n".join(lines))


async def on_unknown_command(update: Update, context: AnnobotContext) -> None:
    """Answer a command the bot does not know."""
    message = update.effective_message
    assert message is not None
    _language, t = await language_of(update, context)
    await message.reply_text(t.gettext("I don't know that command. Send /help for the list."))
