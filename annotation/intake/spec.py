"""Project specs' codec: a coordinator's TOML turned into a ``ProjectSpec`` and written
back, and the JSON form storage keeps (``spec_to_json``/``spec_from_json``). The
``[quality]`` table's reader and both its forms live beside the quality settings
(``annotation.intake.quality_table``).

``parse_spec`` collects every problem before giving up and raises them together as
``ValidationFailed``; each ``Problem`` names its field (dotted, e.g. ``number.min``) and, when
the key can be found in the text, its line. Problem codes (``SpecProblem``) and their params:

- ``spec.syntax``          not TOML; line, column
- ``spec.encoding``        the file is not UTF-8 (``parse_spec_bytes`` only)
- ``spec.missing_field``   a required key is absent
- ``spec.unknown_field``   a key annobot does not know (typo protection)
- ``spec.wrong_type``      expected: ``string`` | ``integer`` | ``number`` | ``list`` |
                           ``string_or_table``
- ``spec.empty``           a text or option is blank
- ``spec.too_long``        length, limit
- ``spec.unknown_language`` language, allowed
- ``spec.bad_language_tag`` value (a recording project's ``language``: not a BCP 47 tag)
- ``spec.unknown_value``   value, allowed (answer_type, aggregation)
- ``spec.out_of_range``    value, minimum, maximum (either may be None)
- ``spec.options_required`` answer_type (single and multi need ``options``)
- ``spec.option_count``    count, minimum, maximum
- ``spec.duplicate_option`` value (compared ignoring case)
- ``spec.option_separator`` value, separator (``|`` joins multiple-choice answers)
- ``spec.not_applicable``  answer_type (``options`` or ``[number]`` given for a type that
                           ignores them; ``aggregation`` that needs choices)
- ``spec.bad_range``       minimum, maximum (``number.min`` > ``number.max``)
- ``spec.too_deep``        lists or tables nested too deeply to read (no spec needs it)
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from collections.abc import Mapping
from typing import Any

from annotation.aggregation.dispatch import DEFAULT_METHOD
from annotation.aggregation.models import Method
from annotation.aggregation.overlap import OverlapPolicy
from annotation.errors import Problem, ValidationFailed
from annotation.intake.quality_table import (
    quality_from_dict,
    quality_to_dict,
    quality_to_toml,
    read_quality,
)
from annotation.intake.spec_fields import (
    ADAPTIVE_TARGET_RANGE,
    CHOICE_ONLY_METHODS,
    FIELDS,
    GOLD_RATE_RANGE,
    MAX_CURRENCY,
    MAX_INSTRUCTIONS,
    MAX_NAME,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_QUESTION,
    MAX_REWARD,
    MIN_OPTIONS,
    OVERLAP_RANGE,
    TIME_LIMIT_RANGE,
    FieldReader,
    SpecProblem,
)
from annotation.intake.spec_questions import (
    questions_from_list,
    questions_to_list,
    questions_to_toml,
    read_questions,
)
from annotation.kinds.registry import KINDS, SPEC_KEYS
from annotation.models import (
    AnswerType,
    LocalizedText,
    MarkRules,
    NumberRange,
    ProjectSpec,
    Scale,
)

__all__ = [
    "MAX_OPTION",
    "MAX_OPTIONS",
    "MAX_QUESTION",
    "MIN_OPTIONS",
    "SpecProblem",
    "parse_spec",
    "parse_spec_bytes",
    "spec_from_json",
    "spec_from_mapping",
    "spec_to_json",
    "spec_to_toml",
]

FIXED_OVERLAP = 3  # ``overlap`` when not given and adaptive overlap is off
OVERLAP_KEYS = ("overlap", "min_overlap", "confidence_target")
# A single-choice or yes/no spec that sets none of OVERLAP_KEYS gets adaptive overlap with
# the settings benchmarks/quality_cost.py supports (docs/QUALITY.md); ``overlap`` alone
# asks for that many answers per item, as before.
ADAPTIVE_DEFAULT = OverlapPolicy(min_overlap=2, max_overlap=5, confidence_target=0.95)

_LOCATION = re.compile(r"\(at line (\d+), column (\d+)\)")
_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")


def parse_spec(text: str) -> ProjectSpec:
    """Parse a project spec from TOML text, raising ValidationFailed with every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationFailed([_syntax_problem(text, exc)]) from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ValidationFailed([Problem(SpecProblem.TOO_DEEP)]) from None
    return spec_from_mapping(data, _key_lines(text))


def parse_spec_bytes(data: bytes) -> ProjectSpec:
    """Parse a project spec from UTF-8 bytes (a byte-order mark is allowed)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationFailed([Problem(SpecProblem.ENCODING, line)]) from None
    return parse_spec(text)


def spec_from_mapping(
    data: Mapping[str, object], lines: Mapping[str, int] | None = None
) -> ProjectSpec:
    """Validate an already decoded spec table (``lines`` maps dotted keys to line numbers)."""
    reader = FieldReader(data, lines or {})
    for key in data:
        if key not in FIELDS:
            reader.problem(SpecProblem.UNKNOWN_FIELD, key)
    name = reader.text("name", limit=MAX_NAME, required=True)
    question = reader.localized("question", limit=MAX_QUESTION, required=True)
    instructions = reader.localized("instructions", limit=MAX_INSTRUCTIONS, required=False)
    answer_type = reader.enum("answer_type", AnswerType, None)
    free_answers = answer_type in (AnswerType.TEXT, AnswerType.NUMBER, AnswerType.TRANSCRIPT,
                                   AnswerType.BOXES, AnswerType.SPANS)
    # the default method is the benchmark's winner (docs/AGGREGATION.md) where it applies
    aggregation = reader.enum("aggregation", Method,
                              Method.MAJORITY if free_answers else DEFAULT_METHOD)
    options = reader.options(answer_type)
    number_range = reader.number_range(answer_type)
    if free_answers and aggregation in CHOICE_ONLY_METHODS:
        reader.problem(SpecProblem.NOT_APPLICABLE, "aggregation", answer_type=answer_type)
    adaptive_default = (answer_type in (AnswerType.SINGLE, AnswerType.YES_NO)
                        and not any(key in data for key in OVERLAP_KEYS))
    overlap = reader.integer("overlap", ADAPTIVE_DEFAULT.max_overlap if adaptive_default
                             else FIXED_OVERLAP, OVERLAP_RANGE)
    min_overlap, confidence_target = _adaptive(reader, overlap, answer_type)
    if adaptive_default:
        min_overlap = ADAPTIVE_DEFAULT.min_overlap
        confidence_target = ADAPTIVE_DEFAULT.confidence_target
    gold_rate = reader.number("gold_rate", 0.1, GOLD_RATE_RANGE)
    time_limit = reader.integer("time_limit", 600, TIME_LIMIT_RANGE)
    reward = reader.number("reward", 0.0, (0.0, MAX_REWARD))
    currency = reader.text("currency", limit=MAX_CURRENCY, required=False) or "MGA"
    quality = read_quality(reader)
    scale = _scale(reader, answer_type)
    questions = read_questions(reader, answer_type)
    if reader.problems or name is None or question is None or answer_type is None:
        raise ValidationFailed(sorted(reader.problems, key=lambda p: p.line or 1 << 30))
    return ProjectSpec(
        name=name,
        question=question,
        answer_type=answer_type,
        options=options,
        instructions=instructions or LocalizedText({}),
        overlap=overlap,
        min_overlap=min_overlap,
        confidence_target=confidence_target,
        gold_rate=gold_rate,
        time_limit_seconds=time_limit,
        reward=reward,
        currency=currency,
        number_range=number_range,
        aggregation=str(aggregation),
        quality=quality,
        scale=scale,
        questions=questions,
    )


def _scale(reader: FieldReader, answer_type: AnswerType | None) -> Scale | None:
    """Read the keys only the spec's kind reads; refuse another kind's keys."""
    kind = KINDS.get(str(answer_type)) if answer_type is not None else None
    own = kind.spec_keys if kind is not None else ()
    for key in sorted(SPEC_KEYS.difference(own)):
        if key in reader.data:
            reader.problem(SpecProblem.NOT_APPLICABLE, key, answer_type=answer_type)
    return kind.read_scale(reader) if kind is not None else None


def _adaptive(reader: FieldReader, overlap: int, answer_type: AnswerType | None
              ) -> tuple[int | None, float | None]:
    """Read adaptive overlap: both ``min_overlap`` and ``confidence_target``, or neither."""
    given = [key for key in ("min_overlap", "confidence_target") if key in reader.data]
    if not given:
        return None, None
    if len(given) == 1:
        other = "confidence_target" if given == ["min_overlap"] else "min_overlap"
        reader.problem(SpecProblem.MISSING_FIELD, other)
        return None, None
    if answer_type in (AnswerType.TEXT, AnswerType.NUMBER, AnswerType.MULTI,
                       AnswerType.QUESTIONS, AnswerType.TRANSCRIPT, AnswerType.BOXES,
                       AnswerType.SPANS):
        reader.problem(SpecProblem.NOT_APPLICABLE, "min_overlap", answer_type=answer_type)
    minimum = reader.integer("min_overlap", 1, (1, max(1, overlap)))
    target = reader.number("confidence_target", 0.9, ADAPTIVE_TARGET_RANGE)
    return minimum, target


def spec_to_toml(spec: ProjectSpec) -> str:
    """Write ``spec`` as TOML that ``parse_spec`` reads back to an equal spec."""
    out = [f"name = {_toml_string(spec.name)}", f"answer_type = {_toml_string(spec.answer_type)}"]
    if spec.options:
        out.append(f"options = [{', '.join(_toml_string(o) for o in spec.options)}]")
    out += [
        f"overlap = {spec.overlap}",
        *([f"min_overlap = {spec.min_overlap}",
           f"confidence_target = {float(spec.confidence_target)!r}"]
          if spec.min_overlap is not None and spec.confidence_target is not None else []),
        f"gold_rate = {float(spec.gold_rate)!r}",
        f"time_limit = {spec.time_limit_seconds}",
        f"reward = {float(spec.reward)!r}",
        f"currency = {_toml_string(spec.currency)}",
        f"aggregation = {_toml_string(spec.aggregation)}",
        *_scale_to_toml(spec),
    ]
    tables: list[str] = []
    for key, localized in (("question", spec.question), ("instructions", spec.instructions)):
        if set(localized.texts) == {"en"}:
            out.append(f"{key} = {_toml_string(localized.texts['en'])}")
        elif localized.texts:
            tables += ["", f"[{key}]"]
            tables += [f"{lang} = {_toml_string(t)}" for lang, t in localized.texts.items()]
    bounds = spec.number_range
    if spec.answer_type is AnswerType.NUMBER and (bounds.minimum, bounds.maximum) != (None, None):
        tables += ["", "[number]"]
        for key, value in (("min", bounds.minimum), ("max", bounds.maximum)):
            if value is not None:
                tables.append(f"{key} = {float(value)!r}")
    tables += quality_to_toml(spec.quality)
    tables += questions_to_toml(spec.questions, _toml_string)
    return "\n".join(out + tables) + "\n"


def _scale_to_toml(spec: ProjectSpec) -> list[str]:
    if spec.scale is None:
        return []
    return KINDS[str(spec.answer_type)].scale_toml(spec.scale, _toml_string)


def spec_to_json(spec: ProjectSpec) -> str:
    """Serialize a spec as the JSON stored in the ``projects.spec`` column."""
    payload: dict[str, Any] = {
        "name": spec.name,
        "question": dict(spec.question.texts),
        "answer_type": spec.answer_type.value,
        "options": list(spec.options),
        "instructions": dict(spec.instructions.texts),
        "overlap": spec.overlap,
        "min_overlap": spec.min_overlap,
        "confidence_target": spec.confidence_target,
        "gold_rate": spec.gold_rate,
        "time_limit_seconds": spec.time_limit_seconds,
        "reward": spec.reward,
        "currency": spec.currency,
        "number_range": [spec.number_range.minimum, spec.number_range.maximum],
        "aggregation": spec.aggregation,
        "quality": quality_to_dict(spec.quality),
    }
    if spec.scale is not None:
        payload["scale"] = _scale_to_dict(spec.scale)
    if spec.questions:
        payload["questions"] = questions_to_list(spec.questions, _scale_to_dict)
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


def _scale_to_dict(scale: Scale) -> dict[str, Any]:
    return {"points": scale.points, "labels": list(scale.labels), "start": scale.start,
            "tie": scale.tie, "low": dict(scale.low.texts) if scale.low else None,
            "high": dict(scale.high.texts) if scale.high else None,
            "min_seconds": scale.min_seconds, "max_seconds": scale.max_seconds,
            "source": scale.source, "max_cer": scale.max_cer, "numbers": scale.numbers,
            "case": scale.case, "punctuation": scale.punctuation,
            "consensus": scale.consensus,
            "language": scale.language,
            "marks": dataclasses.asdict(scale.marks) if scale.marks else None}


def _scale_from_dict(data: Mapping[str, Any] | None) -> Scale | None:
    if data is None:
        return None
    return Scale(points=data["points"], labels=tuple(data["labels"]), start=data["start"],
                 tie=data["tie"], low=LocalizedText(data["low"]) if data["low"] else None,
                 high=LocalizedText(data["high"]) if data["high"] else None,
                 min_seconds=data.get("min_seconds"), max_seconds=data.get("max_seconds"),
                 source=data.get("source"), language=data.get("language"),
                 max_cer=data.get("max_cer"),
                 numbers=data.get("numbers"), case=data.get("case"),
                 punctuation=data.get("punctuation"), consensus=data.get("consensus"),
                 marks=MarkRules(**data["marks"]) if data.get("marks") else None)


def spec_from_json(text: str) -> ProjectSpec:
    """Rebuild a spec stored by :func:`spec_to_json` (trusted: it was validated once)."""
    data = json.loads(text)
    low, high = data["number_range"]
    return ProjectSpec(
        name=data["name"],
        question=LocalizedText(data["question"]),
        answer_type=AnswerType(data["answer_type"]),
        options=tuple(data["options"]),
        instructions=LocalizedText(data["instructions"]),
        overlap=data["overlap"],
        min_overlap=data.get("min_overlap"),
        confidence_target=data.get("confidence_target"),
        gold_rate=data["gold_rate"],
        time_limit_seconds=data["time_limit_seconds"],
        reward=data["reward"],
        currency=data["currency"],
        number_range=NumberRange(low, high),
        aggregation=data["aggregation"],
        quality=quality_from_dict(data.get("quality")),
        scale=_scale_from_dict(data.get("scale")),
        questions=questions_from_list(data.get("questions"), _scale_from_dict),
    )


def _syntax_problem(text: str, exc: tomllib.TOMLDecodeError) -> Problem:
    match = _LOCATION.search(str(exc))
    if match:
        return Problem(SpecProblem.SYNTAX, int(match[1]), None, {"column": int(match[2])})
    last = max(1, len(text.splitlines()))  # "at end of document"
    return Problem(SpecProblem.SYNTAX, last, None, {"column": None})


def _key_lines(text: str) -> dict[str, int]:
    """Map dotted keys to the first line declaring them (best effort, for messages)."""
    lines: dict[str, int] = {}
    table = ""
    arrays: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if array := _ARRAY_HEADER.match(line):  # [[questions]]: questions.1, questions.2…
            name = array[1].strip().replace('"', "")
            arrays[name] = arrays.get(name, 0) + 1
            table = f"{name}.{arrays[name]}"
            lines.setdefault(name, number)
            lines.setdefault(table, number)
        elif header := _HEADER.match(line):
            table = re.sub(r"\s*\.\s*", ".", header[1].strip("[] ")).replace('"', "")
            lines.setdefault(table, number)
        elif key := _KEY.match(line):
            dotted = re.sub(r"\s*\.\s*", ".", key[1])
            lines.setdefault(f"{table}.{dotted}" if table else dotted, number)
    return lines


def _toml_string(value: str) -> str:
    """Return ``value`` as a TOML basic string (multi-line when it holds newlines)."""
    multiline = "\n" in value
    out = []
    for char in value:
        if char == "\\" or char == '"':
            out.append("\\" + char)
        elif char == "\n" and multiline:
            out.append(char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    body = "".join(out)
    return f'"""\n{body}"""' if multiline else f'"{body}"'
