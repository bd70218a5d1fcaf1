"""Tagged spans of a text: tokens, snapping, span and token F1, a token-level consensus.

A span is a range of character offsets into the item's text (``end`` exclusive) with a label.
Spans live on tokens (:func:`tokens`): a run of word characters (``\\w+``, Unicode) or any
other single non-space character; a combining mark (Unicode category M, which ``\\w`` does
not match) stays with the character before it and a word goes on after it, so "Cafe" + U+0301
is one token as its precomposed form "Café" is, and so are Hindi "नमस्ते" and pointed Hebrew.
An apostrophe is a token of its own: French "l'eau" and Malagasy "n'ny" are three tokens,
so "eau" can be tagged without its article.

Policies:

- **Snapping** (:func:`snap`): a span widens to every token it touches; one that touches no
  token (white space only, or empty) is dropped; duplicates collapse; the result is sorted.
- **Empty answers** (:func:`span_f1`, :func:`token_f1`): as for boxes, precision is 1.0 when
  nothing is drawn and recall 1.0 when the truth is empty, so empty against empty scores 1.0
  and empty against non-empty (either way) has F1 0.
- **Consensus** (:func:`consensus_spans`), one layer per label: a token's share for a label is
  the weight share of annotators whose span of that label covers it. A token joins the label's
  consensus when its share reaches ``min_share``; a ``min_share`` of one half or less must be
  exceeded, not just reached (with the default 0.5, one annotator of two is a tie, and a tie
  is not a majority: the union of two disagreeing answers is no consensus). Consecutive
  tokens of a layer form one span unless more than half the weight of the annotators tagging
  the later token started a span of that label there (so two adjacent entities stay two).
  Without ``overlapping``, a token claimed by several labels keeps the one with the highest
  share (a tie: the label first in sort order), which can cut a span in two.
  A span's confidence is the mean share of its tokens.
- **Weights**: an annotator absent from ``weights`` weighs 1.0; a negative or non-finite weight
  is refused (``AggregationError``); if every weight is 0 the annotators weigh equally.
- **Agreement**: the mean token-level F1 (:func:`token_f1`) over every pair of annotators; a
  plain F1, not chance-corrected (no Cohen's kappa: the "no tag" class dwarfs the others, and
  token F1 is what span-tagging papers report); unweighted; 1.0 with fewer than two
  annotators or when every answer is empty.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import combinations
from typing import NamedTuple

from annotation.aggregation.models import AggregationError, AggregationProblem

_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w")
_EPS = 1e-9


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A labelled range of character offsets into a text, end exclusive."""

    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class SpanMatch:
    """Precision, recall and F1 of drawn spans (or tagged tokens) against the truth."""

    precision: float
    recall: float
    f1: float


class ConsensusSpan(NamedTuple):
    """A consensus span and the mean share of annotators' weight on its tokens."""

    span: Span
    confidence: float


@dataclass(frozen=True, slots=True)
class SpanConsensus:
    """The annotators' spans of one text, aggregated."""

    spans: tuple[ConsensusSpan, ...]
    agreement: float


def tokens(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of the tokens of a text."""
    found: list[tuple[int, int]] = []
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        if found and found[-1][1] == start and _joins(text, found[-1][0], start):
            found[-1] = (found[-1][0], end)
        else:
            found.append((start, end))
    return found


def snap(text: str, spans: Sequence[Span]) -> list[Span]:
    """Return the spans widened to whole tokens, sorted, without empty or repeated ones."""
    spots = _Tokens(text)
    return sorted({s for s in (_snap_one(spots, span) for span in spans) if s})


def span_f1(drawn: Sequence[Span], truth: Sequence[Span]) -> SpanMatch:
    """Score drawn spans against the truth by exact (start, end, label) match."""
    return _f1(set(drawn), set(truth))


def token_f1(text: str, drawn: Sequence[Span], truth: Sequence[Span]) -> SpanMatch:
    """Score drawn spans against the truth token by token, per label."""
    return _token_f1(_Tokens(text), drawn, truth)


def consensus_spans(
    text: str,
    answers: Mapping[str, Sequence[Span]],
    min_share: float = 0.5,
    overlapping: bool = False,
    weights: Mapping[str, float] | None = None,
) -> SpanConsensus:
    """Aggregate the annotators' spans of a text token by token into consensus spans."""
    spots = _Tokens(text)
    annotators = sorted(answers)
    weight = _weights(annotators, weights)
    total = sum(weight[a] for a in annotators)  # summed in the same order as the tags below
    tagged: dict[tuple[str, int], float] = {}  # (label, token) -> weight tagging it
    started: dict[tuple[str, int], float] = {}  # (label, token) -> weight starting a span there
    for annotator in annotators:
        covers: set[tuple[str, int]] = set()
        starts: set[tuple[str, int]] = set()
        for span in answers[annotator]:
            first, last = spots.touched(span)
            covers.update((span.label, i) for i in range(first, last))
            if first < last:
                starts.add((span.label, first))
        for key in covers:
            tagged[key] = tagged.get(key, 0.0) + weight[annotator]
        for key in starts:
            started[key] = started.get(key, 0.0) + weight[annotator]
    shares = {key: value / total for key, value in tagged.items()}
    kept = {key: value for key, value in shares.items() if _enough(value, min_share)}
    if not overlapping:
        winner: dict[int, tuple[float, str]] = {}
        for (label, i), value in sorted(kept.items()):
            if i not in winner or value > winner[i][0] + _EPS:
                winner[i] = (value, label)
        kept = {(label, i): value for i, (value, label) in winner.items()}
    spans: list[ConsensusSpan] = []
    for label in sorted({label for label, _ in kept}):
        run: list[int] = []
        for i in sorted(i for lab, i in kept if lab == label):
            fresh = started.get((label, i), 0.0) > tagged[(label, i)] / 2 + _EPS
            if run and (i != run[-1] + 1 or fresh):
                spans.append(_consensus_span(spots, label, run, kept))
                run = []
            run.append(i)
        if run:
            spans.append(_consensus_span(spots, label, run, kept))
    pairs = [_token_f1(spots, answers[a], answers[b]).f1 for a, b in combinations(annotators, 2)]
    return SpanConsensus(
        spans=tuple(sorted(spans)),
        agreement=math.fsum(pairs) / len(pairs) if pairs else 1.0,
    )


def _joins(text: str, previous: int, start: int) -> bool:
    """Say whether the token at start continues the one at previous, which ends there."""
    # a combining mark belongs to what it marks, and a word goes on after a mark inside it
    # (Devanagari vowel signs and viramas, Hebrew points are marks, not \w)
    return _mark(text[start]) or (
        _mark(text[start - 1]) and _WORD.match(text, previous) is not None
        and _WORD.match(text, start) is not None)


def _mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


class _Tokens:
    """A text's tokens, found by character offset."""

    def __init__(self, text: str) -> None:
        self.spots = tokens(text)
        self.starts = [start for start, _ in self.spots]
        self.ends = [end for _, end in self.spots]

    def touched(self, span: Span) -> tuple[int, int]:
        """Return the indices [first, last) of the tokens a span touches."""
        if span.end <= span.start:
            return (0, 0)
        first = bisect_right(self.ends, span.start)  # the first token ending after the start
        last = bisect_left(self.starts, span.end)  # past the last token starting before the end
        return (first, last) if first < last else (0, 0)


def _snap_one(spots: _Tokens, span: Span) -> Span | None:
    first, last = spots.touched(span)
    if first == last:
        return None
    return Span(spots.starts[first], spots.ends[last - 1], span.label)


def _token_f1(spots: _Tokens, drawn: Sequence[Span],
              truth: Sequence[Span]) -> SpanMatch:
    return _f1(_tagged(spots, drawn), _tagged(spots, truth))


def _tagged(spots: _Tokens, spans: Sequence[Span]) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for span in spans:
        first, last = spots.touched(span)
        found.update((i, span.label) for i in range(first, last))
    return found


def _f1(drawn: AbstractSet[object], truth: AbstractSet[object]) -> SpanMatch:
    matched = len(drawn & truth)
    precision = matched / len(drawn) if drawn else 1.0
    recall = matched / len(truth) if truth else 1.0
    total = precision + recall
    return SpanMatch(precision, recall, 2 * precision * recall / total if total else 0.0)


def _enough(value: float, min_share: float) -> bool:
    if min_share <= 0.5:
        return value > min_share + _EPS  # at the bar is a tie, and a tie is not a majority
    return value >= min_share - _EPS


def _consensus_span(
    spots: _Tokens, label: str, run: list[int],
    kept: Mapping[tuple[str, int], float],
) -> ConsensusSpan:
    span = Span(spots.starts[run[0]], spots.ends[run[-1]], label)
    return ConsensusSpan(span, min(1.0, math.fsum(kept[(label, i)] for i in run) / len(run)))


def _weights(annotators: Sequence[str], weights: Mapping[str, float] | None) -> dict[str, float]:
    given = {a: float((weights or {}).get(a, 1.0)) for a in annotators}
    if any(not (math.isfinite(w) and w >= 0) for w in given.values()):
        raise AggregationError(reason=AggregationProblem.BAD_PARAMETER, weights=given)
    return given if any(given.values()) else dict.fromkeys(annotators, 1.0)
