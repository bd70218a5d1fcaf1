"""Comparisons of two images: import (prepared, composed in both orders, refused with the
line when they cannot be), the photo each annotator gets, the layout, the exports."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from annotation.datasets.records import KindItem, KindVote, LabeledItem
from annotation.errors import Problem, ValidationFailed
from annotation.intake.item_drafts import ItemDraft
from annotation.intake.item_files import parse_items
from annotation.intake.item_rows import ItemProblem
from annotation.intake.spec import parse_spec
from annotation.kinds.base import Turn
from annotation.kinds.comparison import Comparison, candidate_file_name
from annotation.kinds.label_studio import MEDIA_PREFIX
from annotation.kinds.pairwise import CAPTION_LIMIT, CAPTION_RESERVED, PairwiseKind
from annotation.media.pairs import compose_orders
from annotation.media.preparation import MediaProblem, prepare_image
from annotation.media.sources import MemorySource, SourceProblem
from annotation.models import AnnotatorId, Item, ItemId, MediaKind, ProjectId
from bot.i18n import Catalogs
from handlers.problems import describe_problem

KIND = PairwiseKind()
QUESTION = "Which picture shows the dish better?"
SPEC = parse_spec(f'name = "photos"\nanswer_type = "pairwise"\nquestion = "{QUESTION}"\n'
                  "tie = true\n")
HEADER = "id,prompt,response_a_media,response_b_media,response_a_id,response_b_id,gold"


def picture(color: tuple[int, int, int], size: tuple[int, int] = (320, 240)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


FILES = {"img/red.png": picture((200, 30, 30)), "img/blue.png": picture((30, 30, 200)),
         "img/green.png": picture((30, 160, 30), (240, 320)), "img/broken.jpg": b"\xff\xd8\xffno"}


def drafts(*rows: str, files: dict[str, bytes] = FILES) -> list[ItemDraft]:
    data = "\n".join((HEADER, *rows)) + "\n"
    return parse_items(data.encode(), "items.csv", SPEC, MemorySource(files))


def refused(*rows: str, header: str = HEADER) -> list[tuple[str, int | None, str | None]]:
    data = "\n".join((header, *rows)) + "\n"
    with pytest.raises(ValidationFailed) as failure:
        parse_items(data.encode(), "items.csv", SPEC, MemorySource(FILES))
    return [(p.code, p.line, p.field) for p in failure.value.problems]


def stored(draft: ItemDraft, item_id: int = 1) -> Item:
    assert draft.media is not None
    return Item(ItemId(item_id), ProjectId(1), draft.external_id, draft.kind, draft.text,
                draft.media.key, draft.gold_answer, payload=draft.payload)


def turn(item: Item, swapped: bool) -> Turn:
    for annotator in range(1, 100):
        found = Turn(SPEC, item, AnnotatorId(annotator), "")
        if found.swapped is swapped:
            return found
    raise AssertionError("no annotator drew this order")


def test_an_image_pair_is_prepared_and_composed_in_both_orders() -> None:
    (draft,) = drafts("p1,Jollof rice,img/red.png,img/blue.png,model-x,model-y,a")
    first = prepare_image(FILES["img/red.png"], "img/red.png")
    second = prepare_image(FILES["img/blue.png"], "img/blue.png")
    forward, backward = compose_orders(first, second)
    assert draft.kind is MediaKind.IMAGE and draft.media == forward
    assert draft.more_media == (backward, first, second)
    comparison = Comparison.from_json(draft.payload)
    assert comparison.images and comparison.prompt == "Jollof rice"
    assert (comparison.first.id, comparison.first.media) == ("model-x", first.key)
    assert (comparison.second.id, comparison.second.media) == ("model-y", second.key)
    assert comparison.swapped_media == backward.key and draft.gold_answer == "a"


def test_the_prompt_is_optional_and_a_pair_met_twice_is_composed_once() -> None:
    one, two = drafts("p1,,img/red.png,img/blue.png,,,", "p2,,img/red.png,./img/blue.png,,,")
    assert one.media == two.media and one.more_media == two.more_media
    comparison = Comparison.from_json(one.payload)
    assert (comparison.prompt, comparison.first.id, comparison.second.id) == ("", "a", "b")


def test_each_annotator_gets_the_photo_of_the_order_drawn_for_them() -> None:
    (draft,) = drafts("p1,Jollof rice,img/red.png,img/blue.png,x,y,")
    item = stored(draft)
    straight, swapped = turn(item, False), turn(item, True)
    assert KIND.media_key(straight) == item.media_key
    assert KIND.media_key(swapped) == draft.more_media[0].key != item.media_key
    for each in (straight, swapped):
        layout = KIND.layout(each)
        # the photo shows the candidates: the text holds only the prompt, then the buttons
        assert [block.text for block in layout.blocks] == ["Jollof rice"]
        assert [len(row) for row in layout.rows] == [2, 2, 1]
    # the same button names the item's first candidate for one and the second for the other
    code = KIND.layout(straight).rows[0][0].code
    assert (KIND.press(straight, code).final, KIND.press(swapped, code).final) == ("a", "b")
    (bare,) = drafts("p2,,img/red.png,img/blue.png,,,")
    assert KIND.layout(turn(stored(bare), False)).blocks == ()


def test_a_text_comparison_keeps_its_payload_and_its_own_media() -> None:
    (draft,) = parse_items(b"prompt,response_a,response_b\nWhy?,One.,Two.\n", "t.csv", SPEC,
                           None)
    assert draft.media is None and draft.more_media == ()
    assert set(json.loads(draft.payload)) == {"prompt", "candidates"}  # no new keys
    item = Item(ItemId(1), ProjectId(1), "1", MediaKind.TEXT, "", None, None,
                payload=draft.payload)
    assert KIND.media_key(turn(item, True)) is None


def test_missing_unreadable_and_mixed_candidates_are_refused_with_their_line() -> None:
    room = CAPTION_LIMIT - CAPTION_RESERVED - len(QUESTION)
    found = refused(
        "p1,,img/red.png,img/none.png,,,",  # a file not in the archive
        "p2,,img/broken.jpg,img/blue.png,,,",  # a damaged image
        "p3,,img/red.png,,,,",  # one image only
        f"p4,{'w' * (room + 1)},img/red.png,img/blue.png,,,",  # the caption cannot hold it
        "p5,,img/red.png,img/blue.png,,,",  # fine
    )
    assert found == [(SourceProblem.MISSING_MEDIA, 2, "response_b_media"),
                     (MediaProblem.CORRUPT, 3, "response_a_media"),
                     (ItemProblem.EMPTY_CELL, 4, "response_b_media"),
                     (ItemProblem.TEXT_TOO_LONG, 5, "prompt")]
    assert drafts(f"p4,{'w' * room},img/red.png,img/blue.png,,,")[0].payload
    mixed = refused("p1,Why?,img/red.png,Two.,,", header=(
        "id,prompt,response_a_media,response_b,response_a_id,response_b_id"))
    assert mixed == [(ItemProblem.MIXED_CANDIDATES, 2, "response_b")]
    both = refused("p1,,img/red.png,img/blue.png,img/green.png", header=(
        "id,prompt,response_a_media,response_b_media,image"))
    assert both == [(ItemProblem.AMBIGUOUS_MEDIA, 2, "response_a_media")]


def test_an_image_pair_needs_its_files() -> None:
    data = f"{HEADER}\np1,,img/red.png,img/blue.png,,,\n".encode()
    with pytest.raises(ValidationFailed) as failure:
        parse_items(data, "items.csv", SPEC, None)  # an items file sent alone
    assert [(p.code, p.field) for p in failure.value.problems] == [
        (ItemProblem.NO_MEDIA_SOURCE, "response_a_media"),
        (ItemProblem.NO_MEDIA_SOURCE, "response_b_media")]


@pytest.mark.parametrize("language", ["en", "fr", "mg"])
def test_the_refusals_read_clearly_in_every_language(language: str) -> None:
    t = Catalogs().get(language)
    mixed = describe_problem(Problem(ItemProblem.MIXED_CANDIDATES, 4, "response_b",
                                     {"file": "items.csv"}), t)
    missing = describe_problem(Problem(SourceProblem.MISSING_MEDIA, 2, "response_b_media",
                                       {"path": "img/none.png", "file": "items.csv"}), t)
    assert "4" in mixed and "response_a_media" in mixed and "response_b" in mixed
    assert "2" in missing and '"img/none.png"' in missing


def labelled(item_id: str, label: str | None) -> LabeledItem:
    votes = {"a": 2} if label == "a" else {"tie": 2} if label == "tie" else {}
    return LabeledItem(item_id, MediaKind.IMAGE, "", f"{item_id}.jpg", None, label, 0.9, 2,
                       1.0, votes, "dawid_skene")


def test_the_exports_name_the_images_and_carry_them() -> None:
    one, two = drafts("q/1,Dish?,img/red.png,img/blue.png,x,y,", "q2,,img/green.png,"
                      "img/red.png,y,z,")
    detail = json.dumps({"level": 1, "position": 1, "shown": "ba"})
    items = [KindItem(labelled("q/1", "a"), one.payload,
                      (KindVote("ann1", "a", detail), KindVote("ann2", "a", detail))),
             KindItem(labelled("q2", "tie"), two.payload,
                      (KindVote("ann1", "tie", detail),))]
    pairs, ties, judgements = KIND.export(SPEC, items)[:3]
    first = candidate_file_name("q/1", "a")
    assert first.startswith("q_1-") and first.endswith("_a.jpg")  # made safe, still unique
    (pair,) = pairs.rows
    assert (pair["chosen_file_name"], pair["rejected_file_name"], pair["chosen_id"]) == (
        first, candidate_file_name("q/1", "b"), "x")
    assert "chosen" not in pair and "chosen_file_name" in pairs.fields
    assert pairs.card is not None and "metadata.jsonl" in pairs.card
    red = prepare_image(FILES["img/red.png"], "r").key
    assert dict(pairs.files) == {
        first: red, candidate_file_name("q/1", "b"): prepare_image(FILES["img/blue.png"], "b").key,
        "q2_a.jpg": prepare_image(FILES["img/green.png"], "g").key, "q2_b.jpg": red}
    assert ties.rows[0]["response_a_file_name"] == "q2_a.jpg"
    assert [row["preferred_file_name"] for row in judgements.rows] == [first, first, None]


def test_label_studio_gets_both_images_and_a_pairwise_control() -> None:
    (draft,) = drafts("p1,Dish?,img/red.png,img/blue.png,x,y,")
    config = KIND.label_studio_config(SPEC, [MediaKind.IMAGE])
    assert '<Pairwise name="label" toName="image_a,image_b"/>' in config
    assert '<Image name="image_a" value="$image_a"/>' in config
    data = KIND.label_studio_data(labelled("p1", "a"), draft.payload)
    assert data["image_a"] == MEDIA_PREFIX + "p1_a.jpg"
    assert data["image_b"] == MEDIA_PREFIX + "p1_b.jpg"
    assert (data["prompt"], data["response_a_id"]) == ("Dish?", "x")
