"""Adaptive overlap: whether an item needs another answer, decided after every answer.

The live rule is a one-coin posterior (Toloka's dynamic overlap): annotator ``a`` is right
with probability ``accuracy[a]`` and otherwise picks any other label evenly, so a vote for a
label adds ``log(accuracy * (K - 1) / (1 - accuracy))`` to its score; the class prior is
uniform. Accuracies come from gold with :func:`smoothed_accuracy`, ``(0.5 + correct) /
(1 + total)``. Cost: O(answers of the item) per call, no EM, so the annotation loop can ask
after each answer; the final labels still come from :func:`annotation.aggregation.aggregate`.

Tie policy: equal scores go to the label first in ``labels`` (sorted labels when not given).
Missing data: an item without answers has no label and confidence 0; an annotator missing
from the accuracy table counts with ``default_accuracy`` (0.5, what an annotator without
gold answers gets from :func:`smoothed_accuracy`); accuracies below chance (1/K) count as
chance, so no vote ever counts against its label.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from annotation.aggregation.models import AggregationError, AggregationProblem, AnnotatorSkill

TOLOKA_SMOOTHING = 0.5
_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class OverlapPolicy:
    """How many answers an item gets: at least ``min_overlap``, at most ``max_overlap``,
    stopping in between once its confidence reaches ``confidence_target``."""

    min_overlap: int
    max_overlap: int
    confidence_target: float

    def __post_init__(self) -> None:
        if not 1 <= self.min_overlap <= self.max_overlap:
            raise AggregationError(reason=AggregationProblem.BAD_PARAMETER, name="overlap")
        if not 0.0 < self.confidence_target <= 1.0:
            raise AggregationError(
                reason=AggregationProblem.BAD_PARAMETER, name="confidence_target"
            )


@dataclass(frozen=True, slots=True)
class ItemEstimate:
    """The live label of one item: its most probable label and that label's probability."""

    label: str | None
    confidence: float
    answers: int


def smoothed_accuracy(correct: int, total: int, smoothing: float = TOLOKA_SMOOTHING) -> float:
    """Estimate an annotator's accuracy from gold: (K + correct) / (2K + total), K=0.5."""
    return (smoothing + correct) / (2.0 * smoothing + total)


def item_confidence(
    votes: Sequence[tuple[str, str]],
    annotator_accuracy: Mapping[str, float],
    n_labels: int,
    *,
    labels: Sequence[str] | None = None,
    default_accuracy: float = 0.5,
) -> ItemEstimate:
    """Estimate an item's label and one-coin confidence from its (annotator, label) votes."""
    if not votes:
        return ItemEstimate(label=None, confidence=0.0, answers=0)
    chance = 1.0 / max(n_labels, 1)
    scores: dict[str, float] = {}
    for annotator, label in votes:
        accuracy = annotator_accuracy.get(annotator, default_accuracy)
        accuracy = min(max(accuracy, chance), 1.0 - _EPS)
        weight = math.log(accuracy * max(n_labels - 1, 1) / (1.0 - accuracy))
        scores[label] = scores.get(label, 0.0) + weight
    rank = {label: k for k, label in enumerate(labels or sorted(scores))}
    best = min(scores, key=lambda label: (-scores[label], rank.get(label, len(rank))))
    top = scores[best]
    unvoted = max(n_labels - len(scores), 0)
    total = sum(math.exp(s - top) for s in scores.values()) + unvoted * math.exp(-top)
    return ItemEstimate(label=best, confidence=1.0 / total, answers=len(votes))


def needs_more_answers(
    votes: Sequence[tuple[str, str]],
    annotator_accuracy: Mapping[str, float],
    policy: OverlapPolicy,
    n_labels: int,
    *,
    default_accuracy: float = 0.5,
) -> bool:
    """Tell whether an item should get another assignment under the overlap policy."""
    answers = len(votes)
    if answers < policy.min_overlap:
        return True
    if answers >= policy.max_overlap:
        return False
    estimate = item_confidence(
        votes, annotator_accuracy, n_labels, default_accuracy=default_accuracy
    )
    return wants_more(estimate, policy)


def wants_more(estimate: ItemEstimate, policy: OverlapPolicy) -> bool:
    """Apply the overlap policy to an item's live estimate (any live rule)."""
    if estimate.answers < policy.min_overlap:
        return True
    if estimate.answers >= policy.max_overlap:
        return False
    return estimate.confidence < policy.confidence_target


def item_posterior(
    votes: Sequence[tuple[str, str]],
    skills: Mapping[str, AnnotatorSkill],
    labels: Sequence[str],
    *,
    prior: Sequence[float] | None = None,
) -> ItemEstimate:
    """Estimate an item's label from its votes with the confusion matrices of the last run.

    The richer live rule: ``skills`` are the annotators of the latest
    :func:`annotation.aggregation.aggregate` result (Dawid-Skene fills their confusion
    matrices), so an annotator who always presses the same button carries no evidence.
    An annotator without a confusion matrix counts one-coin with their accuracy; one absent
    from ``skills`` is skipped. ``prior`` is the class prior in ``labels`` order (uniform when
    not given). Same cost as :func:`item_confidence`: O(answers of the item).
    """
    n_labels = len(labels)
    if not votes or n_labels == 0:
        return ItemEstimate(label=None, confidence=0.0, answers=len(votes))
    position = {label: k for k, label in enumerate(labels)}
    base = prior if prior is not None else [1.0 / n_labels] * n_labels
    scores = [math.log(max(p, _EPS)) for p in base]
    for annotator, label in votes:
        skill = skills.get(annotator)
        given = position.get(label)
        if skill is None or given is None:
            continue
        for t in range(n_labels):
            if skill.confusion is not None:
                p = skill.confusion[t][given]
            elif t == given:
                p = skill.accuracy
            else:
                p = (1.0 - skill.accuracy) / max(n_labels - 1, 1)
            scores[t] += math.log(min(max(p, _EPS), 1.0))
    top = max(scores)
    weights = [math.exp(score - top) for score in scores]
    best = weights.index(max(weights))  # first label in label order on ties
    return ItemEstimate(labels[best], weights[best] / sum(weights), len(votes))
