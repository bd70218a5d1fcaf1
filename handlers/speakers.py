"""/speaker: a speaker's details, asked with buttons in one message edited in place;
/withdraw: their recordings taken out of later exports, after a confirmation.

The domain (``annotation.loop.speakers``) stores each tap and names the next question; here
its codes become texts in the speaker's language.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from annotation.loop.speakers import DETAILS, FormStep, Question
from annotation.models import AnnotatorId
from annotation.records import Speaker
from handlers.callbacks import Action, Callback, decode, encode
from handlers.context import AnnobotContext
from handlers.editing import replace_text
from handlers.messages import N_
from handlers.services import Translations
from handlers.session import language_of

HEADING = N_("🎙 <b>About your voice</b> (optional)")
CONSENT = N_(
    "Recordings are more useful when we know a little about who speaks. If you agree, I "
    "keep three answers: your gender, your age band and the region your way of speaking "
    "comes from. You may answer “Prefer not to say” to any of them, and you can record "
    "either way.\n"
    "They go with your recordings under a pseudonym, never with your name or your Telegram "
    "account.\n"
    "/withdraw takes your recordings out of every later export, at any time.")
QUESTIONS: dict[Question, str] = {
    Question.GENDER: N_("Your gender:"),
    Question.AGE_BAND: N_("Your age:"),
    Question.REGION: N_("Where does your way of speaking come from?"),
}
LABELS: dict[str, str] = {
    # TRANSLATORS: a button: consent to /speaker's questions
    "agree": N_("✅ I agree"),
    # TRANSLATORS: a button: decline /speaker's questions
    "decline": N_("No, thanks"),
    "female": N_("Female"),
    "male": N_("Male"),
    "other": N_("Other"),
    "undisclosed": N_("Prefer not to say"),
    "under_20": N_("Under 20"),
    "20_29": "20–29",
    "30_39": "30–39",
    "40_49": "40–49",
    "50_59": "50–59",
    "60_plus": N_("60 or over"),
    # TRANSLATORS: a dialect area of Madagascar (the central highlands)
    "merina": N_("Merina (highlands)"),
    "betsileo": "Betsileo",
    "sakalava": "Sakalava",
    "betsimisaraka": "Betsimisaraka",
    # TRANSLATORS: a dialect area of Madagascar (the south)
    "antandroy": N_("Antandroy (south)"),
    # TRANSLATORS: a dialect area of Madagascar (the north)
    "antakarana": N_("Antakarana (north)"),
}
PER_ROW = {Question.CONSENT: 2, Question.GENDER: 2, Question.AGE_BAND: 3, Question.REGION: 2}


def label(code: str | None, t: Translations) -> str:
    """Return an answer's text (a code no list knows is shown as it is)."""
    return t.gettext(LABELS[code]) if code in LABELS else (code or "–")


def form_view(step: FormStep, t: Translations) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the form's message at ``step``: its text (HTML) and buttons."""
    question = step.question
    if question is None:
        return done_text(step, t), None
    if question is Question.CONSENT:
        text = f"{t.gettext(HEADING)}\n\n{t.gettext(CONSENT)}"
    else:
        number = t.gettext("Question {step} of {steps}").format(
            step=DETAILS.index(question) + 1, steps=len(DETAILS))
        text = f"{t.gettext(HEADING)}\n<i>{number}</i>\n\n{t.gettext(QUESTIONS[question])}"
    buttons = [InlineKeyboardButton(label(code, t), callback_data=encode(Callback(
        Action.SPEAKER, subject=step.position, option=choice)))
        for choice, code in enumerate(step.options)]
    size = PER_ROW[question]
    return text, InlineKeyboardMarkup([buttons[i:i + size]
                                       for i in range(0, len(buttons), size)])


def done_text(step: FormStep, t: Translations) -> str:
    """Return the form's last message: what is kept, or that nothing is."""
    if step.declined or step.speaker is None:
        return t.gettext("No details about you are kept. /speaker asks again.")
    speaker: Speaker = step.speaker
    return t.gettext("✅ Thank you! Kept with your recordings, under a pseudonym: "
                     "{gender} · {age} · {region}.\n/speaker changes them; /withdraw takes "
                     "your recordings out of later exports.").format(
        gender=html.escape(label(speaker.gender, t)), age=html.escape(label(speaker.age_band, t)),
        region=html.escape(label(speaker.region, t)))


async def cmd_speaker(update: Update, context: AnnobotContext) -> None:
    """Ask for the speaker's consent, first step of the form."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    step = await context.services.speakers.begin(AnnotatorId(user.id))
    _language, t = await language_of(update, context)
    if step is None:
        await message.reply_text(t.gettext("Send /start first."))
        return
    text, keyboard = form_view(step, t)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def on_speaker_button(update: Update, context: AnnobotContext) -> None:
    """Store one answer of the form and show the next question in the same message."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    callback = decode(query.data)
    assert callback is not None
    step = await context.services.speakers.choose(AnnotatorId(user.id), callback.subject,
                                                  callback.option)
    _language, t = await language_of(update, context)
    await query.answer()
    text, keyboard = form_view(step, t)
    await replace_text(context.bot, query, text, parse_mode=ParseMode.HTML,
                       reply_markup=keyboard)


async def cmd_withdraw(update: Update, context: AnnobotContext) -> None:
    """Ask to confirm withdrawing the speaker's recordings."""
    message = update.effective_message
    assert message is not None
    _language, t = await language_of(update, context)
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(t.gettext("Withdraw them"), callback_data=encode(
            Callback(Action.WITHDRAW, option=1))),
        InlineKeyboardButton(t.gettext("Keep them"), callback_data=encode(
            Callback(Action.WITHDRAW, option=0))),
    ]])
    await message.reply_text(t.gettext(
        "Withdraw your recordings? They will be left out of every dataset exported from now "
        "on, nobody will be asked to check them any more, and your /speaker details will be "
        "deleted. Datasets exported before cannot be called back.\n"
        "To record again later, you will need to send /speaker and agree first."),
        reply_markup=keyboard)


async def on_withdraw_button(update: Update, context: AnnobotContext) -> None:
    """Withdraw the speaker's recordings (or keep them) and say so in the same message."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    callback = decode(query.data)
    assert callback is not None
    _language, t = await language_of(update, context)
    if callback.option != 1:
        await query.answer()
        await replace_text(context.bot, query, t.gettext("Nothing changed: your recordings "
                                                         "are kept."))
        return
    done = await context.services.speakers.withdraw(AnnotatorId(user.id))
    await query.answer()
    await replace_text(context.bot, query, t.gettext(
        "Done: your recordings are withdrawn. They will not be in any later export, and "
        "your speaker details are deleted. To record again, send /speaker and agree first.")
        if done is not None else t.gettext("Send /start first."))
