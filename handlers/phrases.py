"""What the task kinds' phrase codes read as: one translatable template per code.

Kinds (``annotation/kinds/``) hold no user text; they name a :class:`PhraseCode` with
parameters and this table gives its English msgid (``tests/handlers/test_phrases.py``
fails when a code has no template).
"""

from __future__ import annotations

import html

from annotation.kinds.base import Phrase, PhraseCode, Text
from handlers.messages import N_
from handlers.services import Translations

TEMPLATES: dict[PhraseCode, str] = {
    PhraseCode.YES: N_("Yes"),
    PhraseCode.NO: N_("No"),
    PhraseCode.DONE: N_("Done ✓"),
    PhraseCode.TYPE_NUMBER: N_("Reply with a number."),
    PhraseCode.TYPE_TEXT: N_("Reply with your answer."),
    PhraseCode.PROMPT: N_("Prompt"),
    # TRANSLATORS: the heading of one of two (or more) responses to compare; side is A, B…
    PhraseCode.CANDIDATE: N_("Response {side}"),
    # TRANSLATORS: a button; side is A or B. Keep it short (at most 20 characters).
    PhraseCode.PAIR_MUCH_BETTER: N_("{side} much better"),
    # TRANSLATORS: a button; side is A or B. Keep it short (at most 20 characters).
    PhraseCode.PAIR_BETTER: N_("{side} better"),
    # TRANSLATORS: a button; side is A or B. Keep it short (at most 20 characters).
    PhraseCode.PAIR_SLIGHTLY_BETTER: N_("{side} slightly better"),
    # TRANSLATORS: a button. Keep it short (at most 20 characters).
    PhraseCode.PAIR_TIE: N_("Tie / can't tell"),
    # TRANSLATORS: under an audio comparison's voice note; a and b are times such as 0:00
    # and 0:14 (the app makes them links that jump there): keep them as they are.
    PhraseCode.PAIR_LISTEN: N_("▶ A from {a} (one beep), B from {b} (two beeps)"),
    # TRANSLATORS: the meaning of a rating scale's two ends, e.g. "1 = poor · 5 = excellent"
    PhraseCode.SCALE_ENDS: N_("{low_value} = {low} · {high_value} = {high}"),
    # TRANSLATORS: a button that takes back the last response placed in a ranking
    PhraseCode.BACK: N_("← Back"),
    PhraseCode.RANK_HINT: N_("Tap the responses from best to worst."),
    # TRANSLATORS: ranking is a list of letters such as "C > A"
    PhraseCode.RANKED_SO_FAR: N_("Your order so far: {ranking}"),
    PhraseCode.RECORD_HINT: N_("🎙 Read the text aloud and send it as a voice message."),
    PhraseCode.TALK_HINT: N_("🎙 Answer with a voice message."),
    # TRANSLATORS: a button under a recording to check
    PhraseCode.CHECK_SAYS: N_("✅ Says exactly the text"),
    # TRANSLATORS: a button under a recording to check
    PhraseCode.CHECK_DOES_NOT: N_("❌ Does not say it"),
    # TRANSLATORS: a button under a recording to check
    PhraseCode.CHECK_UNCLEAR: N_("🔇 Can't hear it"),
    # TRANSLATORS: above the question being asked, in a task with several questions
    PhraseCode.QUESTION_STEP: N_("Question {step} of {steps}"),
    # TRANSLATORS: a question asked about one of two responses; side is A or B
    PhraseCode.QUESTION_ABOUT: N_("{question} (response {side})"),
    # TRANSLATORS: a question already answered, shown above its answer
    PhraseCode.QUESTION_DONE: N_("✓ {question}"),
    # TRANSLATORS: a question about response A or B already answered, above its answer
    PhraseCode.QUESTION_DONE_ABOUT: N_("✓ {question} (response {side})"),
    # TRANSLATORS: under an audio clip to transcribe; the annotator replies with a message
    PhraseCode.TYPE_TRANSCRIPT: N_("Type exactly what you hear."),
    # TRANSLATORS: a button that opens the drawing tool on the task's image
    PhraseCode.DRAW_BOXES: N_("🖍 Draw boxes"),
    # TRANSLATORS: a button that opens the tool to tag words of the task's text
    PhraseCode.TAG_SPANS: N_("🏷 Tag words"),
    # TRANSLATORS: a button: there is nothing to mark on this image or text
    PhraseCode.NOTHING_TO_MARK: N_("∅ Nothing to mark"),
    # TRANSLATORS: classes is a list such as "car, person"
    PhraseCode.BOXES_HINT: N_("Draw a box around each: {classes}."),
    # TRANSLATORS: classes is a list such as "car, eye"
    PhraseCode.POINTS_HINT: N_("Draw a box around, or put a point on, each: {classes}."),
    # TRANSLATORS: labels is a list such as "PER, LOC"
    PhraseCode.SPANS_HINT: N_("Tag the words that are: {labels}."),
    # TRANSLATORS: the right answer in training feedback; marks is a list such as
    # "car ×2, person" or "“Rakoto” (PER)"
    PhraseCode.MARKS_SUMMARY: N_("Marked: {marks}"),
    PhraseCode.NO_MARKS: N_("Nothing to mark."),
}


def plain(text: Text, t: Translations) -> str:
    """Return a kind's text in the reader's language, unescaped (for buttons)."""
    if isinstance(text, Phrase):
        return t.gettext(TEMPLATES[text.code]).format(**text.params)
    return text


def markup(text: Text, t: Translations) -> str:
    """Return a kind's text in the reader's language, escaped for HTML parse mode."""
    if isinstance(text, Phrase):
        params = {k: html.escape(str(v)) for k, v in text.params.items()}
        return html.escape(t.gettext(TEMPLATES[text.code])).format(**params)
    return html.escape(text)
