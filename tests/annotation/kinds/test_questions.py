"""Several questions about one item: the walk, its codes, gold by question, the parts."""

from __future__ import annotations

import json

import pytest

from annotation.errors import AnswerRejected, ValidationFailed
from annotation.intake.item_files import parse_items
from annotation.intake.item_rows import ItemProblem
from annotation.intake.spec import parse_spec
from annotation.kinds.base import BACK_CODE, BlockStyle, ItemFault, Phrase, PhraseCode, Turn
from annotation.kinds.comparison import Candidate, Comparison
from annotation.kinds.questions import STEP, QuestionsKind
from annotation.models import AnnotatorId, Item, ItemId, MediaKind, ProjectId, ProjectSpec

KIND = QuestionsKind()
PAIR_SPEC = """
name = "judge"
answer_type = "questions"
question = "Read both responses."

[[questions]]
key = "helpful"
question = "Helpful?"
answer_type = "rating"
points = 3
each = true

[[questions]]
key = "preference"
question = "Which is better?"
answer_type = "pairwise"
levels = 1
"""
PLAIN_SPEC = """
name = "sentence"
answer_type = "questions"
question = "Read the sentence."

[[questions]]
key = "language"
question = "Which language?"
answer_type = "single"
options = ["mg", "fr", "en"]

[[questions]]
key = "offensive"
question = "Is it offensive?"
answer_type = "yes_no"
"""


def pair_item() -> Item:
    payload = Comparison("p", Candidate("good", "one"), Candidate("bad", "two")).to_json()
    return Item(ItemId(1), ProjectId(1), "x", MediaKind.TEXT, "", None, None, payload=payload)


def turn_for(spec: ProjectSpec, swapped: bool, draft: str = "") -> Turn:
    item = pair_item()
    for annotator in range(1, 100):
        turn = Turn(spec, item, AnnotatorId(annotator), draft)
        if turn.swapped is swapped:
            return turn
    raise AssertionError("no annotator drew this order")


def walk(spec: ProjectSpec, swapped: bool, picks: list[int]) -> tuple[str, str]:
    """Tap each pick (a question's own code) in turn; return the final value and detail."""
    draft = ""
    for step, pick in enumerate(picks):
        done = KIND.press(turn_for(spec, swapped, draft), step * STEP + pick)
        if done.final is not None:
            assert step == len(picks) - 1
            return done.final, done.detail
        assert done.draft is not None
        draft = done.draft
    raise AssertionError("the walk did not end")


@pytest.mark.parametrize("swapped", [False, True])
def test_each_response_is_asked_in_screen_order_and_recorded_in_item_order(
        swapped: bool) -> None:
    spec = parse_spec(PAIR_SPEC)
    first = KIND.layout(turn_for(spec, swapped))
    heading = next(b for b in first.blocks if b.style is BlockStyle.HEADING)
    assert heading.text == Phrase(PhraseCode.QUESTION_ABOUT, {"question": "Helpful?",
                                                              "side": "A"})
    assert heading.caption == Phrase(PhraseCode.QUESTION_STEP, {"step": 1, "steps": 3})
    # screen A rated 3, screen B rated 1, then screen A preferred (code 11: A better)
    value, detail = walk(spec, swapped, [2, 0, 11])
    a, b = ("1", "3") if swapped else ("3", "1")
    assert json.loads(value) == {"helpful.a": a, "helpful.b": b,
                                 "preference": "b" if swapped else "a"}
    assert list(json.loads(value)) == ["helpful.a", "helpful.b", "preference"]
    assert json.loads(detail)["position"] == 0


def test_back_takes_one_question_back_and_a_stale_button_changes_nothing() -> None:
    spec = parse_spec(PAIR_SPEC)
    one = KIND.press(turn_for(spec, False), 2).draft
    assert one is not None
    two = KIND.press(turn_for(spec, False, one), STEP + 1).draft
    assert two is not None
    assert KIND.press(turn_for(spec, False, two), 0).draft == two  # step 1's button again
    assert KIND.back(turn_for(spec, False, two)) == one
    assert KIND.back(turn_for(spec, False, "")) is None
    layout = KIND.layout(turn_for(spec, False, two))
    assert [b.code for b in layout.controls] == [BACK_CODE]
    done = [b for b in layout.blocks if b.style is BlockStyle.NOTE and b.caption is not None]
    assert [b.text for b in done] == ["3", "2"]  # the points as their buttons read
    with pytest.raises(AnswerRejected):
        KIND.press(turn_for(spec, False, two), 5 * STEP)  # no such step


def test_undo_reopens_at_the_last_question() -> None:
    spec = parse_spec(PAIR_SPEC)
    value, detail = walk(spec, False, [2, 0, 11])
    reopened = KIND.reopened(spec, value, detail)
    assert [entry[0] for entry in json.loads(reopened)] == ["helpful.a", "helpful.b"]
    layout = KIND.layout(turn_for(spec, False, reopened))
    heading = next(b for b in layout.blocks if b.style is BlockStyle.HEADING)
    assert heading.caption == Phrase(PhraseCode.QUESTION_STEP, {"step": 3, "steps": 3})


def test_gold_may_give_any_questions_each_checked_on_its_own() -> None:
    spec = parse_spec(PLAIN_SPEC)
    gold = KIND.canonical(spec, " offensive = Non ")  # yes/no in any of the languages
    assert json.loads(gold) == {"offensive": "no"}
    assert KIND.canonical(spec, '{"language": "FR", "offensive": "yes"}') == \
        '{"language":"fr","offensive":"yes"}'
    for bad in ("", "colour=red", "language=de", "language", "{not json"):
        with pytest.raises(AnswerRejected):
            KIND.canonical(spec, bad)
    value = '{"language":"mg","offensive":"yes"}'
    both = KIND.canonical(spec, "language=mg; offensive=no")
    assert KIND.checks(spec, value, both) == {"language": True, "offensive": False}
    assert not KIND.is_correct(spec, value, both)
    assert KIND.is_correct(spec, value, KIND.canonical(spec, "language=mg"))


def test_the_gold_answer_reads_in_the_annotators_terms() -> None:
    spec = parse_spec(PLAIN_SPEC)
    item = Item(ItemId(1), ProjectId(1), "x", MediaKind.TEXT, "Salama", None, None)
    blocks = KIND.answer_blocks(Turn(spec, item, AnnotatorId(1), ""),
                                '{"language":"mg","offensive":"no"}')
    assert [(b.caption, b.text) for b in blocks] == [("Which language?", "mg"),
                                                     ("Is it offensive?", Phrase(PhraseCode.NO))]


def test_items_are_checked_for_what_the_questions_need() -> None:
    plain = parse_spec(PLAIN_SPEC)
    assert KIND.check_item(plain, {"text": "Salama"}).faults == ()
    assert KIND.check_item(plain, {}).faults == ((ItemFault.MISSING, "text", 0, 0),)
    assert KIND.check_item(plain, {"text": "x", "prompt": "p"}).faults == (
        (ItemFault.NOT_APPLICABLE, "prompt", 0, 0),)
    paired = parse_spec(PAIR_SPEC)
    check = KIND.check_item(paired, {"prompt": "p", "response_a": "one", "response_b": "two"})
    assert Comparison.from_json(check.payload).first.text == "one"
    assert KIND.check_item(paired, {"prompt": "p", "response_a": "one"}).faults


def test_an_items_file_is_refused_whole_with_each_line_and_column() -> None:
    spec = parse_spec(PLAIN_SPEC)
    data = b"id,text,prompt,gold\n1,Salama,,language=mg\n2,,,\n3,Bonjour,hi,\n4,Hello,,x=1\n"
    with pytest.raises(ValidationFailed) as refused:
        parse_items(data, "items.csv", spec, None)
    found = {(p.code, p.line, p.field) for p in refused.value.problems}
    assert found == {(ItemProblem.EMPTY_CELL, 3, "text"),
                     (ItemProblem.UNKNOWN_COLUMN, 4, "prompt"),
                     (ItemProblem.BAD_GOLD, 5, "gold")}
    items = parse_items(b"id,text,gold\n1,Salama,language=mg\n", "items.csv", spec, None)
    assert items[0].gold_answer == '{"language":"mg"}'


def test_long_questions_leave_less_room_for_the_item() -> None:
    long = PLAIN_SPEC.replace('"Which language?"', '"' + "w" * 189 + '?"').replace(
        '"Is it offensive?"', '"' + "o" * 189 + '?"')
    data = ("id,text\n1," + "x" * 3400 + "\n").encode()
    assert parse_items(data, "i.csv", parse_spec(PLAIN_SPEC), None)
    with pytest.raises(ValidationFailed) as refused:
        parse_items(data, "i.csv", parse_spec(long), None)
    (problem,) = refused.value.problems
    # the questions (each with its answer beside it) take what the item may not
    room = 4096 - 250 - len("Read the sentence.") - 2 * (190 + 60)
    assert (problem.code, problem.params["length"], problem.params["limit"]) == (
        ItemProblem.TEXT_TOO_LONG, 3400, room)


def test_the_export_gives_each_question_its_row_and_the_kinds_their_tables() -> None:
    from annotation.datasets.labels import PartsCollector
    from annotation.datasets.records import KindItem, KindVote
    from annotation.records import ItemTally

    spec = parse_spec(PAIR_SPEC)
    payload = pair_item().payload
    tally = ItemTally(ItemId(1), "x", MediaKind.TEXT, "", None, None, 3, payload=payload)
    collector = PartsCollector(spec, [tally])
    answers = [walk(spec, False, picks) for picks in ([2, 0, 11], [2, 1, 11], [1, 0, 11])]
    for annotator, (value, _detail) in enumerate(answers):
        collector.add("x", annotator, value)
    (row,) = collector.label_items()
    assert json.loads(row.label or "") == {"helpful.a": "3", "helpful.b": "1",
                                           "preference": "a"}
    assert set(row.parts) == {"helpful.a", "helpful.b", "preference"}
    votes = tuple(KindVote(f"u{n}", value, detail) for n, (value, detail) in enumerate(answers))
    tables = {t.name: t for t in KIND.export(spec, [KindItem(row, payload, votes)])}
    assert {"questions/labels", "questions/long", "preferences/pairs",
            "ratings/items"} <= set(tables)
    rated = {(r["candidate_id"], r["median"]) for r in tables["ratings/items"].rows}
    assert rated == {("good", 3.0), ("bad", 1.0)}
    assert tables["preferences/pairs"].rows[0]["chosen_id"] == "good"
    assert len(tables["questions/long"].rows) == 3 * 3


@pytest.mark.parametrize("swapped", [False, True])
def test_an_image_pair_shows_each_annotator_the_photo_in_their_order(swapped: bool) -> None:
    from dataclasses import replace

    from annotation.kinds.base import CandidateMedia
    from annotation.models import MediaKey

    spec = parse_spec(PAIR_SPEC)
    media = CandidateMedia((MediaKey("img-a"), MediaKey("img-b")), MediaKey("photo-ba"))
    payload = KIND.with_media(pair_item().payload, media)
    turn = turn_for(spec, swapped)
    turn = Turn(spec, replace(turn.item, payload=payload, media_key=MediaKey("photo-ab")),
                turn.annotator_id, "")
    assert KIND.media_key(turn) == ("photo-ba" if swapped else "photo-ab")
