"""What the two Mini App kinds share: boxes on an image and spans of a text are *marks*.

Both are answered in the Mini App (a button under the task opens it: ``Button.opens_app``),
or, when the spec allows it, with one tap on "Nothing to mark" in the chat, which records
the empty value. Both read the same kinds of spec keys (``read_rules``): the classes (or
labels) a mark may carry, 1 to 20 short names, kept as the scale's ``labels``; whether
"Nothing to mark" is offered (``nothing``, default true); their own keys (``points``,
``iou``, ``radius``, ``min_precision``, ``min_recall`` for boxes; ``overlapping``,
``min_f1`` for spans), all kept in ``MarkRules``.

A value arrives as JSON (from the Mini App, or a gold cell) and is refused with a specific
``ErrorCode`` when it is hostile or wrong (:func:`parse_object`: size, NaN and infinities,
nesting, unknown keys, wrong types); each kind then checks its marks and writes the
canonical JSON (:func:`dump`: compact, keys in a fixed order, lists sorted).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.base import (
    Block,
    BlockStyle,
    Button,
    Phrase,
    PhraseCode,
    SpecReader,
    Step,
    TaskLayout,
    Turn,
    VoteModel,
)
from annotation.kinds.defaults import KindDefaults
from annotation.models import MarkRules, ProjectSpec, Scale

OPEN_CODE = 0  # the button that opens the Mini App (never pressed as a callback)
NOTHING_CODE = 1  # "Nothing to mark": records the empty value
MAX_CLASS = 40  # a class's name: it is shown on a button-sized chip in the app
CLASS_COUNT = (1, 20)
MAX_RAW = 32_000  # characters of a value's JSON: 200 spans or 100 boxes take under 10,000
RULE_BOUNDS = (0.05, 1.0)  # an IoU or a gold bar; 0 would make every answer right
RADIUS = (0.001, 0.5)


def rules(spec: ProjectSpec) -> MarkRules:
    """Return what a boxes or spans project allows (the defaults when the spec is older)."""
    marks = spec.scale.marks if spec.scale is not None else None
    return marks if marks is not None else MarkRules()


def read_rules(reader: SpecReader, classes_key: str, own: tuple[str, ...]) -> Scale:
    """Read the classes (``classes_key``) and the rule keys ``own`` names (the others keep
    their defaults)."""
    classes = reader.names(classes_key, limit=MAX_CLASS, bounds=CLASS_COUNT)
    default = MarkRules()

    def flag(key: str) -> bool:
        value: bool = getattr(default, key)
        return reader.flag(key, value) if key in own else value

    def share(key: str, bounds: tuple[float, float] = RULE_BOUNDS) -> float:
        value: float = getattr(default, key)
        return reader.number(key, value, bounds) if key in own else value

    return Scale(points=0, labels=classes, marks=MarkRules(
        points=flag("points"), nothing=flag("nothing"), overlapping=flag("overlapping"),
        iou=share("iou"), radius=share("radius", RADIUS),
        min_precision=share("min_precision"), min_recall=share("min_recall"),
        min_f1=share("min_f1")))


def rules_toml(scale: Scale, classes_key: str, own: tuple[str, ...],
               quote: Callable[[str], str]) -> list[str]:
    """Write the classes and every rule key ``own`` names back as TOML lines."""
    marks = scale.marks or MarkRules()
    lines = [f"{classes_key} = [{', '.join(quote(c) for c in scale.labels)}]"]
    for key in own:
        value = getattr(marks, key, None)
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, float):
            lines.append(f"{key} = {value!r}")
    return lines


class MarksKind(KindDefaults):
    """What a Mini App kind is beside its marks: its spec keys (the classes under
    ``classes_key``, its rules under ``own_keys``), its own aggregation and tables,
    "Nothing to mark" recording ``empty``, and Undo reopening the answer as the draft."""

    own_tables = True
    votes = VoteModel.OWN
    classes_key: str
    own_keys: tuple[str, ...]
    empty: str

    def read_scale(self, reader: SpecReader) -> Scale | None:
        """Read the classes and the rules."""
        return read_rules(reader, self.classes_key, self.own_keys)

    def scale_toml(self, scale: Scale, quote: Callable[[str], str]) -> list[str]:
        """Write the classes and every rule."""
        return rules_toml(scale, self.classes_key, self.own_keys, quote)

    def reopened(self, spec: ProjectSpec, value: str, detail: str) -> str:
        """Return the undone answer as the draft: the app opens on it, to be adjusted."""
        return value

    def press(self, turn: Turn, code: int) -> Step:
        """Record the empty value ("Nothing to mark")."""
        return press_nothing(turn, code, self.empty)


def marks_layout(turn: Turn, opener: PhraseCode, hint: Phrase) -> TaskLayout:
    """Return a note on how to answer, the button that opens the app and, when the spec
    offers it, "Nothing to mark"."""
    rows: list[tuple[Button, ...]] = [(Button(Phrase(opener), OPEN_CODE, opens_app=True),)]
    if rules(turn.spec).nothing:
        rows.append((Button(Phrase(PhraseCode.NOTHING_TO_MARK), NOTHING_CODE),))
    return TaskLayout((Block(hint, BlockStyle.NOTE),), tuple(rows))


def press_nothing(turn: Turn, code: int, empty: str) -> Step:
    """Record the empty value for "Nothing to mark"; refuse any other code."""
    if code == NOTHING_CODE and rules(turn.spec).nothing:
        return Step(final=empty)
    raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=str(code))


def hint_classes(spec: ProjectSpec) -> str:
    """Return the classes as a hint lists them."""
    return ", ".join(spec.labels)


def parse_object(raw: str, keys: tuple[str, ...]) -> dict[str, list[Any]]:
    """Return a value's JSON object with a list under each of ``keys`` (an absent key: an
    empty list); refuse anything else (``MARKS_MALFORMED``)."""
    if len(raw) > MAX_RAW:
        raise AnswerRejected(ErrorCode.MARKS_MALFORMED)
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise AnswerRejected(ErrorCode.MARKS_MALFORMED) from None
    if not isinstance(data, dict) or not set(data) <= set(keys):
        raise AnswerRejected(ErrorCode.MARKS_MALFORMED)
    found = {key: data.get(key, []) for key in keys}
    if not all(isinstance(value, list) for value in found.values()):
        raise AnswerRejected(ErrorCode.MARKS_MALFORMED)
    return found


def number(value: object) -> float:
    """Return a finite JSON number as a float (booleans and strings refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnswerRejected(ErrorCode.MARKS_MALFORMED)
    if isinstance(value, int) and abs(value) > 1 << 53:  # past a float's exact integers
        raise AnswerRejected(ErrorCode.MARKS_MALFORMED)
    if not math.isfinite(value):
        raise AnswerRejected(ErrorCode.MARKS_MALFORMED)
    return float(value)


def class_of(value: object, spec: ProjectSpec) -> str:
    """Return the spec's spelling of a mark's class (compared ignoring case)."""
    if not isinstance(value, str):
        raise AnswerRejected(ErrorCode.MARKS_MALFORMED)
    wanted = value.strip().casefold()
    for known in spec.labels:
        if known.casefold() == wanted:
            return known
    raise AnswerRejected(ErrorCode.UNKNOWN_CLASS, name=value[:MAX_CLASS],
                         allowed=", ".join(spec.labels))


def dump(value: Mapping[str, object]) -> str:
    """Return a value's canonical JSON: compact, non-ASCII kept as written."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def draft_of(draft: str) -> object | None:
    """Return an assignment's draft as the JSON value it holds (None: no draft, or not
    JSON)."""
    if not draft or len(draft) > MAX_RAW:
        return None
    try:
        return json.loads(draft, parse_constant=_refuse_constant)
    except (ValueError, RecursionError, AnswerRejected):
        return None


def _refuse_constant(name: str) -> float:
    raise AnswerRejected(ErrorCode.MARKS_MALFORMED)
