"""How quality control speaks: training feedback, exam results, warnings, suspensions,
appeals and coordinators' notes, each in the reader's language.

Feedback and exam results replace the answered task in place (the picture stays), with a
"Continue" button; the next task is already assigned and shows on the tap. Warnings arrive
as their own message and the next task follows as usual.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from annotation.console.quality import ScoreCard
from annotation.kinds.base import Turn
from annotation.kinds.registry import kind_of
from annotation.loop.tasks import Outcome
from annotation.models import Project, Stage
from annotation.quality.notices import AnnotatorNote, CoordinatorNote, NoteKind, QualityNotice
from annotation.quality.qualification import ExamResult
from annotation.quality.rules import Verdict
from annotation.quality.settings import Rule
from handlers.callbacks import Action, Callback, QualityAction, QualityCallback, encode
from handlers.context import AnnobotContext
from handlers.messages import N_
from handlers.phrases import markup
from handlers.services import Catalogs, Translations
from handlers.session import language_of

CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096

REASONS: dict[Rule, str] = {
    Rule.EXAM: N_("You did not pass the qualification exam: {correct} of {total} right, "
                  "{needed} needed, after {attempts} tries."),
    Rule.GOLD: N_("Too many of your checked answers were wrong: {correct} of {total} right "
                  "(score {percent}%, the bar is {bar}%)."),
    Rule.SPEED: N_("You answer very fast: {median} seconds per task (at least {floor} "
                   "expected)."),
    Rule.AGREEMENT: N_("Your answers agree with the other annotators {percent}% of the time "
                       "(the crowd: {crowd}%)."),
    Rule.SAME_ANSWER: N_("You gave the same answer {count} times in a row."),
    Rule.POSITION: N_("You picked the response shown first in {percent}% of your last {total} "
                      "answers. The responses are shown in an order drawn at random, so the "
                      "best one comes first no more often than in any other place."),
    Rule.SKIPS: N_("You skipped {count} tasks in a row."),
    Rule.DAILY_CAP: N_("You reached today's limit of {cap} tasks. Come back tomorrow!"),
    Rule.MANUAL: N_("A coordinator reviewed your work."),
}


def reason(verdict: Verdict, t: Translations) -> str:
    """Return why a rule fired, in the reader's language, with its numbers."""
    template = t.gettext(REASONS[verdict.rule])
    params: Mapping[str, object] = verdict.params
    try:
        text = template.format(**params)
    except (KeyError, IndexError, ValueError):
        text = template.split("{", 1)[0].rstrip(" :(")
    if "question" in params:  # a rule run on one question of several
        # TRANSLATORS: question is the key a coordinator gave the question, e.g. "helpful"
        text = t.gettext("On the question “{question}”: {reason}").format(
            question=params["question"], reason=text)
    return text


def _keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)
                                  for text, data in buttons]])


def continue_button(t: Translations) -> tuple[str, str]:
    """Return the "Continue" button (shows the task already assigned)."""
    return t.gettext("Continue ▶"), encode(QualityCallback(QualityAction.CONTINUE))


def suspension_view(project: Project, verdict: Verdict,
                    t: Translations) -> tuple[str, InlineKeyboardMarkup]:
    """Render a suspension with its reason and the appeal button."""
    text = "\n\n".join([
        t.gettext("⛔ You are suspended from <b>{project}</b>.").format(
            project=html.escape(project.spec.name)),
        html.escape(reason(verdict, t)),
        t.gettext("Your answers in this project are set aside. If you think this is a "
                  "mistake, tap Appeal: a coordinator will review it."),
    ])
    appeal = encode(QualityCallback(QualityAction.APPEAL, project=project.id))
    return text, _keyboard((t.gettext("Appeal ✋"), appeal))


def _exam_view(exam: ExamResult, t: Translations) -> tuple[str, InlineKeyboardMarkup]:
    if exam.passed:
        text = t.gettext("🎉 You passed the qualification exam: {correct} of {total} right. "
                         "Real tasks start now.").format(correct=exam.correct, total=exam.total)
        return text, _keyboard(continue_button(t))
    text = t.gettext("You got {correct} of {total} right; {needed} were needed.").format(
        correct=exam.correct, total=exam.total, needed=exam.needed)
    text += "\n" + t.ngettext("You can take the exam again ({n} try left).",
                              "You can take the exam again ({n} tries left).",
                              exam.retries_left).format(n=exam.retries_left)
    if exam.retry_at is not None:
        text += "\n" + t.gettext("Next try from {time} (UTC).").format(
            time=exam.retry_at.strftime("%Y-%m-%d %H:%M"))
    again = (t.gettext("Check again 🔄"), encode(Callback(Action.NEXT)))
    return text, _keyboard(again)


def _feedback_text(notice: QualityNotice, t: Translations, language: str) -> str:
    feedback = notice.feedback
    assert feedback is not None
    answer = html.escape(feedback.answer)
    if feedback.item is not None and feedback.annotator_id is not None and notice.project:
        spec = notice.project.spec
        turn = Turn(spec, feedback.item, feedback.annotator_id, "", language)
        answer = "; ".join(
            (f"{markup(block.caption, t)}: " if block.caption is not None else "")
            + markup(block.text, t)
            for block in kind_of(spec).answer_blocks(turn, feedback.answer))
    if feedback.correct:
        text = t.gettext("✅ Right: {answer}.").format(answer=answer)
    else:
        text = t.gettext("❌ Not quite. The right answer is <b>{answer}</b>.").format(
            answer=answer)
    if feedback.explanation:
        text += "\n<i>" + html.escape(feedback.explanation) + "</i>"
    return text


def interrupt_view(notice: QualityNotice, t: Translations, task_html: str, media: bool,
                   ready_now: bool, language: str = "en"
                   ) -> tuple[str, InlineKeyboardMarkup] | None:
    """Render what replaces the answered task, or None to show the next task directly."""
    if notice.suspension is not None and notice.project is not None:
        return suspension_view(notice.project, notice.suspension, t)
    parts: list[str] = []
    keyboard = _keyboard(continue_button(t))
    if notice.feedback is not None:
        parts.append(_feedback_text(notice, t, language))
    if notice.exam is not None:
        exam_text, keyboard = _exam_view(notice.exam, t)
        if notice.exam.retry_at is not None and ready_now:
            keyboard = _keyboard(continue_button(t))
        parts.append(exam_text)
    if not parts:
        return None
    limit = CAPTION_LIMIT if media else TEXT_LIMIT
    body = "\n\n".join(parts)
    room = limit - len(body) - 2
    # training feedback keeps the item in view; an exam result stands alone
    context = task_html if notice.feedback is not None and len(task_html) <= room else ""
    return (f"{context}\n\n{body}" if context else body)[:limit], keyboard


async def replace_or_send(bot: Bot, chat_id: int, replace: Message | None, text: str,
                          keyboard: InlineKeyboardMarkup) -> None:
    """Edit ``replace`` into ``text`` (caption for media) or send a new message."""
    if replace is not None and replace.text is not None:
        await replace.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    elif replace is not None and (replace.photo or replace.audio):
        await replace.edit_caption(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    else:
        await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


def warning_text(verdict: Verdict, t: Translations) -> str:
    """Render a warning to an annotator."""
    if verdict.rule is Rule.DAILY_CAP:
        return "⏸ " + html.escape(reason(verdict, t))
    return "⚠️ " + html.escape(reason(verdict, t)) + "\n" + t.gettext(
        "Please take your time and read each task carefully: your answers are checked.")


def annotator_note_view(note: AnnotatorNote, t: Translations
                        ) -> tuple[str, InlineKeyboardMarkup | None]:
    """Render a message for an annotator outside the task flow."""
    name = html.escape(note.project.spec.name)
    if note.reinstated:
        text = t.gettext("✅ Good news: a coordinator reinstated you in <b>{project}</b>. "
                         "Your answers count again.").format(project=name)
        return text, _keyboard(continue_button(t))
    if note.confirmed:
        return t.gettext("A coordinator reviewed your case and confirmed your suspension "
                         "from <b>{project}</b>.").format(project=name), None
    if note.verdict.action.value == "suspend":
        return suspension_view(note.project, note.verdict, t)
    return warning_text(note.verdict, t), None


def coordinator_note_view(note: CoordinatorNote, t: Translations
                          ) -> tuple[str, InlineKeyboardMarkup | None]:
    """Render a note for a coordinator, with the buttons to act on it."""
    project = html.escape(note.project.spec.name)
    if note.kind is NoteKind.NEEDS_GOLD:
        return t.gettext("🪙 <b>{project}</b>: annotators have now seen every gold item. Checks "
                         "fall back to agreement with the crowd; please add gold items.").format(
            project=project), None
    assert note.verdict is not None and note.annotator_id is not None
    who = f"{html.escape(note.annotator_name)} (#{note.annotator_id})"
    why = html.escape(reason(note.verdict, t))
    if note.kind is NoteKind.APPEAL:
        text = t.gettext("✋ {who} appeals their suspension from <b>{project}</b>.\n"
                         "Evidence: {reason}").format(who=who, project=project, reason=why)
        decide = [(t.gettext("Reinstate ✅"), encode(QualityCallback(
                      QualityAction.DECIDE, note.project.id, note.annotator_id,
                      reinstate=True))),
                  (t.gettext("Confirm ⛔"), encode(QualityCallback(
                      QualityAction.DECIDE, note.project.id, note.annotator_id)))]
        return text, _keyboard(*decide)
    text = t.gettext("🚩 Please review {who} in <b>{project}</b>: {reason}").format(
        who=who, project=project, reason=why)
    suspend = encode(QualityCallback(QualityAction.SUSPEND, note.project.id, note.annotator_id))
    return text, _keyboard((t.gettext("Suspend ⛔"), suspend))


async def send_coordinator_notes(bot: Bot, catalogs: Catalogs,
                                 notes: tuple[CoordinatorNote, ...]) -> None:
    """Send each note to each of its recipients (a blocked chat is skipped)."""
    for note in notes:
        for recipient in note.recipients:
            text, keyboard = coordinator_note_view(note, catalogs.get(recipient.language))
            try:
                await bot.send_message(recipient.annotator_id, text, parse_mode=ParseMode.HTML,
                                       reply_markup=keyboard)
            except TelegramError:
                continue  # an unreachable coordinator must not stop the others' notes


async def send_annotator_note(bot: Bot, catalogs: Catalogs, note: AnnotatorNote) -> None:
    """Send a note to an annotator (ignoring a chat that blocked the bot)."""
    text, keyboard = annotator_note_view(note, catalogs.get(note.language))
    try:
        await bot.send_message(note.annotator_id, text, parse_mode=ParseMode.HTML,
                               reply_markup=keyboard)
    except TelegramError:
        return


async def deliver_notice(update: Update, context: AnnobotContext, outcome: Outcome,
                         replace: Message | None) -> bool:
    """Show what quality control says about an answer; True if it replaced the next task."""
    chat = update.effective_chat
    if outcome.notice is None or chat is None:
        return False
    language, t = await language_of(update, context)
    return await show_notice(context.bot, context.services.catalogs, chat.id, (language, t),
                             outcome, replace)


async def show_notice(bot: Bot, catalogs: Catalogs, chat_id: int,
                      speech: tuple[str, Translations], outcome: Outcome,
                      replace: Message | None) -> bool:
    """Show what quality control says about an answer in a chat (``speech``: the reader's
    language and translations); True if it replaced the next task."""
    notice = outcome.notice
    if notice is None:
        return False
    language, t = speech
    await send_coordinator_notes(bot, catalogs, notice.notes)
    for verdict in notice.warnings:
        await bot.send_message(chat_id, warning_text(verdict, t), parse_mode=ParseMode.HTML)
    task_html = ""
    if replace is not None:
        task_html = (replace.text_html if replace.text is not None
                     else replace.caption_html) or ""
    media = replace is not None and replace.text is None
    view = interrupt_view(notice, t, task_html, media, outcome.task is not None, language)
    if view is None:
        return False
    await replace_or_send(bot, chat_id, replace, *view)
    return True


def quality_lines(card: ScoreCard, t: Translations) -> str:
    """Render an annotator's quality score and standing for ``/me``."""
    score = t.gettext("Quality score: {percent}% ({correct} of {total} checked answers "
                      "right).")
    lines = [score.format(percent=round(100 * card.gold.mean), correct=card.gold.correct,
                          total=card.gold.total)]
    standing = card.standing
    if standing.suspended:
        lines.append(t.gettext("Status: suspended from this project."))
    elif standing.phase is Stage.TRAINING:
        lines.append(t.gettext("Status: training."))
    elif standing.phase is Stage.EXAM:
        lines.append(t.gettext("Status: qualification exam."))
    else:
        lines.append(t.gettext("Status: qualified."))
    return "\n".join(lines)
