"""Agreement with the crowd: how often each annotator matches the others' majority.

Leave-one-out: an annotator's answer to an item is compared with the majority of the
*other* included answers to it; items where the others are fewer than two, or tie, are
left out (no majority to agree with). The crowd's rate is the same measure over every
answer of the project, so "far below the crowd" adapts to how hard the question is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from annotation.models import AnnotatorId, ItemId
from annotation.quality.rules import AgreementStats

MIN_OTHERS = 2


@dataclass(frozen=True, slots=True)
class CastVote:
    """One included answer to a non-gold item."""

    item_id: ItemId
    annotator_id: AnnotatorId
    value: str


def _others_majority(counts: Counter[str], own: str) -> str | None:
    others = counts.copy()
    others[own] -= 1
    ranked = [(n, v) for v, n in others.items() if n > 0]
    if sum(n for n, _ in ranked) < MIN_OTHERS:
        return None
    ranked.sort(reverse=True)
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        return None
    return ranked[0][1]


def agreement_by_annotator(votes: Iterable[CastVote]) -> Mapping[AnnotatorId, AgreementStats]:
    """Return every annotator's leave-one-out agreement with the crowd's rate attached."""
    by_item: dict[ItemId, list[CastVote]] = defaultdict(list)
    for vote in votes:
        by_item[vote.item_id].append(vote)
    matches: Counter[AnnotatorId] = Counter()
    totals: Counter[AnnotatorId] = Counter()
    for item_votes in by_item.values():
        counts = Counter(v.value for v in item_votes)
        for vote in item_votes:
            majority = _others_majority(counts, vote.value)
            if majority is None:
                continue
            totals[vote.annotator_id] += 1
            matches[vote.annotator_id] += majority == vote.value
    all_total = sum(totals.values())
    crowd = sum(matches.values()) / all_total if all_total else 0.0
    return {who: AgreementStats(matches[who], totals[who], crowd) for who in totals}
