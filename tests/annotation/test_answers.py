"""Canonical answers: numbers, yes/no words in three languages, choices and free text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotation.answers import MAX_TEXT_ANSWER, canonical_answer, is_correct
from annotation.errors import AnswerRejected, ErrorCode
from annotation.models import AnswerType, NumberRange, ProjectSpec
from tests.projects import make_spec

NUMBER = make_spec(answer_type=AnswerType.NUMBER, number_range=NumberRange(0, 100))
YES_NO = make_spec(answer_type=AnswerType.YES_NO)
SINGLE = make_spec(answer_type=AnswerType.SINGLE)
MULTI = make_spec(answer_type=AnswerType.MULTI, options=("red", "green", "blue"))
TEXT = make_spec(answer_type=AnswerType.TEXT)


@pytest.mark.parametrize(
    ("spec", "raw", "expected"),
    [
        (NUMBER, "2,5", "2.5"),
        (NUMBER, " 3 ", "3"),
        (NUMBER, "3.0", "3"),
        (NUMBER, "10,5", "10.5"),
        (NUMBER, "0", "0"),
        (YES_NO, "oui", "yes"),
        (YES_NO, "Eny", "yes"),
        (YES_NO, " YES ", "yes"),
        (YES_NO, "non", "no"),
        (YES_NO, "tsia", "no"),
        (YES_NO, "No", "no"),
        (SINGLE, "dog", "dog"),
        (SINGLE, "  CAT ", "cat"),
        (MULTI, "blue|red", "red|blue"),
        (MULTI, " green | red ", "red|green"),
        (MULTI, "red|red", "red"),
        (MULTI, "", ""),
        (TEXT, "  two   words\n here ", "two words here"),
        (TEXT, "cafe\u0301", "caf\u00e9"),
    ],
)
def test_canonical_answer(spec: ProjectSpec, raw: str, expected: str) -> None:
    assert canonical_answer(spec, raw) == expected


@pytest.mark.parametrize(
    ("spec", "raw", "code"),
    [
        (NUMBER, "abc", ErrorCode.NOT_A_NUMBER),
        (NUMBER, "inf", ErrorCode.NOT_A_NUMBER),
        (NUMBER, "nan", ErrorCode.NOT_A_NUMBER),
        (NUMBER, "", ErrorCode.NOT_A_NUMBER),
        (NUMBER, "100,5", ErrorCode.OUT_OF_RANGE),
        (NUMBER, "-1", ErrorCode.OUT_OF_RANGE),
        (YES_NO, "maybe", ErrorCode.NOT_A_CHOICE),
        (SINGLE, "cow", ErrorCode.NOT_A_CHOICE),
        (MULTI, "red|purple", ErrorCode.NOT_A_CHOICE),
        (TEXT, "   ", ErrorCode.EMPTY_ANSWER),
    ],
)
def test_canonical_answer_rejects(spec: ProjectSpec, raw: str, code: ErrorCode) -> None:
    with pytest.raises(AnswerRejected) as caught:
        canonical_answer(spec, raw)
    assert caught.value.code == code


def test_out_of_range_names_the_bounds() -> None:
    with pytest.raises(AnswerRejected) as caught:
        canonical_answer(NUMBER, "101")
    assert caught.value.params == {"text": "101", "minimum": 0, "maximum": 100}


def test_text_answers_are_capped() -> None:
    assert len(canonical_answer(TEXT, "x" * (MAX_TEXT_ANSWER + 50))) == MAX_TEXT_ANSWER


@pytest.mark.parametrize(
    ("spec", "value", "gold", "expected"),
    [
        (TEXT, "Paris", "paris", True),
        (TEXT, "Paris", "Lyon", False),
        (NUMBER, "2.5", "2.5", True),
        (NUMBER, canonical_answer(NUMBER, "2,50"), "2.5", True),
        (NUMBER, "3", "2.5", False),
        (MULTI, "red|blue", "red|blue", True),
        (MULTI, "blue|red", "red|blue", True),
        (MULTI, "red", "red|blue", False),
        (SINGLE, "cat", "cat", True),
        (SINGLE, "cat", "dog", False),
        (YES_NO, "yes", "no", False),
    ],
)
def test_is_correct(spec: ProjectSpec, value: str, gold: str, expected: bool) -> None:
    assert is_correct(spec, value, gold) is expected


@given(st.sampled_from([NUMBER, YES_NO, SINGLE, MULTI, TEXT]), st.text(max_size=40))
def test_canonical_answer_is_idempotent_and_self_correct(spec: ProjectSpec, raw: str) -> None:
    try:
        value = canonical_answer(spec, raw)
    except AnswerRejected:
        return
    assert canonical_answer(spec, value) == value
    assert is_correct(spec, value, value)


@given(st.lists(st.sampled_from(MULTI.options), max_size=5))
def test_multi_is_independent_of_order(chosen: list[str]) -> None:
    forward = canonical_answer(MULTI, "|".join(chosen))
    backward = canonical_answer(MULTI, "|".join(reversed(chosen)))
    assert forward == backward
    assert is_correct(MULTI, forward, backward)
