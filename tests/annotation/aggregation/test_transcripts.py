"""Transcripts: normalization, edit distances, ROVER and medoid consensus, gold CER."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotation.aggregation.edit_distance import (
    EditOp,
    align,
    cer,
    char_distance,
    levenshtein,
    wer,
    word_distance,
)
from annotation.aggregation.models import AggregationError
from annotation.aggregation.rover import rover
from annotation.aggregation.transcripts import (
    DEFAULT_CONSENSUS,
    DEFAULT_GOLD_CER_BAR,
    ConsensusMethod,
    NumberPolicy,
    TranscriptSettings,
    aggregate_transcripts,
    consensus_transcript,
    gold_cer,
    normalize_transcript,
    transcript_correct,
)

MEDOID = ConsensusMethod.MEDOID
ROVER = ConsensusMethod.ROVER


# --- normalization ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("  Le petit CHAT, dort.  ", "le petit chat dort"),
        ("L'eau est froide", "l'eau est froide"),
        ("L\u2019eau est froide", "l'eau est froide"),  # typographic apostrophe
        ("Aujourd\u02bchui", "aujourd'hui"),  # modifier letter apostrophe
        ("Misotro ranon'ny voanio", "misotro ranon'ny voanio"),
        ("N'ny rahalahiko sy an'ny namany", "n'ny rahalahiko sy an'ny namany"),
        ("'Bonjour' dit-il", "bonjour dit il"),  # quotes go, a hyphen is a space
        ("Peut-être", "peut être"),
        ("an-tsena", "an tsena"),
        ("Il a dit : « oui » !", "il a dit oui"),
        ("Attends\u2026 quoi ?", "attends quoi"),
        ("Cafe\u0301", "café"),  # NFC
        ("ZERO\u200bWIDTH soft\u00adhyphen", "zerowidth softhyphen"),
        ("Il coûte 3,5 euros à 12:30, soit 1.000 ariary.",
         "il coûte 3,5 euros à 12:30 soit 1.000 ariary"),
        ("3, 4 ou 5", "3 4 ou 5"),
        ("...", ""),
        ("", ""),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),  # case folding, not lower()
    ],
)
def test_normalize_transcript(raw: str, normalized: str) -> None:
    assert normalize_transcript(raw) == normalized


def test_numbers_as_written_by_default() -> None:
    assert normalize_transcript("Il a couru 3km à 20h30") == "il a couru 3km à 20h30"


def test_numbers_separated_from_letters() -> None:
    separate = TranscriptSettings(numbers=NumberPolicy.SEPARATE)

    assert normalize_transcript("Il a couru 3km à 20h30", separate) == (
        "il a couru 3 km à 20 h 30")
    assert normalize_transcript("le 1er et 3,5kg", separate) == "le 1 er et 3,5 kg"
    assert normalize_transcript("3 km", separate) == normalize_transcript("3km", separate)


def test_case_and_punctuation_can_be_kept() -> None:
    keep = TranscriptSettings(fold_case=False, strip_punctuation=False)

    assert normalize_transcript("  Le  Chat, dort.\u200b ", keep) == "Le Chat, dort."


# --- edit distances ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("kitten", "sitting", 3), ("flaw", "lawn", 2), ("", "abc", 3), ("abc", "", 3),
     ("", "", 0), ("same", "same", 0), ("chat", "chta", 2), ("ab", "ba", 2),
     ("n'ny", "ny", 2), ("x" * 100 + "a", "x" * 100 + "b", 1)],
)
def test_levenshtein_known_pairs(a: str, b: str, distance: int) -> None:
    assert levenshtein(a, b) == distance
    assert levenshtein(b, a) == distance
    assert align(a, b).distance == distance


def test_levenshtein_on_words() -> None:
    assert levenshtein(["le", "chat", "dort"], ["le", "chien", "dort", "bien"]) == 2
    assert word_distance("le chat dort", "le  chat") == 1
    assert char_distance("le chat", "le  chat") == 0


def test_alignment_backtrace() -> None:
    found = align(["le", "petit", "chat", "dort"], ["le", "chat", "dort", "bien"])

    assert [(s.op, s.ref, s.hyp) for s in found.steps] == [
        (EditOp.EQUAL, "le", "le"),
        (EditOp.DELETE, "petit", None),
        (EditOp.EQUAL, "chat", "chat"),
        (EditOp.EQUAL, "dort", "dort"),
        (EditOp.INSERT, None, "bien"),
    ]
    assert (found.hits, found.substitutions, found.insertions, found.deletions) == (3, 0, 1, 1)
    assert found.distance == 2


def test_alignment_prefers_a_substitution() -> None:
    found = align("abc", "axc")

    assert [s.op for s in found.steps] == [EditOp.EQUAL, EditOp.SUBSTITUTE, EditOp.EQUAL]


def test_rates() -> None:
    assert wer("le chat dort", "le chien dort") == pytest.approx(1 / 3)
    assert wer("le chat dort", "le chat dort ici et là") == pytest.approx(1.0)
    assert cer("abcd", "abed") == pytest.approx(0.25)
    assert cer("ab cd", "abcd") == pytest.approx(1 / 5)  # the space is a character
    assert wer("", "") == 0.0
    assert wer("", "a b") == 2.0  # an empty reference counts as one word
    assert cer("", "abc") == 3.0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abc ", max_size=30), st.text(alphabet="abc ", max_size=90))
def test_bit_parallel_distance_equals_the_table(a: str, b: str) -> None:
    assert levenshtein(a, b) == align(a, b).distance == levenshtein(b, a)
    assert levenshtein(a.split(), b.split()) == align(a.split(), b.split()).distance


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab", max_size=12), st.text(alphabet="ab", max_size=12),
       st.text(alphabet="ab", max_size=12))
def test_distance_is_a_metric(a: str, b: str, c: str) -> None:
    assert (levenshtein(a, b) == 0) == (a == b)
    assert levenshtein(a, c) <= levenshtein(a, b) + levenshtein(b, c)


# --- consensus ---------------------------------------------------------------------------

TRUTH = "ny ankizy dia misotro ranon'ny voanio"
ONE_ERROR_EACH = [
    "ny zanako dia misotro ranon'ny voanio",
    "ny ankizy dia misotro rano ny voanio",
    "ny ankizy dia misotro ranon'ny vary",
]


def answers(texts: list[str], item: str = "q") -> list[tuple[str, str, str]]:
    return [(item, f"a{i}", text) for i, text in enumerate(texts)]


def test_rover_recovers_the_truth_where_the_medoid_cannot() -> None:
    by_rover = aggregate_transcripts(answers(ONE_ERROR_EACH), method=ROVER)["q"]
    by_medoid = aggregate_transcripts(answers(ONE_ERROR_EACH), method=MEDOID)["q"]

    assert by_rover.text == TRUTH
    assert by_rover.source is None
    assert by_medoid.text in ONE_ERROR_EACH  # the medoid can only pick one of them
    assert by_medoid.text != TRUTH
    assert DEFAULT_CONSENSUS is ROVER


def test_rover_votes_null_arcs() -> None:
    texts = [
        "le petit chat dort sur le canapé",
        "le petit chat dort sur le canapé du salon",  # two extra words: outvoted by nulls
        "le petit chat dort",  # half the sentence: the rest is kept by the others
        "le chat dort sur le canapé",
    ]

    found = rover(texts)

    assert found.text == "le petit chat dort sur le canapé"
    assert all(len(slot.arcs) == 4 for slot in found.slots)
    assert [slot.winner for slot in found.slots].count(None) == 2


def test_rover_confidence_is_the_mean_winner_share() -> None:
    found = rover(["a b c", "a b c", "a x c"])

    assert [slot.share for slot in found.slots] == pytest.approx([1.0, 2 / 3, 1.0])
    assert found.confidence == pytest.approx((1 + 2 / 3 + 1) / 3)
    assert found.backbone_confidence == pytest.approx(found.confidence)
    assert rover(["a b c", "a b c"]).confidence == 1.0


def test_rover_order_and_weights_are_checked() -> None:
    with pytest.raises(ValueError, match="order"):
        rover(["a", "b"], order=[0, 0])
    with pytest.raises(ValueError, match="weight"):
        rover(["a", "b"], weights=[1.0])


def test_medoid_picks_the_central_transcript() -> None:
    texts = [
        "le train arrive en retard",
        "le train de 18h30 arrive toujours en retard",  # the central one
        "le train de 18h30 arrive toujours en retard ce soir encore",
        "train 18h30 toujours retard",
        "le bus de 18h30 arrive toujours en retard",
    ]

    label = aggregate_transcripts(answers(texts), method=MEDOID)["q"]

    assert label.text == texts[1]
    assert label.source == "a1"
    assert label.annotator_cer["a1"] == 0.0
    assert label.annotator_cer["a4"] == pytest.approx(
        levenshtein(texts[1], texts[4]) / len(texts[1]))


def test_weights_outvote_the_crowd() -> None:
    texts = ["le chat dort", "le chien dort", "le chien dort"]
    weights = {"a0": 3.0, "a1": 1.0, "a2": 1.0}

    assert aggregate_transcripts(answers(texts))["q"].text == "le chien dort"
    assert aggregate_transcripts(answers(texts), weights=weights)["q"].text == "le chat dort"
    by_medoid = aggregate_transcripts(answers(texts), weights=weights, method=MEDOID)["q"]
    assert by_medoid.text == "le chat dort"


def test_missing_weights_take_the_default() -> None:
    texts = ["le chat dort", "le chien dort", "le chien dort"]

    light = aggregate_transcripts(answers(texts), weights={"a0": 3.0}, default_weight=1.0)
    heavy = aggregate_transcripts(answers(texts), weights={"a0": 3.0}, default_weight=2.0)

    assert light["q"].text == "le chat dort"
    assert heavy["q"].text == "le chien dort"


def test_zero_weights_count_equally_and_negative_ones_are_refused() -> None:
    texts = ["le chat dort", "le chien dort", "le chien dort"]

    zero = {"a0": 0.0, "a1": 0.0, "a2": 0.0}
    assert aggregate_transcripts(answers(texts), weights=zero)["q"].text == "le chien dort"
    with pytest.raises(AggregationError):
        aggregate_transcripts(answers(texts), weights={"a1": -1.0})
    with pytest.raises(AggregationError):
        aggregate_transcripts(answers(texts), weights={"a1": float("nan")})
    with pytest.raises(AggregationError):
        aggregate_transcripts(answers(texts), default_weight=-1.0)


def test_ties_between_two_transcripts_go_to_the_first() -> None:
    texts = ["le chat dort", "le chien dort"]

    for method in ConsensusMethod:
        label = aggregate_transcripts(answers(texts), method=method)["q"]
        assert label.text == "le chat dort"
        assert label.confidence == pytest.approx((1 + 0.5 + 1) / 3)


def test_ties_go_to_the_heavier_annotator() -> None:
    texts = ["le chat dort", "le chien dort"]

    for method in ConsensusMethod:
        label = aggregate_transcripts(answers(texts), weights={"a1": 2.0}, method=method)["q"]
        assert label.text == "le chien dort"


def test_rover_slot_tie_goes_to_the_backbone() -> None:
    # the medoid (backbone) is the middle one; in the three-way slot, its word wins
    texts = ["le chat noir dort bien", "le chat gris dort", "le chat roux dort"]

    found = consensus_transcript(texts, method=ROVER)

    assert found.text == "le chat gris dort"


def test_agreement_is_the_mean_pairwise_rate() -> None:
    texts = ["le chat dort", "le chien dort", "le chat dort"]

    label = aggregate_transcripts(answers(texts))["q"]

    # ordered pairs: 4 of the 6 differ by one word of three
    assert label.pairwise_wer == pytest.approx(4 * (1 / 3) / 6)
    d = levenshtein("le chat dort", "le chien dort")
    expected = 2 * (d / len("le chat dort") + d / len("le chien dort")) / 6
    assert label.pairwise_cer == pytest.approx(expected)
    assert dict(label.annotator_cer) == pytest.approx(
        {"a0": 0.0, "a1": d / len("le chat dort"), "a2": 0.0})


def test_normalization_happens_before_comparison() -> None:
    texts = ["Le chat dort.", "le  CHAT dort", "« le chat dort »"]

    label = aggregate_transcripts(answers(texts))["q"]

    assert label.text == "le chat dort"
    assert (label.pairwise_wer, label.pairwise_cer, label.confidence) == (0.0, 0.0, 1.0)


def test_one_transcript() -> None:
    for method in ConsensusMethod:
        label = aggregate_transcripts([("q", "a", "Bonjour !")], method=method)["q"]
        assert (label.text, label.answers, label.confidence) == ("bonjour", 1, 1.0)
        assert (label.pairwise_wer, label.pairwise_cer) == (None, None)
        assert dict(label.annotator_cer) == {"a": 0.0}


def test_item_without_transcripts() -> None:
    label = aggregate_transcripts([], items=["q"])["q"]

    assert (label.text, label.confidence, label.answers, label.source) == (None, 0.0, 0, None)
    assert (label.pairwise_wer, label.pairwise_cer, dict(label.annotator_cer)) == (None, None, {})


def test_empty_transcripts_vote_for_silence() -> None:
    silent = aggregate_transcripts(answers(["", "...", "   "]))["q"]
    assert (silent.text, silent.confidence, silent.pairwise_wer) == ("", 1.0, 0.0)

    mostly = aggregate_transcripts(answers(["", "", "il pleut"]))["q"]
    assert mostly.text == ""
    assert mostly.annotator_cer["a2"] == pytest.approx(8.0)  # empty reference: one unit

    outvoted = aggregate_transcripts(answers(["il pleut", "", "il pleut"]))["q"]
    assert outvoted.text == "il pleut"
    assert outvoted.pairwise_wer == pytest.approx((0 + 2 + 1 + 2 + 0 + 1) / 6)


def test_a_re_answer_replaces_the_first() -> None:
    given_answers = [("q", "a", "le chien"), ("q", "b", "le chat"), ("q", "a", "le chat")]

    label = aggregate_transcripts(given_answers)["q"]

    assert (label.text, label.answers, label.pairwise_wer) == ("le chat", 2, 0.0)


def test_items_are_aggregated_apart() -> None:
    given_answers = answers(ONE_ERROR_EACH, "q1") + answers(["il pleut", "il pleut"], "q2")

    labels = aggregate_transcripts(given_answers, items=["q0"])

    assert list(labels) == ["q0", "q1", "q2"]
    assert (labels["q1"].text, labels["q2"].text, labels["q0"].text) == (TRUTH, "il pleut", None)


SENTENCE = st.lists(st.sampled_from(["ny", "ankizy", "dia", "le", "chat", "l'eau"]),
                    max_size=6).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(SENTENCE, st.lists(SENTENCE, max_size=4), st.integers(0, 4), st.randoms())
def test_a_strict_majority_of_identical_transcripts_wins(
    text: str, others: list[str], extra: int, rng: random.Random
) -> None:
    copies = [text] * (len(others) + 1 + extra)
    texts = copies + others
    rng.shuffle(texts)

    for method in ConsensusMethod:
        found = consensus_transcript(texts, method=method)
        assert found.text == text
        if not others:
            assert found.confidence == 1.0
            assert found.pairwise_wer == found.pairwise_cer == (0.0 if extra else None)


def test_consensus_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no transcripts"):
        consensus_transcript([])


# --- gold --------------------------------------------------------------------------------


def test_gold_cer_normalizes_both_sides() -> None:
    assert gold_cer("L'eau est froide.", "l\u2019eau  est FROIDE") == 0.0
    assert gold_cer("le chat dort", "le chat dor") == pytest.approx(1 / 12)
    assert gold_cer("3km", "3 km", TranscriptSettings(numbers=NumberPolicy.SEPARATE)) == 0.0


@pytest.mark.parametrize(("value", "correct"), [(0.0, True), (0.15, True), (0.16, False)])
def test_transcript_correct_at_the_default_bar(value: float, correct: bool) -> None:
    assert DEFAULT_GOLD_CER_BAR == 0.15
    assert transcript_correct(value) is correct


def test_transcript_correct_with_a_bar() -> None:
    assert transcript_correct(0.04, bar=0.05)
    assert not transcript_correct(0.06, bar=0.05)
