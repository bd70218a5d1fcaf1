"""Boxes and points on an image: IoU, one-to-one matching, and a consensus of annotators.

Coordinates are normalized to the image (0..1), a box's ``x, y`` its top-left corner. This
module is pure geometry: it never looks at a task kind, a spec or a canonical JSON value
(``annotation/kinds`` turns those into :class:`Box` and :class:`Point`).

Matching (:func:`match_boxes`, :func:`match_points`, :func:`match_marks`) pairs marks of the
same class one to one, greedily, best pair first (highest IoU, or shortest distance), as COCO
evaluation does; a box pairs at IoU >= ``threshold``, a point within ``radius`` (Euclidean,
in normalized units). A comparison allows 1e-9 of float slack, so a hand-worked IoU of
exactly 0.5 meets a 0.5 threshold.

Policies:

- **Empty answers**: precision = matched/drawn is 1.0 when nothing is drawn (nothing drawn is
  wrong); recall = matched/truth is 1.0 when the truth is empty (nothing was missed). Hence an
  empty answer to an empty truth scores 1/1/1, an empty answer to a non-empty truth has recall
  0 (and F1 0), and marks drawn on an empty truth have precision 0 (and F1 0). ``mean_iou``
  is the mean IoU of the matched box pairs: 1.0 when there is no box on either side, 0.0
  when boxes exist but none matched; a point match's ``mean_distance`` is 0.0 when no pair
  matched.
- **Ties**: marks are first sorted (class, then coordinates) and annotators by id, so the
  result never depends on the order of the input; equal scores go to the earlier of them.
- **Consensus** (:func:`consensus_boxes`): per class, a greedy agglomeration. The seed is the
  mark with the most other annotators having a close mark (then the largest sum of those
  best scores, then the earliest); its cluster takes, from each other annotator, the closest
  of their remaining marks; repeat until every mark is in a cluster (an outlier is a cluster
  of one). Each annotator contributes at most one mark to a cluster. The consensus mark is
  the coordinate-wise median of the cluster (of x1, y1, x2, y2 for boxes; unweighted);
  its confidence the share of the annotators' weight that drew into it. A cluster is kept
  when its confidence >= ``min_share`` (with the default 0.5, one of two annotators is
  enough: the other's miss is counted in ``missing``). ``missing`` counts the (kept
  cluster, annotator) pairs with no mark drawn, ``extra`` the marks in dropped clusters.
- **Weights** (an annotator's skill): an annotator absent from ``weights`` weighs 1.0; a
  negative or non-finite weight is refused (``AggregationError``); if every weight is 0 the
  annotators weigh equally. Agreement is never weighted.
- **Agreement**: the mean F1 of :func:`match_marks` over every pair of annotators (boxes and
  points together); 1.0 when there are fewer than two annotators or all answers are empty.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TypeVar

import numpy as np

from annotation.aggregation.models import AggregationError, AggregationProblem

_EPS = 1e-9
Mark = TypeVar("Mark", "Box", "Point")


@dataclass(frozen=True, slots=True, order=True)
class Box:
    """A labelled box, normalized to the image, ``x, y`` its top-left corner."""

    label: str
    x: float
    y: float
    w: float
    h: float

    @property
    def x2(self) -> float:
        """Return the right edge."""
        return self.x + self.w

    @property
    def y2(self) -> float:
        """Return the bottom edge."""
        return self.y + self.h


@dataclass(frozen=True, slots=True, order=True)
class Point:
    """A labelled point, normalized to the image."""

    label: str
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class BoxMatch:
    """How drawn boxes (or points) compare with the truth, once matched one to one."""

    precision: float
    recall: float
    f1: float
    matched: int
    missed: int
    extra: int
    mean_iou: float


@dataclass(frozen=True, slots=True)
class PointMatch:
    """How drawn points compare with the truth, once matched one to one."""

    precision: float
    recall: float
    f1: float
    matched: int
    missed: int
    extra: int
    mean_distance: float


@dataclass(frozen=True, slots=True)
class ConsensusBox:
    """A consensus box, the share of weight behind it, who drew it, their mean IoU with it."""

    box: Box
    confidence: float
    support: tuple[str, ...]
    mean_iou: float


@dataclass(frozen=True, slots=True)
class ConsensusPoint:
    """A consensus point, the share of weight behind it, who drew it, their mean distance."""

    point: Point
    confidence: float
    support: tuple[str, ...]
    mean_distance: float


@dataclass(frozen=True, slots=True)
class BoxConsensus:
    """The annotators' boxes and points of one image, aggregated."""

    boxes: tuple[ConsensusBox, ...]
    points: tuple[ConsensusPoint, ...]
    annotators: int
    missing: int
    extra: int
    agreement: float


def iou(a: Box, b: Box) -> float:
    """Return the intersection over union of two boxes (0 for a degenerate box)."""
    if not (_proper(a) and _proper(b)):
        return 0.0
    width = min(a.x2, b.x2) - max(a.x, b.x)
    height = min(a.y2, b.y2) - max(a.y, b.y)
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    union = _area(a) + _area(b) - inter
    return min(1.0, inter / union) if union > 0 else 0.0


def distance(a: Point, b: Point) -> float:
    """Return the Euclidean distance of two points, in normalized units."""
    return math.hypot(a.x - b.x, a.y - b.y)


def match_boxes(drawn: Sequence[Box], truth: Sequence[Box], threshold: float = 0.5) -> BoxMatch:
    """Match drawn boxes to true ones, one to one per class, at IoU >= threshold."""
    pairs = _match(sorted(drawn), sorted(truth), iou, _iou_close(threshold))
    ious = [score for score, _, _ in pairs]
    mean = _mean(ious) if ious else (1.0 if not drawn and not truth else 0.0)
    return BoxMatch(*_scores(len(pairs), len(drawn), len(truth)), mean_iou=mean)


def match_points(
    drawn: Sequence[Point], truth: Sequence[Point], radius: float = 0.05
) -> PointMatch:
    """Match drawn points to true ones, one to one per class, within radius."""
    pairs = _match(sorted(drawn), sorted(truth), _nearness, _near_close(radius))
    gaps = [-score for score, _, _ in pairs]
    return PointMatch(*_scores(len(pairs), len(drawn), len(truth)),
                      mean_distance=_mean(gaps) if gaps else 0.0)


def match_marks(
    drawn: tuple[Sequence[Box], Sequence[Point]],
    truth: tuple[Sequence[Box], Sequence[Point]],
    threshold: float = 0.5,
    radius: float = 0.05,
) -> BoxMatch:
    """Match drawn boxes and points to the truth together; mean_iou is over the boxes."""
    boxes = match_boxes(drawn[0], truth[0], threshold)
    points = match_points(drawn[1], truth[1], radius)
    n_drawn = len(drawn[0]) + len(drawn[1])
    n_truth = len(truth[0]) + len(truth[1])
    return BoxMatch(*_scores(boxes.matched + points.matched, n_drawn, n_truth),
                    mean_iou=boxes.mean_iou)


def consensus_boxes(
    answers: Mapping[str, tuple[Sequence[Box], Sequence[Point]]],
    threshold: float = 0.5,
    min_share: float = 0.5,
    weights: Mapping[str, float] | None = None,
    radius: float = 0.05,
) -> BoxConsensus:
    """Cluster the annotators' boxes and points per class into consensus marks."""
    annotators = sorted(answers)
    weight = _weights(annotators, weights)
    total = sum(weight[a] for a in annotators)  # summed in the order supports are, below
    box_clusters = _clusters(
        [(a, b) for a in annotators for b in sorted(answers[a][0])], iou, _iou_close(threshold))
    point_clusters = _clusters(
        [(a, p) for a in annotators for p in sorted(answers[a][1])], _nearness,
        _near_close(radius))
    boxes: list[ConsensusBox] = []
    points: list[ConsensusPoint] = []
    missing = extra = 0
    for members in box_clusters:
        support = tuple(a for a, _ in members)
        confidence = sum(weight[a] for a in support) / total
        if confidence < min_share - _EPS:
            extra += len(members)
            continue
        missing += len(annotators) - len(support)
        box = _median_box([b for _, b in members])
        boxes.append(ConsensusBox(box, confidence, support,
                                  _mean([iou(box, b) for _, b in members])))
    for group in point_clusters:
        support = tuple(a for a, _ in group)
        confidence = sum(weight[a] for a in support) / total
        if confidence < min_share - _EPS:
            extra += len(group)
            continue
        missing += len(annotators) - len(support)
        point = _median_point([p for _, p in group])
        points.append(ConsensusPoint(point, confidence, support,
                                     _mean([distance(point, p) for _, p in group])))
    scores = [match_marks(answers[a], answers[b], threshold, radius).f1
              for a, b in combinations(annotators, 2)]
    return BoxConsensus(
        boxes=tuple(sorted(boxes, key=lambda c: (c.box, c.support))),
        points=tuple(sorted(points, key=lambda c: (c.point, c.support))),
        annotators=len(annotators),
        missing=missing,
        extra=extra,
        agreement=_mean(scores) if scores else 1.0,
    )


def _proper(box: Box) -> bool:
    return (box.w > 0 and box.h > 0 and math.isfinite(box.x) and math.isfinite(box.y)
            and math.isfinite(box.w) and math.isfinite(box.h))


def _area(box: Box) -> float:
    # from the corners, as the intersection is, so identical boxes give exactly 1.0
    return (box.x2 - box.x) * (box.y2 - box.y)


def _nearness(a: Point, b: Point) -> float:
    return -distance(a, b)


def _iou_close(threshold: float) -> Callable[[float], bool]:
    return lambda score: score > 0 and score >= threshold - _EPS


def _near_close(radius: float) -> Callable[[float], bool]:
    return lambda score: -score <= radius + _EPS


def _match(
    drawn: Sequence[Mark],
    truth: Sequence[Mark],
    score: Callable[[Mark, Mark], float],
    close: Callable[[float], bool],
) -> list[tuple[float, int, int]]:
    candidates = []
    for i, d in enumerate(drawn):
        for j, t in enumerate(truth):
            if d.label == t.label and close(s := score(d, t)):
                candidates.append((-s, i, j))
    candidates.sort()
    used_drawn: set[int] = set()
    used_truth: set[int] = set()
    pairs = []
    for negative, i, j in candidates:
        if i not in used_drawn and j not in used_truth:
            used_drawn.add(i)
            used_truth.add(j)
            pairs.append((-negative, i, j))
    return pairs


def _scores(matched: int, drawn: int, truth: int) -> tuple[float, float, float, int, int, int]:
    precision = matched / drawn if drawn else 1.0
    recall = matched / truth if truth else 1.0
    total = precision + recall
    f1 = 2 * precision * recall / total if total else 0.0
    return precision, recall, f1, matched, truth - matched, drawn - matched


def _clusters(
    marks: list[tuple[str, Mark]],
    score: Callable[[Mark, Mark], float],
    close: Callable[[float], bool],
) -> list[list[tuple[str, Mark]]]:
    """Group (annotator, mark) pairs, each sorted, into clusters of one class each."""
    by_label: dict[str, list[tuple[str, Mark]]] = {}
    for annotator, mark in marks:
        by_label.setdefault(mark.label, []).append((annotator, mark))
    found: list[list[tuple[str, Mark]]] = []
    for label in sorted(by_label):
        group = by_label[label]
        found.extend([group[i] for i in cluster] for cluster in _agglomerate(group, score, close))
    return found


def _agglomerate(
    group: list[tuple[str, Mark]],
    score: Callable[[Mark, Mark], float],
    close: Callable[[float], bool],
) -> list[list[int]]:
    n = len(group)
    names = sorted({a for a, _ in group})
    owner = np.array([names.index(a) for a, _ in group])
    scores = np.full((n, n), -np.inf)
    for i, j in combinations(range(n), 2):
        if owner[i] != owner[j] and close(s := score(group[i][1], group[j][1])):
            scores[i, j] = scores[j, i] = s
    remaining = np.ones(n, dtype=bool)
    clusters = []
    while remaining.any():
        live = np.where(remaining[None, :], scores, -np.inf)
        # best[i, q]: the score of annotator q's closest remaining mark to mark i
        best = np.stack([live[:, owner == q].max(axis=1) for q in range(len(names))], axis=1)
        partners = np.isfinite(best)
        count = partners.sum(axis=1)
        total = np.where(partners, best, 0.0).sum(axis=1)
        seed = min(np.flatnonzero(remaining), key=lambda i: (-count[i], -total[i], i))
        members = [int(seed)]
        for q in np.flatnonzero(partners[seed]):
            columns = np.flatnonzero(owner == q)
            members.append(int(columns[np.argmax(live[seed, columns])]))
        remaining[members] = False
        clusters.append(sorted(members))
    return clusters


def _median_box(boxes: list[Box]) -> Box:
    x1 = statistics.median(b.x for b in boxes)
    y1 = statistics.median(b.y for b in boxes)
    x2 = statistics.median(b.x2 for b in boxes)
    y2 = statistics.median(b.y2 for b in boxes)
    return Box(boxes[0].label, x1, y1, x2 - x1, y2 - y1)


def _median_point(points: list[Point]) -> Point:
    return Point(points[0].label, statistics.median(p.x for p in points),
                 statistics.median(p.y for p in points))


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _weights(annotators: Sequence[str], weights: Mapping[str, float] | None) -> dict[str, float]:
    given = {a: float((weights or {}).get(a, 1.0)) for a in annotators}
    if any(not (math.isfinite(w) and w >= 0) for w in given.values()):
        raise AggregationError(reason=AggregationProblem.BAD_PARAMETER, weights=given)
    return given if any(given.values()) else dict.fromkeys(annotators, 1.0)
