"""``[[questions]]``: each problem named by its dotted field and line, the rest read."""

from __future__ import annotations

import pytest

from annotation.errors import ValidationFailed
from annotation.intake.spec import parse_spec, spec_from_json, spec_to_json, spec_to_toml
from annotation.intake.spec_fields import SpecProblem
from annotation.models import AnswerType

HEAD = 'name = "n"\nquestion = "q"\nanswer_type = "questions"\n'
RATE = '[[questions]]\nkey = "{key}"\nquestion = "Q {key}?"\nanswer_type = "rating"\n'
PAIR = '[[questions]]\nkey = "{key}"\nquestion = "Better?"\nanswer_type = "pairwise"\n'


def problems(text: str) -> set[tuple[str, str | None, int | None]]:
    with pytest.raises(ValidationFailed) as refused:
        parse_spec(text)
    return {(str(p.code), p.field, p.line) for p in refused.value.problems}


def test_a_spec_of_several_questions_is_read_and_written_back() -> None:
    text = HEAD + RATE.format(key="fluent") + 'points = 4\nstart = 0\nlow = "bad"\neach = true\n' \
        + PAIR.format(key="pref") + "tie = true\n"
    spec = parse_spec(text)
    assert [(q.key, q.answer_type, q.each) for q in spec.questions] == [
        ("fluent", AnswerType.RATING, True), ("pref", AnswerType.PAIRWISE, False)]
    assert spec.questions[0].scale is not None and spec.questions[0].scale.labels[0] == "0"
    assert parse_spec(spec_to_toml(spec)) == spec == spec_from_json(spec_to_json(spec))


@pytest.mark.parametrize(("text", "expected"), [
    (HEAD, {("spec.missing_field", "questions", None)}),
    (HEAD + 'questions = "helpful"\n', {("spec.wrong_type", "questions", 4)}),
    (HEAD + "".join(RATE.format(key=f"k{n}") for n in range(7)),
     {("spec.out_of_range", "questions", 4)}),
    (HEAD + RATE.format(key="Bad Key"), {("spec.unknown_value", "questions.1.key", 5)}),
    (HEAD + RATE.format(key="a") + RATE.format(key="a"),
     {("spec.duplicate_option", "questions.2.key", 9)}),
    (HEAD + RATE.format(key="a").replace("rating", "text"),
     {("spec.unknown_value", "questions.1.answer_type", 7)}),
    (HEAD + RATE.format(key="a") + "each = true\n",
     {("spec.not_applicable", "questions.1.each", 8)}),
    (HEAD + PAIR.format(key="a") + "each = true\n",
     {("spec.not_applicable", "questions.1.each", 8)}),
    (HEAD + PAIR.format(key="a") + PAIR.format(key="b"),
     {("spec.out_of_range", "questions", 4)}),
    (HEAD + RATE.format(key="a") + "tie = true\n", {("spec.unknown_field", "questions.1.tie", 8)}),
    (HEAD + RATE.format(key="a") + "points = 40\n",
     {("spec.out_of_range", "questions.1.points", 8)}),
    (HEAD + RATE.format(key="a").replace("rating", "single"),
     {("spec.options_required", "questions.1.options", 4)}),
    (HEAD + "min_overlap = 1\nconfidence_target = 0.9\n" + RATE.format(key="a"),
     {("spec.not_applicable", "min_overlap", 4)}),
    ('name = "n"\nquestion = "q"\nanswer_type = "yes_no"\n' + RATE.format(key="a"),
     {("spec.not_applicable", "questions", 4)}),
])
def test_each_problem_names_its_question_field_and_line(
        text: str, expected: set[tuple[str, str | None, int | None]]) -> None:
    assert problems(text) == expected


def test_every_code_used_here_exists() -> None:
    assert {"spec.duplicate_option", "spec.not_applicable"} <= {str(c) for c in SpecProblem}
