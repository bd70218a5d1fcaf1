"""Every kind behind the seam: each button a kind lays out is one it accepts."""

from __future__ import annotations

import pytest

from annotation.intake.spec import parse_spec
from annotation.kinds.base import DONE_CODE, Turn
from annotation.kinds.comparison import Candidate as C
from annotation.kinds.comparison import Comparison, Lineup
from annotation.kinds.registry import KINDS, kind_of
from annotation.models import AnnotatorId, Item, ItemId, MediaKind, ProjectId

SPECS = {
    "single": 'options = ["cat", "dog"]',
    "multi": 'options = ["cat", "dog", "bird"]',
    "yes_no": "",
    "text": "",
    "number": "",
    "pairwise": "tie = true\nlevels = 3",
    "rating": 'points = 7\nstart = 0\nlow = "bad"\nhigh = "good"',
    "ranking": "candidates = 3",
    "recording": "max_seconds = 30.0",
    "check": 'source = "Read aloud"\nvotes = 3',
    "transcript": 'max_cer = 0.1\nnumbers = "separate"',
    "boxes": 'classes = ["car", "person"]\npoints = true',
    "spans": 'labels = ["PER", "LOC"]',
    "questions": '[[questions]]\nkey = "ok"\nquestion = "OK?"\nanswer_type = "yes_no"\n'
                 '[[questions]]\nkey = "stars"\nquestion = "Stars?"\nanswer_type = "rating"\n',
}


def test_every_registered_kind_is_listed_here() -> None:
    assert set(KINDS) == set(SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_button_is_accepted_and_every_final_value_is_canonical(name: str) -> None:
    spec = parse_spec(f'name = "n"\nquestion = "q"\nanswer_type = "{name}"\n{SPECS[name]}\n')
    kind = kind_of(spec)
    payload = {"pairwise": Comparison("p", C("x", "one"), C("y", "two")).to_json(),
               "ranking": Lineup("p", (C("x", "1"), C("y", "2"), C("z", "3"))).to_json()
               }.get(name, "")
    item = Item(ItemId(1), ProjectId(1), "i", MediaKind.TEXT, "t", None, None, payload=payload)
    turn = Turn(spec, item, AnnotatorId(5), "")
    layout = kind.layout(turn)
    assert (kind.accepts_typed or kind.accepts_voice) == (not layout.rows)
    for button in [b for row in layout.rows for b in row] + list(layout.controls):
        if button.opens_app:  # opens the Mini App: Telegram sends no press for it
            continue
        step = kind.press(turn, button.code)
        while step.final is None and name in ("ranking", "questions"):  # first button until done
            assert step.draft is not None
            turn = Turn(spec, item, AnnotatorId(5), step.draft)
            step = kind.press(turn, kind.layout(turn).rows[0][0].code)
        if step.final is not None:
            assert step.final in spec.labels or name in ("multi", "questions", "boxes",
                                                         "spans")
            assert kind.canonical(spec, step.final) == step.final
            assert kind.is_correct(spec, step.final, step.final)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_kind_says_an_answer_agrees_with_two_copies_of_itself(name: str) -> None:
    spec = parse_spec(f'name = "n"\nquestion = "q"\nanswer_type = "{name}"\n{SPECS[name]}\n')
    kind = kind_of(spec)
    payload = {"pairwise": Comparison("p", C("x", "one"), C("y", "two")).to_json(),
               "ranking": Lineup("p", (C("x", "1"), C("y", "2"), C("z", "3"))).to_json()
               }.get(name, "")
    item = Item(ItemId(1), ProjectId(1), "i", MediaKind.TEXT, "t", None, None, payload=payload)
    turn = Turn(spec, item, AnnotatorId(5), "")
    if kind.accepts_typed:
        value = kind.typed(spec, "42")
    elif kind.layout(turn).rows and not kind.layout(turn).rows[0][0].opens_app:
        step = kind.press(turn, kind.layout(turn).rows[0][0].code)
        for _ in range(10):  # the first button until done (Done once something is ticked)
            if step.final is not None:
                break
            assert step.draft is not None
            turn = Turn(spec, item, AnnotatorId(5), step.draft)
            layout = kind.layout(turn)
            done = [b.code for b in layout.controls if b.code == DONE_CODE]
            step = kind.press(turn, done[0] if done else layout.rows[0][0].code)
        assert step.final is not None
        value = step.final
    else:  # a voice note, or marks drawn in the Mini App: any value stands for itself
        value = "v"
    found = kind.agreement(spec, value, [value, value])
    assert found and all(found.values())
    assert set(found) == (set(kind.split(spec, value)) or {""})
    assert kind.agreement(spec, value, [value]) == {}  # one other: nothing to agree with
