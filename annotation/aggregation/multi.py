"""Multiple choice: each option aggregated as its own yes/no question.

An answer is the set of options an annotator ticked; for every option, ticking it is a
"yes" vote and leaving it unticked a "no" vote, aggregated with the chosen categorical
method (gold sets become per-option gold). Labels are ordered ("no", "yes"), so a tie
leaves the option out. Missing data: an item listed in ``items`` without answers gets
``options=None`` and empty probabilities. Ticked values outside ``options`` are refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from annotation.aggregation.dispatch import DEFAULT_METHOD, aggregate
from annotation.aggregation.models import AggregationError, AggregationProblem, Method, Vote

NO, YES = "no", "yes"


@dataclass(frozen=True, slots=True)
class MultiLabel:
    """The aggregated answer of one multiple-choice item."""

    item: str
    options: frozenset[str] | None
    probabilities: Mapping[str, float]  # option -> probability it applies
    answers: int


def aggregate_multi(
    answers: Sequence[tuple[str, str, frozenset[str]]],
    *,
    options: Sequence[str],
    method: Method = DEFAULT_METHOD,
    items: Sequence[str] | None = None,
    gold: Mapping[str, frozenset[str]] | None = None,
) -> Mapping[str, MultiLabel]:
    """Aggregate (item, annotator, ticked options) answers option by option."""
    known = set(options)
    per_option: dict[str, list[Vote]] = {option: [] for option in options}
    for item, annotator, ticked in answers:
        unknown = set(ticked) - known
        if unknown:
            raise AggregationError(
                reason=AggregationProblem.UNKNOWN_LABEL, label=sorted(unknown)[0], item=item
            )
        for option in options:
            per_option[option].append(Vote(item, annotator, YES if option in ticked else NO))
    all_items = list(dict.fromkeys([*(items or ()), *(a[0] for a in answers)]))
    chosen: dict[str, set[str]] = {item: set() for item in all_items}
    probability: dict[str, dict[str, float]] = {item: {} for item in all_items}
    counted: dict[str, int] = dict.fromkeys(all_items, 0)
    for item, _annotator, _ticked in answers:
        counted[item] += 1
    for option in options:
        option_gold = {
            item: (YES if option in truth else NO) for item, truth in (gold or {}).items()
        }
        result = aggregate(
            per_option[option], method=method, labels=[NO, YES], items=all_items, gold=option_gold
        )
        for item, label in result.items.items():
            if label.label is None:
                continue
            probability[item][option] = label.probabilities[YES]
            if label.label == YES:
                chosen[item].add(option)
    return MappingProxyType(
        {
            item: MultiLabel(
                item=item,
                options=frozenset(chosen[item]) if probability[item] else None,
                probabilities=MappingProxyType(probability[item]),
                answers=counted[item],
            )
            for item in all_items
        }
    )
