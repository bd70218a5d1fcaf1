"""The transcript kind: its spec keys, typed answers, gold by CER, ROVER labels weighted by
gold, and its own export tables."""

from __future__ import annotations

import pytest

from annotation.aggregation.transcripts import ConsensusMethod, TranscriptSettings
from annotation.datasets.labels import VoteCollector
from annotation.datasets.records import KindItem, KindVote, LabeledItem
from annotation.errors import AnswerRejected, ErrorCode, ValidationFailed
from annotation.intake.spec import parse_spec, spec_from_json, spec_to_json, spec_to_toml
from annotation.kinds.base import BlockStyle, Phrase, PhraseCode, Turn, VoteModel
from annotation.kinds.registry import kind_of
from annotation.kinds.transcript import (
    ITEM_FIELDS,
    LONG_FIELDS,
    consensus_method,
    max_cer,
    transcript_settings,
    transcript_tables,
    transcript_weights,
)
from annotation.models import AnnotatorId, Item, ItemId, MediaKind, ProjectId
from annotation.records import ItemTally

BASE = 'name = "Voices"\nanswer_type = "transcript"\nquestion = "What is said?"\n'
SPEC = parse_spec(BASE)
KIND = kind_of(SPEC)
TRUTH = "Manao ahoana ianao tompoko?"


def spec_with(extra: str):  # type: ignore[no-untyped-def]
    return parse_spec(BASE + extra)


def tally(item_id: str, gold: str | None = None) -> ItemTally:
    return ItemTally(ItemId(abs(hash(item_id)) % 10_000), item_id, MediaKind.AUDIO, "",
                     f"{item_id}.ogg", gold, 0)


def test_the_kind_is_typed_answered_and_aggregated_by_rover() -> None:
    assert KIND.name == "transcript" and KIND.accepts_typed and not KIND.accepts_voice
    assert KIND.votes is VoteModel.TRANSCRIPT and KIND.own_tables
    item = Item(ItemId(1), ProjectId(1), "c1", MediaKind.AUDIO, "", None, None)
    layout = KIND.layout(Turn(SPEC, item, AnnotatorId(3), ""))
    assert layout.rows == () and layout.controls == ()
    assert [b.text for b in layout.blocks] == [Phrase(PhraseCode.TYPE_TRANSCRIPT)]
    with pytest.raises(AnswerRejected):
        KIND.press(Turn(SPEC, item, AnnotatorId(3), ""), 0)
    # training feedback quotes the gold transcript as written
    (block,) = KIND.answer_blocks(Turn(SPEC, item, AnnotatorId(3), ""), TRUTH)
    assert (block.text, block.style) == (TRUTH, BlockStyle.QUOTE)


def test_defaults_and_spec_keys_round_trip_through_toml_and_json() -> None:
    assert SPEC.scale is None and max_cer(SPEC) == 0.15
    assert transcript_settings(SPEC).numbers == "as_written"
    assert SPEC.aggregation == "majority"  # the default for answers typed, not tapped
    spec = spec_with('max_cer = 0.1\nnumbers = "separate"\n')
    assert max_cer(spec) == 0.1 and transcript_settings(spec).numbers == "separate"
    assert parse_spec(spec_to_toml(spec)) == spec
    assert spec_from_json(spec_to_json(spec)) == spec
    only = spec_with("max_cer = 0\n")
    assert max_cer(only) == 0.0 and parse_spec(spec_to_toml(only)) == only
    assert transcript_settings(SPEC) == TranscriptSettings()  # case and punctuation folded
    assert consensus_method(SPEC) is ConsensusMethod.ROVER


def test_case_punctuation_and_consensus_keys_round_trip_through_toml_and_json() -> None:
    spec = spec_with('case = "keep"\npunctuation = "keep"\nconsensus = "medoid"\n')
    assert transcript_settings(spec) == TranscriptSettings(fold_case=False,
                                                           strip_punctuation=False)
    assert consensus_method(spec) is ConsensusMethod.MEDOID and max_cer(spec) == 0.15
    written = spec_to_toml(spec)
    assert 'case = "keep"' in written and 'consensus = "medoid"' in written
    assert "max_cer" not in written and "numbers" not in written  # only the keys given
    assert parse_spec(written) == spec
    assert spec_from_json(spec_to_json(spec)) == spec
    # the defaults written out read back the same
    folded = spec_with('case = "fold"\npunctuation = "strip"\nconsensus = "rover"\n')
    assert transcript_settings(folded) == TranscriptSettings()
    assert parse_spec(spec_to_toml(folded)) == folded


def test_the_error_message_names_the_values_allowed() -> None:
    with pytest.raises(ValidationFailed) as refused:
        spec_with('consensus = "mean"\n')
    (problem,) = refused.value.problems
    assert problem.params == {"value": "mean", "allowed": ["rover", "medoid"]}
    assert problem.line == 4


def test_case_kept_is_scored_and_aggregated_with_its_case() -> None:
    keep = spec_with('case = "keep"\nmax_cer = 0\n')
    assert KIND.is_correct(SPEC, "antananarivo", "Antananarivo")
    assert not KIND.is_correct(keep, "antananarivo", "Antananarivo")
    assert KIND.is_correct(keep, "Antananarivo.", "Antananarivo")  # punctuation still out
    answers = [("c1", 1, "Tonga any Antananarivo izy."), ("c1", 2, "tonga any Antananarivo izy"),
               ("c1", 3, "Tonga any Antananarivo izy")]
    (row,) = collect(keep, answers, [tally("c1")]).label_items()
    assert row.label == "Tonga any Antananarivo izy"
    (folded,) = collect(SPEC, answers, [tally("c1")]).label_items()
    assert folded.label == "tonga any antananarivo izy"


def test_punctuation_kept_is_compared_and_kept_in_the_consensus() -> None:
    keep = spec_with('punctuation = "keep"\nmax_cer = 0\n')
    assert KIND.is_correct(SPEC, "Manao ahoana?", "manao ahoana")
    assert not KIND.is_correct(keep, "Manao ahoana?", "manao ahoana")
    answers = [("c1", 1, "Manao ahoana?"), ("c1", 2, "manao  ahoana ?"), ("c1", 3, "Manao ahoana?")]
    (row,) = collect(keep, answers, [tally("c1")]).label_items()
    assert row.label == "manao ahoana?"  # case folded, the question mark kept
    _alpha, agreement = collect(keep, answers, [tally("c1")]).agreement()
    assert agreement == pytest.approx(1 / 3)  # "manao ahoana ?" counts apart


def test_the_medoid_is_chosen_from_the_spec_and_names_the_method() -> None:
    answers = [("c1", 1, "Manao ahoana ianao tompako?"), ("c1", 2, "manao ahona ianao, tompoko"),
               ("c1", 3, "Manao ahoana ianao tompoko!"), ("c1", 4, "Manao ahoana izy tompoko")]
    medoid = spec_with('consensus = "medoid"\n')
    (row,) = collect(medoid, answers[:3], [tally("c1")]).label_items()
    (rover,) = collect(SPEC, answers[:3], [tally("c1")]).label_items()
    assert (rover.label, rover.method) == ("manao ahoana ianao tompoko", "rover")
    assert row.method == "medoid"
    assert row.label in {"manao ahoana ianao tompako", "manao ahona ianao tompoko",
                         "manao ahoana ianao tompoko"}
    # an item where ROVER makes up a transcript nobody typed, the medoid picks a typed one
    texts = [("c2", 1, "a b c d"), ("c2", 2, "a x c d"), ("c2", 3, "a b y d"),
             ("c2", 4, "a b c z")]
    (made_up,) = collect(SPEC, texts, [tally("c2")]).label_items()
    (typed,) = collect(medoid, texts, [tally("c2")]).label_items()
    assert made_up.label == "a b c d" and typed.label == "a b c d"
    texts = texts[1:]
    (made_up,) = collect(SPEC, texts, [tally("c2")]).label_items()
    (typed,) = collect(medoid, texts, [tally("c2")]).label_items()
    assert made_up.label == "a b c d"
    assert typed.label in {"a x c d", "a b y d", "a b c z"}
    # the export's card says which
    labelled_row = labelled("c2", typed.label)
    tables = transcript_tables(medoid, [KindItem(labelled_row, "", tuple(
        KindVote(f"a_{a}", text, "") for _, a, text in texts))])
    assert "medoid" in (tables[0].card or "") and "ROVER" not in (tables[0].card or "")


@pytest.mark.parametrize(("extra", "field", "code"), [
    ('numbers = "words"\n', "numbers", "spec.unknown_value"),
    ('case = "upper"\n', "case", "spec.unknown_value"),
    ('punctuation = "drop"\n', "punctuation", "spec.unknown_value"),
    ('consensus = "mean"\n', "consensus", "spec.unknown_value"),
    ("case = true\n", "case", "spec.unknown_value"),
    ("max_cer = 1.5\n", "max_cer", "spec.out_of_range"),
    ('max_cer = "low"\n', "max_cer", "spec.wrong_type"),
    ("min_overlap = 2\nconfidence_target = 0.9\n", "min_overlap", "spec.not_applicable"),
    ('aggregation = "dawid_skene"\n', "aggregation", "spec.not_applicable"),
])
def test_bad_keys_are_refused_with_their_field(extra: str, field: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        spec_with(extra)
    assert (field, code) in {(p.field, p.code) for p in refused.value.problems}


def test_another_kind_refuses_the_transcript_keys() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_spec('name = "n"\nanswer_type = "text"\nquestion = "q"\nmax_cer = 0.2\n')
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("max_cer", "spec.not_applicable")]


@pytest.mark.parametrize(("raw", "value"), [
    ("  Manao   ahoana\nianao, tompoko?  ", "Manao ahoana ianao, tompoko?"),
    ("L’eau à 3km !", "L’eau à 3km !"),  # case, punctuation and numbers as typed
    ("...", "..."),  # heard nothing but noise: a vote for silence, kept
])
def test_a_typed_answer_keeps_what_was_typed(raw: str, value: str) -> None:
    assert KIND.typed(SPEC, raw) == value
    assert KIND.canonical(SPEC, raw) == value


@pytest.mark.parametrize("raw", ["", "   \n\t "])
def test_an_empty_transcript_is_refused(raw: str) -> None:
    with pytest.raises(AnswerRejected) as refused:
        KIND.typed(SPEC, raw)
    assert refused.value.code is ErrorCode.EMPTY_ANSWER


def test_gold_is_scored_by_cer_of_normalized_texts() -> None:
    gold = KIND.canonical(SPEC, TRUTH)
    # case, punctuation and spaces are folded: exactly right
    assert KIND.is_correct(SPEC, "manao ahoana ianao tompoko", gold)
    # one word misheard: CER 3/26 = 0.115, within 0.15, beyond 0.1
    assert KIND.is_correct(SPEC, "Manao ahoana ianao tompoka", gold) is True
    assert KIND.is_correct(SPEC, "Manao ahoana ianao tompokoaaa", gold) is True
    assert not KIND.is_correct(spec_with("max_cer = 0.1\n"), "Manao aho ianao tompoko", gold)
    # careless: half the sentence
    assert not KIND.is_correct(SPEC, "manao ahoana", gold)
    # numbers: "separate" makes "3km" and "3 km" the same
    assert not KIND.is_correct(spec_with("max_cer = 0\n"), "3km", "3 km")
    assert KIND.is_correct(spec_with('max_cer = 0\nnumbers = "separate"\n'), "3km", "3 km")


def test_weights_come_from_gold_answers_with_shrinkage() -> None:
    weights = transcript_weights([("a", True), ("a", True), ("b", False), ("b", True),
                                  ("c", False)])
    assert weights == {"a": 2.5 / 3, "b": 1.5 / 3, "c": 0.5 / 2}


def collect(spec, answers, items):  # type: ignore[no-untyped-def]
    collector = VoteCollector(spec, items)
    for item, annotator, value in answers:
        collector.add(item, annotator, value)
    return collector


def test_three_transcripts_with_different_errors_give_the_truth() -> None:
    answers = [("c1", 1, "Manao ahoana ianao tompako?"),  # one word wrong
               ("c1", 2, "manao ahona ianao, tompoko"),  # another word wrong
               ("c1", 3, "Manao ahoana ianao tompoko!"),
               ("c2", 1, "Tsara ny andro")]
    collector = collect(SPEC, answers, [tally("c1"), tally("c2"), tally("c3")])
    rows = {row.item_id: row for row in collector.label_items()}
    assert rows["c1"].label == "manao ahoana ianao tompoko"
    assert rows["c1"].method == "rover" and rows["c1"].answers == 3
    # one word differs between the third and each other, two between the first two
    assert rows["c1"].spread == pytest.approx((2 / 4 * 2 + 1 / 4 * 4) / 6)  # ordered pairs
    assert rows["c1"].agreement == pytest.approx(1 - rows["c1"].spread)
    assert 0.6 < rows["c1"].confidence < 1
    assert rows["c1"].votes["manao ahona ianao, tompoko"] == 1  # votes as typed
    # one transcript: itself, confidence 1, no spread; none: no label
    assert (rows["c2"].label, rows["c2"].confidence, rows["c2"].agreement,
            rows["c2"].spread) == ("tsara ny andro", 1.0, 1.0, None)
    assert (rows["c3"].label, rows["c3"].confidence, rows["c3"].agreement) == (None, 0.0, 0.0)


def test_gold_weights_decide_between_two_annotators_who_disagree() -> None:
    split = [("c1", 1, "le chat dort"), ("c1", 2, "le chien dort")]
    items = [tally("c1"), tally("g1", gold="Il pleut.")]
    # no gold answers: equal weights, the first transcript wins the tie
    (row, _gold) = collect(SPEC, split, items).label_items()
    assert row.label == "le chat dort"
    # annotator 1 failed the gold item, 2 passed it: 2 weighs more
    graded = [*split, ("g1", 1, "il"), ("g1", 2, "il pleut")]
    (row, gold) = collect(SPEC, graded, items).label_items()
    assert row.label == "le chien dort"
    assert gold.gold == "Il pleut." and gold.label in {"il", "il pleut"}


def test_dataset_agreement_compares_normalized_transcripts() -> None:
    answers = [("c1", 1, "Bonjour !"), ("c1", 2, "bonjour"), ("c2", 1, "oui"), ("c2", 2, "non")]
    alpha, agreement = collect(SPEC, answers, [tally("c1"), tally("c2")]).agreement()
    assert agreement == 0.5 and alpha is not None


def labelled(item_id: str, label: str | None, gold: str | None = None) -> LabeledItem:
    return LabeledItem(item_id, MediaKind.AUDIO, "", f"{item_id}.ogg", gold, label, 0.9, 0,
                       1.0, {}, "rover")


def test_the_export_tables_hold_the_consensus_its_agreement_and_every_transcript() -> None:
    items = [
        KindItem(labelled("c1", "manao ahoana ianao tompoko"), "", (
            KindVote("a_1", "Manao ahoana ianao tompako?", ""),
            KindVote("a_2", "manao ahona ianao, tompoko", ""),
            KindVote("a_3", "Manao ahoana ianao tompoko!", ""))),
        KindItem(labelled("g1", "tsara ny andro", gold="Tsara ny andro androany."), "", (
            KindVote("a_1", "Tsara ny andro", ""),)),
        KindItem(labelled("c2", None), "", ()),
    ]
    found = {t.name: t for t in transcript_tables(SPEC, items)}
    assert set(found) == {"transcripts/items", "transcripts/long"}
    table = found["transcripts/items"]
    assert table.fields == ITEM_FIELDS and table.card is not None
    assert found["transcripts/long"].fields == LONG_FIELDS
    rows = {row["item_id"]: row for row in table.rows}
    assert rows["c1"]["consensus"] == "manao ahoana ianao tompoko"
    assert rows["c1"]["answers"] == 3 and rows["c1"]["confidence"] == 0.9
    wer, cer = rows["c1"]["pairwise_wer"], rows["c1"]["pairwise_cer"]
    assert isinstance(wer, float) and isinstance(cer, float) and 0 < cer < wer < 1
    assert rows["c1"]["gold"] is None and rows["c1"]["gold_cer"] is None
    # "tsara ny andro" against "tsara ny andro androany": 9 characters missing of 23
    assert rows["g1"]["gold_cer"] == pytest.approx(9 / 23, abs=1e-6)
    assert rows["g1"]["pairwise_wer"] is None and rows["g1"]["answers"] == 1
    assert rows["c2"]["consensus"] is None and rows["c2"]["answers"] == 0
    long = [row for row in found["transcripts/long"].rows if row["item_id"] == "c1"]
    assert [row["text"] for row in long] == [v.label for v in items[0].votes]
    assert [row["normalized"] for row in long] == [
        "manao ahoana ianao tompako", "manao ahona ianao tompoko", "manao ahoana ianao tompoko"]
    assert [row["cer_to_consensus"] for row in long] == [
        pytest.approx(1 / 26, abs=1e-6), pytest.approx(1 / 26, abs=1e-6), 0.0]


def test_label_studio_shows_the_audio_and_a_text_area_with_the_transcript() -> None:
    config = KIND.label_studio_config(SPEC, [MediaKind.AUDIO])
    assert '<Audio name="audio" value="$audio"/>' in config
    assert '<TextArea name="label" toName="audio"' in config
    result = KIND.label_studio_result(SPEC, labelled("c1", "manao ahoana"), "manao ahoana")
    assert result == {"from_name": "label", "to_name": "audio", "type": "textarea",
                      "value": {"text": ["manao ahoana"]}}


AGREE = "Manao ahoana ianao tompoko"


@pytest.mark.parametrize(("answer", "others", "found"), [
    # a typo away (CER 1/26): agrees; half the sentence: does not
    ("Manao ahoana ianao tompoka", [AGREE, AGREE + "."], {"": True}),
    ("manao ahoana", [AGREE, AGREE + "."], {"": False}),
    ("Tsara ny andro", [AGREE, AGREE], {"": False}),
    # case and punctuation are folded first: the same
    ("MANAO AHOANA, IANAO TOMPOKO!", [AGREE, "manao ahoana ianao tompoko"], {"": True}),
    # fewer than two others, or others who disagree among themselves: nothing to agree with
    (AGREE, [AGREE], {}),
    (AGREE, [AGREE, "Tsara ny andro androany"], {}),
    # two of three others agree: their consensus is what they say
    ("Manao ahoana ianao tompoko", [AGREE, "Tsara ny andro androany", AGREE], {"": True}),
])
def test_a_transcript_agrees_within_the_gold_bar_of_the_others_consensus(
        answer: str, others: list[str], found: dict[str, bool]) -> None:
    assert KIND.agreement(SPEC, answer, others) == found


def test_agreement_follows_the_spec_normalization_and_bar() -> None:
    others = ["Antananarivo", "Antananarivo"]
    assert KIND.agreement(SPEC, "antananarivo", others) == {"": True}
    kept = spec_with('case = "keep"\nmax_cer = 0\n')
    assert KIND.agreement(kept, "antananarivo", others) == {"": False}
    assert KIND.agreement(kept, "Antananarivo!", others) == {"": True}
    strict = spec_with("max_cer = 0.01\n")
    assert KIND.agreement(SPEC, "Manao ahoana ianao tompoka", [AGREE, AGREE]) == {"": True}
    assert KIND.agreement(strict, "Manao ahoana ianao tompoka", [AGREE, AGREE]) == {"": False}
