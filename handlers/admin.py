"""Admin commands: /projects (with invitation links) and /export (the dataset files)."""

from __future__ import annotations

import asyncio
import html
from datetime import UTC, datetime
from pathlib import Path

from telegram import Update
from telegram.constants import ParseMode

from annotation.export import ProjectExport, write_export, zip_files
from annotation.models import ProjectId
from annotation.projects import ProjectService
from handlers.context import AnnobotContext
from handlers.session import language_of


async def _target_project(projects: ProjectService,
                          args: list[str] | None) -> ProjectId | None:
    if args:
        return (await projects.find(" ".join(args))).id
    newest = await projects.all()
    return newest[0].id if newest else None


def _write_and_zip(snapshot: ProjectExport, out_dir: Path) -> tuple[str, bytes]:
    """Write the export files, zip them and return the zip (runs in a worker thread)."""
    paths = write_export(snapshot, out_dir)
    archive = zip_files(paths, out_dir.with_suffix(".zip"))
    return archive.name, archive.read_bytes()


async def cmd_projects(update: Update, context: AnnobotContext) -> None:
    """List projects with status and invitation link (coordinators and admins)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    await context.services.access.coordinator(user.id)
    _language, t = await language_of(update, context)
    projects = await context.services.projects.all()
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


async def cmd_export(update: Update, context: AnnobotContext) -> None:
    """Build a project's dataset off the event loop and send it as documents (admins only)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    services = context.services
    services.annotators.require_admin(user.id)
    _language, t = await language_of(update, context)
    project_id = await _target_project(services.projects, context.args)
    if project_id is None:
        await message.reply_text(t.gettext("No projects yet."))
        return
    progress = await message.reply_text(t.gettext("Preparing the export…"))
    snapshot = await services.projects.snapshot(project_id)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out_dir = services.export_dir / f"project{project_id}-{stamp}"
    name, data = await asyncio.to_thread(_write_and_zip, snapshot, out_dir)
    await message.reply_document(data, filename=name)
    await progress.edit_text(t.gettext("Export ready: {items} items, {answers} answers.").format(
        items=len(snapshot.items), answers=len(snapshot.answers)))
