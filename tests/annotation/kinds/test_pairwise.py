"""Comparisons: buttons, sides in the item's terms, the order drawn per annotator, import."""

from __future__ import annotations

import json

import pytest

from annotation.errors import AnswerRejected, ValidationFailed
from annotation.intake.item_files import parse_items
from annotation.intake.item_rows import ItemProblem
from annotation.intake.spec import parse_spec, spec_from_json, spec_to_json, spec_to_toml
from annotation.kinds.base import Phrase, Turn
from annotation.kinds.comparison import Comparison
from annotation.kinds.pairwise import PairwiseKind
from annotation.models import AnnotatorId, Item, ItemId, MediaKind, ProjectId

KIND = PairwiseKind()
SPEC_TOML = """
name = "cmp"
answer_type = "pairwise"
question = "Which is better?"
levels = {levels}
tie = {tie}
"""


def spec(levels: int = 2, tie: bool = False):  # type: ignore[no-untyped-def]
    return parse_spec(SPEC_TOML.format(levels=levels, tie="true" if tie else "false"))


def item(item_id: int = 1) -> Item:
    payload = Comparison.from_json(json.dumps({"prompt": "p", "candidates": [
        {"id": "gpt", "text": "one"}, {"id": "llama", "text": "two"}]}))
    return Item(ItemId(item_id), ProjectId(1), "x", MediaKind.TEXT, "", None, None,
                payload=payload.to_json())


def turn_for(swapped: bool, **spec_args: object) -> Turn:
    for annotator in range(1, 100):
        turn = Turn(spec(**spec_args), item(), AnnotatorId(annotator), "")  # type: ignore[arg-type]
        if turn.swapped is swapped:
            return turn
    raise AssertionError("no annotator drew this order")


@pytest.mark.parametrize("swapped", [False, True])
def test_every_button_names_a_side_in_the_items_terms(swapped: bool) -> None:
    turn = turn_for(swapped, tie=True)
    layout = KIND.layout(turn)
    shown = [b.text for b in layout.blocks[1:]]
    assert shown == (["two", "one"] if swapped else ["one", "two"])
    picks = {}
    for row in layout.rows:
        for button in row:
            step = KIND.press(turn, button.code)
            assert isinstance(button.label, Phrase)
            picks[(button.label.code, button.label.params.get("side"))] = (
                step.final, json.loads(step.detail))
    first, second = ("b", "a") if swapped else ("a", "b")
    assert picks[("pair_much_better", "A")][0] == first
    assert picks[("pair_better", "B")][0] == second
    assert picks[("pair_much_better", "B")][1]["level"] == 2
    assert picks[("pair_better", "A")][1] == {
        "level": 1, "position": 0, "shown": "ba" if swapped else "ab"}
    assert picks[("pair_tie", None)] == ("tie", {
        "level": 0, "position": None, "shown": "ba" if swapped else "ab"})


def test_the_order_is_drawn_per_annotator_and_item_about_half_each_way() -> None:
    swapped = [Turn(spec(), item(i), AnnotatorId(a), "").swapped
               for i in range(1, 21) for a in range(1, 51)]
    assert 0.4 < sum(swapped) / len(swapped) < 0.6
    assert Turn(spec(), item(3), AnnotatorId(9), "").swapped == \
        Turn(spec(), item(3), AnnotatorId(9), "").swapped


@pytest.mark.parametrize("code", [0, 13, 30, 10, 999])
def test_a_code_no_button_carries_is_refused(code: int) -> None:
    with pytest.raises(AnswerRejected):
        KIND.press(turn_for(False), code)  # no tie offered, two levels


def test_levels_and_tie_shape_the_buttons_and_the_labels() -> None:
    three = KIND.layout(turn_for(False, levels=3, tie=False))
    assert [len(row) for row in three.rows] == [3, 3]
    assert spec(levels=1, tie=True).labels == ("a", "b", "tie")
    assert spec().labels == ("a", "b")


def test_gold_names_a_side() -> None:
    assert KIND.canonical(spec(), " A ") == "a"
    with pytest.raises(AnswerRejected):
        KIND.canonical(spec(), "tie")  # not offered
    assert KIND.canonical(spec(tie=True), "tie") == "tie"
    assert KIND.is_correct(spec(), "a", "a") and not KIND.is_correct(spec(), "b", "a")


def test_the_spec_round_trips_through_toml_and_json() -> None:
    original = spec(levels=3, tie=True)
    assert parse_spec(spec_to_toml(original)) == original
    assert spec_from_json(spec_to_json(original)) == original


def test_import_reads_the_candidates_with_their_ids_and_refuses_what_cannot_be_shown() -> None:
    data = (b"id,prompt,response_a,response_b,response_a_id,response_b_id,gold\n"
            b"1,Why?,Because.,No idea.,gpt,llama,b\n")
    (draft,) = parse_items(data, "pairs.csv", spec(), None)
    comparison = Comparison.from_json(draft.payload)
    assert (comparison.first.id, comparison.second.text, draft.gold_answer) == (
        "gpt", "No idea.", "b")
    bad = ("prompt,response_a,response_b\n"
           f"Why?,,x\n{'p' * 3000},{'a' * 500},{'b' * 400}\n").encode()
    with pytest.raises(ValidationFailed) as refused:
        parse_items(bad, "pairs.csv", spec(), None)
    found = [(p.code, p.line, p.field) for p in refused.value.problems]
    assert found == [(ItemProblem.EMPTY_CELL, 2, "response_a"),
                     (ItemProblem.TEXT_TOO_LONG, 3, "prompt+response_a+response_b")]
    assert refused.value.problems[1].params["length"] == 3900


def test_a_comparison_spec_refuses_another_kinds_keys() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_spec(SPEC_TOML.format(levels=2, tie="false") + "points = 5\n")
    assert [(p.code, p.field) for p in refused.value.problems] == [
        ("spec.not_applicable", "points")]
