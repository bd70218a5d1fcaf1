"""The language a recording project's items are read in: the spec's ``language`` (the
default) and the items file's ``language`` column, both BCP 47 tags checked at import."""

from __future__ import annotations

import json

import pytest

from annotation.errors import ValidationFailed
from annotation.intake.item_files import parse_items
from annotation.intake.item_rows import ItemProblem
from annotation.intake.spec import parse_spec, spec_from_json, spec_to_json, spec_to_toml
from annotation.intake.spec_fields import SpecProblem
from annotation.kinds.recording import item_language
from annotation.models import language_tag

SPEC = 'name = "Read aloud"\nanswer_type = "recording"\nquestion = "Read this aloud."\n'


@pytest.mark.parametrize(("text", "tag"), [
    ("mg", "mg"), ("MG", "mg"), ("mg-mg", "mg-MG"), ("mg_MG", "mg-MG"), (" fr ", "fr"),
    ("en-GB", "en-GB"), ("zh-hant-tw", "zh-Hant-TW"), ("es-419", "es-419"),
    ("de-CH-1996", "de-CH-1996"), ("plt", "plt"),
    ("malagasy", None), ("m", None), ("", None), ("mg-", None), ("fr ca", None),
    ("x-klingon", None), ("mg-MG-" + "a" * 40, None),
])
def test_a_language_tag_is_bcp_47_shaped_and_put_in_its_usual_case(text: str,
                                                                   tag: str | None) -> None:
    assert language_tag(text) == tag


def test_the_spec_gives_the_projects_language_and_keeps_it_through_toml_and_json() -> None:
    spec = parse_spec(SPEC + 'language = "MG"\n')
    assert spec.scale is not None and spec.scale.language == "mg"
    assert parse_spec(spec_to_toml(spec)) == spec
    assert spec_from_json(spec_to_json(spec)) == spec
    bounded = parse_spec(SPEC + 'language = "fr"\nmin_seconds = 2.0\n')
    assert bounded.scale is not None and (bounded.scale.language,
                                          bounded.scale.min_seconds) == ("fr", 2.0)
    assert parse_spec(SPEC).scale is None  # no language, no bounds: nothing of its own


@pytest.mark.parametrize("value", ['"Malagasy"', '"mg MG"', "12"])
def test_a_spec_language_that_is_no_tag_is_refused(value: str) -> None:
    with pytest.raises(ValidationFailed) as failed:
        parse_spec(SPEC + f"language = {value}\n")
    (problem,) = failed.value.problems
    assert problem.field == "language" and problem.line == 4
    assert problem.code in (SpecProblem.BAD_LANGUAGE_TAG, SpecProblem.WRONG_TYPE)


def test_another_kind_refuses_the_language_key() -> None:
    with pytest.raises(ValidationFailed) as failed:
        parse_spec('name = "x"\nanswer_type = "transcript"\nquestion = "Type it."\n'
                   'language = "mg"\n')
    assert [(p.code, p.field) for p in failed.value.problems] == [
        (SpecProblem.NOT_APPLICABLE, "language")]


def test_the_items_language_column_is_read_into_each_items_payload() -> None:
    spec = parse_spec(SPEC + 'language = "mg"\n')
    rows = "id,text,language\ns1,Manao ahoana?,\ns2,Bonjour.,fr\ns3,Hello.,EN_gb\n"
    drafts = parse_items(rows.encode(), "s.csv", spec, None)
    assert [d.payload for d in drafts] == ["", json.dumps({"language": "fr"},
                                                          separators=(",", ":")),
                                           '{"language":"en-GB"}']
    assert [item_language(d.payload, "mg") for d in drafts] == ["mg", "fr", "en-GB"]
    jsonl = b'{"text": "Bonjour.", "language": "fr"}\n{"text": "Salama."}\n'
    drafts = parse_items(jsonl, "s.jsonl", spec, None)
    assert [item_language(d.payload, "mg") for d in drafts] == ["fr", "mg"]


def test_an_items_language_that_is_no_tag_is_refused_with_its_line() -> None:
    spec = parse_spec(SPEC)
    with pytest.raises(ValidationFailed) as failed:
        parse_items(b"text,language\nManao ahoana?,mg\nBonjour.,French\n", "s.csv", spec, None)
    (problem,) = failed.value.problems
    assert (problem.code, problem.line, problem.field, problem.params) == (
        ItemProblem.BAD_LANGUAGE, 3, "language", {"value": "French"})


def test_another_kinds_items_file_may_not_carry_a_language_column() -> None:
    spec = parse_spec('name = "x"\nanswer_type = "yes_no"\nquestion = "Is it?"\n')
    with pytest.raises(ValidationFailed) as failed:
        parse_items(b"text,language\nManao ahoana?,mg\n", "s.csv", spec, None)
    assert [(p.code, p.field) for p in failed.value.problems] == [
        (ItemProblem.UNKNOWN_COLUMN, "language")]


def test_a_recording_item_still_needs_a_text_or_media() -> None:
    spec = parse_spec(SPEC)
    with pytest.raises(ValidationFailed) as failed:
        parse_items(b"id,text,language\ns1,,fr\ns2,Salama.,\ns3,,\n", "s.csv", spec, None)
    assert [(p.code, p.line, p.field) for p in failed.value.problems] == [
        (ItemProblem.EMPTY_CELL, 2, "text"), (ItemProblem.EMPTY_CELL, 4, "text")]
