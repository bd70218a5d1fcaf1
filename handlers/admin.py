"""/projects: the projects with their status and invitation links."""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ParseMode

from handlers.context import AnnobotContext
from handlers.session import language_of


async def cmd_projects(update: Update, context: AnnobotContext) -> None:
    """List projects with status and invitation link (coordinators and admins)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    projects = await context.services.lifecycle.all(user.id)
    _language, t = await language_of(update, context)
    if not projects:
        await message.reply_text(t.gettext("No projects yet."))
        return
    username = context.services.bot_username()
    lines = [
        f"#{p.id} <b>{html.escape(p.spec.name)}</b> ({p.status.value})\n"
        f"https://t.me/{username}?start={p.invite_code}"
        for p in projects
    ]
    await message.reply_text("\n\n".join(lines), parse_mode=ParseMode.HTML,
                             disable_web_page_preview=True)
