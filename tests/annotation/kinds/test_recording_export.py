"""The recording and check kinds' own export tables: the audiofolder's metadata, Common
Voice's validated/invalidated/other tables, the 16 kHz WAV twin, and a check project's
per-recording verdicts; and the language a recording is read in (the item's, else the
spec's), validated at import."""

from __future__ import annotations

import json

import pytest

from annotation.datasets.records import (
    ALL_FORMATS,
    FileConversion,
    Format,
    KindItem,
    KindVote,
    LabeledItem,
    Reviews,
)
from annotation.intake.spec import parse_spec
from annotation.kinds.check import CHECK_FIELDS, check_rows
from annotation.kinds.recording import (
    COMMON_VOICE_FIELDS,
    RECORDING_FIELDS,
    common_voice_tables,
    item_language,
    recording_detail,
    recording_rows,
    recording_tables,
    speaker_columns,
)
from annotation.kinds.registry import kind_of
from annotation.models import MediaKind

RECORDING = parse_spec('name = "Read aloud"\nanswer_type = "recording"\n'
                       'question = "Read this aloud."\nlanguage = "mg"\n')
FRENCH = json.dumps({"language": "fr"})  # an item's payload naming its own language
CHECK = parse_spec('name = "Checks"\nanswer_type = "check"\nquestion = "Says it?"\n'
                   'source = "Read aloud"\nvotes = 2\n')


def labelled(item_id: str, text: str) -> LabeledItem:
    return LabeledItem(item_id, MediaKind.TEXT, text, None, None, None, 0.0, 0, 0.0, {}, "none")


def recorded(speaker: str, key: str, answer_id: int, counts: dict[str, int] | None,
             seconds: float = 3.2, **facts: str) -> KindVote:
    reviews = None if counts is None else Reviews(counts, 2)
    return KindVote(speaker, key, recording_detail(seconds, -20.0, 0.7, f"u{answer_id}", 9000),
                    answer_id, reviews, facts)


ITEMS = [
    KindItem(labelled("s0", "Manao ahoana?"), "", (
        recorded("a_one", "k1", 11, {"yes": 2}),
        recorded("a_two", "k2", 12, {"no": 2, "unclear": 1}),
    )),
    KindItem(labelled("s/1", "Il fait beau."), FRENCH, (
        recorded("a_one", "k3", 13, {"yes": 1, "no": 1}, seconds=4.5, age="twenties",
                 gender="female", accents="Betsileo"),
    )),
    KindItem(labelled("s2", "Aiza?"), "", (recorded("a_one", "k4", 14, {}),)),
]


def test_each_recording_is_a_row_with_its_votes_verdict_and_a_unique_file_name() -> None:
    rows = recording_rows(ITEMS, "mg")
    assert [{k: r[k] for k in ("item_id", "speaker", "up_votes", "down_votes",
                                "unclear_votes", "accepted")} for r in rows] == [
        {"item_id": "s0", "speaker": "a_one", "up_votes": 2, "down_votes": 0,
         "unclear_votes": 0, "accepted": True},
        {"item_id": "s0", "speaker": "a_two", "up_votes": 0, "down_votes": 2,
         "unclear_votes": 1, "accepted": False},
        {"item_id": "s/1", "speaker": "a_one", "up_votes": 1, "down_votes": 1,
         "unclear_votes": 0, "accepted": None},  # a split vote decides nothing
        {"item_id": "s2", "speaker": "a_one", "up_votes": 0, "down_votes": 0,
         "unclear_votes": 0, "accepted": None},
    ]
    assert rows[0]["file_name"] == "s0_a_one_1.ogg"
    assert str(rows[2]["file_name"]).startswith("s_1-")  # the slash made safe, still unique
    assert len({r["file_name"] for r in rows}) == 4
    assert [r["recording_id"] for r in rows] == [11, 12, 13, 14]
    assert [r["duration"] for r in rows] == [3.2, 3.2, 4.5, 3.2]
    # the language of what is read: the item's own, else the spec's; never the speaker's
    assert [r["language"] for r in rows] == ["mg", "mg", "fr", "mg"]
    assert [r["sentence"] for r in rows[:2]] == ["Manao ahoana?"] * 2
    # what a speaker told about themselves, empty for one who told nothing
    assert [(r["gender"], r["age"], r["accents"]) for r in rows] == [
        ("", "", ""), ("", "", ""), ("female", "twenties", "Betsileo"), ("", "", "")]


def test_without_a_language_given_a_recordings_language_is_empty_not_guessed() -> None:
    rows = recording_rows(ITEMS)  # a spec without ``language``
    assert [r["language"] for r in rows] == ["", "", "fr", ""]
    unknown = parse_spec('name = "R"\nanswer_type = "recording"\nquestion = "Read."\n')
    tables = {t.name: t for t in kind_of(unknown).export(unknown, ITEMS[:1])}
    assert {r["language"] for r in tables["recordings"].rows} == {""}
    assert {r["locale"] for r in tables["recordings/validated"].rows} == {""}
    card = tables["recordings"].card
    assert card is not None and "\nlanguage:" not in card  # the card claims none


@pytest.mark.parametrize(("payload", "default", "language"), [
    ("", "mg", "mg"), (FRENCH, "mg", "fr"), (FRENCH, "", "fr"), ("", "", ""),
    ("not json", "mg", "mg"), ('{"language": ""}', "mg", "mg"), ("[1]", "mg", "mg"),
])
def test_an_items_language_is_its_own_else_the_specs(payload: str, default: str,
                                                      language: str) -> None:
    assert item_language(payload, default) == language


def test_the_same_speaker_and_item_twice_still_get_two_file_names() -> None:
    twice = [KindItem(labelled("s0", "x"), "", (recorded("a_one", "k1", 1, None),
                                                 recorded("a_one", "k2", 2, None)))]
    assert [r["file_name"] for r in recording_rows(twice)] == [
        "s0_a_one_1.ogg", "s0_a_one_2.ogg"]


def test_without_a_check_project_no_recording_is_decided() -> None:
    rows = recording_rows([KindItem(labelled("s0", "x"), "", (recorded("a", "k", 1, None),))])
    assert rows[0]["accepted"] is None and rows[0]["up_votes"] == 0


def test_common_voice_tables_split_by_verdict_in_its_layout() -> None:
    tables = {t.name: t for t in common_voice_tables(recording_rows(ITEMS, "mg"))}
    assert list(tables) == ["recordings/validated", "recordings/invalidated", "recordings/other"]
    assert all(t.fields == COMMON_VOICE_FIELDS for t in tables.values())
    (valid,) = tables["recordings/validated"].rows
    assert valid == {"client_id": "a_one", "path": "s0_a_one_1.ogg", "sentence": "Manao ahoana?",
                     "up_votes": 2, "down_votes": 0, "age": "", "gender": "", "accents": "",
                     "locale": "mg", "segment": ""}
    (invalid,) = tables["recordings/invalidated"].rows
    assert (invalid["client_id"], invalid["locale"]) == ("a_two", "mg")
    other = tables["recordings/other"].rows
    assert len(other) == 2 and other[0]["locale"] == "fr"
    # what a speaker told about themselves fills Common Voice's columns
    assert {k: other[0][k] for k in ("age", "gender", "accents")} == {
        "age": "twenties", "gender": "female", "accents": "Betsileo"}


def test_speaker_columns_fill_only_what_was_told() -> None:
    assert speaker_columns({"gender": "male", "region": "x"}) == {
        "age": "", "gender": "male", "accents": ""}


def test_the_tables_name_the_voice_notes_and_their_wav_twins() -> None:
    tables = {t.name: t for t in kind_of(RECORDING).export(RECORDING, ITEMS)}
    assert set(tables) == {"recordings", "recordings_wav16k", "recordings/validated",
                           "recordings/invalidated", "recordings/other"}
    ogg, wav = tables["recordings"], tables["recordings_wav16k"]
    assert ogg.fields == RECORDING_FIELDS and set(ogg.rows[0]) == set(RECORDING_FIELDS)
    assert [key for _name, key in ogg.files] == ["k1", "k2", "k3", "k4"]
    assert [name for name, _key in ogg.files] == [r["file_name"] for r in ogg.rows]
    assert ogg.convert is None and ogg.tabular and ogg.card is not None
    assert [r["file_name"] for r in wav.rows] == [
        str(r["file_name"]).replace(".ogg", ".wav") for r in ogg.rows]
    assert [name for name, _key in wav.files] == [r["file_name"] for r in wav.rows]
    assert wav.convert is FileConversion.WAV_16K and not wav.tabular
    assert 'language: ["fr", "mg"]' in ogg.card
    assert "4 recordings (1 accepted, 1 rejected, 2 not decided yet)" in ogg.card
    assert wav.card is not None and '"*.wav"' in wav.card


def test_no_recording_makes_empty_tables() -> None:
    tables = recording_tables("empty", [])
    assert [len(t.rows) for t in tables] == [0, 0, 0, 0, 0]


def test_wav_is_asked_for_not_part_of_everything() -> None:
    assert Format.WAV not in ALL_FORMATS
    assert {Format.TABLES, Format.HUGGINGFACE, Format.LABEL_STUDIO} == ALL_FORMATS


def check_vote(label: str) -> KindVote:
    return KindVote("a_checker", label, "")


@pytest.mark.parametrize(("labels", "verdict"), [
    (("yes", "yes"), "accepted"),
    (("no", "unclear", "no"), "rejected"),
    (("yes", "no"), "pending"),
    (("unclear", "unclear"), "pending"),
    ((), "pending"),
])
def test_a_check_project_exports_each_recordings_votes_and_verdict(
        labels: tuple[str, ...], verdict: str) -> None:
    payload = json.dumps({"recording": 7, "source": 1, "speaker": 1300})
    items = [KindItem(labelled("rec-7", "Manao ahoana?"), payload,
                      tuple(check_vote(label) for label in labels)),
             KindItem(labelled("gold1", "a known check"), "", (check_vote("yes"),))]
    (table,) = kind_of(CHECK).export(CHECK, items)
    assert table.name == "checks/recordings" and table.fields == CHECK_FIELDS
    (row,) = table.rows  # the gold item names no recording
    assert row == {"item_id": "rec-7", "recording_id": 7, "source_project": 1,
                   "sentence": "Manao ahoana?", "up_votes": labels.count("yes"),
                   "down_votes": labels.count("no"), "unclear_votes": labels.count("unclear"),
                   "verdict": verdict}


def test_a_check_project_asking_three_votes_needs_three() -> None:
    payload = json.dumps({"recording": 7, "source": 1, "speaker": 1300})
    items = [KindItem(labelled("rec-7", "x"), payload, (check_vote("yes"), check_vote("yes")))]
    assert check_rows(items, 3)[0]["verdict"] == "pending"
    assert check_rows(items, 2)[0]["verdict"] == "accepted"
