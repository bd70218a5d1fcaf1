"""Rankings: picks in order, stale taps ignored, Back and Undo one step, import checks."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from annotation.errors import AnswerRejected, ValidationFailed
from annotation.intake.item_files import parse_items
from annotation.intake.item_rows import ItemProblem
from annotation.intake.spec import parse_spec
from annotation.kinds.base import BACK_CODE, Turn
from annotation.kinds.comparison import Candidate, Lineup
from annotation.kinds.ranking import RankingKind
from annotation.models import AnnotatorId, Item, ItemId, MediaKind, ProjectId

KIND = RankingKind()
SPEC = parse_spec('name = "r"\nquestion = "Which is best?"\nanswer_type = "ranking"\n'
                  "candidates = 4\n")
LINEUP = Lineup("p?", tuple(Candidate(f"m{i}", f"text {i}") for i in range(4)))
ITEM = Item(ItemId(3), ProjectId(1), "x", MediaKind.TEXT, "", None, None,
            payload=LINEUP.to_json())


def turn(draft: str = "", annotator: int = 7) -> Turn:
    return Turn(SPEC, ITEM, AnnotatorId(annotator), draft)


def letters(t: Turn) -> dict[str, int]:
    """Map each button's letter to its code."""
    return {str(b.label): b.code for b in KIND.layout(t).rows[0]}


def test_three_picks_rank_four_and_the_label_is_the_best_in_the_items_order() -> None:
    t = turn()
    order = t.order(4)
    shown = "ABCD"
    picks = [shown[order.index(i)] for i in (2, 0, 3)]  # the item's 3rd, 1st, 4th
    for letter in picks[:2]:
        step = KIND.press(t, letters(t)[letter])
        assert step.draft is not None
        t = turn(step.draft)
    assert len(KIND.layout(t).rows[0]) == 2 and KIND.layout(t).controls
    final = KIND.press(t, letters(t)[picks[2]])
    assert final.final == "3"
    # the best response's screen place and how many were shown, for the position rule
    assert json.loads(final.detail) == {"ranking": [2, 0, 3, 1], "shown": list(order),
                                        "position": order.index(2), "choices": 4}


@pytest.mark.parametrize("annotator", range(8))
def test_the_detail_records_the_screen_place_of_the_response_ranked_best(
        annotator: int) -> None:
    t = turn(annotator=annotator)
    for _ in range(3):  # always the top one of those left: the response shown first wins
        step = KIND.press(t, min(letters(t).items())[1])
        if step.draft is None:
            break
        t = turn(step.draft, annotator)
    detail = json.loads(step.detail)
    assert detail["position"] == 0 and detail["choices"] == 4
    assert detail["ranking"] == list(t.order(4))  # the screen's order, top to bottom


def test_a_button_from_an_earlier_step_changes_nothing() -> None:
    t = turn()
    first = KIND.press(t, min(letters(t).values()))
    assert first.draft is not None
    again = KIND.press(turn(first.draft), min(letters(t).values()))  # the same tap twice
    assert again.draft == first.draft
    with pytest.raises(AnswerRejected):
        KIND.press(t, 9)  # no candidate 9


def test_back_and_undo_take_back_one_pick() -> None:
    assert KIND.back(turn()) is None
    assert KIND.back(turn("2,0")) == "2"
    detail = json.dumps({"ranking": [2, 0, 3, 1], "shown": [0, 1, 2, 3]})
    assert KIND.reopened(SPEC, "3", detail) == "2,0"
    assert BACK_CODE in [b.code for b in KIND.layout(turn("2")).controls]


def test_each_annotator_sees_a_shuffled_order_every_position_about_equally() -> None:
    firsts = Counter(turn(annotator=a).order(4)[0] for a in range(400))
    assert set(firsts) == {0, 1, 2, 3} and min(firsts.values()) > 60
    assert turn(annotator=5).order(4) == turn(annotator=5).order(4)


def test_import_needs_every_response_and_refuses_what_does_not_fit() -> None:
    spec3 = parse_spec('name = "r"\nquestion = "q"\nanswer_type = "ranking"\ncandidates = 3\n')
    good = b"prompt,response_1,response_2,response_3,response_1_id,gold\nWhy?,a,b,c,gpt,2\n"
    (draft,) = parse_items(good, "r.csv", spec3, None)
    lineup = Lineup.from_json(draft.payload)
    assert [c.id for c in lineup.candidates] == ["gpt", "2", "3"] and draft.gold_answer == "2"
    bad = ("prompt,response_1,response_2,response_3\nWhy?,a,,c\n"
           f"{'p' * 3700},a,b,c\n").encode()
    with pytest.raises(ValidationFailed) as refused:
        parse_items(bad, "r.csv", spec3, None)
    assert [(p.code, p.line, p.field) for p in refused.value.problems] == [
        (ItemProblem.EMPTY_CELL, 2, "response_2"),
        (ItemProblem.TEXT_TOO_LONG, 3, "prompt+response_1+response_2+response_3")]
