"""Transcripts: normalization, a consensus per item, inter-annotator WER/CER, gold CER.

Pipeline per item (crowd-kit's vocabulary: the item is the task, each annotator a worker,
the transcript its label):

1. **Normalization** (:func:`normalize_transcript`, :class:`TranscriptSettings`): Unicode
   NFC, case folding, punctuation turned into spaces, white space folded (a project may
   keep case or punctuation: :class:`CasePolicy`, :class:`PunctuationPolicy`). Apostrophes inside
   a word are kept and unified to ``'`` (French "l'eau", "aujourd'hui"; Malagasy "n'ny",
   "an'ny"; the typographic ``’`` and the modifier letter ``ʼ`` included); quotes around a
   word go. Punctuation between two digits is kept ("3,5", "12:30", "1.000"), because
   dropping it changes the number. A hyphen between letters becomes a space ("peut-être" ->
   "peut être"), so "peut être" typed without it matches. Invisible format characters (zero
   width space, soft hyphen) are dropped. Numbers, :class:`NumberPolicy`: ``AS_WRITTEN``
   leaves them as typed; ``SEPARATE`` puts a space between digits and letters ("3km" ->
   "3 km", "20h30" -> "20 h 30"). Numbers are never spelled out: that is language specific
   (French, Malagasy...); a project that wants spoken forms asks annotators to type words.
2. **Consensus** (:class:`ConsensusMethod`): ``ROVER`` aligns every transcript into a word
   transition network with the medoid as backbone and votes per slot (see
   :mod:`annotation.aggregation.rover`); ``MEDOID`` returns the transcript with the least
   weighted character edit distance to the others. Measured in ``benchmarks/transcripts.py``
   and docs/AGGREGATION.md ("Transcripts"), which also say why ROVER is the default.
3. **Agreement**: the mean inter-annotator WER and CER over ordered pairs of the item's
   normalized transcripts (each in turn the reference; unweighted), and each transcript's
   CER against the consensus. For quality control, :func:`agrees_with_others` says whether
   one transcript is within the gold bar of the others' consensus.
4. **Confidence**: read on the ROVER network (built for both methods, medoid as backbone):
   the weight share of the consensus's arc in each slot, averaged over the slots: the
   winners' arcs for ROVER, the medoid's own arcs for the medoid. It is 1.0 when every
   transcript says the same; of the measures tried it best told exactly right consensus
   apart overall (AUROC; the share of slots with a strict majority did worst with weights).

Policies:

- **Ties**: medoid: the smallest weighted sum of distances wins; then the heavier annotator,
  then the transcript given first. ROVER slot ties: see :mod:`annotation.aggregation.rover`
  (the backbone's word, then network order).
- **Weights** (an annotator's skill, e.g. from gold): an annotator absent from ``weights``
  weighs ``default_weight``; a negative or non-finite weight is refused
  (``AggregationError``); if every weight on an item is 0 its transcripts weigh equally.
  Agreement is never weighted.
- **Missing data**: an item listed in ``items`` without transcripts gets ``text=None``,
  confidence 0, no agreement. With one transcript the consensus is that transcript,
  confidence 1 (as a single vote in majority voting) and agreement ``None`` (no pair to
  compare): a caller that needs evidence asks for overlap first. A second transcript by the
  same annotator for the same item replaces the first. A transcript that normalizes to ""
  (only punctuation, or nothing typed) is a vote for silence, not a missing answer.
- **Gold**: :func:`gold_cer` is the CER of an answer against the gold transcript (both
  normalized); :func:`transcript_correct` says whether it is within the bar
  (:data:`DEFAULT_GOLD_CER_BAR`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations
from types import MappingProxyType

from annotation.aggregation.edit_distance import levenshtein
from annotation.aggregation.models import AggregationError, AggregationProblem
from annotation.aggregation.rover import rover

# With 8 gold answers each and a "60% of gold correct" rule, 0.15 kept 96% of the simulated
# careful annotators and 22% of the sloppy ones, no careless one; 0.1 lost 16% of the careful
# (benchmarks/transcripts.py, docs/AGGREGATION.md)
DEFAULT_GOLD_CER_BAR = 0.15
_APOSTROPHES = frozenset("'\u2019\u2018\u02bc\u02bb\u0060\u00b4\uff07")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")


class NumberPolicy(StrEnum):
    """How normalization treats numbers."""

    AS_WRITTEN = "as_written"
    SEPARATE = "separate"


class CasePolicy(StrEnum):
    """Whether normalization folds case (a project's ``case`` key)."""

    FOLD = "fold"
    KEEP = "keep"


class PunctuationPolicy(StrEnum):
    """Whether normalization takes punctuation out (a project's ``punctuation`` key)."""

    STRIP = "strip"
    KEEP = "keep"


class ConsensusMethod(StrEnum):
    """How the transcripts of one item become one."""

    ROVER = "rover"
    MEDOID = "medoid"


DEFAULT_CONSENSUS = ConsensusMethod.ROVER


@dataclass(frozen=True, slots=True)
class TranscriptSettings:
    """What normalization folds before transcripts are compared."""

    fold_case: bool = True
    strip_punctuation: bool = True
    numbers: NumberPolicy = NumberPolicy.AS_WRITTEN


@dataclass(frozen=True, slots=True)
class Consensus:
    """The consensus of one item's normalized transcripts, with agreement and confidence."""

    text: str
    source: int | None
    confidence: float
    pairwise_wer: float | None
    pairwise_cer: float | None
    cer: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class TranscriptLabel:
    """The aggregated transcript of one item.

    ``text`` is the normalized consensus (None: nobody answered); ``pairwise_wer`` and
    ``pairwise_cer`` the mean inter-annotator rates (None under two transcripts);
    ``annotator_cer`` each annotator's CER against the consensus; ``source`` the annotator
    whose transcript is the consensus (medoid only).
    """

    item: str
    text: str | None
    method: ConsensusMethod
    confidence: float
    answers: int
    pairwise_wer: float | None
    pairwise_cer: float | None
    annotator_cer: Mapping[str, float]
    source: str | None


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNM"


def _strip_punctuation(text: str) -> str:
    out: list[str] = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        punctuation = category[0] == "P" or ch in _APOSTROPHES
        if not punctuation:
            out.append(ch)
            continue
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i < last else " "
        if ch in _APOSTROPHES and _is_word_char(before) and _is_word_char(after):
            out.append("'")
        elif category[0] == "P" and before.isdecimal() and after.isdecimal():
            out.append(ch)
        else:
            out.append(" ")
    return "".join(out)


def normalize_transcript(text: str, settings: TranscriptSettings | None = None) -> str:
    """Normalize a transcript for comparison (NFC, case, punctuation, spaces, numbers)."""
    settings = settings or TranscriptSettings()
    text = unicodedata.normalize("NFC", text)
    if settings.fold_case:
        # case folding can decompose ("İ" -> "i" + combining dot): compose again
        text = unicodedata.normalize("NFC", text.casefold())
    if settings.strip_punctuation:
        text = _strip_punctuation(text)
    else:
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    if settings.numbers is NumberPolicy.SEPARATE:
        text = _DIGIT_LETTER.sub(" ", text)
    return " ".join(text.split())


def gold_cer(gold: str, answer: str, settings: TranscriptSettings | None = None) -> float:
    """Return an answer's CER against a gold transcript, both normalized."""
    ref = normalize_transcript(gold, settings)
    return levenshtein(ref, normalize_transcript(answer, settings)) / max(len(ref), 1)


def transcript_correct(cer: float, bar: float = DEFAULT_GOLD_CER_BAR) -> bool:
    """Say whether a transcript with this CER against gold counts as correct."""
    return cer <= bar


def agrees_with_others(
    answer: str,
    others: Sequence[str],
    settings: TranscriptSettings | None = None,
    *,
    method: ConsensusMethod = DEFAULT_CONSENSUS,
    bar: float = DEFAULT_GOLD_CER_BAR,
) -> bool | None:
    """Say whether a transcript agrees with the other transcripts of its item.

    The others' consensus (``method``, unweighted, all normalized) stands for their
    majority: the answer agrees when its CER against it is within ``bar`` (as a gold
    answer is scored). None when there is nothing to agree with: no other transcript, or
    a consensus fewer than a strict majority of the others are within ``bar`` of (they
    disagree among themselves, as a tie among labels).
    """
    if not others:
        return None
    texts = [normalize_transcript(text, settings) for text in others]
    found = consensus_transcript(texts, method=method)
    if 2 * sum(cer <= bar for cer in found.cer) <= len(texts):
        return None
    own = normalize_transcript(answer, settings)
    return levenshtein(found.text, own) / max(len(found.text), 1) <= bar


def _medoid(distances: list[list[int]], weights: Sequence[float]) -> int:
    n = len(weights)
    costs = [sum(weights[j] * distances[i][j] for j in range(n)) for i in range(n)]
    return min(range(n), key=lambda i: (costs[i], -weights[i], i))


def consensus_transcript(
    texts: Sequence[str],
    weights: Sequence[float] | None = None,
    *,
    method: ConsensusMethod = DEFAULT_CONSENSUS,
) -> Consensus:
    """Build the consensus of one item's normalized transcripts."""
    n = len(texts)
    if n == 0:
        raise ValueError("no transcripts")
    given = [1.0] * n if weights is None else [float(w) for w in weights]
    if len(given) != n:
        raise ValueError("one weight per transcript")
    if not all(math.isfinite(w) and w >= 0 for w in given):
        raise AggregationError(reason=AggregationProblem.BAD_PARAMETER, weights=tuple(given))
    if sum(given) == 0:
        given = [1.0] * n
    words = [t.split() for t in texts]
    chars = [len(t) for t in texts]
    by_char = [[0] * n for _ in range(n)]
    wer_sum = cer_sum = 0.0
    for i, j in combinations(range(n), 2):
        dc = levenshtein(texts[i], texts[j])
        dw = levenshtein(words[i], words[j])
        by_char[i][j] = by_char[j][i] = dc
        wer_sum += dw / max(len(words[i]), 1) + dw / max(len(words[j]), 1)
        cer_sum += dc / max(chars[i], 1) + dc / max(chars[j], 1)
    pairs = n * (n - 1)
    centre = _medoid(by_char, given)
    order = [centre, *sorted((i for i in range(n) if i != centre),
                             key=lambda i: (by_char[centre][i], i))]
    network = rover(texts, given, order)
    if method is ConsensusMethod.MEDOID:
        text, source = texts[centre], centre
        cer = tuple(by_char[centre][i] / max(chars[centre], 1) for i in range(n))
        confidence = network.backbone_confidence
    else:
        text, source = network.text, None
        cer = tuple(levenshtein(text, t) / max(len(text), 1) for t in texts)
        confidence = network.confidence
    return Consensus(
        text=text,
        source=source,
        confidence=confidence,
        pairwise_wer=wer_sum / pairs if pairs else None,
        pairwise_cer=cer_sum / pairs if pairs else None,
        cer=cer,
    )


def aggregate_transcripts(
    answers: Sequence[tuple[str, str, str]],
    *,
    method: ConsensusMethod = DEFAULT_CONSENSUS,
    settings: TranscriptSettings | None = None,
    weights: Mapping[str, float] | None = None,
    default_weight: float = 1.0,
    items: Sequence[str] | None = None,
) -> Mapping[str, TranscriptLabel]:
    """Aggregate (item, annotator, text) transcripts into one consensus per item."""
    if not (math.isfinite(default_weight) and default_weight >= 0):
        raise AggregationError(reason=AggregationProblem.BAD_PARAMETER,
                               default_weight=default_weight)
    weights = weights or {}
    by_item: dict[str, dict[str, str]] = {item: {} for item in items or ()}
    for item, annotator, text in answers:
        texts = by_item.setdefault(item, {})
        texts.pop(annotator, None)  # a re-answer replaces the first, in its own input place
        texts[annotator] = normalize_transcript(text, settings)
    result: dict[str, TranscriptLabel] = {}
    for item, texts in by_item.items():
        if not texts:
            result[item] = TranscriptLabel(item, None, method, 0.0, 0, None, None,
                                           MappingProxyType({}), None)
            continue
        annotators = list(texts)
        found = consensus_transcript(
            [texts[a] for a in annotators],
            [weights.get(a, default_weight) for a in annotators],
            method=method,
        )
        result[item] = TranscriptLabel(
            item=item,
            text=found.text,
            method=method,
            confidence=found.confidence,
            answers=len(annotators),
            pairwise_wer=found.pairwise_wer,
            pairwise_cer=found.pairwise_cer,
            annotator_cer=MappingProxyType(dict(zip(annotators, found.cer, strict=True))),
            source=None if found.source is None else annotators[found.source],
        )
    return MappingProxyType(result)
