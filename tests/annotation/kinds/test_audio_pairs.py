"""Comparisons of two audio clips: import (prepared, joined in both orders, refused with the
line when they cannot be), the note and caption each annotator gets, the exports."""

from __future__ import annotations

import json

import pytest

from annotation.datasets.records import KindItem, KindVote, LabeledItem
from annotation.errors import Problem, ValidationFailed
from annotation.intake.item_drafts import ItemDraft
from annotation.intake.item_files import parse_items
from annotation.intake.item_rows import ItemProblem
from annotation.intake.spec import parse_spec
from annotation.kinds.base import BlockStyle, Phrase, PhraseCode, Turn
from annotation.kinds.comparison import Comparison
from annotation.kinds.label_studio import MEDIA_PREFIX
from annotation.kinds.pairwise import PairwiseKind, clock_time
from annotation.media import audio_pairs
from annotation.media.audio_pairs import compose_audio_orders
from annotation.media.preparation import MediaProblem, prepare_audio
from annotation.media.sources import MemorySource
from annotation.models import AnnotatorId, Item, ItemId, MediaKind, ProjectId
from bot.i18n import Catalogs
from handlers.problems import describe_problem
from tests.annotation.kinds.test_image_pairs import picture
from tests.annotation.media.test_audio_pairs import clip
from tests.annotation.media.test_preparation import m4a

KIND = PairwiseKind()
SPEC = parse_spec('name = "voices"\nanswer_type = "pairwise"\n'
                  'question = "Which voice sounds more natural?"\n')
HEADER = "id,prompt,response_a_media,response_b_media,response_a_id,response_b_id,gold"
FILES = {"tts/x.ogg": clip(300, 2.0), "tts/y.wav": clip(600, 3.0, rate=22_050,
                                                         container="WAV", subtype="PCM_16"),
         "tts/z.mp3": clip(450, 1.5, rate=24_000, container="MP3",
                           subtype="MPEG_LAYER_III"),
         "tts/talk.m4a": m4a(2.0), "img/red.png": picture((200, 30, 30))}


def drafts(*rows: str) -> list[ItemDraft]:
    data = "\n".join((HEADER, *rows)) + "\n"
    return parse_items(data.encode(), "items.csv", SPEC, MemorySource(FILES))


def refused(*rows: str) -> list[tuple[str, int | None, str | None]]:
    data = "\n".join((HEADER, *rows)) + "\n"
    with pytest.raises(ValidationFailed) as failure:
        parse_items(data.encode(), "items.csv", SPEC, MemorySource(FILES))
    return [(p.code, p.line, p.field) for p in failure.value.problems]


def stored(draft: ItemDraft) -> Item:
    assert draft.media is not None
    return Item(ItemId(1), ProjectId(1), draft.external_id, draft.kind, draft.text,
                draft.media.key, draft.gold_answer, payload=draft.payload)


def turn(item: Item, swapped: bool) -> Turn:
    return next(found for annotator in range(1, 100)
                if (found := Turn(SPEC, item, AnnotatorId(annotator), "")).swapped is swapped)


def test_an_audio_pair_is_joined_in_both_orders_and_keeps_its_clips() -> None:
    (draft,) = drafts("p1,Say hello,tts/x.ogg,tts/y.wav,model-x,model-y,a")
    first = prepare_audio(FILES["tts/x.ogg"], "tts/x.ogg")
    second = prepare_audio(FILES["tts/y.wav"], "tts/y.wav")
    forward, backward = compose_audio_orders(first, second)
    assert draft.kind is MediaKind.AUDIO and draft.media is not None
    assert draft.media.send_as == "voice" and draft.media.duration == forward.media.duration
    assert draft.more_media[1:] == (first, second)  # the clips as they were given
    comparison = Comparison.from_json(draft.payload)
    assert comparison.audio and not comparison.images
    assert comparison.first.media == first.key and comparison.first.suffix == ".ogg"
    assert comparison.second.media == second.key and comparison.second.suffix == ".wav"
    assert comparison.swapped_media == draft.more_media[0].key != draft.media.key
    assert comparison.audio_at == pytest.approx((forward.second_at, backward.second_at))
    assert draft.gold_answer == "a"


def test_each_annotator_hears_their_order_and_reads_where_b_starts() -> None:
    (draft,) = drafts("p1,Say hello,tts/x.ogg,tts/y.wav,x,y,")
    item = stored(draft)
    comparison = Comparison.from_json(draft.payload)
    assert comparison.audio_at is not None
    for swapped, key in ((False, item.media_key), (True, comparison.swapped_media)):
        each = turn(item, swapped)
        assert KIND.media_key(each) == key
        layout = KIND.layout(each)
        prompt, note = layout.blocks
        assert (prompt.text, prompt.style) == ("Say hello", BlockStyle.QUOTE)
        at = comparison.audio_at[1 if swapped else 0]
        assert note.style is BlockStyle.NOTE
        assert note.text == Phrase(PhraseCode.PAIR_LISTEN, {"a": "0:00", "b": clock_time(at)})
        assert [len(row) for row in layout.rows] == [2, 2]
    # B starts after the first clip: later when the longer clip plays first
    assert comparison.audio_at[0] < comparison.audio_at[1]
    assert [clock_time(s) for s in (0.0, 4.42, 59.99, 64.0, 600.5)] == [
        "0:00", "0:04", "0:59", "1:04", "10:00"]


def test_mp3_clips_join_too_and_keep_their_suffix() -> None:
    (draft,) = drafts("p1,,tts/z.mp3,tts/x.ogg,,,")
    comparison = Comparison.from_json(draft.payload)
    assert (comparison.first.suffix, comparison.second.suffix) == (".mp3", ".ogg")
    assert comparison.file_name("p1", "a") == "p1_a.mp3"


def test_m4a_a_picture_beside_a_clip_and_an_overlong_pair_are_refused_with_their_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio_pairs, "MAX_PAIR_SECONDS", 7.0)
    found = refused("p1,,tts/x.ogg,tts/talk.m4a,,,",  # libsndfile reads no M4A
                    "p2,,img/red.png,tts/x.ogg,,,",  # an image beside a clip
                    "p3,,tts/x.ogg,tts/y.wav,,,",  # 5 s of clips and 2 s of cues: too long
                    "p4,,tts/x.ogg,tts/x.ogg,,,")  # fits
    assert found == [(MediaProblem.UNDECODABLE, 2, "response_b_media"),
                     (ItemProblem.MIXED_CANDIDATES, 3, "response_b_media"),
                     (MediaProblem.TOO_LONG, 4, "response_a_media")]
    data = f"{HEADER}\np1,,tts/x.ogg,tts/talk.m4a,,,\np3,,tts/x.ogg,tts/y.wav,,,\n".encode()
    with pytest.raises(ValidationFailed) as failure:
        parse_items(data, "items.csv", SPEC, MemorySource(FILES))
    assert [p.params["filename"] for p in failure.value.problems] == [
        "tts/talk.m4a", "tts/x.ogg + tts/y.wav"]


@pytest.mark.parametrize("language", ["en", "fr", "mg"])
def test_the_refusals_read_clearly_in_every_language(language: str) -> None:
    t = Catalogs().get(language)
    undecodable = describe_problem(Problem(MediaProblem.UNDECODABLE, 2, "response_b_media", {
        "filename": "tts/talk.m4a", "file": "items.csv"}), t)
    too_long = describe_problem(Problem(MediaProblem.TOO_LONG, 4, "response_a_media", {
        "filename": "a.ogg + b.wav", "duration": 301.2, "limit": 300.0, "file": "items.csv"}), t)
    mixed = describe_problem(Problem(ItemProblem.MIXED_CANDIDATES, 3, "response_b_media",
                                     {"file": "items.csv"}), t)
    assert "2" in undecodable and '"tts/talk.m4a"' in undecodable and "MP3" in undecodable
    assert "a.ogg + b.wav" in too_long and "301.2" in too_long and "300" in too_long
    assert "3" in mixed and "response_a_media" in mixed


def labelled(item_id: str, label: str | None) -> LabeledItem:
    return LabeledItem(item_id, MediaKind.AUDIO, "", f"{item_id}.ogg", None, label, 0.9, 2,
                       1.0, {"b": 2} if label == "b" else {}, "dawid_skene")


def test_the_exports_name_the_clips_by_their_own_suffix_and_carry_them() -> None:
    (draft,) = drafts("p1,Say hello,tts/x.ogg,tts/y.wav,model-x,model-y,")
    detail = json.dumps({"level": 1, "position": 0, "shown": "ba"})
    items = [KindItem(labelled("p1", "b"), draft.payload,
                      (KindVote("ann1", "b", detail), KindVote("ann2", "b", detail)))]
    pairs, _ties, judgements = KIND.export(SPEC, items)[:3]
    (pair,) = pairs.rows
    assert (pair["chosen_file_name"], pair["rejected_file_name"]) == ("p1_b.wav", "p1_a.ogg")
    assert (pair["chosen_id"], pair["rejected_id"]) == ("model-y", "model-x")
    assert dict(pairs.files) == {"p1_a.ogg": prepare_audio(FILES["tts/x.ogg"], "x").key,
                                 "p1_b.wav": prepare_audio(FILES["tts/y.wav"], "y").key}
    assert pairs.card is not None and "audio preference pairs" in pairs.card
    assert '"*.ogg"' in pairs.card and '"*.wav"' in pairs.card
    assert [row["preferred_file_name"] for row in judgements.rows] == ["p1_b.wav"] * 2


def test_label_studio_gets_both_clips_and_a_pairwise_control() -> None:
    (draft,) = drafts("p1,Say hello,tts/x.ogg,tts/y.wav,x,y,")
    config = KIND.label_studio_config(SPEC, [MediaKind.AUDIO])
    assert '<Pairwise name="label" toName="audio_a,audio_b"/>' in config
    assert '<Audio name="audio_a" value="$audio_a"/>' in config
    data = KIND.label_studio_data(labelled("p1", "a"), draft.payload)
    assert (data["audio_a"], data["audio_b"]) == (MEDIA_PREFIX + "p1_a.ogg",
                                                  MEDIA_PREFIX + "p1_b.wav")


def test_several_questions_about_an_audio_pair_keep_the_note_and_its_times() -> None:
    from annotation.kinds.questions import QuestionsKind

    spec = parse_spec('name = "judge"\nanswer_type = "questions"\n'
                      'question = "Listen to both voices."\n\n'
                      '[[questions]]\nkey = "clear"\nquestion = "Clear?"\n'
                      'answer_type = "rating"\npoints = 3\neach = true\n\n'
                      '[[questions]]\nkey = "preference"\nquestion = "Which is better?"\n'
                      'answer_type = "pairwise"\nlevels = 1\n')
    data = f"{HEADER}\np1,Say hello,tts/x.ogg,tts/y.wav,x,y,\n".encode()
    (draft,) = parse_items(data.replace(b",gold", b"").replace(b"y,\n", b"y\n"),
                           "items.csv", spec, MemorySource(FILES))
    assert draft.kind is MediaKind.AUDIO and Comparison.from_json(draft.payload).audio
    item = Item(ItemId(1), ProjectId(1), "p1", draft.kind, "", draft.media.key if draft.media
                else None, None, payload=draft.payload)
    kind = QuestionsKind()
    for annotator in (1, 2, 3, 4):
        each = Turn(spec, item, AnnotatorId(annotator), "")
        notes = [b.text for b in kind.layout(each).blocks if isinstance(b.text, Phrase)
                 and b.text.code is PhraseCode.PAIR_LISTEN]
        assert len(notes) == 1
        assert kind.media_key(each) in (item.media_key, draft.more_media[0].key)
