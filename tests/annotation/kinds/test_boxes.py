"""The boxes kind: its spec keys, hostile answers refused, the chat's layout, the Mini App's
view, gold by precision and recall, the consensus of annotators, and its exports."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from annotation.datasets.labels import VoteCollector
from annotation.datasets.records import ExportFile, KindItem, KindVote, LabeledItem
from annotation.errors import AnswerRejected, ErrorCode, ValidationFailed
from annotation.intake.item_files import parse_items
from annotation.intake.item_rows import ItemProblem
from annotation.intake.spec import parse_spec, spec_from_json, spec_to_json, spec_to_toml
from annotation.kinds.base import BlockStyle, Phrase, PhraseCode, Turn, VoteModel
from annotation.kinds.box_values import EMPTY, image_size
from annotation.kinds.marks import NOTHING_CODE, OPEN_CODE, rules
from annotation.kinds.registry import kind_of
from annotation.media.sources import MemorySource
from annotation.models import AnnotatorId, Item, ItemId, MediaKey, MediaKind, ProjectId
from annotation.records import ItemTally
from bot.i18n import Catalogs
from handlers.problems import describe_problem

BASE = ('name = "Street"\nanswer_type = "boxes"\nquestion = "Box every car and person."\n'
        'classes = ["car", "person"]\n')
SPEC = parse_spec(BASE)
POINTS = parse_spec(BASE + "points = true\n")
KIND = kind_of(SPEC)
CAR = ["car", 0.1, 0.2, 0.3, 0.4]
PERSON = ["person", 0.5, 0.5, 0.2, 0.3]


def value(boxes: list[list[object]] | None = None,
          points: list[list[object]] | None = None) -> str:
    return json.dumps({"boxes": boxes or [], "points": points or []})


def image_item(payload: str = '{"width": 640, "height": 480}', draft: str = "") -> Turn:
    item = Item(ItemId(1), ProjectId(1), "i1", MediaKind.IMAGE, "", MediaKey("k"), None,
                payload=payload)
    return Turn(SPEC, item, AnnotatorId(7), draft)


def test_the_kind_is_answered_in_the_app_and_aggregates_itself() -> None:
    assert KIND.name == "boxes" and KIND.votes is VoteModel.OWN and KIND.own_tables
    assert not KIND.accepts_typed and not KIND.accepts_voice
    assert SPEC.labels == ("car", "person") and SPEC.aggregation == "majority"
    marks = rules(SPEC)
    assert (marks.points, marks.nothing, marks.iou) == (False, True, 0.5)
    assert (marks.min_precision, marks.min_recall, marks.radius) == (0.8, 0.8, 0.05)


def test_the_spec_keys_round_trip_through_toml_and_json() -> None:
    spec = parse_spec(BASE + "points = true\nnothing = false\niou = 0.7\nradius = 0.02\n"
                             "min_precision = 0.9\nmin_recall = 0.6\n")
    marks = rules(spec)
    assert (marks.points, marks.nothing, marks.iou, marks.radius) == (True, False, 0.7, 0.02)
    assert (marks.min_precision, marks.min_recall) == (0.9, 0.6)
    assert parse_spec(spec_to_toml(spec)) == spec
    assert spec_from_json(spec_to_json(spec)) == spec
    assert parse_spec(spec_to_toml(SPEC)) == SPEC


@pytest.mark.parametrize(("extra", "field", "code"), [
    ("", "classes", "spec.missing_field"),
    ('classes = "car"\n', "classes", "spec.wrong_type"),
    ("classes = []\n", "classes", "spec.option_count"),
    ("classes = [" + ", ".join(f'"c{n}"' for n in range(21)) + "]\n", "classes",
     "spec.option_count"),
    ('classes = ["car", "Car"]\n', "classes", "spec.duplicate_option"),
    (f'classes = ["{"x" * 41}"]\n', "classes", "spec.too_long"),
    ('classes = ["car", 3]\n', "classes", "spec.wrong_type"),
    ('classes = ["car"]\npoints = "yes"\n', "points", "spec.wrong_type"),
    ('classes = ["car"]\niou = 1.5\n', "iou", "spec.out_of_range"),
    ('classes = ["car"]\nmin_recall = 0\n', "min_recall", "spec.out_of_range"),
    ('classes = ["car"]\noverlapping = true\n', "overlapping", "spec.not_applicable"),
    ('classes = ["car"]\nlabels = ["PER"]\n', "labels", "spec.not_applicable"),
    ('classes = ["car"]\noptions = ["a", "b"]\n', "options", "spec.not_applicable"),
    ('classes = ["car"]\naggregation = "dawid_skene"\n', "aggregation",
     "spec.not_applicable"),
    ('classes = ["car"]\nmin_overlap = 2\nconfidence_target = 0.9\n', "min_overlap",
     "spec.not_applicable"),
])
def test_bad_keys_are_refused_with_their_field(extra: str, field: str, code: str) -> None:
    base = 'name = "n"\nanswer_type = "boxes"\nquestion = "q"\n'
    with pytest.raises(ValidationFailed) as refused:
        parse_spec(base + extra)
    assert (field, code) in {(p.field, p.code) for p in refused.value.problems}


def test_an_answer_is_rounded_clamped_sorted_and_deduplicated() -> None:
    raw = json.dumps({"boxes": [["Person", 0.5, 0.5, 0.2, 0.3],
                                ["car", 0.123456, -0.0004, 0.3, 0.4000049],
                                ["car", 0.9, 0.9, 0.1005, 0.1],
                                ["car", 0.123456, -0.0004, 0.3, 0.4000049]]})
    # the top corner is clamped onto the edge (the box loses its overshoot)
    assert KIND.canonical(SPEC, raw) == (
        '{"boxes":[["car",0.1235,0.0,0.3,0.3996],["car",0.9,0.9,0.1,0.1],'
        '["person",0.5,0.5,0.2,0.3]],"points":[]}')
    assert KIND.canonical(SPEC, EMPTY) == EMPTY == KIND.canonical(SPEC, "{}")
    canonical = KIND.canonical(SPEC, value([CAR, PERSON]))
    assert KIND.canonical(SPEC, canonical) == canonical  # idempotent
    # the item's text changes nothing for boxes
    assert KIND.canonical_about(SPEC, "a caption", canonical) == canonical
    with_points = KIND.canonical(POINTS, value([], [["car", 0.25, 1.0004]]))
    assert with_points == '{"boxes":[],"points":[["car",0.25,1.0]]}'


HOSTILE = [
    ("", ErrorCode.MARKS_MALFORMED),
    ("not json", ErrorCode.MARKS_MALFORMED),
    ("[]", ErrorCode.MARKS_MALFORMED),
    ('{"boxes": {}}', ErrorCode.MARKS_MALFORMED),
    ('{"boxes": [], "extra": 1}', ErrorCode.MARKS_MALFORMED),
    ('{"boxes": [["car", 0.1, 0.1, 0.2]]}', ErrorCode.MARKS_MALFORMED),
    ('{"boxes": [["car", "0.1", 0.1, 0.2, 0.2]]}', ErrorCode.MARKS_MALFORMED),
    ('{"boxes": [["car", true, 0.1, 0.2, 0.2]]}', ErrorCode.MARKS_MALFORMED),
    ('{"boxes": [[1, 0.1, 0.1, 0.2, 0.2]]}', ErrorCode.MARKS_MALFORMED),
    ('{"boxes": [["car", NaN, 0.1, 0.2, 0.2]]}', ErrorCode.MARKS_MALFORMED),
    ('{"boxes": [["car", Infinity, 0.1, 0.2, 0.2]]}', ErrorCode.MARKS_MALFORMED),
    ('{"boxes": [["car", 1e400, 0.1, 0.2, 0.2]]}', ErrorCode.MARKS_MALFORMED),
    ('{"boxes": [["car", 123456789012345678901, 0.1, 0.2, 0.2]]}',
     ErrorCode.MARKS_MALFORMED),
    ("[" * 50_000 + "]" * 50_000, ErrorCode.MARKS_MALFORMED),  # past the size cap
    ("[" * 15_000 + "]" * 15_000, ErrorCode.MARKS_MALFORMED),  # within it: too deep
    ('{"boxes": [' + ",".join(['["car",0.1,0.1,0.2,0.2]'] * 2000) + "]}",
     ErrorCode.MARKS_MALFORMED),  # past the size cap before it is parsed
    (value([CAR] * 101), ErrorCode.TOO_MANY_MARKS),
    (value([["truck", 0.1, 0.1, 0.2, 0.2]]), ErrorCode.UNKNOWN_CLASS),
    (value([["car", -0.01, 0.1, 0.2, 0.2]]), ErrorCode.OUT_OF_IMAGE),
    (value([["car", 0.9, 0.1, 0.2, 0.2]]), ErrorCode.OUT_OF_IMAGE),
    (value([["car", 0.1, 0.1, 0.0, 0.2]]), ErrorCode.BOX_TOO_SMALL),
    (value([["car", 0.1, 0.1, -0.2, 0.2]]), ErrorCode.BOX_TOO_SMALL),
    (value([["car", 0.1, 0.1, 0.2, 0.001]]), ErrorCode.BOX_TOO_SMALL),
    (value([], [["car", 0.5, 0.5]]), ErrorCode.POINTS_NOT_ALLOWED),
]


@pytest.mark.parametrize(("raw", "code"), HOSTILE)
def test_a_hostile_answer_is_refused_with_its_code(raw: str, code: ErrorCode) -> None:
    with pytest.raises(AnswerRejected) as refused:
        KIND.canonical(SPEC, raw)
    assert refused.value.code is code


def test_an_empty_answer_needs_nothing_to_be_offered() -> None:
    strict = parse_spec(BASE + "nothing = false\n")
    with pytest.raises(AnswerRejected) as refused:
        KIND.canonical(strict, EMPTY)
    assert refused.value.code is ErrorCode.NO_MARKS
    assert KIND.canonical(strict, value([CAR])).startswith('{"boxes":[["car"')


def test_the_chat_shows_a_hint_the_app_button_and_nothing_to_mark() -> None:
    turn = image_item()
    layout = KIND.layout(turn)
    assert [b.text for b in layout.blocks] == [
        Phrase(PhraseCode.BOXES_HINT, {"classes": "car, person"})]
    (opener,), (nothing,) = layout.rows
    assert opener.opens_app and opener.label == Phrase(PhraseCode.DRAW_BOXES)
    assert opener.code == OPEN_CODE and not nothing.opens_app
    assert nothing.label == Phrase(PhraseCode.NOTHING_TO_MARK)
    assert KIND.press(turn, nothing.code).final == EMPTY
    with pytest.raises(AnswerRejected):
        KIND.press(turn, OPEN_CODE)  # the app's button never sends a press
    strict = Turn(parse_spec(BASE + "nothing = false\n"), turn.item, turn.annotator_id, "")
    assert len(KIND.layout(strict).rows) == 1
    with pytest.raises(AnswerRejected):
        KIND.press(strict, NOTHING_CODE)
    points = Turn(POINTS, turn.item, turn.annotator_id, "")
    assert KIND.layout(points).blocks[0].text == Phrase(PhraseCode.POINTS_HINT,
                                                         {"classes": "car, person"})


def test_the_app_view_names_classes_flags_and_the_draft() -> None:
    assert KIND.app_view(image_item()) == {
        "kind": "boxes", "classes": ["car", "person"], "points": False, "nothing": True,
        "overlapping": False, "text": None, "tokens": None, "draft": None}
    drafted = KIND.app_view(image_item(draft=value([CAR])))
    assert drafted is not None and drafted["draft"] == json.loads(value([CAR]))
    broken = KIND.app_view(image_item(draft="{not json"))
    assert broken is not None and broken["draft"] is None


def test_training_feedback_summarizes_the_right_answer() -> None:
    turn = image_item()
    two_cars = value([CAR, ["car", 0.6, 0.6, 0.1, 0.1], PERSON])
    (block,) = KIND.answer_blocks(turn, KIND.canonical(SPEC, two_cars))
    assert block.style is BlockStyle.NOTE
    assert block.text == Phrase(PhraseCode.MARKS_SUMMARY, {"marks": "car ×2, person"})
    (empty,) = KIND.answer_blocks(turn, EMPTY)
    assert empty.text == Phrase(PhraseCode.NO_MARKS)


def test_gold_is_passed_on_precision_and_recall_at_the_spec_iou() -> None:
    gold = KIND.canonical(SPEC, value([CAR, PERSON]))
    near = KIND.canonical(SPEC, value([["car", 0.11, 0.21, 0.3, 0.4], PERSON]))
    assert KIND.is_correct(SPEC, near, gold)
    assert not KIND.is_correct(SPEC, KIND.canonical(SPEC, value([CAR])), gold)  # recall 0.5
    wrong_class = KIND.canonical(SPEC, value([["person", 0.1, 0.2, 0.3, 0.4], PERSON]))
    assert not KIND.is_correct(SPEC, wrong_class, gold)
    extra = KIND.canonical(SPEC, value([CAR, PERSON, ["car", 0.7, 0.0, 0.1, 0.1]]))
    assert not KIND.is_correct(SPEC, extra, gold)  # precision 2/3
    lenient = parse_spec(BASE + "min_precision = 0.6\n")
    assert KIND.is_correct(lenient, extra, gold)
    assert KIND.is_correct(SPEC, EMPTY, EMPTY) and not KIND.is_correct(SPEC, EMPTY, gold)
    assert not KIND.is_correct(SPEC, gold, EMPTY)
    shifted = KIND.canonical(SPEC, value([["car", 0.2, 0.3, 0.3, 0.4], PERSON]))
    assert not KIND.is_correct(SPEC, shifted, gold)  # IoU 0.4 with the gold car
    assert KIND.is_correct(parse_spec(BASE + "iou = 0.3\n"), shifted, gold)


def picture(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def test_intake_keeps_the_image_size_and_refuses_texts_and_bad_gold() -> None:
    files = {"a.png": picture((640, 480)), "b.png": picture((300, 200))}
    gold = '"{""boxes"": [[""car"", 0.1, 0.2, 0.3, 0.4]]}"'
    drafts = parse_items(f"id,image,gold\na,a.png,{gold}\nb,b.png,\n".encode(), "items.csv",
                         SPEC, MemorySource(files))
    assert [image_size(d.payload) for d in drafts] == [(640, 480), (300, 200)]
    assert drafts[0].gold_answer == '{"boxes":[["car",0.1,0.2,0.3,0.4]],"points":[]}'
    jsonl = parse_items(b'{"image": "a.png", "gold": {"boxes": [], "points": []}}\n',
                        "items.jsonl", SPEC, MemorySource(files))
    assert jsonl[0].gold_answer == EMPTY
    with pytest.raises(ValidationFailed) as refused:
        parse_items(b'id,text,image,gold\nt,just a text,,\nx,,a.png,"{""boxes"": [[""bus"", '
                    b'0.1, 0.1, 0.2, 0.2]]}"\n', "items.csv", SPEC, MemorySource(files))
    problems = refused.value.problems
    assert [(p.code, p.line, p.field) for p in problems] == [
        (ItemProblem.WRONG_MEDIA, 2, "image"), (ItemProblem.BAD_GOLD, 3, "gold")]
    assert problems[1].params["reason"] == ErrorCode.UNKNOWN_CLASS
    for language in ("en", "fr", "mg"):
        texts = [describe_problem(p, Catalogs().get(language)) for p in problems]
        assert all("{" not in text and "…" not in text for text in texts), texts
    assert "bus" in describe_problem(problems[1], Catalogs().get("en"))


def tally(item_id: str, gold: str | None = None) -> ItemTally:
    return ItemTally(ItemId(int(item_id[1:])), item_id, MediaKind.IMAGE, "", f"{item_id}.png",
                     gold, 0, MediaKey(f"key-{item_id}"), '{"width": 200, "height": 100}')


def collected(votes: list[tuple[str, int, str]], items: list[ItemTally]) -> list[LabeledItem]:
    collector = VoteCollector(SPEC, items)
    for item_id, annotator, raw in votes:
        collector.add(item_id, annotator, KIND.canonical(SPEC, raw))
    return collector.label_items()


def test_the_consensus_takes_the_median_box_drawn_by_most() -> None:
    items = [tally("i1"), tally("i2"), tally("i3"), tally("i4")]
    votes = [("i1", 1, value([CAR, PERSON])),
             ("i1", 2, value([["car", 0.12, 0.2, 0.3, 0.4], PERSON])),
             ("i1", 3, value([["car", 0.14, 0.22, 0.3, 0.4]])),
             ("i2", 1, EMPTY), ("i2", 2, EMPTY),
             ("i3", 1, EMPTY), ("i3", 2, EMPTY), ("i3", 3, value([CAR]))]
    one, two, three, four = collected(votes, items)
    assert one.label == ('{"boxes":[["car",0.12,0.2,0.3,0.4],["person",0.5,0.5,0.2,0.3]],'
                         '"points":[]}')
    assert one.method == "boxes_consensus" and one.answers == 3
    assert one.confidence == pytest.approx((1 + 2 / 3) / 2)  # car by all, person by two
    assert 0 < one.agreement < 1
    assert one.payload == '{"width": 200, "height": 100}'
    assert (two.label, two.confidence, two.agreement) == (EMPTY, 1.0, 1.0)
    assert three.label == EMPTY and three.confidence == pytest.approx(2 / 3)
    assert (four.label, four.confidence, four.answers) == (None, 0.0, 0)


def kind_items(gold: str | None = None) -> list[KindItem]:
    items = [tally("i1", gold), tally("i2"), tally("i3")]
    votes = [("i1", 1, value([CAR, PERSON])), ("i1", 2, value([CAR])),
             ("i2", 1, EMPTY), ("i2", 2, EMPTY)]
    labelled = collected(votes, items)
    by_item: dict[str, list[KindVote]] = {}
    for item_id, annotator, raw in votes:
        by_item.setdefault(item_id, []).append(
            KindVote(f"a{annotator}", KIND.canonical(SPEC, raw), ""))
    return [KindItem(found, t.payload, tuple(by_item.get(t.external_id, ())), t.media_key)
            for found, t in zip(labelled, items, strict=True)]


def test_the_tables_hold_each_image_and_each_consensus_mark() -> None:
    gold = KIND.canonical(SPEC, value([CAR]))
    items_table, marks_table, objects = KIND.export(SPEC, kind_items(gold))
    first, second, third = items_table.rows
    assert (first["boxes"], first["points"], first["width"], first["height"]) == (2, 0, 200,
                                                                                  100)
    assert (first["missing"], first["extra"], first["answers"]) == (1, 0, 2)
    assert (first["gold_precision"], first["gold_recall"]) == (0.5, 1.0)
    assert (second["boxes"], second["confidence"]) == (0, 1.0)
    assert third["consensus"] is None and third["missing"] is None
    assert [(r["class"], r["confidence"], r["support"]) for r in marks_table.rows] == [
        ("car", 1.0, 2), ("person", 0.5, 1)]
    assert objects.name == "boxes/objects" and not objects.tabular and objects.card
    assert objects.files == (("i1.png", MediaKey("key-i1")), ("i2.png", MediaKey("key-i2")))
    row = objects.rows[0]
    assert row["objects"] == {"bbox": [[20.0, 20.0, 60.0, 40.0], [100.0, 50.0, 40.0, 30.0]],
                              "category": [0, 1], "score": [1.0, 0.5]}


def test_coco_and_yolo_files_describe_the_same_boxes_in_pixels() -> None:
    files = {f.path: f for f in KIND.export_files(SPEC, kind_items())}
    assert files["detection/images/i1.png"] == ExportFile("detection/images/i1.png",
                                                          media=MediaKey("key-i1"))
    assert "detection/images/i3.png" not in files  # nobody answered: no consensus
    coco = json.loads(files["detection/coco.json"].text or "")
    assert [c["name"] for c in coco["categories"]] == ["car", "person"]
    assert {i["file_name"]: (i["width"], i["height"]) for i in coco["images"]} == {
        "images/i1.png": (200, 100), "images/i2.png": (200, 100)}
    for annotation in coco["annotations"]:
        x, y, w, h = annotation["bbox"]
        assert annotation["area"] == pytest.approx(w * h) and annotation["iscrowd"] == 0
        assert x >= 0 and x + w <= 200 and y >= 0 and y + h <= 100
    assert [(a["image_id"], a["category_id"], a["bbox"]) for a in coco["annotations"]] == [
        (1, 1, [20.0, 20.0, 60.0, 40.0]), (1, 2, [100.0, 50.0, 40.0, 30.0])]
    assert "points" not in coco
    lines = (files["detection/labels/i1.txt"].text or "").splitlines()
    parsed = [(int(c), *map(float, rest)) for c, *rest in (line.split() for line in lines)]
    assert parsed == [(0, 0.25, 0.4, 0.3, 0.4), (1, 0.6, 0.65, 0.2, 0.3)]
    assert files["detection/labels/i2.txt"].text == ""  # an image with nothing on it
    assert files["detection/classes.txt"].text == "car\nperson\n"
    assert 'names:\n  0: "car"\n  1: "person"' in (files["detection/data.yaml"].text or "")


def test_label_studio_gets_rectangles_in_percent_of_the_image() -> None:
    config = KIND.label_studio_config(SPEC, [MediaKind.IMAGE])
    assert '<RectangleLabels name="label" toName="image">' in config
    assert '<Label value="person"/>' in config and "KeyPointLabels" not in config
    assert "KeyPointLabels" in KIND.label_studio_config(POINTS, [MediaKind.IMAGE])
    item = kind_items()[0].labelled
    assert item.label is not None
    regions = KIND.label_studio_results(SPEC, item, item.label)
    assert regions[0] == {
        "id": "b0", "from_name": "label", "to_name": "image", "type": "rectanglelabels",
        "original_width": 200, "original_height": 100, "image_rotation": 0,
        "value": {"x": 10.0, "y": 20.0, "width": 30.0, "height": 40.0, "rotation": 0,
                  "rectanglelabels": ["car"]}}
    assert KIND.label_studio_results(SPEC, item, EMPTY) == []
    with_point = KIND.canonical(POINTS, value([], [["car", 0.5, 0.25]]))
    (point,) = KIND.label_studio_results(POINTS, item, with_point)
    assert point["type"] == "keypointlabels" and point["value"]["x"] == 50.0  # type: ignore[index]


coordinate = st.one_of(st.floats(-0.01, 1.01), st.integers(-1, 2), st.just(float("nan")))
box_entry = st.one_of(
    st.tuples(st.sampled_from(["car", "person", "CAR", "bus", 3]), coordinate, coordinate,
              coordinate, coordinate).map(list),
    st.lists(st.one_of(st.none(), st.text(max_size=3), st.floats()), max_size=6))


@settings(max_examples=200, deadline=None)
@given(st.lists(box_entry, max_size=8), st.lists(st.tuples(
    st.sampled_from(["car", "person"]), coordinate, coordinate).map(list), max_size=3))
def test_any_answer_is_refused_or_canonical_inside_the_image(
        boxes: list[object], points: list[object]) -> None:
    raw = json.dumps({"boxes": boxes, "points": points})
    try:
        canonical = KIND.canonical(POINTS, raw)
    except AnswerRejected:
        return
    assert KIND.canonical(POINTS, canonical) == canonical
    found = json.loads(canonical)
    for label, x, y, w, h in found["boxes"]:
        assert label in ("car", "person") and x >= 0 and y >= 0 and w > 0 and h > 0
        assert x + w <= 1 + 1e-9 and y + h <= 1 + 1e-9
    assert all(0 <= x <= 1 and 0 <= y <= 1 for _, x, y in found["points"])
