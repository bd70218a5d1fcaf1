"""The ``[[questions]]`` of a several-question spec: read, checked and written back.

A spec with ``answer_type = "questions"`` lists 1 to ``MAX_QUESTIONS`` tables, each with a
``key`` (lower-case letters, digits and ``_``: it names the question in gold cells and
exports), a ``question`` (a string or a table by language), an ``answer_type`` among the
one-tap kinds (``single`` with its ``options``, ``yes_no``, ``rating`` with its scale keys,
``pairwise`` with its levels and tie: at most one), and ``each = true`` to ask it about each
response of the comparison. Problems are reported with the field's dotted name
(``questions.2.points``) and its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from annotation.intake.spec_fields import FieldReader, SpecProblem, prefixed
from annotation.kinds.question_parts import PART_KINDS
from annotation.models import AnswerType, LocalizedText, Question, Scale

MAX_QUESTIONS = 6
MAX_PART_QUESTION = 200  # the walk shows every question answered so far above the next
KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
OWN_KEYS = ("key", "question", "answer_type", "options", "each")


def read_questions(reader: FieldReader, answer_type: AnswerType | None
                   ) -> tuple[Question, ...]:
    """Read ``[[questions]]`` (only a several-question spec may have them)."""
    value = reader.data.get("questions")
    if answer_type is not AnswerType.QUESTIONS:
        if value is not None and answer_type is not None:
            reader.problem(SpecProblem.NOT_APPLICABLE, "questions", answer_type=answer_type)
        return ()
    if value is None:
        reader.problem(SpecProblem.MISSING_FIELD, "questions")
        return ()
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        reader.problem(SpecProblem.WRONG_TYPE, "questions", expected="list")
        return ()
    if not 1 <= len(value) <= MAX_QUESTIONS:
        reader.problem(SpecProblem.OUT_OF_RANGE, "questions", value=len(value), minimum=1,
                       maximum=MAX_QUESTIONS)
        return ()
    questions = [q for n, table in enumerate(value, start=1)
                 if (q := _question(reader, table, n)) is not None]
    _check_together(reader, questions)
    return tuple(questions)


def _question(reader: FieldReader, table: Mapping[str, object], n: int) -> Question | None:
    prefix = f"questions.{n}."
    sub = FieldReader(table, {k[len(prefix):]: line for k, line in reader.lines.items()
                              if k.startswith(prefix)})
    key = sub.text("key", limit=32, required=True)
    if key is not None and not KEY.fullmatch(key):
        sub.problem(SpecProblem.UNKNOWN_VALUE, "key", value=key, allowed=["a-z 0-9 _"])
        key = None
    text = sub.localized("question", limit=MAX_PART_QUESTION, required=True)
    answer_type = sub.enum("answer_type", AnswerType, None)
    if answer_type is not None and answer_type not in PART_KINDS:
        sub.problem(SpecProblem.UNKNOWN_VALUE, "answer_type", value=str(answer_type),
                    allowed=[str(t) for t in PART_KINDS])
        answer_type = None
    kind = PART_KINDS.get(answer_type) if answer_type is not None else None
    for field in table:
        if field not in OWN_KEYS and (kind is None or field not in kind.spec_keys):
            sub.problem(SpecProblem.UNKNOWN_FIELD, field)
    options = sub.options(answer_type)
    scale = kind.read_scale(sub) if kind is not None else None
    each = sub.flag("each", False)
    if each and answer_type is AnswerType.PAIRWISE:
        sub.problem(SpecProblem.NOT_APPLICABLE, "each", answer_type=answer_type)
    reader.problems += [prefixed(p, prefix, reader.lines) for p in sub.problems]
    if sub.problems or key is None or text is None or answer_type is None:
        return None
    return Question(key, text, answer_type, options, scale, each)


def _check_together(reader: FieldReader, questions: list[Question]) -> None:
    """Refuse a key given twice, a second comparison, and ``each`` without a comparison."""
    seen: set[str] = set()
    for n, question in enumerate(questions, start=1):
        if question.key in seen:
            reader.problem(SpecProblem.DUPLICATE_OPTION, f"questions.{n}.key",
                           value=question.key)
        seen.add(question.key)
    comparisons = [q for q in questions if q.answer_type is AnswerType.PAIRWISE]
    if len(comparisons) > 1:
        reader.problem(SpecProblem.OUT_OF_RANGE, "questions", value=len(comparisons),
                       minimum=0, maximum=1)
    if not comparisons:
        for n, question in enumerate(questions, start=1):
            if question.each:
                reader.problem(SpecProblem.NOT_APPLICABLE, f"questions.{n}.each",
                               answer_type=question.answer_type)


def questions_to_toml(questions: tuple[Question, ...], quote: Callable[[str], str]
                      ) -> list[str]:
    """Write ``[[questions]]`` tables that ``read_questions`` reads back equal."""
    lines: list[str] = []
    for question in questions:
        lines += ["", "[[questions]]", f"key = {quote(question.key)}",
                  f"answer_type = {quote(question.answer_type)}",
                  f"question = {_inline(question.text, quote)}"]
        if question.options:
            lines.append(f"options = [{', '.join(quote(o) for o in question.options)}]")
        if question.scale is not None:
            lines += PART_KINDS[question.answer_type].scale_toml(question.scale, quote)
        if question.each:
            lines.append("each = true")
    return lines


def _inline(text: LocalizedText, quote: Callable[[str], str]) -> str:
    if set(text.texts) == {"en"}:
        return quote(text.texts["en"])
    return "{ " + ", ".join(f"{lang} = {quote(t)}" for lang, t in text.texts.items()) + " }"


def questions_to_list(questions: tuple[Question, ...],
                      scale_dict: Callable[[Scale], dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the questions as the JSON storage keeps."""
    return [{"key": q.key, "question": dict(q.text.texts), "answer_type": q.answer_type.value,
             "options": list(q.options), "each": q.each,
             "scale": scale_dict(q.scale) if q.scale is not None else None}
            for q in questions]


def questions_from_list(data: list[dict[str, Any]] | None,
                        scale_of: Callable[[Any], Scale | None]) -> tuple[Question, ...]:
    """Rebuild questions stored by :func:`questions_to_list`."""
    return tuple(Question(q["key"], LocalizedText(q["question"]), AnswerType(q["answer_type"]),
                          tuple(q["options"]), scale_of(q["scale"]), q["each"])
                 for q in data or ())
