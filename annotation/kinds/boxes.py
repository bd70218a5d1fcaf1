"""Boxes: the annotator draws a box around each object of the spec's classes on an image
item (and puts points, when the spec allows them), in the Mini App.

Spec keys (``annotation.kinds.marks``)::

    classes = ["car", "person"]   # required: 1 to 20 names, each at most 40 characters
    points = false                # points may be marked beside boxes
    nothing = true                # the chat offers "Nothing to mark" (an empty answer)
    iou = 0.5                     # two boxes of a class match at this IoU or more
    radius = 0.05                 # two points match this close (of the image's size)
    min_precision = 0.8           # a gold answer is right with this precision
    min_recall = 0.8              # and this recall, at that IoU (and radius)

Items are images (a text item is refused at import); intake records each prepared image's
size in the item's payload (``{"width": 1280, "height": 960}``) for exports.

The value (an answer, a gold cell, a consensus label) is compact JSON,
``{"boxes":[["car",0.1234,0.2,0.3,0.15]],"points":[["eye",0.5,0.5]]}``, normalized to the
image; what it may hold and what is refused: ``annotation.kinds.box_values``.

Gold: an answer is right when, matched one to one per class at the spec's IoU (points
within its radius; ``annotation.aggregation.boxes.match_marks``), its precision and its
recall both reach the spec's bars; so an empty answer is right for an empty gold only.

Aggregation (``VoteModel.OWN``): ``consensus_boxes`` per image: each class's boxes are
clustered at the spec's IoU, a cluster drawn by at least half the annotators kept, its box
the coordinate-wise median. The label is the consensus value; its confidence the mean share
of annotators behind each kept mark (with no mark kept: the share of annotators who marked
nothing, 1.0 when all agree); agreement the mean F1 between two annotators' marks. Exports:
``annotation.kinds.box_exports``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import quoteattr

from annotation.aggregation.boxes import match_marks
from annotation.datasets.records import ExportFile, ExportTable, KindItem, LabeledItem
from annotation.kinds.base import (
    Block,
    BlockStyle,
    Decided,
    ItemCheck,
    ItemFault,
    Phrase,
    PhraseCode,
    TaskLayout,
    Turn,
)
from annotation.kinds.box_exports import box_tables, detection_files
from annotation.kinds.box_values import (
    DECIMALS,
    EMPTY,
    Marks,
    box_consensus,
    consensus_confidence,
    consensus_marks,
    image_size,
    marks_of,
    read_marks,
)
from annotation.kinds.label_studio import CONTROL, view
from annotation.kinds.marks import (
    MarksKind,
    draft_of,
    hint_classes,
    marks_layout,
    rules,
)
from annotation.models import MediaKind, ProjectSpec
from annotation.records import ItemTally

OWN_KEYS = ("points", "nothing", "iou", "radius", "min_precision", "min_recall")
POINT_CONTROL = "point"


class BoxesKind(MarksKind):
    """Boxes (and points) drawn on an image in the Mini App."""

    name = "boxes"
    spec_keys: tuple[str, ...] = ("classes", *OWN_KEYS)
    classes_key = "classes"
    own_keys = OWN_KEYS
    empty = EMPTY

    def fit_item(self, payload: str, kind: MediaKind, size: tuple[int, int] | None
                 ) -> ItemCheck:
        """Keep an image's size in the payload; refuse an item that is not an image."""
        if kind is not MediaKind.IMAGE:
            return ItemCheck(payload, ((ItemFault.WRONG_MEDIA, "image", 0, 0),))
        if size is None:
            return ItemCheck(payload)
        return ItemCheck(json.dumps({"width": size[0], "height": size[1]}))

    def layout(self, turn: Turn) -> TaskLayout:
        """Return the note, the button that opens the app, and "Nothing to mark"."""
        hint = PhraseCode.POINTS_HINT if rules(turn.spec).points else PhraseCode.BOXES_HINT
        return marks_layout(turn, PhraseCode.DRAW_BOXES,
                            Phrase(hint, {"classes": hint_classes(turn.spec)}))

    def app_view(self, turn: Turn) -> Mapping[str, object] | None:
        """Return the classes, the flags and the draft the app starts from."""
        marks = rules(turn.spec)
        return {"kind": self.name, "classes": list(turn.spec.labels),
                "points": marks.points, "nothing": marks.nothing, "overlapping": False,
                "text": None, "tokens": None, "draft": draft_of(turn.draft)}

    def answer_blocks(self, turn: Turn, value: str) -> tuple[Block, ...]:
        """Return how many marks of each class the value holds ("car ×2, person")."""
        marks = marks_of(value)
        if marks.empty:
            return (Block(Phrase(PhraseCode.NO_MARKS), BlockStyle.NOTE),)
        counts = Counter([b.label for b in marks.boxes] + [p.label for p in marks.points])
        listed = ", ".join(label if n == 1 else f"{label} ×{n}"
                           for label, n in sorted(counts.items()))
        return (Block(Phrase(PhraseCode.MARKS_SUMMARY, {"marks": listed}), BlockStyle.NOTE),)

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Return the canonical JSON of a value, or refuse it."""
        return read_marks(spec, raw).to_json()

    def is_correct(self, spec: ProjectSpec, value: str, gold: str) -> bool:
        """Return whether precision and recall against the gold reach the spec's bars."""
        marks = rules(spec)
        found = match_marks(marks_of(value).pair, marks_of(gold).pair, marks.iou,
                            marks.radius)
        return (found.precision >= marks.min_precision - 1e-9
                and found.recall >= marks.min_recall - 1e-9)

    def aggregate(self, spec: ProjectSpec, votes: Sequence[tuple[str, str, str]],
                  items: Sequence[ItemTally]) -> list[Decided]:
        """Return each image's consensus marks (see the module docstring)."""
        answers: dict[str, dict[str, Marks]] = {}
        for item_id, annotator, value in votes:
            answers.setdefault(item_id, {})[annotator] = marks_of(value)
        decided = []
        for tally in items:
            given = answers.get(tally.external_id, {})
            if not given:
                decided.append(Decided(None, 0.0, 0.0))
                continue
            found = box_consensus(given, rules(spec))
            decided.append(Decided(consensus_marks(found).to_json(),
                                   consensus_confidence(found, given), found.agreement))
        return decided

    def export(self, spec: ProjectSpec, items: Sequence[KindItem]) -> Sequence[ExportTable]:
        """Return the per-image and per-mark tables and the Hugging Face imagefolder."""
        return box_tables(spec, items)

    def export_files(self, spec: ProjectSpec, items: Sequence[KindItem]
                     ) -> Sequence[ExportFile]:
        """Return the COCO and YOLO files and the images they name."""
        return detection_files(spec, items)

    def label_studio_config(self, spec: ProjectSpec, kinds: Sequence[MediaKind]) -> str:
        """Return an image with rectangle labels (and key points, when points are on)."""
        lines = ['  <Image name="image" value="$image"/>',
                 *_labels_control("RectangleLabels", CONTROL, spec.labels)]
        if rules(spec).points:
            lines += _labels_control("KeyPointLabels", POINT_CONTROL, spec.labels)
        return view(lines)

    def label_studio_result(self, spec: ProjectSpec, item: LabeledItem, label: str
                            ) -> dict[str, object]:
        """Return the first mark's region (``label_studio_results`` gives them all)."""
        found = self.label_studio_results(spec, item, label)
        return found[0] if found else {}

    def label_studio_results(self, spec: ProjectSpec, item: LabeledItem, label: str
                             ) -> list[dict[str, object]]:
        """Return one region per box and point, in percent of the image."""
        size = image_size(item.payload)
        marks = marks_of(label)
        original = {"original_width": size[0], "original_height": size[1]} if size else {}
        regions: list[dict[str, object]] = []
        for n, box in enumerate(marks.boxes):
            regions.append({"id": f"b{n}", "from_name": CONTROL, "to_name": "image",
                            "type": "rectanglelabels", **original, "image_rotation": 0,
                            "value": {"x": _percent(box.x), "y": _percent(box.y),
                                      "width": _percent(box.w), "height": _percent(box.h),
                                      "rotation": 0, "rectanglelabels": [box.label]}})
        for n, point in enumerate(marks.points):
            regions.append({"id": f"p{n}", "from_name": POINT_CONTROL, "to_name": "image",
                            "type": "keypointlabels", **original, "image_rotation": 0,
                            "value": {"x": _percent(point.x), "y": _percent(point.y),
                                      "width": 1.0, "keypointlabels": [point.label]}})
        return regions


def _percent(value: float) -> float:
    return round(value * 100, DECIMALS)


def _labels_control(tag: str, name: str, labels: Sequence[str]) -> list[str]:
    return [f'  <{tag} name="{name}" toName="image">',
            *(f"    <Label value={quoteattr(label)}/>" for label in labels), f"  </{tag}>"]
