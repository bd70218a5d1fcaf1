"""The guided project conversation as a pure state machine.

Instead of writing TOML, a coordinator answers one question at a time: name, question,
answer type, options (single and multiple choice only), overlap, gold rate (percent) and
time limit (minutes). Each answer is validated by the spec parser itself (the answers so
far plus neutral placeholders for the fields still to come), so the rules and problem codes
are exactly those of a TOML spec. A bad answer raises ``ValidationFailed`` and leaves the
state as it was; after the last step :attr:`GuidedSpec.spec` is the finished spec.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from annotation.errors import Problem, ValidationFailed
from annotation.intake.spec import spec_from_mapping
from annotation.intake.spec_fields import SpecProblem
from annotation.models import AnswerType, ProjectSpec


class GuidedStep(StrEnum):
    """The question being asked."""

    NAME = "name"
    QUESTION = "question"
    ANSWER_TYPE = "answer_type"
    OPTIONS = "options"
    OVERLAP = "overlap"
    GOLD_RATE = "gold_rate"
    TIME_LIMIT = "time_limit"
    DONE = "done"


_ORDER = tuple(GuidedStep)
_PLACEHOLDERS: dict[str, object] = {"name": "-", "question": "-", "answer_type": "text"}
_SPLIT = re.compile(r"\s*(?:\n|,|;)\s*")
SUGGESTIONS: dict[GuidedStep, tuple[str, ...]] = {
    GuidedStep.ANSWER_TYPE: tuple(t.value for t in AnswerType),
    GuidedStep.OVERLAP: ("1", "3", "5"),
    GuidedStep.GOLD_RATE: ("0", "10", "20"),
    GuidedStep.TIME_LIMIT: ("5", "10", "30"),
}


@dataclass(frozen=True, slots=True)
class GuidedSpec:
    """Where the conversation stands and the answers given so far (spec keys)."""

    step: GuidedStep = GuidedStep.NAME
    answers: Mapping[str, object] = field(default_factory=dict)

    @property
    def spec(self) -> ProjectSpec:
        """Return the finished spec (only once ``step`` is DONE)."""
        if self.step is not GuidedStep.DONE:
            raise ValueError("the conversation is not finished")
        return spec_from_mapping(dict(self.answers))


def _number(text: str, step: GuidedStep) -> float:
    cleaned = text.strip().rstrip("%").replace(",", ".").strip()
    try:
        return float(cleaned)
    except ValueError:
        expected = "number" if step is GuidedStep.GOLD_RATE else "integer"
        raise ValidationFailed([Problem(SpecProblem.WRONG_TYPE, field=step.value,
                                        params={"expected": expected})]) from None


def _value(step: GuidedStep, text: str) -> object:
    """Turn a typed answer into the spec value of ``step``."""
    text = text.strip()
    if step is GuidedStep.ANSWER_TYPE:
        return text.lower().replace("/", "_").replace("-", "_").replace(" ", "_")
    if step is GuidedStep.OPTIONS:
        return [part for part in _SPLIT.split(text) if part]
    if step is GuidedStep.OVERLAP:
        number = _number(text, step)
        return int(number) if number.is_integer() else number
    if step is GuidedStep.GOLD_RATE:
        return _number(text, step) / 100
    if step is GuidedStep.TIME_LIMIT:
        return round(_number(text, step) * 60)
    return text


def _next(step: GuidedStep, answers: Mapping[str, object]) -> GuidedStep:
    following = _ORDER[_ORDER.index(step) + 1]
    needs_options = answers.get("answer_type") in (AnswerType.SINGLE, AnswerType.MULTI)
    if following is GuidedStep.OPTIONS and not needs_options:
        return GuidedStep.OVERLAP
    return following


def advance(state: GuidedSpec, text: str) -> GuidedSpec:
    """Take the answer to the current question; raise every problem it has."""
    if state.step is GuidedStep.DONE:
        return state
    key = state.step.value
    answers = {**state.answers, key: _value(state.step, text)}
    trial = {**_PLACEHOLDERS, **answers}
    if "options" not in answers and trial["answer_type"] in (AnswerType.SINGLE,
                                                             AnswerType.MULTI):
        trial["options"] = ["a", "b"]  # checked at the next step
    try:
        spec_from_mapping(trial)
    except ValidationFailed as exc:
        mine = [p for p in exc.problems if (p.field or "").split(".")[0] == key]
        if mine:
            raise ValidationFailed(mine) from None
    return GuidedSpec(_next(state.step, answers), answers)
