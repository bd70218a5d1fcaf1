"""Pairwise comparison: a prompt and two responses; which is better, and by how much.

The item's payload holds the prompt and two candidates, each with its own id (a model's
name, say); the spec sets the levels on each side (1: better; 2: much better, better; 3:
much, plainly, slightly better) and whether "tie / can't tell" is offered.

Each annotator sees the candidates in an order drawn for them and the item
(``Turn.swapped``): the screen's "A" is the item's first candidate for about half of them.
The answer's label speaks of the candidates as the item lists them (``a``: the first one,
``b``: the second, ``tie``), so aggregation, gold and exports never see the screen's order;
the answer's detail records the level and the order shown (``{"level": 2, "shown": "ba"}``),
so position bias can be measured and undone.

Layout: the prompt as a quotation and each response folded (an expandable quotation the
phone opens with a tap), all in the task's one message, which Telegram caps at 4,096
characters: an item whose prompt and responses do not fit beside the question is refused
at import with its line and length, never cut.

Two images instead of two texts (``response_a_media``, ``response_b_media``: files beside
the items file, like the ``image`` column): the task is a photo, the two candidates side by
side under the letters A and B (``annotation.media.pairs``), with the question, the prompt
(optional here) and the buttons in its caption, which Telegram caps at 1,024 characters.
Intake composes the photo in both orders; the item's media is the one in the item's order,
the payload names the other (``Comparison.swapped_media``), and :meth:`PairwiseKind.media_key`
gives each annotator the one ``Turn.swapped`` draws, so the buttons' letters always match
the photo's.

Two audio clips (the same columns, naming audio files): the task is a voice note playing
both, the screen's A after one beep and B after two (``annotation.media.audio_pairs``), with
the caption saying where each starts ("B from 0:14", a link that seeks there in Telegram's
apps). Intake composes the note in both orders, as for images; the payload keeps each
clip's key and suffix (the export carries the clips as they were given) and where B starts
in each order (``Comparison.audio_at``). One item compares texts, images or clips, never two
sorts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from annotation.datasets.records import ExportTable, KindItem, LabeledItem
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.base import (
    Block,
    BlockStyle,
    Button,
    CandidateMedia,
    ItemCheck,
    ItemFault,
    Phrase,
    PhraseCode,
    SpecReader,
    Step,
    TaskLayout,
    Turn,
    VoteModel,
    candidate_blocks,
    message_room,
)
from annotation.kinds.comparison import (
    TIE,
    A,
    B,
    Candidate,
    Comparison,
    Judgement,
)
from annotation.kinds.defaults import KindDefaults
from annotation.kinds.label_studio import CONTROL, MEDIA_PREFIX, choice_lines, view
from annotation.kinds.preferences import preference_tables
from annotation.models import MediaKey, MediaKind, ProjectSpec, Scale

SIDES = ("A", "B")
TIE_CODE = 0
LEVELS = (1, 3)
DEFAULT_LEVELS = 2
RESERVED = 300  # the question is counted apart; this covers headings, banners and buttons
CAPTION_LIMIT = 1024  # characters of a photo's caption
CAPTION_RESERVED = 200  # an image pair's caption: the exam line and the prompt's heading
_PHRASES = {
    1: (PhraseCode.PAIR_BETTER,),
    2: (PhraseCode.PAIR_MUCH_BETTER, PhraseCode.PAIR_BETTER),
    3: (PhraseCode.PAIR_MUCH_BETTER, PhraseCode.PAIR_BETTER, PhraseCode.PAIR_SLIGHTLY_BETTER),
}
TEXTS = ("response_a", "response_b")
FILES = ("response_a_media", "response_b_media")  # paths: two images or two audio clips
COLUMNS = ("prompt", *TEXTS, "response_a_id", "response_b_id", *FILES)
MAX_ID = 100


class PairwiseKind(KindDefaults):
    """Two responses side by side; one tap picks a side and a level."""

    name = "pairwise"
    own_tables = True
    votes = VoteModel.CATEGORICAL
    spec_keys: tuple[str, ...] = ("levels", "tie")
    item_columns: tuple[str, ...] = COLUMNS

    def read_scale(self, reader: SpecReader) -> Scale | None:
        """Read ``levels`` (1 to 3, default 2) and ``tie`` (default false)."""
        levels = reader.integer("levels", DEFAULT_LEVELS, LEVELS)
        tie = reader.flag("tie", False)
        return Scale(points=levels, labels=(A, B, TIE) if tie else (A, B), tie=tie)

    def scale_toml(self, scale: Scale, quote: Callable[[str], str]) -> list[str]:
        """Write ``levels`` and ``tie``."""
        return [f"levels = {scale.points}", f"tie = {'true' if scale.tie else 'false'}"]

    def check_item(self, spec: ProjectSpec, cells: Mapping[str, str]) -> ItemCheck:
        """Read the prompt and both responses (texts, or images to prepare); refuse what one
        message (or one photo's caption) cannot hold, and an item mixing texts and images."""
        texts = {column: cells.get(column, "").strip() for column in COLUMNS}
        files = any(texts[column] for column in FILES)
        faults = [(ItemFault.TOO_LONG, column, len(texts[column]), MAX_ID)
                  for column in ("response_a_id", "response_b_id")
                  if len(texts[column]) > MAX_ID]
        if files:
            faults += _file_faults(spec, texts, cells.get("text", "").strip())
        else:
            faults += [(ItemFault.MISSING, column, 0, 0)
                       for column in ("prompt", *TEXTS) if not texts[column]]
            room = message_room(spec, RESERVED)
            used = sum(len(texts[c]) for c in ("prompt", *TEXTS))
            if used > room:
                faults.append((ItemFault.TOO_LONG, "prompt+response_a+response_b", used, room))
        if faults:
            return ItemCheck(faults=tuple(faults))
        first_id = texts["response_a_id"] or A
        second_id = texts["response_b_id"] or B
        if first_id == second_id:
            second_id = f"{second_id}~2"
        comparison = Comparison(texts["prompt"], Candidate(first_id, texts["response_a"]),
                                Candidate(second_id, texts["response_b"]))
        media = tuple((column, texts[column]) for column in FILES) if files else ()
        return ItemCheck(payload=comparison.to_json(), media=media)

    def with_media(self, payload: str, media: CandidateMedia) -> str:
        """Record both candidates' images (or clips) and the photo (or voice note) showing
        them swapped."""
        first, second = media.files
        comparison = Comparison.from_json(payload)
        if media.second_at is None:
            return comparison.with_images(first, second, media.reversed).to_json()
        suffixes = media.suffixes or (".ogg", ".ogg")
        return comparison.with_clips(((first, suffixes[0]), (second, suffixes[1])),
                                     media.reversed, media.second_at).to_json()

    def media_key(self, turn: Turn) -> MediaKey | None:
        """Return the photo or voice note in the order this annotator sees (the item's own
        unless swapped); a text comparison has none."""
        if turn.swapped and turn.item.payload:
            swapped = Comparison.from_json(turn.item.payload).swapped_media
            if swapped is not None:
                return swapped
        return turn.item.media_key

    def export(self, spec: ProjectSpec, items: Sequence[KindItem]) -> Sequence[ExportTable]:
        """Return the preference pairs, ties, judgements and scores (``kinds.preferences``)."""
        scale = spec.scale
        return preference_tables(items, spec.name, scale.points if scale else DEFAULT_LEVELS,
                                 bool(scale and scale.tie))

    def label_studio_config(self, spec: ProjectSpec, kinds: Sequence[MediaKind]) -> str:
        """Return the prompt, both responses (images, clips) and a Pairwise control (ties
        as a choice)."""
        return view([*comparison_objects(kinds),
                     *self.label_studio_controls(spec, CONTROL, "prompt", kinds)])

    def label_studio_controls(self, spec: ProjectSpec, name: str, to_name: str,
                              kinds: Sequence[MediaKind]) -> list[str]:
        """Return a Pairwise control over both responses (images, clips) and, when offered,
        the tie as a choice about ``to_name`` (named ``tie``, or ``<name>_tie``)."""
        lines = [f'  <Pairwise name="{name}" toName="{",".join(_responses(kinds)[1])}"/>']
        if spec.scale is not None and spec.scale.tie:
            tie = "tie" if name == CONTROL else f"{name}_tie"
            lines += choice_lines((TIE,), tie, to_name)
        return lines

    def label_studio_data(self, item: LabeledItem, payload: str) -> dict[str, object]:
        """Return the prompt and the two responses (or the two files, in the Hugging Face
        folder of the pairs) with their ids, in the item's order."""
        comparison = Comparison.from_json(payload)
        sort = "image" if comparison.images else "audio"
        shown: dict[str, object] = (
            {f"{sort}_{side}": MEDIA_PREFIX + comparison.file_name(item.item_id, side)
             for side in (A, B)}
            if comparison.files else
            {"response_a": comparison.first.text, "response_b": comparison.second.text})
        return {"item_id": item.item_id, "prompt": comparison.prompt, **shown,
                "response_a_id": comparison.first.id, "response_b_id": comparison.second.id}

    def label_studio_result(self, spec: ProjectSpec, item: LabeledItem, label: str
                            ) -> dict[str, object]:
        """Return the side as Label Studio's pairwise selection (a tie as the tie choice)."""
        if label == TIE:
            return {"from_name": "tie", "to_name": "prompt", "type": "choices",
                    "value": {"choices": [TIE]}}
        return {"from_name": CONTROL, "to_name": CONTROL, "type": "pairwise",
                "value": {"selected": "left" if label == A else "right"}}

    def layout(self, turn: Turn) -> TaskLayout:
        """Return the prompt, both responses folded (images: in the photo; clips: in the
        voice note, with where each starts), and one row of buttons per side."""
        comparison = Comparison.from_json(turn.item.payload)
        shown = ((comparison.second, comparison.first) if turn.swapped
                 else (comparison.first, comparison.second))
        if comparison.files:
            blocks = [Block(comparison.prompt, BlockStyle.QUOTE, Phrase(PhraseCode.PROMPT))
                      ] if comparison.prompt else []
            if comparison.audio_at is not None:
                second_at = comparison.audio_at[1 if turn.swapped else 0]
                blocks.append(Block(Phrase(PhraseCode.PAIR_LISTEN, {
                    "a": clock_time(0.0), "b": clock_time(second_at)}), BlockStyle.NOTE))
        else:
            blocks = candidate_blocks(comparison.prompt, [
                (side, candidate.text) for side, candidate in zip(SIDES, shown, strict=True)])
        phrases = _PHRASES[self._levels(turn.spec)]
        rows = []
        for screen, side in enumerate(SIDES):
            levels = range(len(phrases), 0, -1)
            order = levels if screen == 0 else reversed(levels)
            rows.append(tuple(
                Button(Phrase(phrases[len(phrases) - level], {"side": side}),
                       10 * (screen + 1) + level)
                for level in order))
        if turn.spec.scale is not None and turn.spec.scale.tie:
            rows.append((Button(Phrase(PhraseCode.PAIR_TIE), TIE_CODE),))
        return TaskLayout(tuple(blocks), tuple(rows))

    def answer_blocks(self, turn: Turn, value: str) -> tuple[Block, ...]:
        """Return the side as this annotator saw it ("Response B"), or the tie."""
        if value not in (A, B):
            return (Block(Phrase(PhraseCode.PAIR_TIE), BlockStyle.NOTE),)
        screen = SIDES[(value == B) != turn.swapped]
        return (Block(Phrase(PhraseCode.CANDIDATE, {"side": screen}), BlockStyle.NOTE),)

    def press(self, turn: Turn, code: int) -> Step:
        """Record the side the button names, in the item's terms, and the order shown."""
        shown = "ba" if turn.swapped else "ab"
        scale = turn.spec.scale
        if code == TIE_CODE and scale is not None and scale.tie:
            return Step(final=TIE, detail=Judgement(0, shown, None).to_json())
        screen, level = divmod(code, 10)
        if screen not in (1, 2) or not 1 <= level <= self._levels(turn.spec):
            raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=str(code))
        first_picked = (screen == 1) != turn.swapped
        return Step(final=A if first_picked else B,
                    detail=Judgement(level, shown, screen - 1).to_json())

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Return the side a gold cell names: ``a``, ``b`` or (when offered) ``tie``."""
        side = raw.strip().casefold()
        if side in spec.labels:
            return side
        raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=raw)

    def is_correct(self, spec: ProjectSpec, value: str, gold: str) -> bool:
        """Return whether the side picked is the gold side (the level is not judged)."""
        return value == gold

    @staticmethod
    def _levels(spec: ProjectSpec) -> int:
        return spec.scale.points if spec.scale is not None else DEFAULT_LEVELS


def _file_faults(spec: ProjectSpec, texts: Mapping[str, str], text: str
                 ) -> list[tuple[ItemFault, str, int, int]]:
    """Return what is wrong with an image or audio pair's cells: a text response beside
    the files, a file missing, or a prompt (and text) the caption cannot hold."""
    mixed = [(ItemFault.MIXED, column, 0, 0) for column in TEXTS if texts[column]]
    if mixed:  # what is missing depends on which sort was meant: say only this
        return mixed
    faults = [(ItemFault.MISSING, column, 0, 0) for column in FILES if not texts[column]]
    room = message_room(spec, CAPTION_RESERVED, CAPTION_LIMIT)
    used = len(texts["prompt"]) + len(text)
    if used > room:
        faults.append((ItemFault.TOO_LONG, "prompt+text" if text else "prompt", used, room))
    return faults


def clock_time(seconds: float) -> str:
    """Return a time in a clip as Telegram's apps link it: minutes and seconds ("1:04"),
    rounded down so a tap lands just before what it names."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _responses(kinds: Sequence[MediaKind]) -> tuple[str, tuple[str, str]]:
    """Return the object tag and names of a comparison's two responses."""
    if MediaKind.IMAGE in kinds:
        return "Image", ("image_a", "image_b")
    if MediaKind.AUDIO in kinds:
        return "Audio", ("audio_a", "audio_b")
    return "Text", ("response_a", "response_b")


def comparison_objects(kinds: Sequence[MediaKind]) -> list[str]:
    """Return the config's object lines of a comparison: the prompt and both responses."""
    tag, names = _responses(kinds)
    return ['  <Text name="prompt" value="$prompt"/>',
            *(f'  <{tag} name="{name}" value="${name}"/>' for name in names)]
