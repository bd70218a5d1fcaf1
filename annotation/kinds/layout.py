"""How a task is laid out, in the values every kind speaks: blocks of text set in a style,
phrases the handlers translate (the domain holds no user text), buttons with the codes a
press sends, and the room a Telegram message (or caption) leaves for an item.

``annotation.kinds.base`` re-exports every name here with the rest of the seam.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from annotation.models import ProjectSpec


class PhraseCode(StrEnum):
    """Texts a kind shows that the handlers translate."""

    YES = "yes"
    NO = "no"
    DONE = "done"
    TYPE_NUMBER = "type_number"
    TYPE_TEXT = "type_text"
    PROMPT = "prompt"  # the heading above a comparison's prompt
    CANDIDATE = "candidate"  # "Response {side}"
    PAIR_MUCH_BETTER = "pair_much_better"  # "{side} is much better"
    PAIR_BETTER = "pair_better"  # "{side} is better"
    PAIR_SLIGHTLY_BETTER = "pair_slightly_better"  # "{side} is slightly better"
    PAIR_TIE = "pair_tie"  # "Tie / can't tell"
    PAIR_LISTEN = "pair_listen"  # an audio pair's note: where A and B start ({a}, {b})
    SCALE_ENDS = "scale_ends"  # "{low_value} = {low} · {high_value} = {high}"
    BACK = "back"  # "← Back": take back the last pick
    RANK_HINT = "rank_hint"  # "Tap the responses from best to worst."
    RANKED_SO_FAR = "ranked_so_far"  # "Your order so far: {ranking}"
    RECORD_HINT = "record_hint"  # "🎙 Read the text aloud and send it as a voice message."
    TALK_HINT = "talk_hint"  # "🎙 Answer with a voice message."
    CHECK_SAYS = "check_says"  # "✅ Says exactly the text"
    CHECK_DOES_NOT = "check_does_not"  # "❌ Does not say it"
    CHECK_UNCLEAR = "check_unclear"  # "🔇 Can't hear it"
    QUESTION_STEP = "question_step"  # "Question {step} of {steps}"
    QUESTION_ABOUT = "question_about"  # "{question} (response {side})"
    QUESTION_DONE = "question_done"  # "✓ {question}": a question answered, its answer below
    QUESTION_DONE_ABOUT = "question_done_about"  # "✓ {question} (response {side})"
    TYPE_TRANSCRIPT = "type_transcript"  # "Type exactly what you hear."
    DRAW_BOXES = "draw_boxes"  # "🖍 Draw boxes": opens the Mini App on an image
    TAG_SPANS = "tag_spans"  # "🏷 Tag words": opens the Mini App on a text
    NOTHING_TO_MARK = "nothing_to_mark"  # "∅ Nothing to mark": records an empty answer
    BOXES_HINT = "boxes_hint"  # "Draw a box around each: {classes}."
    POINTS_HINT = "points_hint"  # "Draw a box around, or put a point on, each: {classes}."
    SPANS_HINT = "spans_hint"  # "Tag the words that are: {labels}."
    MARKS_SUMMARY = "marks_summary"  # "Marked: {marks}" (a gold answer, in training)
    NO_MARKS = "no_marks"  # "Nothing to mark." (an empty gold answer)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A text the handlers translate: a code and its parameters."""

    code: PhraseCode
    params: Mapping[str, str | int] = field(default_factory=dict)


Text = str | Phrase  # str: written by a coordinator or an items file, shown as written

# Codes every kind may use beside its own (which are small non-negative integers).
DONE_CODE = 1_000_000  # submit what the draft holds (multiple choice)
BACK_CODE = 1_000_001  # take back the draft's last step (ranking)


class BlockStyle(StrEnum):
    """How a block of a task's text is set."""

    HEADING = "heading"  # bold: the question
    QUOTE = "quote"  # a quotation: the item's text
    COLLAPSED = "collapsed"  # a quotation the phone shows folded, opened with a tap
    NOTE = "note"  # italic: how to answer


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a task's text, with an optional caption line above it."""

    text: Text
    style: BlockStyle
    caption: Text | None = None


MESSAGE_LIMIT = 4096  # characters of one Telegram message, after HTML tags are parsed


QUESTION_RESERVE = 60  # beside each question of several: its step, marks and answer


def message_need(spec: ProjectSpec) -> int:
    """Return the characters the spec's own texts take in a task, in its longest language:
    the question and, with several questions, each of them with its answer beside it."""
    languages = set(spec.question.texts).union(*(q.text.texts for q in spec.questions))
    return max((len(spec.question.get(language)) + sum(
        (2 if q.each else 1) * (len(q.text.get(language)) + QUESTION_RESERVE)
        for q in spec.questions) for language in languages), default=0)


def message_room(spec: ProjectSpec, reserve: int, limit: int = MESSAGE_LIMIT) -> int:
    """Return the characters a message (or a caption: ``limit``) leaves for an item beside
    the spec's questions (``message_need``) and ``reserve`` (headings, the exam line,
    notes)."""
    return max(0, limit - reserve - message_need(spec))


def candidate_blocks(prompt: str, shown: Sequence[tuple[str, str]]) -> list[Block]:
    """Return a prompt quoted and each response folded under its screen letter, in the
    order shown (``shown``: letter and text)."""
    return [Block(prompt, BlockStyle.QUOTE, Phrase(PhraseCode.PROMPT)),
            *(Block(text, BlockStyle.COLLAPSED, Phrase(PhraseCode.CANDIDATE, {"side": side}))
              for side, text in shown)]


@dataclass(frozen=True, slots=True)
class Button:
    """A button of a task: its label, the code a press sends, and a check mark if any."""

    label: Text
    code: int
    checked: bool | None = None  # None: not a toggle; True/False: ☑/☐
    opens_app: bool = False  # opens the Mini App on the task (boxes, spans), ``code`` unused


@dataclass(frozen=True, slots=True)
class TaskLayout:
    """What a task shows below its question: text blocks, rows of buttons, and the
    controls that sit in the bottom row beside Skip and Undo (Done, Back)."""

    blocks: tuple[Block, ...]
    rows: tuple[tuple[Button, ...], ...]
    controls: tuple[Button, ...] = ()
    wrap: bool = True  # the rendering may fold a long row to fit a phone; False: keep rows
