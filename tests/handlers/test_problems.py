"""Import problems read as one localized line each, for every code the parsers produce."""

from __future__ import annotations

import gettext
import inspect
import re
from enum import StrEnum
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotation.errors import ErrorCode, Problem
from annotation.intake import item_drafts, item_files, item_rows, spec, spec_fields
from annotation.intake.item_files import ArchiveProblem
from annotation.intake.item_rows import ItemProblem
from annotation.intake.spec_fields import SpecProblem
from annotation.media import preparation as media
from annotation.media import sources as media_sources
from annotation.media.preparation import MediaProblem
from annotation.media.sources import SourceProblem
from bot.i18n import Catalogs
from handlers.problems import (
    MESSAGE_LIMIT,
    TEMPLATES,
    describe_problem,
    describe_problems,
    format_size,
)

PARSERS: tuple[ModuleType, ...] = (spec, spec_fields, item_rows, item_drafts, item_files,
                                   media, media_sources)
CODE = re.compile(r"^(spec|items|archive|media)\.[a-z_]+$")
ENGLISH = gettext.NullTranslations()
CATALOGS = Catalogs()


def problem_enums() -> set[type[StrEnum]]:
    """Return every StrEnum of problem codes the parser modules define or use."""
    return {
        value
        for module in PARSERS
        for _, value in inspect.getmembers(module, inspect.isclass)
        if issubclass(value, StrEnum) and value is not StrEnum
        and all(CODE.match(member.value) for member in value)
    }


def all_codes() -> list[str]:
    return sorted({member.value for enum in problem_enums() for member in enum})


def test_every_problem_enum_is_collected() -> None:
    assert {SpecProblem, ItemProblem, ArchiveProblem, MediaProblem, SourceProblem} <= (
        problem_enums())


@pytest.mark.parametrize("code", all_codes())
def test_every_code_has_a_template(code: str) -> None:
    assert code in TEMPLATES


@pytest.mark.parametrize("code", all_codes())
@pytest.mark.parametrize("language", ["en", "fr", "mg"])
def test_every_code_reads_without_params(code: str, language: str) -> None:
    text = describe_problem(Problem(code), CATALOGS.get(language))
    assert text and "{" not in text and "not valid (" not in text


@pytest.mark.parametrize("code", all_codes())
def test_every_code_is_translated(code: str) -> None:
    english = describe_problem(Problem(code), ENGLISH)
    assert describe_problem(Problem(code), CATALOGS.get("fr")) != english
    assert describe_problem(Problem(code), CATALOGS.get("mg")) != english


def test_location_prefix_names_file_line_and_column() -> None:
    problem = Problem(ItemProblem.BAD_GOLD, 12, "gold",
                      {"file": "items.csv", "value": "cow", "reason": ErrorCode.NOT_A_CHOICE})
    assert describe_problem(problem, ENGLISH) == (
        'items.csv line 12, column "gold": gold answer "cow" is not one of the options')
    assert describe_problem(problem, CATALOGS.get("fr")) == (
        'items.csv ligne 12, colonne "gold" : '
        'la réponse de référence "cow" ne fait pas partie des options')


@pytest.mark.parametrize(("problem", "expected"), [
    (Problem(SpecProblem.MISSING_FIELD, None, "name"), 'field "name": this field is required'),
    (Problem(SpecProblem.SYNTAX, 4, None, {"column": 7}),
     "line 4: TOML syntax error at column 7"),
    (Problem(SpecProblem.SYNTAX, 9, None, {"column": None}), "line 9: TOML syntax error"),
    (Problem(ItemProblem.EMPTY, params={"file": "items.csv"}), "items.csv: the file has no items"),
    (Problem(SourceProblem.BAD_ZIP), "this is not a zip archive"),
    (Problem(ItemProblem.MISSING_FILE, params={"file": "data/items.csv"}),
     'file "data/items.csv" not found'),
    (Problem(ArchiveProblem.NO_SPEC, params={"file": "project.toml"}),
     'project settings missing: add "project.toml"'),
])
def test_location_is_only_what_is_known(problem: Problem, expected: str) -> None:
    assert describe_problem(problem, ENGLISH) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({"value": 99, "minimum": 1, "maximum": 50}, "99 is not between 1 and 50"),
    ({"value": -1.5, "minimum": 0.0, "maximum": None}, "-1.5 must be at least 0"),
    ({"value": 7, "minimum": None, "maximum": 5}, "7 must be at most 5"),
    ({"value": float("inf"), "minimum": None, "maximum": None}, "inf is not a finite number"),
])
def test_out_of_range_names_the_bounds_given(params: dict[str, object], expected: str) -> None:
    problem = Problem(SpecProblem.OUT_OF_RANGE, None, None, params)
    assert describe_problem(problem, ENGLISH) == expected


@pytest.mark.parametrize(("reason", "expected"), [
    (ErrorCode.NOT_A_CHOICE, 'gold answer "x" is not one of the options'),
    (ErrorCode.NOT_A_NUMBER, 'gold answer "x" is not a number'),
    (ErrorCode.OUT_OF_RANGE, 'gold answer "x" is not between 0 and 10'),
    (ErrorCode.EMPTY_ANSWER, "the gold answer is empty"),
    ("something_new", 'gold answer "x" is not valid'),
])
def test_bad_gold_says_why(reason: str, expected: str) -> None:
    params = {"value": "x", "reason": reason, "minimum": 0, "maximum": 10}
    assert describe_problem(Problem(ItemProblem.BAD_GOLD, None, None, params), ENGLISH) == expected


@pytest.mark.parametrize(("size", "expected"), [
    (0, "0 B"), (1023, "1023 B"), (1536, "1.5 KB"), (12_900_000, "12.3 MB"),
    (64 * 1024 * 1024, "64 MB"), (3 * 1024**3, "3 GB"), (2 * 1024**4, "2048 GB"),
    (None, "…"), ("big", "…"), (float("nan"), "…"),
])
def test_sizes_are_human_readable(size: object, expected: str) -> None:
    assert format_size(size, ENGLISH) == expected


def test_sizes_use_the_language_units() -> None:
    problem = Problem(MediaProblem.TOO_LARGE, 2, "image",
                      {"filename": "cat.jpg", "size": 25 * 1024 * 1024, "limit": 20 * 1024**2})
    assert describe_problem(problem, ENGLISH) == (
        'line 2, column "image": "cat.jpg" is too large: 25 MB, at most 20 MB')
    assert "25 Mo" in describe_problem(problem, CATALOGS.get("fr"))


def test_media_problems_show_pixels_and_duration() -> None:
    bomb = Problem(MediaProblem.DECOMPRESSION_BOMB, params={
        "filename": "a.png", "width": 10_000, "height": 9_000, "limit": 50_000_000})
    assert describe_problem(bomb, ENGLISH) == (
        'image "a.png" is too large: 10000×9000 pixels, at most 50 megapixels')
    unknown = Problem(MediaProblem.DECOMPRESSION_BOMB, params={
        "filename": "a.png", "width": None, "height": None, "limit": 50_000_000})
    assert describe_problem(unknown, ENGLISH) == 'image "a.png" is too large: at most 50 megapixels'
    long = Problem(MediaProblem.TOO_LONG, params={"filename": "a.ogg", "duration": 301.5,
                                                  "limit": 300.0})
    assert describe_problem(long, ENGLISH) == '"a.ogg" is too long: 301.5 s, at most 300 s'


def test_a_media_rejection_is_described_from_its_reason() -> None:
    error = media.MediaRejected(MediaProblem.CORRUPT, "x.jpg")
    assert describe_problem(error.to_problem(5, "image"), ENGLISH) == (
        'line 5, column "image": "x.jpg" is damaged or empty')
    raw = Problem(str(error.code), params=error.params)  # the error's own code and params
    assert describe_problem(raw, ENGLISH) == '"x.jpg" is damaged or empty'


def test_wrong_type_names_the_type_in_the_language() -> None:
    problem = Problem(SpecProblem.WRONG_TYPE, 3, "overlap", {"expected": "integer"})
    assert describe_problem(problem, ENGLISH) == 'line 3, field "overlap": must be a whole number'
    assert describe_problem(problem, CATALOGS.get("fr")).endswith("doit être un nombre entier")


def test_lists_are_joined_and_long_values_cut() -> None:
    problem = Problem(SpecProblem.UNKNOWN_VALUE, 2, "answer_type",
                      {"value": "x" * 500, "allowed": ["single", "multi"]})
    text = describe_problem(problem, ENGLISH)
    assert "(use one of: single, multi)" in text
    assert len(text) < 200 and "x" * 79 + "…" in text


def test_an_unknown_code_still_reads() -> None:
    assert describe_problem(Problem("items.something_new", 4), ENGLISH) == (
        "line 4: not valid (items.something_new)")


def test_a_broken_translation_falls_back_to_english() -> None:
    class Broken(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return "{oops"

    assert describe_problem(Problem(ItemProblem.BAD_JSON, 3), Broken()) == (
        "line 3: this line is not valid JSON")


params_strategy = st.dictionaries(
    st.sampled_from(["file", "value", "limit", "size", "minimum", "maximum", "reason", "found",
                     "names", "expected", "width", "height", "column", "filename", "path"]),
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(),
              st.lists(st.text(max_size=5), max_size=3)),
)


@given(code=st.sampled_from(all_codes()), line=st.none() | st.integers(min_value=1),
       field=st.none() | st.text(), params=params_strategy)
def test_any_params_never_crash(code: str, line: int | None, field: str | None,
                                params: dict[str, object]) -> None:
    text = describe_problem(Problem(code, line, field, params), ENGLISH)
    assert text and "\n" not in text


def test_describe_problems_joins_lines() -> None:
    problems = [Problem(ItemProblem.BAD_JSON, line) for line in (1, 2)]
    assert describe_problems(problems, ENGLISH) == (
        "line 1: this line is not valid JSON\nline 2: this line is not valid JSON")
    assert describe_problems([], ENGLISH) == ""


@pytest.mark.parametrize(("count", "limit", "last"), [
    (35, 30, "… and 5 more problems"),
    (31, 30, "… and 1 more problem"),
    (30, 30, "line 30: this line is not valid JSON"),
    (3, 0, "… and 3 more problems"),
])
def test_describe_problems_counts_the_rest(count: int, limit: int, last: str) -> None:
    problems = [Problem(ItemProblem.BAD_JSON, line) for line in range(1, count + 1)]
    lines = describe_problems(problems, ENGLISH, limit=limit).split("\n")
    assert lines[-1] == last
    assert len(lines) == min(count, limit) + (count > limit)


@pytest.mark.parametrize("language", ["en", "fr", "mg"])
def test_describe_problems_fits_a_telegram_message(language: str) -> None:
    long = {"file": "f" * 200, "value": "v" * 500, "allowed": ["a" * 90] * 20}
    problems = [Problem(SpecProblem.UNKNOWN_VALUE, n, "g" * 200, long) for n in range(200)]
    text = describe_problems(problems, CATALOGS.get(language), limit=200)
    assert len(text) <= MESSAGE_LIMIT
    assert text.split("\n")[-1].startswith("…")


def test_more_line_is_translated() -> None:
    problems = [Problem(ItemProblem.BAD_JSON, line) for line in range(1, 5)]
    text = describe_problems(problems, CATALOGS.get("fr"), limit=2)
    assert text.endswith("… et 2 autres problèmes")
