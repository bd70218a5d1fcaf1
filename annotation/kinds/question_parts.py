"""The parts of a several-question spec: each question (or question about one response)
an answer gives a label to, and the spec and kind it is answered under.

``annotation.kinds.questions`` walks them; ``annotation.kinds.question_tables`` exports
them. A question with ``each`` is two parts, ``key.a`` and ``key.b``, naming the responses
in the item's order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace

from annotation.kinds.base import TaskKind
from annotation.kinds.choice import ChoiceKind
from annotation.kinds.pairwise import PairwiseKind
from annotation.kinds.rating import RatingKind
from annotation.models import AnswerType, ProjectSpec, Question

# The one-tap kinds a question may have (each part is answered with its own kind).
PART_KINDS: Mapping[AnswerType, TaskKind] = {
    AnswerType.SINGLE: ChoiceKind("single"), AnswerType.YES_NO: ChoiceKind("yes_no"),
    AnswerType.RATING: RatingKind(), AnswerType.PAIRWISE: PairwiseKind()}
SIDES = ("a", "b")  # each-parts name the responses in the item's order


@dataclass(frozen=True, slots=True)
class Part:
    """One answer the walk asks for: a question, or a question about one response."""

    key: str  # "preference", or "helpful.a" for a question asked about each response
    question: Question
    spec: ProjectSpec  # the spec the part is answered under (its kind, labels, scale)
    side: int | None = None  # each: 0 the item's first response, 1 its second


def part_spec(spec: ProjectSpec, question: Question) -> ProjectSpec:
    """Return the spec one question is answered under: the project's, narrowed to it."""
    return replace(spec, question=question.text, answer_type=question.answer_type,
                   options=question.options, scale=question.scale, questions=())


def all_parts(spec: ProjectSpec) -> tuple[Part, ...]:
    """Return every part in the spec's order (a question asked of each response: a, b)."""
    parts: list[Part] = []
    for question in spec.questions:
        narrowed = part_spec(spec, question)
        if question.each:
            parts += [Part(f"{question.key}.{SIDES[side]}", question, narrowed, side)
                      for side in (0, 1)]
        else:
            parts.append(Part(question.key, question, narrowed))
    return tuple(parts)


def comparison_question(spec: ProjectSpec) -> Question | None:
    """Return the spec's comparison question (its items are then prompt and responses)."""
    return next((q for q in spec.questions if q.answer_type is AnswerType.PAIRWISE), None)


def part_detail(detail: str, key: str) -> str:
    """Return one part's own detail from an answer's detail ("" when it has none)."""
    if not detail:
        return ""
    for entry in json.loads(detail).get("answered", ()):
        if entry[0] == key:
            return str(entry[3])
    return ""


def labels_of(value: str) -> Mapping[str, str]:
    """Return the label of each part an answer (or a gold answer) gives."""
    return dict(json.loads(value)) if value else {}
