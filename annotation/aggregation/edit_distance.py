"""Edit distances between token sequences: Levenshtein distance, alignment, WER and CER.

Two entry points for one distance (unit costs for insertion, deletion and substitution):

- :func:`levenshtein` returns the distance only. It runs the bit-parallel algorithm of Myers
  (1999), in Hyyrö's formulation for the global distance, on Python integers as bit vectors:
  one pass over the longer sequence, a handful of integer operations per token, whatever the
  length of the shorter one. It is the hot path of the transcript consensus (pairwise
  distances between every two transcripts of an item).
- :func:`align` fills the full dynamic-programming table and walks it back, so it returns
  which tokens matched, were substituted, inserted or deleted. Backtrace tie policy: a
  diagonal step (match or substitution) first, then a deletion, then an insertion.

Rates (:func:`wer`, :func:`cer`) compare a hypothesis with a reference string as given: words
are the white-space separated tokens, characters include the single spaces between words
(as jiwer counts them); normalization is the caller's job. Empty reference policy: it counts
as one unit, so the rate is the number of inserted units (``wer("", "")`` is 0.0,
``wer("", "a b")`` is 2.0). A rate can exceed 1 when the hypothesis inserts many units.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class EditOp(StrEnum):
    """One step of an alignment between a reference and a hypothesis."""

    EQUAL = "equal"
    SUBSTITUTE = "substitute"
    INSERT = "insert"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class AlignedStep:
    """A reference token and a hypothesis token put side by side (None: nothing there)."""

    op: EditOp
    ref: Hashable | None
    hyp: Hashable | None


@dataclass(frozen=True, slots=True)
class Alignment:
    """A minimal edit script from a reference to a hypothesis, with its counts."""

    steps: tuple[AlignedStep, ...]
    distance: int
    hits: int
    substitutions: int
    insertions: int
    deletions: int


def levenshtein(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Return the Levenshtein distance between two token sequences (bit-parallel)."""
    # transcripts of one item mostly share long beginnings and ends: trimming them is a
    # cheap loop, the bit-parallel pass costs about ten times more per token
    shorter = min(len(a), len(b))
    start = 0
    while start < shorter and a[start] == b[start]:
        start += 1
    end = 0
    while end < shorter - start and a[-1 - end] == b[-1 - end]:
        end += 1
    if start or end:
        a, b = a[start:len(a) - end], b[start:len(b) - end]
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[Hashable, int] = {}
    for i, token in enumerate(b):
        peq[token] = peq.get(token, 0) | (1 << i)
    mask = (1 << m) - 1
    last = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for token in a:
        eq = peq.get(token, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & mask
        mh = pv & xh
        if ph & last:
            score += 1
        elif mh & last:
            score -= 1
        # shifting a 1 into ph: the top row of the table grows by one per column (global
        # distance, not substring search)
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv
    return score


def align(ref: Sequence[Hashable], hyp: Sequence[Hashable]) -> Alignment:
    """Align a hypothesis to a reference with unit costs and return the edit script."""
    rows, cols = len(ref) + 1, len(hyp) + 1
    table = [[0] * cols for _ in range(rows)]
    for j in range(cols):
        table[0][j] = j
    for i in range(1, rows):
        row, above = table[i], table[i - 1]
        row[0] = i
        token = ref[i - 1]
        for j in range(1, cols):
            diagonal = above[j - 1] + (token != hyp[j - 1])
            row[j] = min(diagonal, above[j] + 1, row[j - 1] + 1)
    steps: list[AlignedStep] = []
    i, j = len(ref), len(hyp)
    while i > 0 or j > 0:
        here = table[i][j]
        if i > 0 and j > 0 and here == table[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            same = ref[i - 1] == hyp[j - 1]
            op = EditOp.EQUAL if same else EditOp.SUBSTITUTE
            steps.append(AlignedStep(op, ref[i - 1], hyp[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and here == table[i - 1][j] + 1:
            steps.append(AlignedStep(EditOp.DELETE, ref[i - 1], None))
            i -= 1
        else:
            steps.append(AlignedStep(EditOp.INSERT, None, hyp[j - 1]))
            j -= 1
    steps.reverse()
    counts = {op: 0 for op in EditOp}
    for step in steps:
        counts[step.op] += 1
    return Alignment(
        steps=tuple(steps),
        distance=table[-1][-1],
        hits=counts[EditOp.EQUAL],
        substitutions=counts[EditOp.SUBSTITUTE],
        insertions=counts[EditOp.INSERT],
        deletions=counts[EditOp.DELETE],
    )


def word_distance(a: str, b: str) -> int:
    """Return the number of word edits between two strings (words split on white space)."""
    return levenshtein(a.split(), b.split())


def char_distance(a: str, b: str) -> int:
    """Return the number of character edits between two strings (spaces folded to one)."""
    return levenshtein(" ".join(a.split()), " ".join(b.split()))


def wer(ref: str, hyp: str) -> float:
    """Return the word error rate of a hypothesis against a reference."""
    return word_distance(ref, hyp) / max(len(ref.split()), 1)


def cer(ref: str, hyp: str) -> float:
    """Return the character error rate of a hypothesis against a reference."""
    return char_distance(ref, hyp) / max(len(" ".join(ref.split())), 1)
