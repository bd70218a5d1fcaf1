"""Answer values: turning what an annotator typed or tapped into one canonical string.

Canonical forms (what storage keeps and exports show):
- single choice: the option itself; yes/no: ``yes`` or ``no``;
- multiple choice: the chosen options in the spec's order, joined by ``|`` (empty: none);
- number: the shortest decimal form (``3``, ``2.5``), parsed with ``.`` or ``,`` as separator;
- free text: stripped, inner white space folded, Unicode NFC.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable

from annotation.errors import AnswerRejected, ErrorCode
from annotation.models import NO, YES, AnswerType, ProjectSpec

MULTI_SEPARATOR = "|"
MAX_TEXT_ANSWER = 1000
_SPACES = re.compile(r"\s+")
_YES_WORDS = frozenset({"yes", "y", "oui", "o", "eny", "true", "1"})
_NO_WORDS = frozenset({"no", "n", "non", "tsia", "false", "0"})


def normalize_text(raw: str) -> str:
    """Return ``raw`` stripped, with white space folded and in Unicode NFC."""
    return unicodedata.normalize("NFC", _SPACES.sub(" ", raw).strip())


def format_number(value: float) -> str:
    """Return the shortest decimal form of ``value``."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def parse_number(raw: str) -> float:
    """Parse a number typed with ``.`` or ``,`` as the decimal separator."""
    cleaned = raw.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise AnswerRejected(ErrorCode.NOT_A_NUMBER, text=raw) from None
    if not math.isfinite(value):
        raise AnswerRejected(ErrorCode.NOT_A_NUMBER, text=raw)
    return value


def join_choices(spec: ProjectSpec, chosen: Iterable[str]) -> str:
    """Return the canonical multiple-choice value for ``chosen`` options."""
    picked = set(chosen)
    unknown = picked.difference(spec.options)
    if unknown:
        raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=sorted(unknown)[0])
    return MULTI_SEPARATOR.join(option for option in spec.options if option in picked)


def split_choices(value: str) -> frozenset[str]:
    """Return the options held in a canonical multiple-choice value."""
    return frozenset(part for part in value.split(MULTI_SEPARATOR) if part)


def canonical_answer(spec: ProjectSpec, raw: str) -> str:
    """Validate ``raw`` against the project's question and return its canonical form."""
    answer_type = spec.answer_type
    if answer_type is AnswerType.NUMBER:
        value = parse_number(raw)
        if not spec.number_range.contains(value):
            raise AnswerRejected(
                ErrorCode.OUT_OF_RANGE,
                text=raw,
                minimum=spec.number_range.minimum,
                maximum=spec.number_range.maximum,
            )
        return format_number(value)
    if answer_type is AnswerType.TEXT:
        text = normalize_text(raw)
        if not text:
            raise AnswerRejected(ErrorCode.EMPTY_ANSWER)
        return text[:MAX_TEXT_ANSWER]
    if answer_type is AnswerType.YES_NO:
        word = normalize_text(raw).casefold()
        if word in _YES_WORDS:
            return YES
        if word in _NO_WORDS:
            return NO
        raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=raw)
    if answer_type is AnswerType.MULTI:
        parts = [normalize_text(p) for p in raw.split(MULTI_SEPARATOR)]
        return join_choices(spec, (p for p in parts if p))
    text = normalize_text(raw)
    if text in spec.options:
        return text
    folded = {option.casefold(): option for option in spec.options}
    if text.casefold() in folded:
        return folded[text.casefold()]
    raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=raw)


def is_correct(spec: ProjectSpec, value: str, gold: str) -> bool:
    """Return whether a canonical answer matches the canonical gold answer."""
    if spec.answer_type is AnswerType.TEXT:
        return value.casefold() == gold.casefold()
    if spec.answer_type is AnswerType.NUMBER:
        return math.isclose(float(value), float(gold), rel_tol=1e-9, abs_tol=1e-9)
    if spec.answer_type is AnswerType.MULTI:
        return split_choices(value) == split_choices(gold)
    return value == gold
