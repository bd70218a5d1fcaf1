"""Project specs: every problem code, all problems at once, line numbers, TOML round trip."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotation.aggregation import DEFAULT_METHOD
from annotation.answers import normalize_text
from annotation.errors import Problem, ValidationFailed
from annotation.intake.spec import (
    MAX_OPTION,
    SpecProblem,
    parse_spec,
    parse_spec_bytes,
    spec_from_mapping,
    spec_to_toml,
)
from annotation.models import (
    LANGUAGES,
    AnswerType,
    LocalizedText,
    MarkRules,
    NumberRange,
    ProjectSpec,
    Question,
    Scale,
)

BASE = {
    "name": '"Cats"',
    "question": '"Is it a cat?"',
    "answer_type": '"single"',
    "options": '["cat", "dog"]',
}


def toml(tables: str = "", **fields: str | None) -> str:
    """Return a spec with BASE fields overridden (None removes one), then ``tables``."""
    merged = {**BASE, **fields}
    lines = [f"{key} = {value}" for key, value in merged.items() if value is not None]
    return "\n".join(lines) + "\n" + tables


def problems_of(text: str) -> tuple[Problem, ...]:
    with pytest.raises(ValidationFailed) as caught:
        parse_spec(text)
    return caught.value.problems


def test_minimal_spec_gets_the_defaults() -> None:
    spec = parse_spec(toml())
    assert spec == ProjectSpec(
        name="Cats",
        question=LocalizedText({"en": "Is it a cat?"}),
        answer_type=AnswerType.SINGLE,
        options=("cat", "dog"),
        overlap=5, min_overlap=2, confidence_target=0.95,
    )
    assert (spec.overlap, spec.gold_rate, spec.time_limit_seconds) == (5, 0.1, 600)
    assert (spec.reward, spec.currency, spec.aggregation) == (0.0, "MGA", DEFAULT_METHOD)


@pytest.mark.parametrize(("extra", "expected"), [
    ("", (5, 2, 0.95)),  # a choice question: adaptive overlap by default
    ("overlap = 3\n", (3, None, None)),  # overlap alone: that many answers, fixed
    ("overlap = 4\nmin_overlap = 2\nconfidence_target = 0.9\n", (4, 2, 0.9)),
])
def test_adaptive_overlap_is_the_default_unless_the_spec_sets_overlap(
        extra: str, expected: tuple[int, int | None, float | None]) -> None:
    spec = parse_spec(toml(extra))
    assert (spec.overlap, spec.min_overlap, spec.confidence_target) == expected


def test_free_answers_keep_a_fixed_default_overlap() -> None:
    text = 'name = "Notes"\nquestion = "What does it say?"\nanswer_type = "text"\n'
    spec = parse_spec(text)
    assert (spec.overlap, spec.adaptive) == (3, False)


def test_free_answers_default_to_majority() -> None:
    text = 'name = "Notes"\nquestion = "What does it say?"\nanswer_type = "text"\n'
    assert parse_spec(text).aggregation == "majority"


def test_full_spec() -> None:
    text = toml(
        '[question]\nen = "How many?"\nfr = "Combien ?"\nmg = "Firy?"\n'
        '[instructions]\nen = "Count."\n[number]\nmin = 0\nmax = 10.5\n',
        question=None,
        options=None,
        answer_type='"number"',
        overlap="5",
        gold_rate="0",
        time_limit="30",
        reward="150",
        currency='"EUR"',
        aggregation='"weighted"',
    )
    spec = parse_spec(text)
    assert spec.question.get("fr") == "Combien ?"
    assert spec.question.get("mg") == "Firy?"
    assert spec.instructions.get("fr") == "Count."
    assert spec.number_range == NumberRange(0.0, 10.5)
    assert (spec.overlap, spec.gold_rate, spec.time_limit_seconds) == (5, 0.0, 30)
    assert (spec.reward, spec.currency, spec.aggregation) == (150.0, "EUR", "weighted")


def test_options_are_normalized() -> None:
    spec = parse_spec(toml(options='["  big   cat ", "dog"]'))
    assert spec.options == ("big cat", "dog")


CASES = [
    (toml(name=None), SpecProblem.MISSING_FIELD, "name"),
    (toml(question=None), SpecProblem.MISSING_FIELD, "question"),
    (toml(answer_type=None), SpecProblem.MISSING_FIELD, "answer_type"),
    (toml(colour='"red"'), SpecProblem.UNKNOWN_FIELD, "colour"),
    (toml(name="3"), SpecProblem.WRONG_TYPE, "name"),
    (toml(name='"   "'), SpecProblem.EMPTY, "name"),
    (toml(name=f'"{"x" * 101}"'), SpecProblem.TOO_LONG, "name"),
    (toml(question='{de = "Katze?"}'), SpecProblem.UNKNOWN_LANGUAGE, "question.de"),
    (toml(answer_type='"recording"', options=None, language='"Malagasy"'),
     SpecProblem.BAD_LANGUAGE_TAG, "language"),
    (toml(question="3"), SpecProblem.WRONG_TYPE, "question"),
    (toml(question="{}"), SpecProblem.WRONG_TYPE, "question"),
    (toml(question="{en = 1}"), SpecProblem.WRONG_TYPE, "question.en"),
    (toml(question='{en = ""}'), SpecProblem.EMPTY, "question.en"),
    (toml(question=f'"{"q" * 501}"'), SpecProblem.TOO_LONG, "question"),
    (toml(instructions=f'"{"i" * 3001}"'), SpecProblem.TOO_LONG, "instructions"),
    (toml(answer_type='"choice"'), SpecProblem.UNKNOWN_VALUE, "answer_type"),
    (toml(aggregation='"best"'), SpecProblem.UNKNOWN_VALUE, "aggregation"),
    (toml(overlap="0"), SpecProblem.OUT_OF_RANGE, "overlap"),
    (toml(overlap="51"), SpecProblem.OUT_OF_RANGE, "overlap"),
    (toml(overlap="2.5"), SpecProblem.WRONG_TYPE, "overlap"),
    (toml(overlap="true"), SpecProblem.WRONG_TYPE, "overlap"),
    (toml(gold_rate="0.6"), SpecProblem.OUT_OF_RANGE, "gold_rate"),
    (toml(gold_rate='"10%"'), SpecProblem.WRONG_TYPE, "gold_rate"),
    (toml(time_limit="29"), SpecProblem.OUT_OF_RANGE, "time_limit"),
    (toml(time_limit="86401"), SpecProblem.OUT_OF_RANGE, "time_limit"),
    (toml(reward="-1"), SpecProblem.OUT_OF_RANGE, "reward"),
    (toml(reward="inf"), SpecProblem.OUT_OF_RANGE, "reward"),
    (toml(currency='"ARIARY-MGA-X"'), SpecProblem.TOO_LONG, "currency"),
    (toml(options=None), SpecProblem.OPTIONS_REQUIRED, "options"),
    (toml(options='"cat, dog"'), SpecProblem.WRONG_TYPE, "options"),
    (toml(options='["cat"]'), SpecProblem.OPTION_COUNT, "options"),
    (toml(options=str([str(n) for n in range(21)])), SpecProblem.OPTION_COUNT, "options"),
    (toml(options='["cat", "Cat"]'), SpecProblem.DUPLICATE_OPTION, "options"),
    (toml(options='["cat|dog", "bird"]'), SpecProblem.OPTION_SEPARATOR, "options"),
    (toml(options='["cat", " "]'), SpecProblem.EMPTY, "options"),
    (toml(options='["cat", 1]'), SpecProblem.WRONG_TYPE, "options"),
    (toml(options=f'["cat", "{"d" * (MAX_OPTION + 1)}"]'), SpecProblem.TOO_LONG, "options"),
    (toml(answer_type='"yes_no"'), SpecProblem.NOT_APPLICABLE, "options"),
    (toml("[number]\nmin = 1\n"), SpecProblem.NOT_APPLICABLE, "number"),
    (
        toml("[number]\nmin = 5\nmax = 1\n", answer_type='"number"', options=None),
        SpecProblem.BAD_RANGE,
        "number",
    ),
    (
        toml('[number]\nmin = "one"\n', answer_type='"number"', options=None),
        SpecProblem.WRONG_TYPE,
        "number.min",
    ),
    (
        toml("[number]\nstep = 1\n", answer_type='"number"', options=None),
        SpecProblem.UNKNOWN_FIELD,
        "number.step",
    ),
    (
        toml(answer_type='"number"', options=None, number="3"),
        SpecProblem.WRONG_TYPE,
        "number",
    ),
    (
        toml(answer_type='"text"', options=None, aggregation='"dawid_skene"'),
        SpecProblem.NOT_APPLICABLE,
        "aggregation",
    ),
    ('name = "x"\nanswer_type = \n', SpecProblem.SYNTAX, None),
    # tomllib recurses once per level: this used to escape as RecursionError
    (toml(options="[" * 5000 + "]" * 5000), SpecProblem.TOO_DEEP, None),
    (toml(options="{a = " * 5000 + "1" + "}" * 5000), SpecProblem.TOO_DEEP, None),
]


@pytest.mark.parametrize(("text", "code", "field"), CASES)
def test_each_problem_is_reported(text: str, code: SpecProblem, field: str | None) -> None:
    problems = problems_of(text)
    assert [(p.code, p.field) for p in problems] == [(code, field)]


def test_every_code_has_a_case() -> None:
    covered = {code for _, code, _ in CASES} | {SpecProblem.ENCODING}
    assert covered == set(SpecProblem)


def test_all_problems_are_collected_with_lines() -> None:
    text = (
        'name = ""\n'  # 1
        'question = {en = "Cat?", de = "Katze?"}\n'  # 2
        'answer_type = "single"\n'  # 3
        'options = ["cat", "cat"]\n'  # 4
        "overlap = 0\n"  # 5
        'aggregation = "best"\n'  # 6
        "colour = 1\n"  # 7
        "[number]\n"  # 8
        "min = 1\n"
    )
    found = {(p.code, p.line, p.field) for p in problems_of(text)}
    assert found == {
        (SpecProblem.EMPTY, 1, "name"),
        (SpecProblem.UNKNOWN_LANGUAGE, 2, "question.de"),
        (SpecProblem.DUPLICATE_OPTION, 4, "options"),
        (SpecProblem.OUT_OF_RANGE, 5, "overlap"),
        (SpecProblem.UNKNOWN_VALUE, 6, "aggregation"),
        (SpecProblem.UNKNOWN_FIELD, 7, "colour"),
        (SpecProblem.NOT_APPLICABLE, 8, "number"),
    }


def test_problems_carry_params() -> None:
    (problem,) = problems_of(toml(overlap="60"))
    assert problem.params == {"value": 60, "minimum": 1, "maximum": 50}
    (problem,) = problems_of(toml(answer_type='"choice"'))
    assert problem.params["allowed"] == [str(t) for t in AnswerType]


def test_syntax_error_has_its_line_and_column() -> None:
    (problem,) = problems_of('name = "x"\n\noptions = ["a", ]]\n')
    assert (problem.code, problem.line) == (SpecProblem.SYNTAX, 3)
    assert isinstance(problem.params["column"], int)


def test_nested_number_problem_has_its_line() -> None:
    text = toml('[number]\nmax = 1\nmin = "x"\n', answer_type='"number"', options=None)
    (problem,) = problems_of(text)
    assert problem.line == len(text.splitlines())


def test_bytes_with_bom_and_bad_encoding() -> None:
    assert parse_spec_bytes(b"\xef\xbb\xbf" + toml().encode()).name == "Cats"
    with pytest.raises(ValidationFailed) as caught:
        parse_spec_bytes(toml(name='"Caf\xe9"').encode("latin-1"))
    assert [(p.code, p.line) for p in caught.value.problems] == [(SpecProblem.ENCODING, 1)]


def test_spec_from_mapping_validates_a_table() -> None:
    spec = spec_from_mapping({"name": "n", "question": "q?", "answer_type": "yes_no"})
    assert spec.labels == ("yes", "no")


# -- round trip --------------------------------------------------------------------------

texts = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=30).filter(
    lambda t: t.strip() == t and t != ""
)
one_line = st.text(
    st.characters(blacklist_categories=["Cs", "Zl", "Zp", "Cc"]), min_size=1, max_size=20
).filter(lambda t: normalize_text(t) == t and "|" not in t)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def localized(draw: st.DrawFn, limit: int | None = None) -> LocalizedText:
    languages = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, unique=True))
    some = texts if limit is None else texts.filter(lambda t: len(t) <= limit)
    return LocalizedText({language: draw(some) for language in languages})


@st.composite
def specs(draw: st.DrawFn) -> ProjectSpec:
    answer_type = draw(st.sampled_from(AnswerType))
    options: tuple[str, ...] = ()
    if answer_type in (AnswerType.SINGLE, AnswerType.MULTI):
        chosen = draw(st.lists(one_line, min_size=2, max_size=20, unique_by=lambda o: o.casefold()))
        options = tuple(chosen)
    number_range = NumberRange()
    if answer_type is AnswerType.NUMBER:
        bounds = sorted(draw(st.lists(finite, min_size=2, max_size=2)))
        number_range = NumberRange(
            draw(st.sampled_from([None, bounds[0]])), draw(st.sampled_from([None, bounds[1]]))
        )
    scale = None
    if answer_type is AnswerType.PAIRWISE:
        tie = draw(st.booleans())
        scale = Scale(points=draw(st.integers(1, 3)),
                      labels=("a", "b", "tie") if tie else ("a", "b"), tie=tie)
    elif answer_type is AnswerType.RATING:
        points, start = draw(st.integers(2, 11)), draw(st.integers(0, 1))
        ends = draw(st.one_of(st.just((None, None)), st.tuples(
            localized(limit=40), localized(limit=40))))
        scale = Scale(points=points, labels=tuple(str(start + k) for k in range(points)),
                      start=start, low=ends[0], high=ends[1])
    elif answer_type is AnswerType.RANKING:
        count = draw(st.integers(2, 4))
        scale = Scale(points=count, labels=tuple(str(n) for n in range(1, count + 1)))
    if answer_type is AnswerType.CHECK:
        scale = Scale(points=draw(st.integers(1, 5)), labels=("yes", "no", "unclear"),
                      source=draw(st.one_of(st.none(), texts.filter(lambda t: len(t) <= 100))))
    elif answer_type is AnswerType.RECORDING and draw(st.booleans()):
        low = draw(st.floats(0.5, 60))
        scale = Scale(points=0, labels=(), min_seconds=low,
                      max_seconds=draw(st.floats(low, 600)))
    elif answer_type in (AnswerType.BOXES, AnswerType.SPANS):
        classes = draw(st.lists(one_line.filter(lambda c: len(c) <= 40), min_size=1,
                                max_size=20, unique_by=lambda c: c.casefold()))
        bar = st.floats(0.05, 1.0)
        boxes = answer_type is AnswerType.BOXES
        scale = Scale(points=0, labels=tuple(classes), marks=MarkRules(
            points=draw(st.booleans()) if boxes else False, nothing=draw(st.booleans()),
            overlapping=False if boxes else draw(st.booleans()),
            iou=draw(bar) if boxes else 0.5, radius=draw(st.floats(0.001, 0.5)) if boxes
            else 0.05, min_precision=draw(bar) if boxes else 0.8,
            min_recall=draw(bar) if boxes else 0.8, min_f1=0.8 if boxes else draw(bar)))
    questions: tuple[Question, ...] = ()
    if answer_type is AnswerType.QUESTIONS:
        questions = draw(question_lists())
    methods = ["majority", "weighted"]
    if answer_type.is_choice:
        methods += ["dawid_skene", "one_coin"]
    return ProjectSpec(
        name=draw(texts),
        question=draw(localized()),
        answer_type=answer_type,
        options=options,
        instructions=draw(st.one_of(st.just(LocalizedText({})), localized())),
        overlap=draw(st.integers(1, 50)),
        gold_rate=draw(st.floats(0, 0.5)),
        time_limit_seconds=draw(st.integers(30, 86_400)),
        reward=draw(st.floats(0, 1e9)),
        currency=draw(texts.filter(lambda t: len(t) <= 10)),
        number_range=number_range,
        aggregation=draw(st.sampled_from(methods)),
        scale=scale,
        questions=questions,
    )


@st.composite
def question_lists(draw: st.DrawFn) -> tuple[Question, ...]:
    count = draw(st.integers(1, 6))
    keys = draw(st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,31}", fullmatch=True),
                         min_size=count, max_size=count, unique=True))
    comparing = draw(st.booleans())
    out: list[Question] = []
    for n, key in enumerate(keys):
        kind = AnswerType.PAIRWISE if comparing and n == count - 1 else draw(
            st.sampled_from([AnswerType.SINGLE, AnswerType.YES_NO, AnswerType.RATING]))
        options: tuple[str, ...] = ()
        scale = None
        if kind is AnswerType.SINGLE:
            options = tuple(draw(st.lists(one_line, min_size=2, max_size=5,
                                          unique_by=lambda o: o.casefold())))
        elif kind is AnswerType.RATING:
            points, start = draw(st.integers(2, 11)), draw(st.integers(0, 1))
            scale = Scale(points=points, labels=tuple(str(start + k) for k in range(points)),
                          start=start)
        elif kind is AnswerType.PAIRWISE:
            tie = draw(st.booleans())
            scale = Scale(points=draw(st.integers(1, 3)),
                          labels=("a", "b", "tie") if tie else ("a", "b"), tie=tie)
        each = comparing and kind is not AnswerType.PAIRWISE and draw(st.booleans())
        out.append(Question(key, draw(localized(limit=200)), kind, options, scale, each))
    return tuple(out)


@given(specs())
def test_spec_round_trips_through_toml(spec: ProjectSpec) -> None:
    assert parse_spec(spec_to_toml(spec)) == spec


@given(st.text(string.printable + "é\u2028[]{}=\"'", max_size=200))
def test_arbitrary_text_raises_only_validation_failed(text: str) -> None:
    try:
        spec = parse_spec(text)
    except ValidationFailed as exc:
        assert exc.problems
        assert all(p.code in set(SpecProblem) for p in exc.problems)
    else:
        assert parse_spec(spec_to_toml(spec)) == spec
