"""The spans kind: its spec keys, spans checked against the item's text (hostile ones
refused), the chat's layout, the Mini App's view, gold by F1, the token-level consensus,
and its exports."""

from __future__ import annotations

import io
import json
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from annotation.aggregation.spans import tokens
from annotation.datasets.labels import VoteCollector
from annotation.datasets.records import KindItem, KindVote, LabeledItem
from annotation.errors import AnswerRejected, ErrorCode, ValidationFailed
from annotation.intake.item_files import parse_items
from annotation.intake.item_rows import ItemProblem
from annotation.intake.spec import parse_spec, spec_from_json, spec_to_json, spec_to_toml
from annotation.kinds.base import BlockStyle, Phrase, PhraseCode, Turn, VoteModel
from annotation.kinds.marks import NOTHING_CODE, OPEN_CODE, rules
from annotation.kinds.registry import kind_of
from annotation.kinds.span_values import EMPTY
from annotation.media.sources import MemorySource
from annotation.models import AnnotatorId, Item, ItemId, MediaKind, ProjectId
from annotation.records import ItemTally
from bot.i18n import Catalogs
from handlers.problems import describe_problem

BASE = ('name = "Names"\nanswer_type = "spans"\nquestion = "Tag people and places."\n'
        'labels = ["PER", "LOC"]\n')
SPEC = parse_spec(BASE)
OVERLAPPING = parse_spec(BASE + "overlapping = true\n")
KIND = kind_of(SPEC)
TEXT = "Rakoto nankany Antananarivo omaly."  # Rakoto 0-6, Antananarivo 15-27
RAKOTO, TANA = [0, 6, "PER"], [15, 27, "LOC"]


def value(*spans: list[object]) -> str:
    return json.dumps({"spans": list(spans)})


def turn(draft: str = "", spec: object = SPEC) -> Turn:
    item = Item(ItemId(1), ProjectId(1), "t1", MediaKind.TEXT, TEXT, None, None)
    return Turn(spec, item, AnnotatorId(7), draft)  # type: ignore[arg-type]


def test_the_kind_is_answered_in_the_app_and_aggregates_itself() -> None:
    assert KIND.name == "spans" and KIND.votes is VoteModel.OWN and KIND.own_tables
    assert SPEC.labels == ("PER", "LOC") and SPEC.aggregation == "majority"
    marks = rules(SPEC)
    assert (marks.nothing, marks.overlapping, marks.min_f1) == (True, False, 0.8)


def test_the_spec_keys_round_trip_through_toml_and_json() -> None:
    spec = parse_spec(BASE + "nothing = false\noverlapping = true\nmin_f1 = 0.5\n")
    marks = rules(spec)
    assert (marks.nothing, marks.overlapping, marks.min_f1) == (False, True, 0.5)
    assert parse_spec(spec_to_toml(spec)) == spec
    assert spec_from_json(spec_to_json(spec)) == spec


@pytest.mark.parametrize(("extra", "field", "code"), [
    ("", "labels", "spec.missing_field"),
    ('labels = ["PER", " per "]\n', "labels", "spec.duplicate_option"),
    ('labels = ["PER"]\npoints = true\n', "points", "spec.not_applicable"),
    ('labels = ["PER"]\niou = 0.5\n', "iou", "spec.not_applicable"),
    ('labels = ["PER"]\nclasses = ["car"]\n', "classes", "spec.not_applicable"),
    ('labels = ["PER"]\nmin_f1 = 2\n', "min_f1", "spec.out_of_range"),
    ('labels = ["PER"]\noverlapping = 1\n', "overlapping", "spec.wrong_type"),
])
def test_bad_keys_are_refused_with_their_field(extra: str, field: str, code: str) -> None:
    base = 'name = "n"\nanswer_type = "spans"\nquestion = "q"\n'
    with pytest.raises(ValidationFailed) as refused:
        parse_spec(base + extra)
    assert (field, code) in {(p.field, p.code) for p in refused.value.problems}


def test_spans_are_snapped_to_whole_words_sorted_and_deduplicated() -> None:
    raw = value(TANA, [1, 4, "per"], [16, 20, "LOC"], [6, 7, "PER"])
    # "akot" widens to Rakoto, "nta" to Antananarivo (a repeat), a space alone is dropped
    assert KIND.canonical_about(SPEC, TEXT, raw) == '{"spans":[[0,6,"PER"],[15,27,"LOC"]]}'
    assert KIND.canonical_about(SPEC, TEXT, EMPTY) == EMPTY
    canonical = KIND.canonical_about(SPEC, TEXT, value(RAKOTO))
    assert KIND.canonical_about(SPEC, TEXT, canonical) == canonical
    # the friendlier form of a gold cell
    assert KIND.canonical_about(SPEC, TEXT, " PER:0-6; LOC : 15-27 ;") == \
        '{"spans":[[0,6,"PER"],[15,27,"LOC"]]}'
    # without its text only the empty value can be checked
    assert KIND.canonical(SPEC, EMPTY) == EMPTY
    with pytest.raises(AnswerRejected) as refused:
        KIND.canonical(SPEC, value(RAKOTO))
    assert refused.value.code is ErrorCode.SPAN_OUT_OF_TEXT


def test_overlapping_spans_need_the_spec_to_allow_them() -> None:
    nested = value([0, 27, "LOC"], TANA)
    with pytest.raises(AnswerRejected) as refused:
        KIND.canonical_about(SPEC, TEXT, nested)
    assert refused.value.code is ErrorCode.SPANS_OVERLAP
    assert refused.value.params["words"] == "Antananarivo"
    same_words = value(RAKOTO, [0, 6, "LOC"])
    with pytest.raises(AnswerRejected):
        KIND.canonical_about(SPEC, TEXT, same_words)
    assert KIND.canonical_about(OVERLAPPING, TEXT, nested) == \
        '{"spans":[[0,27,"LOC"],[15,27,"LOC"]]}'
    # touching spans do not overlap
    assert KIND.canonical_about(SPEC, TEXT, value([0, 6, "PER"], [7, 14, "LOC"]))


@pytest.mark.parametrize(("raw", "code"), [
    ("", ErrorCode.MARKS_MALFORMED),
    ("PER 0-6", ErrorCode.MARKS_MALFORMED),
    ("PER:0-x", ErrorCode.MARKS_MALFORMED),
    ('{"spans": [[0, 6]]}', ErrorCode.MARKS_MALFORMED),
    ('{"spans": [[0.0, 6, "PER"]]}', ErrorCode.MARKS_MALFORMED),
    ('{"spans": [[false, 6, "PER"]]}', ErrorCode.MARKS_MALFORMED),
    ('{"spans": [["0", 6, "PER"]]}', ErrorCode.MARKS_MALFORMED),
    ('{"spans": [[0, 6, null]]}', ErrorCode.MARKS_MALFORMED),
    ('{"spans": [], "boxes": []}', ErrorCode.MARKS_MALFORMED),
    ('{"spans": "0-6"}', ErrorCode.MARKS_MALFORMED),
    ('{"spans": [[0, NaN, "PER"]]}', ErrorCode.MARKS_MALFORMED),
    (value(*[RAKOTO] * 201), ErrorCode.TOO_MANY_MARKS),
    (value([0, 6, "ORG"]), ErrorCode.UNKNOWN_CLASS),
    (value([-1, 6, "PER"]), ErrorCode.SPAN_OUT_OF_TEXT),
    (value([30, 40, "PER"]), ErrorCode.SPAN_OUT_OF_TEXT),
    (value([6, 6, "PER"]), ErrorCode.SPAN_OUT_OF_TEXT),
    (value([6, 2, "PER"]), ErrorCode.SPAN_OUT_OF_TEXT),
    ("PER:0-99", ErrorCode.SPAN_OUT_OF_TEXT),
])
def test_a_hostile_answer_is_refused_with_its_code(raw: str, code: ErrorCode) -> None:
    with pytest.raises(AnswerRejected) as refused:
        KIND.canonical_about(SPEC, TEXT, raw)
    assert refused.value.code is code


def test_an_empty_answer_needs_nothing_to_be_offered() -> None:
    strict = parse_spec(BASE + "nothing = false\n")
    for raw in (EMPTY, value([6, 7, "PER"])):  # a space alone tags nothing
        with pytest.raises(AnswerRejected) as refused:
            KIND.canonical_about(strict, TEXT, raw)
        assert refused.value.code is ErrorCode.NO_MARKS


def test_the_chat_shows_a_hint_the_app_button_and_nothing_to_mark() -> None:
    layout = KIND.layout(turn())
    assert [b.text for b in layout.blocks] == [
        Phrase(PhraseCode.SPANS_HINT, {"labels": "PER, LOC"})]
    (opener,), (nothing,) = layout.rows
    assert opener.opens_app and opener.label == Phrase(PhraseCode.TAG_SPANS)
    assert opener.code == OPEN_CODE and nothing.code == NOTHING_CODE
    assert KIND.press(turn(), NOTHING_CODE).final == EMPTY
    with pytest.raises(AnswerRejected):
        KIND.press(turn(), OPEN_CODE)


def test_the_app_view_gives_the_text_its_tokens_and_the_draft() -> None:
    view = KIND.app_view(turn())
    assert view is not None
    assert {k: view[k] for k in ("kind", "classes", "points", "nothing", "overlapping",
                                 "text", "draft")} == {
        "kind": "spans", "classes": ["PER", "LOC"], "points": False, "nothing": True,
        "overlapping": False, "text": TEXT, "draft": None}
    assert view["tokens"] == [[0, 6], [7, 14], [15, 27], [28, 33], [33, 34]]
    drafted = KIND.app_view(turn(draft=value(RAKOTO), spec=OVERLAPPING))
    assert drafted is not None and drafted["draft"] == {"spans": [RAKOTO]}
    assert drafted["overlapping"] is True


def test_training_feedback_lists_the_tagged_words() -> None:
    gold = KIND.canonical_about(SPEC, TEXT, value(RAKOTO, TANA))
    (block,) = KIND.answer_blocks(turn(), gold)
    assert block.style is BlockStyle.NOTE
    assert block.text == Phrase(PhraseCode.MARKS_SUMMARY,
                                {"marks": "“Rakoto” (PER), “Antananarivo” (LOC)"})
    (empty,) = KIND.answer_blocks(turn(), EMPTY)
    assert empty.text == Phrase(PhraseCode.NO_MARKS)


def test_gold_is_passed_on_the_f1_of_exact_spans() -> None:
    gold = KIND.canonical_about(SPEC, TEXT, value(RAKOTO, TANA))
    assert KIND.is_correct(SPEC, gold, gold)
    half = KIND.canonical_about(SPEC, TEXT, value(RAKOTO))
    assert not KIND.is_correct(SPEC, half, gold)  # F1 2/3
    assert KIND.is_correct(parse_spec(BASE + "min_f1 = 0.6\n"), half, gold)
    wrong_label = KIND.canonical_about(SPEC, TEXT, value([0, 6, "LOC"], TANA))
    assert not KIND.is_correct(SPEC, wrong_label, gold)
    assert KIND.is_correct(SPEC, EMPTY, EMPTY) and not KIND.is_correct(SPEC, EMPTY, gold)


def test_intake_checks_gold_against_the_text_and_refuses_media() -> None:
    drafts = parse_items(
        ("id,text,gold\n"
         f'a,{TEXT},"{{""spans"": [[1, 3, ""PER""]]}}"\n'
         f"b,{TEXT},LOC:15-27\n").encode(), "items.csv", SPEC, None)
    assert [d.gold_answer for d in drafts] == ['{"spans":[[0,6,"PER"]]}',
                                               '{"spans":[[15,27,"LOC"]]}']
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30)).save(buffer, "PNG")
    with pytest.raises(ValidationFailed) as refused:
        parse_items(f"id,text,image,gold\np,,a.png,\nq,{TEXT},,PER:0-99\n".encode(),
                    "items.csv", SPEC, MemorySource({"a.png": buffer.getvalue()}))
    problems = refused.value.problems
    assert [(p.code, p.line, p.field) for p in problems] == [
        (ItemProblem.WRONG_MEDIA, 2, "text"), (ItemProblem.BAD_GOLD, 3, "gold")]
    assert problems[1].params["reason"] == ErrorCode.SPAN_OUT_OF_TEXT
    for language in ("en", "fr", "mg"):
        texts = [describe_problem(p, Catalogs().get(language)) for p in problems]
        assert all("{" not in text and "…" not in text for text in texts), texts
    assert "0-99" in describe_problem(problems[1], Catalogs().get("en"))


def tally(item_id: str, text: str = TEXT, gold: str | None = None) -> ItemTally:
    return ItemTally(ItemId(int(item_id[1:])), item_id, MediaKind.TEXT, text, None, gold, 0)


def collected(votes: list[tuple[str, int, str]], items: list[ItemTally]) -> list[LabeledItem]:
    collector = VoteCollector(SPEC, items)
    texts = {t.external_id: t.text for t in items}
    for item_id, annotator, raw in votes:
        collector.add(item_id, annotator, KIND.canonical_about(SPEC, texts[item_id], raw))
    return collector.label_items()


VOTES = [("t1", 1, value(RAKOTO, TANA)), ("t1", 2, value(RAKOTO)),
         ("t1", 3, value(RAKOTO, [15, 27, "PER"])),
         ("t2", 1, EMPTY), ("t2", 2, EMPTY)]


def test_the_consensus_is_voted_token_by_token() -> None:
    one, two, three = collected(VOTES, [tally("t1"), tally("t2"), tally("t3")])
    assert one.label == '{"spans":[[0,6,"PER"]]}'  # Antananarivo: LOC 1, PER 1 of 3
    assert one.method == "spans_consensus" and one.confidence == 1.0
    assert 0 < one.agreement < 1
    assert (two.label, two.confidence, two.agreement) == (EMPTY, 1.0, 1.0)
    assert (three.label, three.answers) == (None, 0)


def test_adjacent_entities_stay_apart_in_the_consensus() -> None:
    text = "Rabe Rasoa"
    votes = [("t1", a, value([0, 4, "PER"], [5, 10, "PER"])) for a in (1, 2)]
    (found,) = collected(votes, [tally("t1", text)])
    assert found.label == '{"spans":[[0,4,"PER"],[5,10,"PER"]]}'


def kind_items() -> list[KindItem]:
    items = [tally("t1", gold='{"spans":[[0,6,"PER"],[15,27,"LOC"]]}'), tally("t2"),
             tally("t3")]
    labelled = collected(VOTES, items)
    by_item: dict[str, list[KindVote]] = {}
    for item_id, annotator, raw in VOTES:
        by_item.setdefault(item_id, []).append(
            KindVote(f"a{annotator}", KIND.canonical_about(SPEC, TEXT, raw), ""))
    return [KindItem(found, t.payload, tuple(by_item.get(t.external_id, ())))
            for found, t in zip(labelled, items, strict=True)]


def test_the_tables_hold_each_text_with_its_spans_and_each_span() -> None:
    items, marks = KIND.export(SPEC, kind_items())
    assert items.name == "spans/items" and items.card and marks.name == "spans/marks"
    first, second, third = items.rows
    assert first["spans"] == [RAKOTO] and first["span_confidence"] == [1.0]
    assert first["text"] == TEXT and first["gold_f1"] == pytest.approx(2 / 3, abs=1e-6)
    assert second["spans"] == [] and second["confidence"] == 1.0
    assert third["spans"] == [] and third["gold_f1"] is None
    assert list(marks.rows) == [{"item_id": "t1", "start": 0, "end": 6, "label": "PER",
                                 "text": "Rakoto", "confidence": 1.0}]


def test_label_studio_gets_labels_over_the_text() -> None:
    config = KIND.label_studio_config(SPEC, [MediaKind.TEXT])
    assert '<Labels name="label" toName="text">' in config
    assert '<Text name="text" value="$text"/>' in config and '<Label value="LOC"/>' in config
    item = kind_items()[0].labelled
    regions = KIND.label_studio_results(SPEC, item, '{"spans":[[0,6,"PER"],[15,27,"LOC"]]}')
    assert regions == [
        {"id": "s0", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 0, "end": 6, "text": "Rakoto", "labels": ["PER"]}},
        {"id": "s1", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 15, "end": 27, "text": "Antananarivo", "labels": ["LOC"]}}]
    assert KIND.label_studio_data(item, "") == {"item_id": "t1", "text": TEXT}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab 'é,.", max_size=20), st.lists(st.tuples(
    st.integers(-2, 24), st.integers(-2, 24), st.sampled_from(["PER", "LOC", "per", "X"])),
    max_size=6), st.booleans())
def test_any_spans_are_refused_or_whole_tokens_of_the_text(
        text: str, spans: list[tuple[int, int, str]], overlapping: bool) -> None:
    spec = OVERLAPPING if overlapping else SPEC
    try:
        canonical = KIND.canonical_about(spec, text, json.dumps({"spans": spans}))
    except AnswerRejected:
        return
    assert KIND.canonical_about(spec, text, canonical) == canonical
    found = [tuple(s) for s in json.loads(canonical)["spans"]]
    assert found == sorted(found)
    starts = {s for s, _ in tokens(text)}
    ends = {e for _, e in tokens(text)}
    for start, end, label in found:
        assert start in starts and end in ends and label in ("PER", "LOC")
    if not overlapping:
        assert all(a[1] <= b[0] for a, b in pairwise(found))
