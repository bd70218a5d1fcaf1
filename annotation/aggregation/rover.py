"""ROVER: several transcripts of one item aligned into a word transition network, then a vote.

After Fiscus (1997), "A post-processing system to yield reduced word error rates: Recognizer
Output Voting Error Reduction (ROVER)". The network is a sequence of slots; each slot holds,
for every transcript added so far, the word it put there or ``None`` (a null arc: nothing
there). Transcripts join one at a time in the order given (the caller passes the medoid
first, as the backbone, then the others closest first): each is aligned against the growing
network by dynamic programming and its words land in the slots they align to; a word that
aligns to no slot opens a new slot where every earlier transcript has a null arc.

Alignment costs (progressive alignment, so the result depends on the order):

- a word against a slot that already holds it: 0; against a slot holding only other words:
  1 (Fiscus's costs; a character-aware cost, the normalized edit distance between the
  words, was tried and gained nothing: docs/AGGREGATION.md, "Transcripts");
- skipping a slot (the transcript has nothing there): 0 if the slot already has a null arc,
  else 1; opening a new slot for a word: 1.
- Backtrace tie policy: the diagonal (word into slot) first, then skipping a slot, then a
  new slot.

Vote per slot (task/worker/label in crowd-kit's words: the slot is the task, each transcript
a worker, its word or null the label): each arc weighs its annotator's weight; the heaviest
word wins and a winning null drops the slot. Tie policy: the backbone's arc if it is among
the heaviest, else the first of them in network order. Confidence: the winners' share of the
weight, averaged over the slots (1.0 for an empty network); the same average for the
backbone's own arcs says how well the crowd backs the backbone transcript as it is. Of the
measures tried, this average was the best or within 0.03 of the best at telling exactly
right consensus apart in every simulated scenario (AUROC 0.78-0.86, against 0.61-0.80 for
the share of slots with a strict majority; docs/AGGREGATION.md, "Transcripts").

Missing data: no transcripts give an empty network and an empty consensus; an empty
transcript (no words) is a vote for silence (null arcs in every slot). If every weight is 0
the transcripts weigh equally. Negative weights are the caller's to refuse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

GAP = 1  # cost of a new slot, or of skipping a slot without a null arc


@dataclass(frozen=True, slots=True)
class Slot:
    """One position of the network: each transcript's word there (None: a null arc)."""

    arcs: tuple[str | None, ...]
    winner: str | None
    share: float
    backbone_share: float


@dataclass(frozen=True, slots=True)
class RoverResult:
    """The voted transcript, its network, and the mean weight share of the winning arcs
    (``confidence``) and of the backbone's arcs (``backbone_confidence``)."""

    text: str
    slots: tuple[Slot, ...]
    order: tuple[int, ...]
    confidence: float
    backbone_confidence: float


class _Network:
    """The growing word transition network (mutable while transcripts join)."""

    def __init__(self) -> None:
        self.arcs: list[list[str | None]] = []
        self.words: list[set[str]] = []
        self.members = 0

    def add(self, words: Sequence[str]) -> None:
        """Align one transcript's words against the network and add its arcs."""
        slots = len(self.arcs)
        skip = [0 if None in arcs else GAP for arcs in self.arcs]
        table = [[0] * (slots + 1) for _ in range(len(words) + 1)]
        for j in range(1, slots + 1):
            table[0][j] = table[0][j - 1] + skip[j - 1]
        for i in range(1, len(words) + 1):
            row, above, word = table[i], table[i - 1], words[i - 1]
            row[0] = above[0] + GAP
            for j in range(1, slots + 1):
                row[j] = min(above[j - 1] + (word not in self.words[j - 1]),
                             row[j - 1] + skip[j - 1], above[j] + GAP)
        steps: list[tuple[int | None, str | None]] = []
        i, j = len(words), slots
        while i > 0 or j > 0:
            here = table[i][j]
            if i > 0 and j > 0 and here == table[i - 1][j - 1] + (words[i - 1]
                                                                  not in self.words[j - 1]):
                steps.append((j - 1, words[i - 1]))
                i, j = i - 1, j - 1
            elif j > 0 and here == table[i][j - 1] + skip[j - 1]:
                steps.append((j - 1, None))
                j -= 1
            else:
                steps.append((None, words[i - 1]))
                i -= 1
        steps.reverse()
        arcs: list[list[str | None]] = []
        found: list[set[str]] = []
        for slot, token in steps:
            if slot is None:  # a new slot: every earlier transcript has a null arc there
                arcs.append([None] * self.members)
                found.append(set())
            else:
                arcs.append(self.arcs[slot])
                found.append(self.words[slot])
            arcs[-1].append(token)
            if token is not None:
                found[-1].add(token)
        self.arcs, self.words = arcs, found
        self.members += 1


def vote_slot(arcs: Sequence[str | None], weights: Sequence[float]) -> Slot:
    """Vote on one slot: the winning word (None: no word) and the weight shares."""
    tally: dict[str | None, float] = {}
    for word, weight in zip(arcs, weights, strict=True):
        tally[word] = tally.get(word, 0.0) + weight
    total = sum(tally.values())
    best = max(tally.values())
    # network order; isclose: sums of float weights tie up to rounding
    tied = [word for word, weight in tally.items() if math.isclose(weight, best, rel_tol=1e-9)]
    winner = arcs[0] if arcs[0] in tied else tied[0]
    if total <= 0:
        return Slot(tuple(arcs), winner, 0.0, 0.0)
    return Slot(tuple(arcs), winner, best / total, tally[arcs[0]] / total)


def rover(transcripts: Sequence[str], weights: Sequence[float] | None = None,
          order: Sequence[int] | None = None) -> RoverResult:
    """Align normalized transcripts (backbone first in ``order``) and vote per slot."""
    order = tuple(range(len(transcripts))) if order is None else tuple(order)
    if sorted(order) != list(range(len(transcripts))):
        raise ValueError("order must list every transcript once")
    given = [1.0] * len(transcripts) if weights is None else [float(w) for w in weights]
    if len(given) != len(transcripts):
        raise ValueError("one weight per transcript")
    if sum(given) <= 0:
        given = [1.0] * len(transcripts)
    network = _Network()
    for index in order:
        network.add(transcripts[index].split())
    ordered_weights = [given[index] for index in order]
    slots = [vote_slot(arcs, ordered_weights) for arcs in network.arcs]
    return RoverResult(
        text=" ".join(slot.winner for slot in slots if slot.winner is not None),
        slots=tuple(slots),
        order=order,
        confidence=sum(slot.share for slot in slots) / len(slots) if slots else 1.0,
        backbone_confidence=(sum(slot.backbone_share for slot in slots) / len(slots)
                             if slots else 1.0),
    )
