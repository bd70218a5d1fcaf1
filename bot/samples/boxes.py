"""The boxes sample for ``annobot demo --sample boxes``: shapes to find in pictures.

Each picture (640×480, a soft noisy background) holds 0 to 4 separate shapes, each a
circle, a square or a triangle of its own size and colour; the annotator draws a box around
every shape and gives it its class. The hidden truth of every item is the shapes' bounding
boxes, normalized to the picture, in the canonical value of the boxes kind; a tenth of the
pictures hold nothing (the "Nothing to mark" answer). Everything comes from a seeded
``random.Random`` and goes through ``parse_items`` like an upload, so the importer's image
preparation and gold checks run too.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from annotation.intake.item_drafts import ItemDraft
from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.media.sources import MemorySource

CLASSES = ("circle", "square", "triangle")
IMAGE_SIZE = (640, 480)
EMPTY_SHARE = 0.1  # pictures with nothing to mark
MAX_SHAPES = 4

SPEC_TOML = """\
# The annobot boxes demo: draw a box around every shape, with its class.
name = "Shapes demo"
answer_type = "boxes"
classes = ["circle", "square", "triangle"]
nothing = true
iou = 0.5
overlap = 3
gold_rate = 0.1
time_limit = 900
reward = 0
currency = "MGA"

[question]
en = "Draw a box around every shape and give it its class."
fr = "Tracez un cadre autour de chaque forme et donnez-lui sa classe."
mg = "Asio efajoro manodidina ny endrika tsirairay ary omeo ny karazany."

[instructions]
en = "Open the drawing tool, pick the class (circle, square or triangle), then drag a box \
that just holds the shape. Draw one box per shape. A picture without shapes: tap Nothing \
to mark."
fr = "Ouvrez l'outil de dessin, choisissez la classe (cercle, carré ou triangle), puis \
tracez un cadre qui contient juste la forme. Un cadre par forme. Une image sans forme : \
touchez Rien à marquer."
mg = "Sokafy ny fitaovana fanaovana sary, fidio ny karazany (boribory, efamira na \
telozoro), dia tariho ny efajoro mifono tsara ilay endrika. Efajoro iray isaky ny endrika. \
Sary tsy misy endrika: tsindrio Tsy misy hamarihina."
"""

Mark = tuple[str, float, float, float, float]  # class, x, y, w, h (normalized)


@dataclass(frozen=True, slots=True)
class BoxesSample:
    """The sample's spec (TOML), its prepared items and each item's true boxes."""

    spec_toml: str
    items: list[ItemDraft]
    truth: Mapping[str, tuple[Mark, ...]]  # external_id -> true boxes

    def by_media_key(self) -> dict[str, tuple[Mark, ...]]:
        """Return the true boxes by the prepared image's media key (what the bot serves)."""
        return {draft.media.key: self.truth[draft.external_id]
                for draft in self.items if draft.media is not None}


def boxes_value(marks: Sequence[Mark]) -> str:
    """Return the canonical value of the boxes kind for these marks (no points)."""
    boxes = sorted([label, round(x, 4), round(y, 4), round(w, 4), round(h, 4)]
                   for label, x, y, w, h in marks)
    return json.dumps({"boxes": boxes, "points": []}, separators=(",", ":"))


def build_boxes_sample(n_items: int = 60, *, gold_share: float = 0.2,
                       seed: int = 7) -> BoxesSample:
    """Build the sample in memory, its items prepared like an upload's: ``gold_share`` of
    them gold (a third of those training), with an explanation."""
    rng = random.Random(seed)
    gold = set(rng.sample(range(n_items), round(n_items * gold_share)))
    training = set(sorted(gold)[: max(1, len(gold) // 3)]) if gold else set()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "image", "gold", "explanation", "training"])
    media: dict[str, bytes] = {}
    truth: dict[str, tuple[Mark, ...]] = {}
    for index in range(n_items):
        external_id = f"shapes-{index + 1:03d}"
        count = 0 if rng.random() < EMPTY_SHARE else rng.randint(1, MAX_SHAPES)
        data, marks = draw_shapes(rng, count)
        path = f"media/{external_id}.jpg"
        media[path] = data
        truth[external_id] = marks
        is_gold = index in gold
        explanation = (", ".join(sorted(m[0] for m in marks)) or "nothing") if is_gold else ""
        writer.writerow([external_id, path, boxes_value(marks) if is_gold else "",
                         explanation, "true" if index in training else ""])
    spec = parse_spec(SPEC_TOML)
    items = parse_items(buffer.getvalue().encode("utf-8"), "items.csv", spec,
                        MemorySource(media))
    return BoxesSample(SPEC_TOML, items, truth)


def draw_shapes(rng: random.Random, count: int) -> tuple[bytes, tuple[Mark, ...]]:
    """Return a JPEG of ``count`` separate shapes and each one's class and bounding box."""
    width, height = IMAGE_SIZE
    grain = Image.frombytes("RGB", (32, 24), rng.randbytes(32 * 24 * 3))
    background = grain.resize(IMAGE_SIZE, Image.Resampling.BICUBIC)
    tint = Image.new("RGB", IMAGE_SIZE, tuple(rng.randint(150, 235) for _ in range(3)))
    image = Image.blend(background, tint, 0.7)
    draw = ImageDraw.Draw(image)
    placed: list[tuple[int, int, int, int]] = []  # left, top, right, bottom
    tries = 0
    while len(placed) < count and tries < 1000:
        tries += 1
        w, h = rng.randint(50, 160), rng.randint(50, 160)
        left, top = rng.randint(8, width - w - 8), rng.randint(8, height - h - 8)
        box = (left, top, left + w, top + h)
        if all(box[2] + 12 < p[0] or p[2] + 12 < box[0] or box[3] + 12 < p[1]
               or p[3] + 12 < box[1] for p in placed):
            placed.append(box)
    marks: list[Mark] = []
    for box in placed:
        fill = tuple(rng.choice((rng.randint(0, 60), rng.randint(180, 255))) for _ in range(3))
        label = rng.choice(CLASSES)
        left, top, right, bottom = box
        if label == "circle":
            draw.ellipse(box, fill=fill, outline=(20, 20, 20), width=3)
        elif label == "square":
            draw.rectangle(box, fill=fill, outline=(20, 20, 20), width=3)
        else:
            draw.polygon([((left + right) / 2, top), (right, bottom), (left, bottom)],
                         fill=fill, outline=(20, 20, 20), width=3)
        marks.append((label, left / width, top / height, (right - left) / width,
                      (bottom - top) / height))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue(), tuple(sorted(marks))
