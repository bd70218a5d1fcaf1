"""Several questions about one item, walked in the task's one message, one tap each.

A spec with ``answer_type = "questions"`` lists its questions (``[[questions]]``, in the
order they are asked), each with a ``key``, its text and a one-tap kind of its own: single
choice, yes/no, a rating or a comparison (at most one). With a comparison the item is a
prompt and two responses (the pairwise columns), shown once above every question; a
question with ``each = true`` is then asked about each response in turn, in the order the
annotator sees them, and answered per response (its parts ``key.a`` and ``key.b`` name the
responses in the item's order, so the screen order never reaches the data).

The walk: each tap answers the current question and the same message shows the next one,
with what was answered so far above it; ← Back takes back the last answer; the task counts
as answered when every question is. Undo, after that, reopens the task at its last
question. Each button carries the step it was shown at, so a double tap never answers the
next question.

The answer's value is a JSON object of every part's label, in the spec's order
(``{"helpful.a": "3", "helpful.b": "1", "preference": "a"}``); its detail keeps each
part's own detail, the code tapped (to show the answer again) and, for the comparison, the
screen position picked at the top level, where the position rule reads it. Gold may give
any subset of the parts (``preference=a; helpful.a=3`` or a JSON object); each part with a
gold answer is checked on its own (``Answer.checks``) and quality control scores each
question apart (the agreement rule too: :meth:`QuestionsKind.agreement`). Aggregation
runs per part with the part's own kind (``parts``/``split``), and the export adds one row
per item and part, the answers in long form, and the comparison's and ratings' own tables.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from annotation.datasets.records import ExportTable, KindItem, LabeledItem
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.base import (
    BACK_CODE,
    Block,
    BlockStyle,
    Button,
    CandidateMedia,
    ItemCheck,
    ItemFault,
    Phrase,
    PhraseCode,
    Step,
    TaskLayout,
    Text,
    Turn,
    VoteModel,
    message_need,
)
from annotation.kinds.defaults import KindDefaults
from annotation.kinds.label_studio import CONTROL, object_kinds, object_tags, view
from annotation.kinds.pairwise import COLUMNS, PairwiseKind, comparison_objects
from annotation.kinds.question_parts import (
    PART_KINDS,
    Part,
    all_parts,
    comparison_question,
    labels_of,
    part_spec,
)
from annotation.kinds.question_tables import question_tables
from annotation.models import MediaKey, MediaKind, ProjectSpec
from annotation.quality.agreement import WHOLE

CAPTION_LIMIT = 1024  # characters of a photo's or a clip's caption
CAPTION_RESERVE = 100  # the exam or training line, a rating's ends (intake's reserve)
STEP = 100  # a button's code: the step it was shown at * STEP + the question's own code
SCREEN = ("A", "B")
MEDIA_COLUMNS = ("image", "audio", "media")


@dataclass(frozen=True, slots=True)
class Entry:
    """One part answered so far: its label, its own detail and the code tapped."""

    key: str
    label: str
    code: int
    detail: str = ""


class QuestionsKind(KindDefaults):
    """A walk through the spec's questions; each tap answers one."""

    name = "questions"
    own_tables = True
    votes = VoteModel.CATEGORICAL  # per part (``parts``): each aggregated by its own kind
    item_columns: tuple[str, ...] = COLUMNS

    def parts(self, spec: ProjectSpec) -> Mapping[str, ProjectSpec]:
        """Return each part's key and the spec it is answered under, in the spec's order."""
        return {part.key: part.spec for part in all_parts(spec)}

    def split(self, spec: ProjectSpec, value: str) -> Mapping[str, str]:
        """Return a value's (or a gold answer's) label for each part it gives."""
        return labels_of(value)

    def check_item(self, spec: ProjectSpec, cells: Mapping[str, str]) -> ItemCheck:
        """Read a comparison's prompt and responses (with a comparison question), else
        check that the item has text or media; refuse what the questions leave no room for."""
        comparing = comparison_question(spec)
        if comparing is not None:
            return PAIRWISE.check_item(replace(spec, scale=comparing.scale), cells)
        faults: list[tuple[ItemFault, str, int, int]] = [
            (ItemFault.NOT_APPLICABLE, column, 0, 0) for column in COLUMNS if column in cells]
        media = [column for column in MEDIA_COLUMNS if column in cells]
        if not cells.get("text", "").strip() and not media:
            faults.append((ItemFault.MISSING, "text", 0, 0))
        needed = message_need(spec) + CAPTION_RESERVE
        if media and needed > CAPTION_LIMIT:  # the questions alone overflow a caption
            faults.append((ItemFault.TOO_LONG, media[0], needed, CAPTION_LIMIT))
        return ItemCheck(faults=tuple(faults))

    def with_media(self, payload: str, media: CandidateMedia) -> str:
        """Return a comparison's payload with its candidate files (image or audio pairs)."""
        return PAIRWISE.with_media(payload, media)

    def media_key(self, turn: Turn) -> MediaKey | None:
        """Return a comparison's photo in this annotator's order, else the item's media."""
        if comparison_question(turn.spec) is not None and turn.item.payload:
            return PAIRWISE.media_key(turn)
        return turn.item.media_key

    def layout(self, turn: Turn) -> TaskLayout:
        """Return the item (a comparison's responses), the answers so far, the current
        question with its step, and its buttons (with Back once a question is answered)."""
        walk = _walk(turn)
        entries = _entries(turn.draft)
        blocks: list[Block] = []
        comparing = comparison_question(turn.spec)
        if comparing is not None:
            pair = _turn(turn, part_spec(turn.spec, comparing))
            blocks += PAIRWISE.layout(pair).blocks  # (an audio pair's note: where B starts)
        by_key = {part.key: part for part in walk}
        for entry in entries:
            part = by_key[entry.key]
            blocks.append(Block(_answer_text(turn, part, entry.code), BlockStyle.NOTE,
                                _title(turn, part, done=True)))
        step = len(entries)
        if step >= len(walk):  # answered in full (a stale draft): nothing left to tap
            return TaskLayout(tuple(blocks), ())
        part = walk[step]
        shown = PART_KINDS[part.question.answer_type].layout(_turn(turn, part.spec))
        blocks.append(Block(_title(turn, part, done=False), BlockStyle.HEADING,
                            Phrase(PhraseCode.QUESTION_STEP,
                                   {"step": step + 1, "steps": len(walk)})))
        blocks += [b for b in shown.blocks if b.style is BlockStyle.NOTE]
        rows = tuple(tuple(replace(button, code=step * STEP + button.code) for button in row)
                     for row in shown.rows)
        controls = (Button(Phrase(PhraseCode.BACK), BACK_CODE),) if entries else ()
        return TaskLayout(tuple(blocks), rows, controls, wrap=shown.wrap)

    def answer_blocks(self, turn: Turn, value: str) -> tuple[Block, ...]:
        """Return each part a value gives, in the walk's order, as its own kind says it,
        under its question."""
        labels = self.split(turn.spec, value)
        return tuple(
            Block(PART_KINDS[part.question.answer_type].answer_blocks(
                _turn(turn, part.spec), labels[part.key])[0].text, BlockStyle.NOTE,
                _title(turn, part, done=False))
            for part in _walk(turn) if part.key in labels)

    def press(self, turn: Turn, code: int) -> Step:
        """Answer the current question; the last one records the whole answer."""
        walk = _walk(turn)
        entries = _entries(turn.draft)
        step, own = divmod(code, STEP)
        if not 0 <= step < len(walk):
            raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=str(code))
        if step != len(entries):  # a button of an earlier step: a double tap
            return Step(draft=turn.draft)
        part = walk[step]
        answered = PART_KINDS[part.question.answer_type].press(_turn(turn, part.spec), own)
        if answered.final is None:
            raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=str(code))
        entries.append(Entry(part.key, answered.final, own, answered.detail))
        if len(entries) < len(walk):
            return Step(draft=_draft(entries))
        labels = {e.key: e.label for e in entries}
        value = json.dumps({part.key: labels[part.key] for part in all_parts(turn.spec)},
                           separators=(",", ":"))
        return Step(final=value, detail=_detail(entries))

    def back(self, turn: Turn) -> str | None:
        """Take back the last answered question (None before the first)."""
        entries = _entries(turn.draft)
        return _draft(entries[:-1]) if entries else None

    def reopened(self, spec: ProjectSpec, value: str, detail: str) -> str:
        """Reopen an undone answer at its last question, the others kept."""
        if not detail:
            return ""
        return _draft(_entries(json.dumps(json.loads(detail)["answered"]))[:-1])

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Return the labels a gold cell gives (``key=label; key=label`` or a JSON object),
        each canonical for its question, in the spec's order; refuse an unknown key."""
        given = _read_pairs(raw)
        parts = self.parts(spec)
        if not given:
            raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=raw)
        out: dict[str, str] = {}
        for key, label in given.items():
            if key not in parts:
                raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=key)
            narrowed = parts[key]
            out[key] = PART_KINDS[narrowed.answer_type].canonical(narrowed, label)
        return json.dumps({key: out[key] for key in parts if key in out},
                          separators=(",", ":"))

    def is_correct(self, spec: ProjectSpec, value: str, gold: str) -> bool:
        """Return whether every part the gold answer gives was answered right."""
        return all(self.checks(spec, value, gold).values())

    def checks(self, spec: ProjectSpec, value: str, gold: str) -> Mapping[str, bool]:
        """Return, for each part the gold answer gives, whether it was answered right."""
        parts = self.parts(spec)
        answered, known = self.split(spec, value), self.split(spec, gold)
        return {key: key in answered and PART_KINDS[parts[key].answer_type].is_correct(
                    parts[key], answered[key], label)
                for key, label in known.items() if key in parts}

    def agreement(self, spec: ProjectSpec, value: str, others: Sequence[str]
                  ) -> Mapping[str, bool]:
        """Return, for each part the answer gives, whether it agrees with the others'
        labels of that part, as the part's own kind judges (so each question is judged
        apart, and a disagreement on one counts for that one only)."""
        parts = self.parts(spec)
        theirs = [self.split(spec, other) for other in others]
        out: dict[str, bool] = {}
        for key, label in self.split(spec, value).items():
            narrowed = parts.get(key)
            if narrowed is None:
                continue
            found = PART_KINDS[narrowed.answer_type].agreement(
                narrowed, label, [labels[key] for labels in theirs if key in labels])
            if WHOLE in found:  # a part's kind gives one label
                out[key] = found[WHOLE]
        return out

    def export(self, spec: ProjectSpec, items: Sequence[KindItem]) -> Sequence[ExportTable]:
        """Return one row per item and part, every answer per part, and the tables of the
        comparison and the ratings (``annotation.kinds.question_tables``)."""
        return question_tables(spec, items)

    def label_studio_config(self, spec: ProjectSpec, kinds: Sequence[MediaKind]) -> str:
        """Return the item's objects and each part's controls, named by its key."""
        if comparison_question(spec) is not None:
            lines, to_name = comparison_objects(kinds), "prompt"
        else:
            lines, to_name = object_tags(object_kinds(kinds))
        for part in all_parts(spec):
            lines += PART_KINDS[part.question.answer_type].label_studio_controls(
                part.spec, _control(part.key), to_name, kinds)
        return view(lines)

    def label_studio_data(self, item: LabeledItem, payload: str) -> dict[str, object]:
        """Return a comparison's prompt and responses, or the item's text or media."""
        if payload:
            return PAIRWISE.label_studio_data(item, payload)
        return super().label_studio_data(item, payload)

    def label_studio_result(self, spec: ProjectSpec, item: LabeledItem, label: str
                            ) -> dict[str, object]:
        """Return the first part's result (``label_studio_results`` gives them all)."""
        return self.label_studio_results(spec, item, label)[0]

    def label_studio_results(self, spec: ProjectSpec, item: LabeledItem, label: str
                             ) -> list[dict[str, object]]:
        """Return one result per part answered, from the part's kind, under the part's
        controls (a comparison's other results are about its prompt)."""
        labels = self.split(spec, label)
        comparing = comparison_question(spec) is not None
        out: list[dict[str, object]] = []
        for part in all_parts(spec):
            if part.key not in labels:
                continue
            found = PART_KINDS[part.question.answer_type].label_studio_result(
                part.spec, item, labels[part.key])
            name = _control(part.key)
            own = found["from_name"] == CONTROL
            out.append({**found, "from_name": name if own else f"{name}_{found['from_name']}",
                        "to_name": name if found["to_name"] == CONTROL
                        else "prompt" if comparing else found["to_name"]})
        return out


PAIRWISE = PairwiseKind()


def _turn(turn: Turn, spec: ProjectSpec) -> Turn:
    return Turn(spec, turn.item, turn.annotator_id, "", turn.language)


def _walk(turn: Turn) -> tuple[Part, ...]:
    """Return the parts in the order this annotator is asked them: a question about each
    response first about the one shown as A."""
    parts = all_parts(turn.spec)
    if not turn.swapped:
        return parts
    out = list(parts)
    for i in range(len(out) - 1):
        if out[i].side == 0 and out[i + 1].side == 1:
            out[i], out[i + 1] = out[i + 1], out[i]
    return tuple(out)


def _screen_side(turn: Turn, part: Part) -> str:
    assert part.side is not None
    return SCREEN[part.side ^ int(turn.swapped)]


def _title(turn: Turn, part: Part, *, done: bool) -> Text:
    text = part.question.text.get(turn.language)
    if part.side is None:
        return Phrase(PhraseCode.QUESTION_DONE, {"question": text}) if done else text
    code = PhraseCode.QUESTION_DONE_ABOUT if done else PhraseCode.QUESTION_ABOUT
    return Phrase(code, {"question": text, "side": _screen_side(turn, part)})


def _answer_text(turn: Turn, part: Part, code: int) -> Text:
    """Return what the button tapped said (the answer as the annotator saw it)."""
    shown = PART_KINDS[part.question.answer_type].layout(_turn(turn, part.spec))
    for row in shown.rows:
        for button in row:
            if button.code == code:
                return button.label
    return str(code)


def _entries(draft: str) -> list[Entry]:
    if not draft:
        return []
    return [Entry(str(key), str(label), int(code), str(detail))
            for key, label, code, detail in json.loads(draft)]


def _draft(entries: Sequence[Entry]) -> str:
    if not entries:
        return ""
    return json.dumps([[e.key, e.label, e.code, e.detail] for e in entries],
                      separators=(",", ":"), ensure_ascii=False)


def _detail(entries: Sequence[Entry]) -> str:
    """Return the recorded detail: the walk as answered and, for the position rule, the
    screen position a comparison picked."""
    detail: dict[str, object] = {"answered": json.loads(_draft(entries))}
    for entry in entries:
        if entry.detail:
            position = json.loads(entry.detail).get("position")
            if position is not None:
                detail["position"] = position
                break
    return json.dumps(detail, separators=(",", ":"), ensure_ascii=False)


def _read_pairs(raw: str) -> dict[str, str]:
    text = raw.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=raw) from None
        if not isinstance(data, dict):
            raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=raw)
        return {str(k).strip(): str(v) for k, v in data.items()}
    pairs: dict[str, str] = {}
    for chunk in text.split(";"):
        if not chunk.strip():
            continue
        key, sep, label = chunk.partition("=")
        if not sep:
            raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=chunk.strip())
        pairs[key.strip()] = label.strip()
    return pairs


def _control(key: str) -> str:
    return key.replace(".", "_")


