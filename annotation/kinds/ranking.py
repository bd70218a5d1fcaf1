"""Ranking: a prompt and 2 to 4 responses, put in order by successive taps, best first.

The item's payload holds the prompt and its candidates with their own ids; the spec says
how many (``candidates``, default 4). Each annotator sees the candidates in an order drawn
for them and the item (``Turn.order``), lettered A, B, C, D on the screen. They tap the
best, then the next…; the last one is placed by itself. The draft holds the picks so far
(indices in the item's order), so ← Back takes back one pick and Undo, after the answer,
reopens the task with its last pick taken back.

The answer's label is the number of the best candidate in the item's order (``"1"`` …),
which aggregation and gold see; its detail keeps the whole ranking, the order shown, the
screen place (0-based) of the response ranked best and how many were shown:
``{"ranking": [2, 0, 3, 1], "shown": [3, 2, 0, 1], "position": 1, "choices": 4}``; the
position rule (``annotation.quality.rules.check_position``) counts ``position`` against
the chance ``1/choices``. A stale button (a double tap) is ignored: each carries the step
it was shown at.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

from annotation.datasets.records import ExportTable, KindItem, LabeledItem
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.base import (
    BACK_CODE,
    Block,
    BlockStyle,
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
from annotation.kinds.comparison import Candidate, Lineup
from annotation.kinds.defaults import KindDefaults
from annotation.kinds.label_studio import CONTROL, view
from annotation.kinds.rankings import ranking_tables
from annotation.models import MediaKind, ProjectSpec, Scale

LETTERS = "ABCD"
CANDIDATES = (2, 4)
RESERVED = 400  # headings, letters, the order so far, banners (the question apart)
MAX_ID = 100


def _columns(count: int) -> tuple[str, ...]:
    return tuple(f"response_{n}" for n in range(1, count + 1))


class RankingKind(KindDefaults):
    """Successive taps, best first; Back takes one back."""

    name = "ranking"
    own_tables = True
    votes = VoteModel.CATEGORICAL  # the best candidate's number
    spec_keys: tuple[str, ...] = ("candidates",)
    item_columns: tuple[str, ...] = ("prompt", *_columns(4),
                                     *(f"{c}_id" for c in _columns(4)))

    def read_scale(self, reader: SpecReader) -> Scale | None:
        """Read ``candidates``: how many responses each item ranks (2 to 4, default 4)."""
        count = reader.integer("candidates", CANDIDATES[1], CANDIDATES)
        return Scale(points=count, labels=tuple(str(n) for n in range(1, count + 1)))

    def scale_toml(self, scale: Scale, quote: Callable[[str], str]) -> list[str]:
        """Write ``candidates``."""
        return [f"candidates = {scale.points}"]

    def check_item(self, spec: ProjectSpec, cells: Mapping[str, str]) -> ItemCheck:
        """Read the prompt and the spec's number of responses; refuse what cannot fit."""
        count = _count(spec)
        texts = {c: cells.get(c, "").strip() for c in self.item_columns}
        needed = ("prompt", *_columns(count))
        faults = [(ItemFault.MISSING, c, 0, 0) for c in needed if not texts[c]]
        faults += [(ItemFault.TOO_LONG, c, len(texts[c]), MAX_ID)
                   for c in (f"{r}_id" for r in _columns(count)) if len(texts[c]) > MAX_ID]
        room = message_room(spec, RESERVED)
        used = sum(len(texts[c]) for c in needed)
        if used > room:
            faults.append((ItemFault.TOO_LONG, "+".join(needed), used, room))
        if faults:
            return ItemCheck(faults=tuple(faults))
        ids: list[str] = []
        for n, column in enumerate(_columns(count), start=1):
            given = texts[f"{column}_id"] or str(n)
            ids.append(given if given not in ids else f"{given}~{n}")
        lineup = Lineup(texts["prompt"], tuple(
            Candidate(i, texts[c]) for i, c in zip(ids, _columns(count), strict=True)))
        return ItemCheck(payload=lineup.to_json())

    def export(self, spec: ProjectSpec, items: Sequence[KindItem]) -> Sequence[ExportTable]:
        """Return the consensus rankings, every ranking, the pairs they imply and scores."""
        return ranking_tables(items, spec.name)

    def label_studio_config(self, spec: ProjectSpec, kinds: Sequence[MediaKind]) -> str:
        """Return the prompt, the responses, and a choice of the best one."""
        count = _count(spec)
        lines = ['  <Text name="prompt" value="$prompt"/>']
        lines += [f'  <Text name="{c}" value="${c}"/>' for c in _columns(count)]
        lines.append(f'  <Choices name="{CONTROL}" toName="prompt" choice="single">')
        lines += [f'    <Choice value="{n}"/>' for n in range(1, count + 1)]
        lines.append("  </Choices>")
        return view(lines)

    def label_studio_data(self, item: LabeledItem, payload: str) -> dict[str, object]:
        """Return the prompt and the responses, in the item's order."""
        lineup = Lineup.from_json(payload)
        data: dict[str, object] = {"item_id": item.item_id, "prompt": lineup.prompt}
        for column, candidate in zip(_columns(len(lineup.candidates)), lineup.candidates,
                                     strict=True):
            data[column], data[f"{column}_id"] = candidate.text, candidate.id
        return data

    def label_studio_result(self, spec: ProjectSpec, item: LabeledItem, label: str
                            ) -> dict[str, object]:
        """Return the best response's number as a choice."""
        return {"from_name": CONTROL, "to_name": "prompt", "type": "choices",
                "value": {"choices": [label]}}

    def layout(self, turn: Turn) -> TaskLayout:
        """Return the prompt, the responses folded and lettered, the order so far, and one
        button per response not yet placed (and Back once one is)."""
        lineup = Lineup.from_json(turn.item.payload)
        shown = turn.order(len(lineup.candidates))
        letter = {index: LETTERS[place] for place, index in enumerate(shown)}
        picks = _picks(turn.draft)
        blocks = candidate_blocks(lineup.prompt, [
            (letter[index], lineup.candidates[index].text) for index in shown])
        blocks.append(Block(Phrase(PhraseCode.RANK_HINT), BlockStyle.NOTE))
        if picks:
            so_far = " > ".join(letter[index] for index in picks)
            blocks.append(Block(Phrase(PhraseCode.RANKED_SO_FAR, {"ranking": so_far}),
                                BlockStyle.NOTE))
        step = len(picks)
        buttons = tuple(Button(letter[index], 10 * step + index)
                        for index in shown if index not in picks)
        controls = (Button(Phrase(PhraseCode.BACK), BACK_CODE),) if picks else ()
        return TaskLayout(tuple(blocks), (buttons,), controls, wrap=False)

    def press(self, turn: Turn, code: int) -> Step:
        """Place the tapped response next; the last one places itself and ends the task."""
        count = len(Lineup.from_json(turn.item.payload).candidates)
        step, index = divmod(code, 10)
        if not 0 <= index < count or not 0 <= step < count - 1:
            raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=str(code))
        picks = _picks(turn.draft)
        if step != len(picks) or index in picks:  # a button from an earlier step
            return Step(draft=turn.draft)
        picks.append(index)
        if len(picks) < count - 1:
            return Step(draft=_draft(picks))
        picks += [i for i in range(count) if i not in picks]
        shown = list(turn.order(count))
        detail = json.dumps({"ranking": picks, "shown": shown,
                             "position": shown.index(picks[0]), "choices": count},
                            separators=(",", ":"))
        return Step(final=str(picks[0] + 1), detail=detail)

    def back(self, turn: Turn) -> str | None:
        """Take back the last pick (None when nothing is placed yet)."""
        picks = _picks(turn.draft)
        return _draft(picks[:-1]) if picks else None

    def reopened(self, spec: ProjectSpec, value: str, detail: str) -> str:
        """Reopen an undone ranking with its last pick taken back."""
        if not detail:
            return ""
        ranking = list(json.loads(detail)["ranking"])
        return _draft(ranking[:max(0, len(ranking) - 2)])

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Return the best response's number a gold cell names (``1`` … ``4``)."""
        text = raw.strip()
        if text in spec.labels:
            return text
        raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=raw)

    def is_correct(self, spec: ProjectSpec, value: str, gold: str) -> bool:
        """Return whether the response ranked best is the gold one."""
        return value == gold


def _count(spec: ProjectSpec) -> int:
    return spec.scale.points if spec.scale is not None else CANDIDATES[1]


def _picks(draft: str) -> list[int]:
    return [int(part) for part in draft.split(",") if part]


def _draft(picks: Sequence[int]) -> str:
    return ",".join(str(index) for index in picks)
