"""Free-text answers: normalized plurality.

Answers are grouped by a normalized key: Unicode NFC, case-folded, punctuation removed,
runs of white space collapsed, ends stripped; so "Paris", " paris." and "PARIS!" are one
group. The largest group wins; its label is the group's most common original spelling
(stripped). Tie policy: between groups of equal size, the one answered first wins (input
order); between spellings of equal count, the first seen. Confidence is the winning group's
share of the answers. Missing data: an item listed in ``items`` without answers gets
``label=None``, confidence 0. An answer that normalizes to "" (only punctuation or spaces)
forms a group of its own.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class TextLabel:
    """The aggregated answer of one free-text item."""

    item: str
    label: str | None
    key: str | None
    confidence: float
    answers: int
    groups: int


def normalize_text(text: str) -> str:
    """Reduce a free-text answer to its grouping key (NFC, case, punctuation, spaces)."""
    folded = unicodedata.normalize("NFC", text).casefold()
    kept = "".join(ch for ch in folded if not unicodedata.category(ch).startswith("P"))
    return " ".join(kept.split())


def aggregate_text(
    answers: Sequence[tuple[str, str, str]], *, items: Sequence[str] | None = None
) -> Mapping[str, TextLabel]:
    """Aggregate (item, annotator, text) answers by normalized plurality."""
    groups: dict[str, dict[str, Counter[str]]] = {item: {} for item in items or ()}
    for item, _annotator, text in answers:
        spellings = groups.setdefault(item, {}).setdefault(normalize_text(text), Counter())
        spellings[text.strip()] += 1
    result: dict[str, TextLabel] = {}
    for item, by_key in groups.items():
        total = sum(sum(c.values()) for c in by_key.values())
        if total == 0:
            result[item] = TextLabel(item, None, None, 0.0, 0, 0)
            continue
        # max() keeps the first maximum: dicts and Counters preserve first-seen order
        key = max(by_key, key=lambda k: sum(by_key[k].values()))
        spelling = max(by_key[key], key=lambda s: by_key[key][s])
        size = sum(by_key[key].values())
        result[item] = TextLabel(item, spelling, key, size / total, total, len(by_key))
    return MappingProxyType(result)
