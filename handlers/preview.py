"""/preview and the project lifecycle (/open, /pause, /close) for coordinators.

A preview shows a project's tasks exactly as annotators see them (same rendering, same
media upload path), but every button only moves to the next task: nothing is assigned or
recorded.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from annotation.console.lifecycle import LifecycleAction
from annotation.models import ProjectId
from handlers.callbacks import Action, Callback, decode, encode
from handlers.context import AnnobotContext
from handlers.messages import N_
from handlers.session import language_of
from handlers.task_flow import uploader_of
from handlers.task_view import TaskView, render_task, show_task

ACTIONS = (LifecycleAction.OPEN, LifecycleAction.PAUSE, LifecycleAction.CLOSE)
DONE_TEXTS = {
    LifecycleAction.OPEN: N_("Project <b>{name}</b> is open. {n} annotators will be told."),
    LifecycleAction.PAUSE: N_("Project <b>{name}</b> is paused: no new tasks are handed out."),
    LifecycleAction.CLOSE: N_("Project <b>{name}</b> is closed."),
}


def _preview_view(view: TaskView, project_id: int, position: int) -> TaskView:
    """Return the task with every button leading to the next preview task."""
    target = encode(Callback(Action.PREVIEW, subject=project_id, option=position + 1))
    rows = [[InlineKeyboardButton(button.text, callback_data=target) for button in row]
            for row in view.keyboard.inline_keyboard]
    return TaskView(view.text, InlineKeyboardMarkup(rows), view.media)


async def _show_preview(update: Update, context: AnnobotContext, project_id: ProjectId,
                        position: int, replace: Message | None) -> bool:
    """Show preview task ``position``; return False past the last task."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    task = await context.services.lifecycle.preview(user.id, project_id, position)
    if task is None:
        return False
    language, t = await language_of(update, context)
    view = _preview_view(render_task(task, t, language), project_id, position)
    await show_task(context.bot, chat.id, view, uploader_of(context), replace)
    return True


async def cmd_preview(update: Update, context: AnnobotContext) -> None:
    """Show the first task of a project as annotators will see it (coordinators only)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    project = await context.services.lifecycle.find(user.id, " ".join(context.args or []))
    _language, t = await language_of(update, context)
    await message.reply_text(t.gettext("Preview of <b>{name}</b>: answers are not recorded. "
                                       "Tap any button for the next task.").format(
        name=html.escape(project.spec.name)), parse_mode=ParseMode.HTML)
    if not await _show_preview(update, context, project.id, 0, None):
        await message.reply_text(t.gettext("This project has no items."))


async def on_preview_button(update: Update, context: AnnobotContext) -> None:
    """Show the next preview task in place (nothing is recorded)."""
    query = update.callback_query
    assert query is not None
    callback = decode(query.data)
    assert callback is not None
    # From the "created" message (position 0) the task comes below it; later ones replace
    # the previous preview task in place.
    replace = (query.message if isinstance(query.message, Message) and callback.option > 0
               else None)
    shown = await _show_preview(update, context, ProjectId(callback.subject), callback.option,
                                replace)
    _language, t = await language_of(update, context)
    await query.answer(t.gettext("Preview: not recorded.") if shown
                       else t.gettext("End of the preview."))


async def _change(update: Update, context: AnnobotContext, project_id: ProjectId,
                  action: LifecycleAction) -> str:
    user = update.effective_user
    assert user is not None
    transition = await context.services.lifecycle.change(user.id, project_id, action)
    _language, t = await language_of(update, context)
    return t.gettext(DONE_TEXTS[action]).format(name=html.escape(transition.project.spec.name),
                                                n=transition.notified)


async def _lifecycle_command(update: Update, context: AnnobotContext,
                             action: LifecycleAction) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    project = await context.services.lifecycle.find(user.id, " ".join(context.args or []))
    text = await _change(update, context, project.id, action)
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def cmd_open(update: Update, context: AnnobotContext) -> None:
    """Open a project and notify its annotators (coordinators only)."""
    await _lifecycle_command(update, context, LifecycleAction.OPEN)


async def cmd_pause(update: Update, context: AnnobotContext) -> None:
    """Pause a project: no new tasks from now on (coordinators only)."""
    await _lifecycle_command(update, context, LifecycleAction.PAUSE)


async def cmd_close(update: Update, context: AnnobotContext) -> None:
    """Close a project for good (coordinators only)."""
    await _lifecycle_command(update, context, LifecycleAction.CLOSE)


async def on_lifecycle_button(update: Update, context: AnnobotContext) -> None:
    """Apply a lifecycle button (the role is checked again on the server)."""
    query = update.callback_query
    assert query is not None
    callback = decode(query.data)
    assert callback is not None
    if not 0 <= callback.option < len(ACTIONS):
        _language, t = await language_of(update, context)
        await query.answer(t.gettext("This button has expired."))
        return
    text = await _change(update, context, ProjectId(callback.subject), ACTIONS[callback.option])
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.reply_text(text, parse_mode=ParseMode.HTML)
