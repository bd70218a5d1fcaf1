"""``/annotators``: a coordinator's page-by-page list of a project's annotators, with
tasks done, gold score, agreement, speed, status, and buttons to suspend or reinstate."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from annotation.console.quality import PAGE_SIZE, RosterEntry, RosterPage
from annotation.models import ProjectId, Stage
from annotation.quality.rules import Verdict
from annotation.quality.settings import RuleAction
from handlers.callbacks import QualityAction, QualityCallback, encode
from handlers.context import AnnobotContext
from handlers.editing import text_message
from handlers.quality_view import reason
from handlers.services import Translations
from handlers.session import language_of

PHASES = {Stage.TRAINING: "📘", Stage.EXAM: "📝", Stage.PRODUCTION: "✅"}


def _entry_line(number: int, entry: RosterEntry, t: Translations) -> str:
    row = entry.row
    standing = row.standing
    status = PHASES[standing.phase] if not standing.suspended else "⛔"
    gold = (t.gettext("gold {percent}% ({correct}/{total})").format(
        percent=round(100 * row.gold.mean), correct=row.gold.correct, total=row.gold.total)
        if row.gold.total else t.gettext("gold –"))
    rate = entry.agreement.rate if entry.agreement else None
    agreement = (t.gettext("agreement {percent}%").format(percent=round(100 * rate))
                 if rate is not None else t.gettext("agreement –"))
    speed = (t.gettext("{seconds} s/task").format(seconds=round(row.median_seconds, 1))
             if row.median_seconds is not None else "–")
    line = (f"{number}. {status} {html.escape(row.name)} (#{row.annotator_id})\n"
            f"   " + t.ngettext("{n} task", "{n} tasks", row.answered).format(n=row.answered)
            + f" · {gold} · {agreement} · {speed}")
    if standing.suspended and standing.rule is not None:
        why = reason(Verdict(standing.rule, RuleAction.SUSPEND, standing.evidence), t)
        line += f"\n   <i>{html.escape(why)}</i>"
    return line


def render_roster(page: RosterPage, t: Translations
                  ) -> tuple[str, InlineKeyboardMarkup | None]:
    """Render a page of the annotators list with its buttons (None: no button at all)."""
    project = page.project
    first = page.page * PAGE_SIZE + 1
    lines = [t.gettext("<b>{project}</b>: annotators, page {page} of {pages}").format(
        project=html.escape(project.spec.name), page=page.page + 1, pages=page.pages)]
    buttons: list[InlineKeyboardButton] = []
    for number, entry in enumerate(page.entries, start=first):
        lines.append(_entry_line(number, entry, t))
        suspended = entry.row.standing.suspended
        action = QualityAction.REINSTATE if suspended else QualityAction.SUSPEND
        label = f"✅ {number}" if suspended else f"⛔ {number}"
        buttons.append(InlineKeyboardButton(label, callback_data=encode(QualityCallback(
            action, project.id, entry.row.annotator_id))))
    if not page.entries:
        lines.append(t.gettext("No annotators yet."))
    rows = [buttons[i:i + 4] for i in range(0, len(buttons), 4)]
    nav = []
    if page.page > 0:
        nav.append(InlineKeyboardButton("◀", callback_data=encode(QualityCallback(
            QualityAction.PAGE, project.id, page=page.page - 1))))
    if page.page + 1 < page.pages:
        nav.append(InlineKeyboardButton("▶", callback_data=encode(QualityCallback(
            QualityAction.PAGE, project.id, page=page.page + 1))))
    if nav:
        rows.append(nav)
    lines.append(t.gettext("⛔ N suspends annotator N, ✅ N reinstates them."))
    # an empty keyboard is serialized as {}, which the Bot API refuses
    return "\n\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


async def show_roster(update: Update, context: AnnobotContext, project: ProjectId | None,
                      page: int, replace: Message | None = None) -> None:
    """Show a page of the annotators list (editing ``replace`` when paging).

    The roster is read first, so a refusal reaches the error handler before anything is
    shown; a ``replace`` without text (a forged button under a photo) gets a new message.
    """
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    _language, t = await language_of(update, context)
    roster = await context.services.quality.roster(user.id, project, page)
    text, keyboard = render_roster(roster, t)
    editable = text_message(replace)
    if editable is not None:
        await editable.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    else:
        # no chat: a forged button under an inline message; the private chat is the user's
        await context.bot.send_message(chat.id if chat else user.id, text,
                                       parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def cmd_annotators(update: Update, context: AnnobotContext) -> None:
    """List a project's annotators (``/annotators [project id]``, coordinators only)."""
    args = context.args or []
    project = ProjectId(int(args[0])) if args and args[0].isdigit() else None
    await show_roster(update, context, project, 0)
