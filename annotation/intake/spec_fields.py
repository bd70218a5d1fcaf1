"""Typed fields of a spec table, read with every problem recorded instead of raised.

``FieldReader`` is ``annotation.intake.spec``'s workhorse: each method returns a clean value (or a
default) and appends a ``Problem`` with the field's dotted name and line when something is
wrong, so one pass reports everything. The codes are listed in ``annotation.intake.spec``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from annotation.aggregation.models import Method
from annotation.answers import MULTI_SEPARATOR, normalize_text
from annotation.errors import Problem
from annotation.kinds.registry import SPEC_KEYS
from annotation.models import (
    LANGUAGES,
    MAX_LANGUAGE_TAG,
    AnswerType,
    LocalizedText,
    NumberRange,
    language_tag,
)

_E = TypeVar("_E", bound=StrEnum)


class SpecProblem(StrEnum):
    """Codes of the problems a project spec can have."""

    SYNTAX = "spec.syntax"
    ENCODING = "spec.encoding"
    MISSING_FIELD = "spec.missing_field"
    UNKNOWN_FIELD = "spec.unknown_field"
    WRONG_TYPE = "spec.wrong_type"
    EMPTY = "spec.empty"
    TOO_LONG = "spec.too_long"
    UNKNOWN_LANGUAGE = "spec.unknown_language"
    BAD_LANGUAGE_TAG = "spec.bad_language_tag"  # not a BCP 47 tag (a recording's language)
    UNKNOWN_VALUE = "spec.unknown_value"
    OUT_OF_RANGE = "spec.out_of_range"
    OPTIONS_REQUIRED = "spec.options_required"
    OPTION_COUNT = "spec.option_count"
    DUPLICATE_OPTION = "spec.duplicate_option"
    OPTION_SEPARATOR = "spec.option_separator"
    NOT_APPLICABLE = "spec.not_applicable"
    BAD_RANGE = "spec.bad_range"
    TOO_DEEP = "spec.too_deep"


MAX_NAME = 100
MAX_QUESTION = 500  # leaves room in a 1024-character Telegram caption for the item text
MAX_INSTRUCTIONS = 3000
MAX_OPTION = 40  # an inline button shows about this much on a phone
MIN_OPTIONS, MAX_OPTIONS = 2, 20
OVERLAP_RANGE = (1, 50)
GOLD_RATE_RANGE = (0.0, 0.5)
ADAPTIVE_TARGET_RANGE = (0.5, 0.999)
TIME_LIMIT_RANGE = (30, 86_400)
MAX_REWARD = 1e9
MAX_CURRENCY = 10
CHOICE_ONLY_METHODS = frozenset({Method.DAWID_SKENE, Method.ONE_COIN})
FIELDS = frozenset(
    {
        "name",
        "question",
        "answer_type",
        "options",
        "instructions",
        "overlap",
        "min_overlap",
        "confidence_target",
        "gold_rate",
        "time_limit",
        "reward",
        "currency",
        "number",
        "aggregation",
        "quality",  # annotation.intake.quality_table
        "questions",  # annotation.intake.spec_questions
    }
) | SPEC_KEYS  # the keys only one kind reads (annotation/kinds/)


class FieldReader:
    """Reads typed fields from a decoded spec table, recording problems instead of raising."""

    def __init__(self, data: Mapping[str, object], lines: Mapping[str, int]) -> None:
        self.data = data
        self.lines = lines
        self.problems: list[Problem] = []

    def has(self, field: str) -> bool:
        """Return whether the table gives ``field``."""
        return field in self.data

    def problem(self, code: SpecProblem, field: str, **params: object) -> None:
        """Record a problem of ``field`` (enum params are stored as plain strings)."""
        clean = {k: str(v) if isinstance(v, StrEnum) else v for k, v in params.items()}
        self.problems.append(Problem(code, _line_of(self.lines, field), field, clean))

    def _clean(self, field: str, value: str, limit: int, fold: bool = False) -> str | None:
        text = normalize_text(value) if fold else value.strip()
        if not text:
            self.problem(SpecProblem.EMPTY, field)
            return None
        if len(text) > limit:
            self.problem(SpecProblem.TOO_LONG, field, length=len(text), limit=limit)
            return None
        return text

    def text(self, field: str, *, limit: int, required: bool) -> str | None:
        """Read a stripped, non-empty string of at most ``limit`` characters."""
        value = self.data.get(field)
        if value is None:
            if required:
                self.problem(SpecProblem.MISSING_FIELD, field)
            return None
        if not isinstance(value, str):
            self.problem(SpecProblem.WRONG_TYPE, field, expected="string")
            return None
        return self._clean(field, value, limit)

    def language_tag(self, field: str) -> str | None:
        """Read an optional BCP 47 language tag (``mg``, ``fr``, ``mg-MG``) in its usual
        case."""
        text = self.text(field, limit=MAX_LANGUAGE_TAG, required=False)
        if text is None:
            return None
        tag = language_tag(text)
        if tag is None:
            self.problem(SpecProblem.BAD_LANGUAGE_TAG, field, value=text)
        return tag

    def localized(self, field: str, *, limit: int, required: bool) -> LocalizedText | None:
        """Read a string (English) or a table of language -> string."""
        value = self.data.get(field)
        if value is None:
            if required:
                self.problem(SpecProblem.MISSING_FIELD, field)
            return None
        if isinstance(value, str):
            text = self._clean(field, value, limit)
            return LocalizedText({"en": text}) if text else None
        if not isinstance(value, Mapping) or not value:
            self.problem(SpecProblem.WRONG_TYPE, field, expected="string_or_table")
            return None
        texts: dict[str, str] = {}
        for language, entry in value.items():
            where = f"{field}.{language}"
            if language not in LANGUAGES:
                self.problem(
                    SpecProblem.UNKNOWN_LANGUAGE, where, language=language, allowed=list(LANGUAGES)
                )
            elif not isinstance(entry, str):
                self.problem(SpecProblem.WRONG_TYPE, where, expected="string")
            elif (text := self._clean(where, entry, limit)) is not None:
                texts[language] = text
        return LocalizedText(texts) if texts else None

    def enum(self, field: str, kind: type[_E], default: _E | None) -> _E | None:
        """Read one of an enum's values (required when ``default`` is None)."""
        value = self.data.get(field)
        if value is None:
            if default is None:
                self.problem(SpecProblem.MISSING_FIELD, field)
            return default
        allowed = [str(member) for member in kind]
        if not isinstance(value, str) or value.strip() not in allowed:
            self.problem(SpecProblem.UNKNOWN_VALUE, field, value=str(value), allowed=allowed)
            return None
        return kind(value.strip())

    def flag(self, field: str, default: bool) -> bool:
        """Read a boolean (``true`` or ``false``)."""
        value = self.data.get(field, default)
        if not isinstance(value, bool):
            self.problem(SpecProblem.WRONG_TYPE, field, expected="boolean")
            return default
        return value

    def integer(self, field: str, default: int, bounds: tuple[int, int]) -> int:
        """Read an integer within inclusive ``bounds``."""
        value = self.data.get(field, default)
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(SpecProblem.WRONG_TYPE, field, expected="integer")
            return default
        if not bounds[0] <= value <= bounds[1]:
            self.problem(
                SpecProblem.OUT_OF_RANGE, field, value=value, minimum=bounds[0], maximum=bounds[1]
            )
            return default
        return value

    def number(self, field: str, default: float, bounds: tuple[float, float] | None) -> float:
        """Read a finite integer or float within inclusive ``bounds``."""
        value = self.data.get(field, default)
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.problem(SpecProblem.WRONG_TYPE, field, expected="number")
            return default
        low, high = bounds if bounds else (-math.inf, math.inf)
        if not math.isfinite(value) or not low <= value <= high:
            self.problem(
                SpecProblem.OUT_OF_RANGE,
                field,
                value=value,
                minimum=bounds[0] if bounds else None,
                maximum=bounds[1] if bounds else None,
            )
            return default
        return float(value)

    def options(self, answer_type: AnswerType | None) -> tuple[str, ...]:
        """Read the answer options a choice question needs (and others must not have)."""
        value = self.data.get("options")
        if answer_type not in (AnswerType.SINGLE, AnswerType.MULTI):
            if value is not None and answer_type is not None:
                self.problem(SpecProblem.NOT_APPLICABLE, "options", answer_type=answer_type)
            return ()
        if value is None:
            self.problem(SpecProblem.OPTIONS_REQUIRED, "options", answer_type=answer_type)
            return ()
        if not isinstance(value, list):
            self.problem(SpecProblem.WRONG_TYPE, "options", expected="list")
            return ()
        if not MIN_OPTIONS <= len(value) <= MAX_OPTIONS:
            self.problem(
                SpecProblem.OPTION_COUNT,
                "options",
                count=len(value),
                minimum=MIN_OPTIONS,
                maximum=MAX_OPTIONS,
            )
        options: list[str] = []
        seen: set[str] = set()
        for entry in value:
            if not isinstance(entry, str):
                self.problem(SpecProblem.WRONG_TYPE, "options", expected="string")
                continue
            option = self._clean("options", entry, MAX_OPTION, fold=True)
            if option is None:
                continue
            if MULTI_SEPARATOR in option:
                self.problem(
                    SpecProblem.OPTION_SEPARATOR, "options", value=option, separator=MULTI_SEPARATOR
                )
            elif option.casefold() in seen:
                self.problem(SpecProblem.DUPLICATE_OPTION, "options", value=option)
            seen.add(option.casefold())
            options.append(option)
        return tuple(options)

    def names(self, field: str, *, limit: int, bounds: tuple[int, int]) -> tuple[str, ...]:
        """Read a required list of distinct short names (a kind's classes), each stripped
        and its white space folded."""
        value = self.data.get(field)
        if value is None:
            self.problem(SpecProblem.MISSING_FIELD, field)
            return ()
        if not isinstance(value, list):
            self.problem(SpecProblem.WRONG_TYPE, field, expected="list")
            return ()
        if not bounds[0] <= len(value) <= bounds[1]:
            self.problem(SpecProblem.OPTION_COUNT, field, count=len(value), minimum=bounds[0],
                         maximum=bounds[1])
        names: list[str] = []
        for entry in value:
            if not isinstance(entry, str):
                self.problem(SpecProblem.WRONG_TYPE, field, expected="string")
                continue
            name = self._clean(field, entry, limit, fold=True)
            if name is None:
                continue
            if name.casefold() in (known.casefold() for known in names):
                self.problem(SpecProblem.DUPLICATE_OPTION, field, value=name)
                continue
            names.append(name)
        return tuple(names)

    def number_range(self, answer_type: AnswerType | None) -> NumberRange:
        """Read the ``[number]`` table of a number question."""
        value = self.data.get("number")
        if value is None:
            return NumberRange()
        if answer_type is not AnswerType.NUMBER:
            if answer_type is not None:
                self.problem(SpecProblem.NOT_APPLICABLE, "number", answer_type=answer_type)
            return NumberRange()
        if not isinstance(value, Mapping):
            self.problem(SpecProblem.WRONG_TYPE, "number", expected="table")
            return NumberRange()
        for key in value:
            if key not in ("min", "max"):
                self.problem(SpecProblem.UNKNOWN_FIELD, f"number.{key}")
        sub = FieldReader(
            value, {k[7:]: n for k, n in self.lines.items() if k.startswith("number.")}
        )
        low = sub.number("min", math.nan, None) if "min" in value else None
        high = sub.number("max", math.nan, None) if "max" in value else None
        self.problems += [prefixed(p, "number.", self.lines) for p in sub.problems]
        low = None if low is None or math.isnan(low) else low
        high = None if high is None or math.isnan(high) else high
        if low is not None and high is not None and low > high:
            self.problem(SpecProblem.BAD_RANGE, "number", minimum=low, maximum=high)
        return NumberRange(low, high)


def prefixed(problem: Problem, prefix: str, lines: Mapping[str, int]) -> Problem:
    """Return a sub-table's problem with its field named from the spec's top level."""
    field = prefix + (problem.field or "")
    line = lines.get(field) or problem.line or _line_of(lines, field)  # else its table's
    return Problem(problem.code, line, field, problem.params)


def _line_of(lines: Mapping[str, int], field: str) -> int | None:
    """Return the line of ``field``, else of its first sub-key, else of its table."""
    if field in lines:
        return lines[field]
    starts = [n for key, n in lines.items() if key.startswith(field + ".")]
    if starts:
        return min(starts)
    parent = field.rpartition(".")[0]
    return _line_of(lines, parent) if parent else None
