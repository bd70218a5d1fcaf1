"""Inter-annotator agreement of a project: Krippendorff's alpha (nominal), percent agreement.

Both count pairs of answers given to the same item, so items with fewer than two answers
do not count. When no item has two answers (or, for alpha, when only one label was ever
used, so expected disagreement is zero) the statistic is undefined and NaN is returned.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from annotation.aggregation.models import Vote


def _tallies(votes: Sequence[Vote]) -> list[Counter[str]]:
    per_item: dict[str, Counter[str]] = {}
    for vote in votes:
        per_item.setdefault(vote.item, Counter())[vote.label] += 1
    return list(per_item.values())


def krippendorff_alpha(votes: Sequence[Vote]) -> float:
    """Compute Krippendorff's alpha for nominal labels (1 perfect, 0 chance, <0 worse)."""
    return krippendorff_alpha_tallies(_tallies(votes))


def percent_agreement(votes: Sequence[Vote]) -> float:
    """Compute the share of agreeing pairs among pairs of answers to the same item."""
    return percent_agreement_tallies(_tallies(votes))


def krippendorff_alpha_tallies(tallies: Iterable[Mapping[str, int]]) -> float:
    """Compute nominal alpha from each item's label counts (sparse: any number of labels)."""
    observed_same = 0.0
    per_label: Counter[str] = Counter()
    for counts in tallies:
        answers = sum(counts.values())
        if answers < 2:
            continue
        observed_same += sum(c * (c - 1) for c in counts.values()) / (answers - 1)
        per_label.update(counts)
    n = float(sum(per_label.values()))
    if n == 0:
        return math.nan
    expected_same = float(sum(t * (t - 1) for t in per_label.values()))
    denominator = n * (n - 1) - expected_same
    if denominator <= 0:
        return math.nan
    return ((n - 1) * observed_same - expected_same) / denominator


def percent_agreement_tallies(tallies: Iterable[Mapping[str, int]]) -> float:
    """Compute the share of agreeing answer pairs from each item's label counts."""
    agreeing = pairs = 0
    for counts in tallies:
        answers = sum(counts.values())
        pairs += answers * (answers - 1)
        agreeing += sum(c * (c - 1) for c in counts.values())
    return agreeing / pairs if pairs else math.nan
