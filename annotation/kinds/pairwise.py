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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from annotation.datasets.records import ExportTable, KindItem, LabeledItem
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.base import (
    Button,
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
from annotation.kinds.comparison import TIE, A, B, Candidate, Comparison, Judgement
from annotation.kinds.defaults import KindDefaults
from annotation.kinds.label_studio import CONTROL, view
from annotation.kinds.preferences import preference_tables
from annotation.models import MediaKind, ProjectSpec, Scale

SIDES = ("A", "B")
TIE_CODE = 0
LEVELS = (1, 3)
DEFAULT_LEVELS = 2
RESERVED = 300  # the question is counted apart; this covers headings, banners and buttons
_PHRASES = {
    1: (PhraseCode.PAIR_BETTER,),
    2: (PhraseCode.PAIR_MUCH_BETTER, PhraseCode.PAIR_BETTER),
    3: (PhraseCode.PAIR_MUCH_BETTER, PhraseCode.PAIR_BETTER, PhraseCode.PAIR_SLIGHTLY_BETTER),
}
COLUMNS = ("prompt", "response_a", "response_b", "response_a_id", "response_b_id")
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
        """Read the prompt and both responses; refuse what one message cannot hold."""
        texts = {column: cells.get(column, "").strip() for column in COLUMNS}
        faults = [(ItemFault.MISSING, column, 0, 0)
                  for column in ("prompt", "response_a", "response_b") if not texts[column]]
        for column in ("response_a_id", "response_b_id"):
            if len(texts[column]) > MAX_ID:
                faults.append((ItemFault.TOO_LONG, column, len(texts[column]), MAX_ID))
        room = message_room(spec, RESERVED)
        used = sum(len(texts[c]) for c in ("prompt", "response_a", "response_b"))
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
        return ItemCheck(payload=comparison.to_json())

    def export(self, spec: ProjectSpec, items: Sequence[KindItem]) -> Sequence[ExportTable]:
        """Return the preference pairs, ties, judgements and scores (``kinds.preferences``)."""
        scale = spec.scale
        return preference_tables(items, spec.name, scale.points if scale else DEFAULT_LEVELS,
                                 bool(scale and scale.tie))

    def label_studio_config(self, spec: ProjectSpec, kinds: Sequence[MediaKind]) -> str:
        """Return the prompt, both responses and a Pairwise control (ties as a choice)."""
        lines = ['  <Text name="prompt" value="$prompt"/>',
                 f'  <Pairwise name="{CONTROL}" toName="response_a,response_b"/>',
                 '  <Text name="response_a" value="$response_a"/>',
                 '  <Text name="response_b" value="$response_b"/>']
        if spec.scale is not None and spec.scale.tie:
            lines += ['  <Choices name="tie" toName="prompt" choice="single">',
                      '    <Choice value="tie"/>', "  </Choices>"]
        return view(lines)

    def label_studio_data(self, item: LabeledItem, payload: str) -> dict[str, object]:
        """Return the prompt and the two responses with their ids, in the item's order."""
        comparison = Comparison.from_json(payload)
        return {"item_id": item.item_id, "prompt": comparison.prompt,
                "response_a": comparison.first.text, "response_b": comparison.second.text,
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
        """Return the prompt, both responses folded, and one row of buttons per side."""
        comparison = Comparison.from_json(turn.item.payload)
        shown = ((comparison.second, comparison.first) if turn.swapped
                 else (comparison.first, comparison.second))
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
