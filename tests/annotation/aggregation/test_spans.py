"""Spans: tokens, snapping, span and token F1, token-level consensus, agreement."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotation.aggregation.models import AggregationError
from annotation.aggregation.spans import (
    ConsensusSpan,
    Span,
    SpanMatch,
    consensus_spans,
    snap,
    span_f1,
    token_f1,
    tokens,
)


def words(text: str) -> list[str]:
    return [text[s:e] for s, e in tokens(text)]


def at(text: str, piece: str, label: str, occurrence: int = 0) -> Span:
    """Return the span of the n-th occurrence of piece in text."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(piece, start + 1)
    return Span(start, start + len(piece), label)


# --- tokens and snapping -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, world!", ["Hello", ",", "world", "!"]),
        ("  spaced\tout\n", ["spaced", "out"]),
        ("", []),
        ("Café naïve à Ōsaka, 東京 — ok", ["Café", "naïve", "à", "Ōsaka", ",", "東京", "—", "ok"]),
        ("Cafe\u0301 noir", ["Cafe\u0301", "noir"]),  # a combining accent stays on its letter
        ("नमस्ते दुनिया!", ["नमस्ते", "दुनिया", "!"]),  # vowel signs and viramas are marks
        ("שָׁלוֹם עולם", ["שָׁלוֹם", "עולם"]),
        ("ภาษาไทย", ["ภาษาไทย"]),
        ("\u0301a", ["\u0301", "a"]),  # a mark with nothing to mark is a token of its own
        ("l'eau d\u2019Ivato", ["l", "'", "eau", "d", "\u2019", "Ivato"]),
        ("Misotro ranon'ny voanio", ["Misotro", "ranon", "'", "ny", "voanio"]),
        ("aujourd'hui", ["aujourd", "'", "hui"]),
        ("3,5 km à 12:30", ["3", ",", "5", "km", "à", "12", ":", "30"]),
        ("peut-être", ["peut", "-", "être"]),
        ("snake_case x2", ["snake_case", "x2"]),
        ("ok 👍!", ["ok", "👍", "!"]),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_snap_widens_to_whole_tokens_and_drops_empty_spans() -> None:
    text = "Rakoto sy Rabe nankany Antananarivo."
    spans = [
        Span(2, 4, "PER"),  # inside "Rakoto"
        Span(12, 24, "LOC"),  # "be nankany A"
        Span(6, 7, "PER"),  # a space only
        Span(20, 20, "LOC"),  # empty
        Span(10, 8, "LOC"),  # backwards
        Span(0, 6, "PER"),  # the same as the first, once snapped
    ]
    assert snap(text, spans) == [
        Span(0, 6, "PER"),
        Span(10, 35, "LOC"),
    ]
    assert [text[s.start:s.end] for s in snap(text, spans)] == [
        "Rakoto", "Rabe nankany Antananarivo"]


def test_snap_splits_an_apostrophe_from_its_word() -> None:
    text = "Nandeha tany an'Antsirabe i Soa"
    # "Antsirabe" can be tagged without "an'"
    place = at(text, "Antsirabe", "LOC")
    assert snap(text, [place]) == [place]
    assert snap(text, [Span(place.start - 1, place.end, "LOC")]) == [
        Span(place.start - 1, place.end, "LOC")]
    assert snap(text, [Span(place.start - 2, place.start + 1, "LOC")]) == [
        at(text, "an'Antsirabe", "LOC")]


# --- scores ------------------------------------------------------------------------------


def test_span_f1_needs_exact_boundaries_and_label() -> None:
    truth = [Span(0, 6, "PER"), Span(10, 14, "PER"), Span(23, 35, "LOC")]
    drawn = [Span(0, 6, "PER"), Span(10, 14, "LOC"), Span(15, 35, "LOC")]
    found = span_f1(drawn, truth)
    assert found == SpanMatch(precision=1 / 3, recall=1 / 3, f1=pytest.approx(1 / 3))


@pytest.mark.parametrize(
    ("drawn", "truth", "expected"),
    [
        ([], [], (1.0, 1.0, 1.0)),
        ([], [Span(0, 6, "PER")], (1.0, 0.0, 0.0)),
        ([Span(0, 6, "PER")], [], (0.0, 1.0, 0.0)),
    ],
)
def test_empty_answers(
    drawn: list[Span], truth: list[Span], expected: tuple[float, float, float]
) -> None:
    found = span_f1(drawn, truth)
    assert (found.precision, found.recall, found.f1) == expected
    found = token_f1("Rakoto sy Rabe", drawn, truth)
    assert (found.precision, found.recall, found.f1) == expected


def test_token_f1_gives_credit_for_partly_right_spans() -> None:
    text = "Banky Foiben'i Madagasikara"  # Banky Foiben ' i Madagasikara: 5 tokens
    truth = [Span(0, len(text), "ORG")]
    drawn = [at(text, "Madagasikara", "ORG"), at(text, "Banky", "LOC")]
    found = token_f1(text, drawn, truth)
    assert found.precision == pytest.approx(1 / 2)
    assert found.recall == pytest.approx(1 / 5)
    assert found.f1 == pytest.approx(2 * 0.5 * 0.2 / 0.7)
    assert span_f1(drawn, truth).f1 == 0.0


# --- consensus ---------------------------------------------------------------------------

TEXT = "Rakoto Rabe sy Soa nankany Antananarivo omaly."


def test_adjacent_entities_stay_apart() -> None:
    rakoto, rabe = at(TEXT, "Rakoto", "PER"), at(TEXT, "Rabe", "PER")
    both = Span(rakoto.start, rabe.end, "PER")
    answers = {"ana": [rakoto, rabe], "bao": [rakoto, rabe], "cyr": [both]}
    found = consensus_spans(TEXT, answers)
    assert found.spans == (ConsensusSpan(rakoto, 1.0), ConsensusSpan(rabe, 1.0))
    # only one of three started a span at "Rabe": one entity
    answers = {"ana": [rakoto, rabe], "bao": [both], "cyr": [both]}
    assert consensus_spans(TEXT, answers).spans == (ConsensusSpan(both, 1.0),)


def test_a_token_needs_a_majority_and_a_tie_is_not_one() -> None:
    soa, city = at(TEXT, "Soa", "PER"), at(TEXT, "Antananarivo", "LOC")
    answers = {"ana": [soa, city], "bao": [city]}
    found = consensus_spans(TEXT, answers)
    assert found.spans == (ConsensusSpan(city, 1.0),)  # "Soa": one of two, a tie
    assert consensus_spans(TEXT, answers, min_share=0.4).spans == (
        ConsensusSpan(soa, 0.5), ConsensusSpan(city, 1.0))
    four = {"ana": [soa], "bao": [soa], "cyr": [soa], "dina": []}
    assert consensus_spans(TEXT, four, min_share=0.75).spans == (ConsensusSpan(soa, 0.75),)
    assert consensus_spans(TEXT, four, min_share=0.8).spans == ()


def test_confidence_is_the_mean_share_over_the_span() -> None:
    long = at(TEXT, "Rakoto Rabe", "PER")
    answers = {"ana": [long], "bao": [long], "cyr": [at(TEXT, "Rakoto", "PER")]}
    found = consensus_spans(TEXT, answers)
    assert found.spans == (ConsensusSpan(long, pytest.approx((1 + 2 / 3) / 2)),)


def test_a_span_stretches_where_the_majority_tags() -> None:
    # ana tags "Rakoto Rabe", bao "Rabe sy Soa", cyr "Rabe sy": "Rabe sy" has the majority
    answers = {
        "ana": [at(TEXT, "Rakoto Rabe", "PER")],
        "bao": [at(TEXT, "Rabe sy Soa", "PER")],
        "cyr": [at(TEXT, "Rabe sy", "PER")],
    }
    found = consensus_spans(TEXT, answers)
    assert [(TEXT[c.span.start:c.span.end], c.confidence) for c in found.spans] == [
        ("Rabe sy", pytest.approx((1 + 2 / 3) / 2))]


def test_overlapping_labels_on_and_off() -> None:
    text = "Banky Foiben'i Madagasikara"
    org, loc = Span(0, len(text), "ORG"), at(text, "Madagasikara", "LOC")
    answers = {"ana": [org, loc], "bao": [org, loc], "cyr": [org]}
    both = consensus_spans(text, answers, overlapping=True)
    assert both.spans == (ConsensusSpan(org, 1.0), ConsensusSpan(loc, pytest.approx(2 / 3)))
    one = consensus_spans(text, answers)
    assert one.spans == (ConsensusSpan(org, 1.0),)  # "Madagasikara": ORG 3/3 beats LOC 2/3
    # a tie between labels goes to the label first in sort order, and cuts the other span
    tied = {"ana": [org, loc], "bao": [org, loc]}
    assert consensus_spans(text, tied).spans == (
        ConsensusSpan(at(text, "Banky Foiben'i", "ORG"), 1.0), ConsensusSpan(loc, 1.0))


def test_weights_change_the_shares() -> None:
    soa = at(TEXT, "Soa", "PER")
    answers = {"ana": [soa], "bao": [], "cyr": []}
    assert consensus_spans(TEXT, answers, weights={"ana": 2}).spans == ()  # 2 of 4: a tie
    assert consensus_spans(TEXT, answers, weights={"ana": 3}).spans == (
        ConsensusSpan(soa, 0.6),)
    zero = consensus_spans(TEXT, answers, weights={"ana": 0, "bao": 0, "cyr": 0})
    assert zero.spans == ()  # all weights 0: equal, 1 of 3
    with pytest.raises(AggregationError):
        consensus_spans(TEXT, answers, weights={"bao": -1})


def test_answers_are_snapped_before_the_vote() -> None:
    answers = {"ana": [Span(1, 3, "PER")], "bao": [Span(0, 6, "PER")]}
    assert consensus_spans(TEXT, answers).spans == (ConsensusSpan(Span(0, 6, "PER"), 1.0),)


def test_unicode_and_apostrophes_in_consensus() -> None:
    text = "L'eau d'Ivato est froide; la forêt d'Analamazaotra aussi"
    ivato, forest = at(text, "Ivato", "LOC"), at(text, "forêt d'Analamazaotra", "LOC")
    answers = {"ana": [ivato, forest], "bao": [ivato, forest], "cyr": [at(text, "d'Ivato", "LOC")]}
    found = consensus_spans(text, answers)
    assert [text[c.span.start:c.span.end] for c in found.spans] == [
        "Ivato", "forêt d'Analamazaotra"]
    assert found.spans[0].confidence == 1.0
    assert found.spans[1].confidence == pytest.approx(2 / 3)


def test_agreement_is_the_mean_pairwise_token_f1() -> None:
    assert consensus_spans(TEXT, {}).agreement == 1.0
    assert consensus_spans(TEXT, {"ana": [], "bao": []}) == consensus_spans(TEXT, {"ana": []})
    assert consensus_spans(TEXT, {"ana": [], "bao": []}).agreement == 1.0
    long, short = at(TEXT, "Rakoto Rabe", "PER"), at(TEXT, "Rakoto", "PER")
    found = consensus_spans(TEXT, {"ana": [long], "bao": [short], "cyr": []})
    # ana-bao: precision 1/2, recall 1 -> 2/3 (and the same the other way); with cyr: 0
    assert found.agreement == pytest.approx((2 / 3 + 0 + 0) / 3)


# --- properties --------------------------------------------------------------------------

vocabulary = st.sampled_from(["Rakoto", "sy", "l'eau", "d'Ivato", "forêt", ",", "東京", "42"])
texts = st.lists(vocabulary, min_size=1, max_size=12).map(" ".join)
LABELS = ["LOC", "ORG", "PER"]


@st.composite
def tagged(draw: st.DrawFn, overlapping: bool) -> tuple[str, list[Span]]:
    """Draw a text and snapped spans: never two of a label on a token; across labels only
    when overlapping."""
    text = draw(texts)
    spots = tokens(text)
    spans: list[Span] = []
    taken: dict[str, set[int]] = {label: set() for label in LABELS}
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        label = draw(st.sampled_from(LABELS))
        first = draw(st.integers(min_value=0, max_value=len(spots) - 1))
        last = draw(st.integers(min_value=first, max_value=min(len(spots) - 1, first + 3)))
        cover = set(range(first, last + 1))
        blocked = taken[label] if overlapping else set().union(*taken.values())
        if cover & blocked:
            continue
        taken[label] |= cover
        spans.append(Span(spots[first][0], spots[last][1], label))
    return text, spans


@given(st.one_of(texts, st.text(max_size=40)))
def test_tokens_are_ordered_disjoint_and_cover_every_visible_character(text: str) -> None:
    spots = tokens(text)
    assert all(s < e for s, e in spots)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spots))
    covered = {i for s, e in spots for i in range(s, e)}
    assert covered == {i for i, c in enumerate(text) if not c.isspace()}


@given(st.text(max_size=30), st.lists(st.tuples(st.integers(-2, 35), st.integers(-2, 35)),
                                      max_size=4))
def test_snap_is_idempotent_and_lands_on_token_edges(
    text: str, bounds: list[tuple[int, int]]
) -> None:
    snapped = snap(text, [Span(s, e, "X") for s, e in bounds])
    assert snap(text, snapped) == snapped
    starts = {s for s, _ in tokens(text)}
    ends = {e for _, e in tokens(text)}
    assert all(s.start in starts and s.end in ends for s in snapped)


@settings(max_examples=80, deadline=None)
@given(st.booleans().flatmap(lambda o: st.tuples(st.just(o), tagged(o))),
       st.integers(min_value=1, max_value=4))
def test_identical_answers_give_themselves_back(
    case: tuple[bool, tuple[str, list[Span]]], n: int
) -> None:
    overlapping, (text, spans) = case
    answers = {f"a{i}": list(spans) for i in range(n)}
    found = consensus_spans(text, answers, overlapping=overlapping)
    assert [c.span for c in found.spans] == sorted(spans)
    assert all(c.confidence == 1.0 for c in found.spans)
    assert found.agreement == 1.0
    assert span_f1(spans, spans).f1 == token_f1(text, spans, spans).f1 == 1.0


@settings(max_examples=60, deadline=None)
@given(texts.flatmap(lambda text: st.tuples(st.just(text), st.dictionaries(
    st.sampled_from(["ana", "bao", "cyr", "dina"]),
    st.lists(st.builds(Span, st.integers(0, len(text)), st.integers(0, len(text)),
                       st.sampled_from(LABELS)), max_size=4),
    max_size=4))), st.booleans(), st.randoms(use_true_random=False))
def test_the_order_of_annotators_and_spans_does_not_change_the_consensus(
    case: tuple[str, dict[str, list[Span]]], overlapping: bool, rng: random.Random
) -> None:
    text, answers = case
    names = list(answers)
    rng.shuffle(names)
    shuffled = {name: rng.sample(answers[name], len(answers[name])) for name in names}
    found = consensus_spans(text, answers, overlapping=overlapping)
    assert consensus_spans(text, shuffled, overlapping=overlapping) == found
    assert 0.0 <= found.agreement <= 1.0
    assert all(0.5 < c.confidence <= 1.0 for c in found.spans)
    if not overlapping:
        cover = [i for c in found.spans for i in range(c.span.start, c.span.end)]
        assert len(cover) == len(set(cover))
