"""Values the aggregation core takes and returns: votes, per-item labels, annotator skills.

The vocabulary follows crowd-kit (task, worker, label); the names follow annobot's glossary
(item, annotator, label, gold).

::

    ValueError
    └── AggregationError        votes, labels or gold do not fit together
                                (code: "invalid", params: reason=AggregationProblem, details)

``AggregationError`` mirrors ``annotation.errors.DomainError`` (a code and params, no user
text) without importing it, so the core stays importable on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Method(StrEnum):
    """How categorical votes become one label per item."""

    MAJORITY = "majority"
    WEIGHTED = "weighted"
    DAWID_SKENE = "dawid_skene"
    ONE_COIN = "one_coin"


class AggregationProblem(StrEnum):
    """Why the aggregation core refused its input."""

    UNKNOWN_LABEL = "unknown_label"
    UNKNOWN_METHOD = "unknown_method"
    BAD_PARAMETER = "bad_parameter"


class AggregationError(ValueError):
    """Votes, labels or gold truths do not fit together."""

    code = "invalid"

    def __init__(self, *, reason: AggregationProblem, **params: object) -> None:
        self.reason = reason
        self.params: dict[str, object] = {"reason": reason, **params}
        super().__init__(f"{self.code}: {self.params}")


@dataclass(frozen=True, slots=True)
class Vote:
    """One answer to a categorical question: an annotator gave an item a label."""

    item: str
    annotator: str
    label: str


@dataclass(frozen=True, slots=True)
class ItemLabel:
    """The aggregated label of one item, with its posterior and how the votes split."""

    item: str
    label: str | None
    confidence: float
    probabilities: Mapping[str, float]
    answers: int
    agreement: float


@dataclass(frozen=True, slots=True)
class AnnotatorSkill:
    """What a method learned about one annotator."""

    annotator: str
    accuracy: float
    answers: int
    confusion: tuple[tuple[float, ...], ...] | None


@dataclass(frozen=True, slots=True)
class AggregationResult:
    """Labels for every item and skills for every annotator, from one method."""

    method: Method
    labels: tuple[str, ...]
    items: Mapping[str, ItemLabel]
    annotators: Mapping[str, AnnotatorSkill]
