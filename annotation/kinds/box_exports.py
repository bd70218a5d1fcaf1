"""What a boxes project's export adds: tables, a Hugging Face imagefolder with ``objects``,
and the COCO and YOLO files object detectors train on.

::

    tables/boxes/items.csv, .jsonl     per image: the consensus, its counts, confidence,
                                       agreement, missing and extra marks, gold scores
    tables/boxes/marks.csv, .jsonl     per consensus mark: class, place (normalized),
                                       confidence (share of annotators), support, mean IoU
    huggingface/boxes/objects/         an imagefolder: the images and metadata.jsonl with
                                       ``objects`` = {bbox (pixels, [x, y, w, h]),
                                       category (index in the classes), score}
    detection/images/<file>            the images, once
    detection/coco.json                COCO: images (file_name relative to detection/,
                                       width, height), categories (ids from 1), annotations
                                       (bbox in pixels, area, iscrowd 0, score =
                                       confidence); points, when the spec allows them, in
                                       a top-level ``points`` list (COCO has no such
                                       annotation; its loaders ignore the key)
    detection/labels/<stem>.txt        YOLO: ``class cx cy w h`` normalized, one line per
                                       box (an image with none: an empty file)
    detection/classes.txt, data.yaml   the class names in order (YOLO's dataset file)

Only images with a consensus (at least one accepted answer) are in the training files;
every image is in the tables. The per-annotator marks are the raw answers
(``tables/answers``). The detection files come with the Hugging Face format.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePosixPath

from annotation.aggregation.boxes import BoxConsensus, match_marks
from annotation.datasets.records import ExportFile, ExportTable, KindItem
from annotation.kinds.box_values import (
    box_consensus,
    consensus_marks,
    image_size,
    marks_of,
)
from annotation.kinds.marks import rules
from annotation.models import ProjectSpec

ITEM_FIELDS = ("item_id", "file_name", "width", "height", "consensus", "boxes", "points",
               "confidence", "agreement", "answers", "missing", "extra", "gold",
               "gold_precision", "gold_recall")
MARK_FIELDS = ("item_id", "mark", "class", "x", "y", "w", "h", "confidence", "support",
               "mean_iou", "mean_distance")
OBJECT_FIELDS = ("file_name", "item_id", "width", "height", "objects", "points")
FOLDER = "detection"


def box_tables(spec: ProjectSpec, items: Sequence[KindItem]) -> list[ExportTable]:
    """Return the per-image and per-mark tables and the Hugging Face imagefolder."""
    marks = rules(spec)
    index = {name: k for k, name in enumerate(spec.labels)}
    rows: list[dict[str, object]] = []
    mark_rows: list[dict[str, object]] = []
    objects: list[dict[str, object]] = []
    files = []
    for entry in items:
        item = entry.labelled
        found = _consensus(spec, entry)
        size = image_size(entry.payload)
        label = marks_of(item.label) if item.label is not None else None
        gold = match_marks(label.pair, marks_of(item.gold).pair, marks.iou, marks.radius) \
            if label is not None and item.gold is not None else None
        rows.append({
            "item_id": item.item_id, "file_name": item.media_file,
            "width": size[0] if size else None, "height": size[1] if size else None,
            "consensus": item.label, "boxes": len(label.boxes) if label else None,
            "points": len(label.points) if label else None,
            "confidence": round(item.confidence, 6), "agreement": round(item.agreement, 6),
            "answers": item.answers, "missing": found.missing if found else None,
            "extra": found.extra if found else None, "gold": item.gold,
            "gold_precision": round(gold.precision, 6) if gold else None,
            "gold_recall": round(gold.recall, 6) if gold else None})
        if found is None:
            continue
        mark_rows += _mark_rows(item.item_id, found)
        if size is not None and item.media_file and entry.media_key is not None:
            objects.append(_object_row(entry, found, size, index))
            files.append((item.media_file, entry.media_key))
    return [ExportTable("boxes/items", ITEM_FIELDS, tuple(rows)),
            ExportTable("boxes/marks", MARK_FIELDS, tuple(mark_rows)),
            ExportTable("boxes/objects", OBJECT_FIELDS, tuple(objects),
                        _card(spec, len(objects)), files=tuple(files), tabular=False)]


def detection_files(spec: ProjectSpec, items: Sequence[KindItem]) -> list[ExportFile]:
    """Return the images with their COCO and YOLO annotations (see the module docstring)."""
    index = {name: k for k, name in enumerate(spec.labels)}
    images: list[dict[str, object]] = []
    annotations: list[dict[str, object]] = []
    points: list[dict[str, object]] = []
    files: list[ExportFile] = []
    for entry in items:
        item = entry.labelled
        found = _consensus(spec, entry)
        if found is None or not item.media_file or entry.media_key is None:
            continue
        files.append(ExportFile(f"{FOLDER}/images/{item.media_file}", media=entry.media_key))
        files.append(ExportFile(f"{FOLDER}/labels/{PurePosixPath(item.media_file).stem}.txt",
                                text=_yolo_lines(found, index)))
        size = image_size(entry.payload)
        if size is None:
            continue
        width, height = size
        image_id = len(images) + 1
        images.append({"id": image_id, "file_name": f"images/{item.media_file}",
                       "width": width, "height": height, "item_id": item.item_id})
        for mark in found.boxes:
            box = mark.box
            bbox = [_pixels(box.x * width), _pixels(box.y * height),
                    _pixels(box.w * width), _pixels(box.h * height)]
            annotations.append({
                "id": len(annotations) + 1, "image_id": image_id,
                "category_id": index[box.label] + 1, "bbox": bbox,
                "area": round(bbox[2] * bbox[3], 2), "iscrowd": 0, "segmentation": [],
                "score": round(mark.confidence, 6)})
        for spot in found.points:
            points.append({
                "id": len(points) + 1, "image_id": image_id,
                "category_id": index[spot.point.label] + 1,
                "point": [_pixels(spot.point.x * width), _pixels(spot.point.y * height)],
                "score": round(spot.confidence, 6)})
    coco: dict[str, object] = {
        "info": {"description": f"{spec.name}: boxes drawn by annotators with annobot",
                 "version": "1.0", "contributor": "annobot"},
        "licenses": [], "images": images,
        "categories": [{"id": k + 1, "name": name, "supercategory": "object"}
                       for k, name in enumerate(spec.labels)],
        "annotations": annotations}
    if rules(spec).points:
        coco["points"] = points
    names = "\n".join(f"  {k}: {json.dumps(name, ensure_ascii=False)}"
                      for k, name in enumerate(spec.labels))
    return [*files,
            ExportFile(f"{FOLDER}/coco.json", text=json.dumps(coco, ensure_ascii=False)),
            ExportFile(f"{FOLDER}/classes.txt", text="".join(f"{n}\n" for n in spec.labels)),
            ExportFile(f"{FOLDER}/data.yaml",
                       text=f"path: .\ntrain: images\nval: images\nnc: {len(spec.labels)}\n"
                            f"names:\n{names}\n")]


def _consensus(spec: ProjectSpec, entry: KindItem) -> BoxConsensus | None:
    """Return the consensus of an item's accepted answers (None: none accepted)."""
    answers = {vote.annotator: marks_of(vote.label) for vote in entry.votes}
    return box_consensus(answers, rules(spec)) if answers else None


def _mark_rows(item_id: str, found: BoxConsensus) -> list[dict[str, object]]:
    marks = consensus_marks(found)
    rows: list[dict[str, object]] = []
    for box, mark in zip(marks.boxes, sorted(found.boxes, key=lambda c: c.box), strict=True):
        rows.append({"item_id": item_id, "mark": "box", "class": box.label, "x": box.x,
                     "y": box.y, "w": box.w, "h": box.h,
                     "confidence": round(mark.confidence, 6), "support": len(mark.support),
                     "mean_iou": round(mark.mean_iou, 6), "mean_distance": None})
    for point, spot in zip(marks.points, sorted(found.points, key=lambda c: c.point),
                           strict=True):
        rows.append({"item_id": item_id, "mark": "point", "class": point.label,
                     "x": point.x, "y": point.y, "w": None, "h": None,
                     "confidence": round(spot.confidence, 6), "support": len(spot.support),
                     "mean_iou": None, "mean_distance": round(spot.mean_distance, 6)})
    return rows


def _object_row(entry: KindItem, found: BoxConsensus, size: tuple[int, int],
                index: dict[str, int]) -> dict[str, object]:
    width, height = size
    return {
        "file_name": entry.labelled.media_file, "item_id": entry.labelled.item_id,
        "width": width, "height": height,
        "objects": {"bbox": [[_pixels(m.box.x * width), _pixels(m.box.y * height),
                              _pixels(m.box.w * width), _pixels(m.box.h * height)]
                             for m in found.boxes],
                    "category": [index[m.box.label] for m in found.boxes],
                    "score": [round(m.confidence, 6) for m in found.boxes]},
        "points": {"point": [[_pixels(m.point.x * width), _pixels(m.point.y * height)]
                             for m in found.points],
                   "category": [index[m.point.label] for m in found.points],
                   "score": [round(m.confidence, 6) for m in found.points]}}


def _yolo_lines(found: BoxConsensus, index: dict[str, int]) -> str:
    """Return YOLO's label file: ``class cx cy w h``, normalized, one box a line."""
    return "".join(
        f"{index[b.label]} {b.x + b.w / 2:.6f} {b.y + b.h / 2:.6f} {b.w:.6f} {b.h:.6f}\n"
        for b in (mark.box for mark in found.boxes))


def _pixels(value: float) -> float:
    return round(value, 2)


def _card(spec: ProjectSpec, count: int) -> str:
    """Return the card of the Hugging Face imagefolder of consensus boxes."""
    classes = ", ".join(f"{k}: `{name}`" for k, name in enumerate(spec.labels))
    return "\n".join([
        "---", 'configs: [{"config_name": "default", "data_files": '
        '[{"split": "train", "path": ["metadata.jsonl", "*.jpg"]}]}]',
        'task_categories: ["object-detection"]',
        'tags: ["object-detection", "crowdsourcing", "annobot"]', "---", "",
        f"# {spec.name}: boxes", "",
        f"{count} images, each with the boxes annotators drew on Telegram (annobot's Mini "
        "App), combined: per class, boxes overlapping at the project's IoU are clustered "
        "and a cluster drawn by at least half of the annotators is kept, its box the "
        "median of theirs.", "",
        "- `objects.bbox`: COCO-style `[x, y, width, height]` in pixels of the image; "
        f"`objects.category`: the class's index ({classes}); `objects.score`: the share "
        "of annotators who drew it.",
        "- `points`: the same for points, when the project allows them.",
        "- COCO and YOLO files of the same boxes: the export's `detection/` folder.", "",
        "```python", "from datasets import load_dataset",
        'boxes = load_dataset("imagefolder", data_dir="<this folder>")["train"]', "```", ""])

