"""How the boxes demo's simulated annotators draw: with noise, misses and careless hands.

A careful member of accuracy ``a`` draws a box for each true shape, misses it with
probability ``(1 - a) / 2``, gives it a wrong class with probability ``(1 - a) / 2``, and
places each edge off by a normal error of ``JITTER`` times the shape's size (more for less
accurate members); now and then they add a box where nothing is (``EXTRA``). A careless
(random) member draws 0 to 3 boxes anywhere with any class; a constant one always says
there is nothing to mark.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from bot.crowd import Member, Style
from bot.samples.boxes import CLASSES, Mark

JITTER = 0.06  # an edge's error, as a share of the box's size, for a perfect member
EXTRA = 0.05  # chance of one box where nothing is, per picture (careful members)
MIN_SIZE = 0.02  # no box thinner than this (normalized)


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(high, max(low, value))


def _box(rng: random.Random, label: str, x: float, y: float, w: float, h: float,
         spread: float) -> list[object]:
    x1 = _clamp(x + rng.gauss(0.0, spread * w))
    y1 = _clamp(y + rng.gauss(0.0, spread * h))
    x2 = _clamp(x + w + rng.gauss(0.0, spread * w))
    y2 = _clamp(y + h + rng.gauss(0.0, spread * h))
    x1, x2 = sorted((x1, x2))
    y1, y2 = sorted((y1, y2))
    x2, y2 = max(x2, min(1.0, x1 + MIN_SIZE)), max(y2, min(1.0, y1 + MIN_SIZE))
    x1, y1 = min(x1, x2 - MIN_SIZE), min(y1, y2 - MIN_SIZE)
    return [label, round(x1, 4), round(y1, 4), round(x2 - x1, 4), round(y2 - y1, 4)]


def _random_box(rng: random.Random) -> list[object]:
    w, h = rng.uniform(0.05, 0.4), rng.uniform(0.05, 0.4)
    return _box(rng, rng.choice(CLASSES), rng.uniform(0, 1 - w), rng.uniform(0, 1 - h), w, h,
                0.0)


def draw_answer(member: Member, rng: random.Random,
                truth: Sequence[Mark]) -> dict[str, list[list[object]]]:
    """Return the answer ``member`` posts for a picture whose true boxes are ``truth``."""
    if member.style is Style.CONSTANT:
        return {"boxes": [], "points": []}
    if member.style is not Style.CAREFUL:
        return {"boxes": [_random_box(rng) for _ in range(rng.randint(0, 3))], "points": []}
    slip = (1.0 - member.accuracy) / 2
    spread = JITTER * (1.0 + 4.0 * (1.0 - member.accuracy))
    boxes = []
    for label, x, y, w, h in truth:
        if rng.random() < slip:
            continue  # missed
        if rng.random() < slip:
            label = rng.choice([c for c in CLASSES if c != label])
        boxes.append(_box(rng, label, x, y, w, h, spread))
    if rng.random() < EXTRA:
        boxes.append(_random_box(rng))
    return {"boxes": boxes, "points": []}
