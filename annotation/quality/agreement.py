"""Agreement with the crowd: how often each annotator matches the others' majority.

Leave-one-out: an annotator's answer to an item is compared with the *other* included
answers to it; the crowd's rate is the same measure over every answer of the project, so
"far below the crowd" adapts to how hard the question is.

What "agrees" means is the task kind's (``TaskKind.agreement``, passed in as a
:data:`Judge`): by default, the answer equals the others' majority, and items where the
others are fewer than two, or tie, are left out (:func:`majority_agreement`); a transcript
agrees when it is within the gold bar's CER of the others' consensus. A judge answers per
part: one entry, :data:`WHOLE`, for an answer that is one label, or one per question for
several questions about one item, so a disagreement on one question counts once, for that
question, and each question gets its own rate and crowd rate (``AgreementStats.parts``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from annotation.models import AnnotatorId, ItemId
from annotation.quality.rules import AgreementStats

MIN_OTHERS = 2
WHOLE = ""  # the part an answer that is one label gives

# (the answer, the other answers to its item) -> for each part judged, whether it agrees
Judge = Callable[[str, Sequence[str]], Mapping[str, bool]]


@dataclass(frozen=True, slots=True)
class CastVote:
    """One included answer to a non-gold item."""

    item_id: ItemId
    annotator_id: AnnotatorId
    value: str


def majority_agreement(value: str, others: Sequence[str]) -> Mapping[str, bool]:
    """Return whether ``value`` equals the others' majority (nothing when they are fewer
    than ``MIN_OTHERS`` or their top two tie)."""
    if len(others) < MIN_OTHERS:
        return {}
    ranked = Counter(others).most_common(2)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return {}
    return {WHOLE: ranked[0][0] == value}


def agreement_by_annotator(votes: Iterable[CastVote], judge: Judge = majority_agreement
                           ) -> Mapping[AnnotatorId, AgreementStats]:
    """Return every annotator's leave-one-out agreement with the crowd's rate attached
    (per part too when ``judge`` judges parts: the whole then sums them)."""
    by_item: dict[ItemId, list[CastVote]] = defaultdict(list)
    for vote in votes:
        by_item[vote.item_id].append(vote)
    matches: Counter[tuple[AnnotatorId, str]] = Counter()
    totals: Counter[tuple[AnnotatorId, str]] = Counter()
    for item_votes in by_item.values():
        values = [v.value for v in item_votes]
        for i, vote in enumerate(item_votes):
            for part, agreed in judge(vote.value, values[:i] + values[i + 1:]).items():
                totals[vote.annotator_id, part] += 1
                matches[vote.annotator_id, part] += agreed
    seen: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    by_annotator: dict[AnnotatorId, list[str]] = defaultdict(list)
    for (who, part), total in totals.items():
        seen[part] += total
        hit[part] += matches[who, part]
        by_annotator[who].append(part)
    crowd = {part: hit[part] / seen[part] for part in seen}
    everyone = sum(seen.values())
    overall = sum(hit.values()) / everyone if everyone else 0.0
    return {who: AgreementStats(
                sum(matches[who, part] for part in parts),
                sum(totals[who, part] for part in parts), overall,
                {part: AgreementStats(matches[who, part], totals[who, part], crowd[part])
                 for part in parts if part != WHOLE})
            for who, parts in by_annotator.items()}
