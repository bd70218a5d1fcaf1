"""The value of a boxes task: boxes and points on an image, as canonical JSON.

``{"boxes":[["car",0.1234,0.2,0.3,0.15]],"points":[["eye",0.5,0.5]]}``: each box its class,
its top-left corner and its size, each point its class and place, all normalized to the
image (0 to 1), rounded to 4 decimals, each list sorted; nothing marked is
``{"boxes":[],"points":[]}``. :func:`read_marks` refuses what does not fit, each refusal
with its own ``ErrorCode``: more than 100 marks (``TOO_MANY_MARKS``), a class the spec does
not name (``UNKNOWN_CLASS``), points where the spec takes boxes only
(``POINTS_NOT_ALLOWED``), a corner outside the image (``OUT_OF_IMAGE``; up to 0.001 outside
is clamped onto the edge), a box under 0.002 wide or high (``BOX_TOO_SMALL``), an empty
answer where "Nothing to mark" is not offered (``NO_MARKS``), and anything else that is not
this JSON (``MARKS_MALFORMED``: NaN, strings for numbers, unknown keys…). Exact repeats
are dropped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from annotation.aggregation.boxes import Box, BoxConsensus, Point, consensus_boxes
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.marks import class_of, dump, number, parse_object, rules
from annotation.models import MarkRules, ProjectSpec

EMPTY = '{"boxes":[],"points":[]}'
MAX_MARKS = 100  # boxes and points together
OVERSHOOT = 0.001  # a corner this far outside the image is clamped onto its edge
MIN_SIDE = 0.002  # a box's least width and height (about 2.5 pixels of a 1280-pixel side)
DECIMALS = 4


@dataclass(frozen=True, slots=True)
class Marks:
    """The boxes and points of one value, sorted."""

    boxes: tuple[Box, ...] = ()
    points: tuple[Point, ...] = ()

    def to_json(self) -> str:
        """Return the canonical JSON."""
        return dump({"boxes": [[b.label, b.x, b.y, b.w, b.h] for b in self.boxes],
                     "points": [[p.label, p.x, p.y] for p in self.points]})

    @property
    def empty(self) -> bool:
        """Return whether nothing is marked."""
        return not self.boxes and not self.points

    @property
    def pair(self) -> tuple[Sequence[Box], Sequence[Point]]:
        """Return the boxes and the points, as ``annotation.aggregation.boxes`` takes them."""
        return self.boxes, self.points

def read_marks(spec: ProjectSpec, raw: str) -> Marks:
    """Return the marks a value gives, checked and normalized, or raise ``AnswerRejected``."""
    data = parse_object(raw, ("boxes", "points"))
    marks = rules(spec)
    if len(data["boxes"]) + len(data["points"]) > MAX_MARKS:
        raise AnswerRejected(ErrorCode.TOO_MANY_MARKS, limit=MAX_MARKS)
    if data["points"] and not marks.points:
        raise AnswerRejected(ErrorCode.POINTS_NOT_ALLOWED)
    boxes = {_box(spec, entry) for entry in data["boxes"]}
    points = {_point(spec, entry) for entry in data["points"]}
    if not boxes and not points and not marks.nothing:
        raise AnswerRejected(ErrorCode.NO_MARKS)
    return Marks(tuple(sorted(boxes)), tuple(sorted(points)))


def marks_of(value: str) -> Marks:
    """Return the marks of a canonical value (trusted: it was checked when recorded)."""
    data = json.loads(value) if value else {}
    return Marks(tuple(Box(*entry) for entry in data.get("boxes", ())),
                 tuple(Point(*entry) for entry in data.get("points", ())))


def image_size(payload: str) -> tuple[int, int] | None:
    """Return the image's pixel size intake kept in an item's payload (None: unknown)."""
    try:
        data = json.loads(payload) if payload else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    width, height = data.get("width"), data.get("height")
    return (width, height) if isinstance(width, int) and isinstance(height, int) else None


def box_consensus(answers: Mapping[str, Marks], marks: MarkRules) -> BoxConsensus:
    """Return the consensus of the annotators' marks on one image."""
    return consensus_boxes({a: m.pair for a, m in answers.items()}, threshold=marks.iou,
                           radius=marks.radius)


def consensus_marks(found: BoxConsensus) -> Marks:
    """Return a consensus as a value (rounded and sorted as an answer is)."""
    boxes = {_rounded_box(c.box) for c in found.boxes}
    points = {Point(c.point.label, round_coordinate(c.point.x), round_coordinate(c.point.y))
              for c in found.points}
    return Marks(tuple(sorted(boxes)), tuple(sorted(points)))


def consensus_confidence(found: BoxConsensus, answers: Mapping[str, Marks]) -> float:
    """Return the mean share behind each kept mark; with none kept, the share of
    annotators who marked nothing."""
    shares = [c.confidence for c in found.boxes] + [c.confidence for c in found.points]
    if shares:
        return math.fsum(shares) / len(shares)
    return sum(1 for m in answers.values() if m.empty) / max(1, len(answers))


def _entry(value: object, size: int) -> list[object]:
    if not isinstance(value, list) or len(value) != size:
        raise AnswerRejected(ErrorCode.MARKS_MALFORMED)
    return value


def _box(spec: ProjectSpec, value: object) -> Box:
    label, x, y, w, h = _entry(value, 5)
    cls = class_of(label, spec)
    left, top, width, height = (number(v) for v in (x, y, w, h))
    if width <= 0 or height <= 0:
        raise AnswerRejected(ErrorCode.BOX_TOO_SMALL)
    x1, y1, x2, y2 = (_inside(v) for v in (left, top, left + width, top + height))
    if x2 - x1 < MIN_SIDE - 1e-9 or y2 - y1 < MIN_SIDE - 1e-9:
        raise AnswerRejected(ErrorCode.BOX_TOO_SMALL)
    return Box(cls, x1, y1, round_coordinate(x2 - x1), round_coordinate(y2 - y1))


def _point(spec: ProjectSpec, value: object) -> Point:
    label, x, y = _entry(value, 3)
    return Point(class_of(label, spec), _inside(number(x)), _inside(number(y)))


def _inside(value: float) -> float:
    """Return a coordinate clamped onto the image and rounded; refuse one far outside."""
    if not -OVERSHOOT <= value <= 1 + OVERSHOOT:
        raise AnswerRejected(ErrorCode.OUT_OF_IMAGE)
    return round_coordinate(min(1.0, max(0.0, value)))


def round_coordinate(value: float) -> float:
    """Return a coordinate rounded as values keep it."""
    return round(value, DECIMALS) + 0.0  # + 0.0: never -0.0


def _rounded_box(box: Box) -> Box:
    x1, y1 = round_coordinate(box.x), round_coordinate(box.y)
    x2, y2 = round_coordinate(min(1.0, box.x2)), round_coordinate(min(1.0, box.y2))
    return Box(box.label, x1, y1, round_coordinate(x2 - x1), round_coordinate(y2 - y1))


