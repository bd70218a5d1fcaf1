"""Rating: one point on a scale of n (Likert 1-5, 0-4…), one row of buttons.

The spec sets ``points`` (2 to 11, default 5), ``start`` (0 or 1, default 1) and what the
two ends mean (``low``, ``high``, in any of the languages); the labels aggregation, gold and
exports see are the points written as numbers (``"1"`` … ``"5"``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from annotation.aggregation.krippendorff import MeasurementLevel, krippendorff_alpha_units
from annotation.aggregation.ratings import Rating, RatingLabel, aggregate_ratings
from annotation.datasets.records import ExportTable, KindItem, LabeledItem
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.base import (
    Block,
    BlockStyle,
    Button,
    Phrase,
    PhraseCode,
    SpecReader,
    Step,
    TaskLayout,
    Turn,
    VoteModel,
)
from annotation.kinds.choice import label_at
from annotation.kinds.defaults import KindDefaults
from annotation.kinds.label_studio import (
    CONTROL,
    object_kinds,
    object_tags,
    result,
    view,
)
from annotation.models import LocalizedText, MediaKind, ProjectSpec, Scale

POINTS = (2, 11)
DEFAULT_POINTS = 5
MAX_END = 40  # what an end means, shown under the buttons
ITEM_FIELDS = ("item_id", "dimension", "median", "mad", "estimate", "se", "low", "high",
               "answers")
LONG_FIELDS = ("item_id", "annotator", "dimension", "rating")
AGREEMENT_FIELDS = ("dimension", "items", "ratings", "alpha_interval", "alpha_ordinal")
ROW_LIMIT = 8


class RatingKind(KindDefaults):
    """One button per point; a note says what the two ends mean."""

    name = "rating"
    own_tables = True
    votes = VoteModel.CATEGORICAL  # the points as labels; ratings/ adds the numeric model
    spec_keys: tuple[str, ...] = ("points", "start", "low", "high")

    def read_scale(self, reader: SpecReader) -> Scale | None:
        """Read ``points``, ``start`` and the meaning of the two ends."""
        points = reader.integer("points", DEFAULT_POINTS, POINTS)
        start = reader.integer("start", 1, (0, 1))
        low = reader.localized("low", limit=MAX_END, required=False)
        high = reader.localized("high", limit=MAX_END, required=False)
        labels = tuple(str(start + step) for step in range(points))
        return Scale(points=points, labels=labels, start=start, low=low, high=high)

    def scale_toml(self, scale: Scale, quote: Callable[[str], str]) -> list[str]:
        """Write ``points``, ``start`` and what the ends mean (inline tables by language)."""
        lines = [f"points = {scale.points}", f"start = {scale.start}"]
        for key, text in (("low", scale.low), ("high", scale.high)):
            if text is not None:
                pairs = ", ".join(f"{lang} = {quote(t)}" for lang, t in text.texts.items())
                lines.append(f"{key} = {{ {pairs} }}")
        return lines

    def export(self, spec: ProjectSpec, items: Sequence[KindItem]) -> Sequence[ExportTable]:
        """Return the ratings per item (median and bias-corrected estimate), every rating
        in long form, and the agreement (Krippendorff's alpha, interval and ordinal)."""
        dimension = spec.name
        ratings = [Rating(entry.labelled.item_id, vote.annotator, dimension, float(vote.label))
                   for entry in items for vote in entry.votes]
        labels = spec.labels
        result = aggregate_ratings(ratings, items=[e.labelled.item_id for e in items],
                                   dimensions=[dimension],
                                   scale=(float(labels[0]), float(labels[-1])))
        rows = tuple(_item_row(label) for label in result.labels[dimension].values())
        long = tuple({"item_id": r.item, "annotator": r.annotator, "dimension": r.dimension,
                      "rating": int(r.value)} for r in ratings)
        units = [[float(v.label) for v in entry.votes] for entry in items]
        agreement = ({"dimension": dimension, "items": len(items), "ratings": len(ratings),
                      "alpha_interval": _rounded(krippendorff_alpha_units(
                          units, level=MeasurementLevel.INTERVAL)),
                      "alpha_ordinal": _rounded(krippendorff_alpha_units(
                          units, level=MeasurementLevel.ORDINAL))},)
        return (ExportTable("ratings/items", ITEM_FIELDS, rows, _card(spec, len(rows))),
                ExportTable("ratings/long", LONG_FIELDS, long),
                ExportTable("ratings/agreement", AGREEMENT_FIELDS, agreement))

    def label_studio_config(self, spec: ProjectSpec, kinds: Sequence[MediaKind]) -> str:
        """Return a Rating control with the scale's points (a scale starting at 0 is
        shown shifted by one: Label Studio's ratings start at 1)."""
        lines, to_name = object_tags(object_kinds(kinds))
        return view([*lines, *self.label_studio_controls(spec, CONTROL, to_name, kinds)])

    def label_studio_controls(self, spec: ProjectSpec, name: str, to_name: str,
                              kinds: Sequence[MediaKind]) -> list[str]:
        """Return a Rating control with as many stars as the scale has points."""
        return [f'  <Rating name="{name}" toName="{to_name}" maxRating="{len(spec.labels)}"/>']

    def label_studio_result(self, spec: ProjectSpec, item: LabeledItem, label: str
                            ) -> dict[str, object]:
        """Return the point as a Label Studio rating (1 for the scale's first point)."""
        return result(item, "rating", {"rating": spec.labels.index(label) + 1})

    def layout(self, turn: Turn) -> TaskLayout:
        """Return one row of points and, when the ends are named, what they mean."""
        labels = turn.spec.labels
        buttons = tuple(Button(label, code) for code, label in enumerate(labels))
        half = -(-len(buttons) // 2)  # Telegram shows at most 8 buttons in a row
        rows = (buttons,) if len(buttons) <= ROW_LIMIT else (buttons[:half], buttons[half:])
        blocks: tuple[Block, ...] = ()
        scale = turn.spec.scale
        if scale is not None and scale.low is not None and scale.high is not None:
            ends = Phrase(PhraseCode.SCALE_ENDS, {
                "low_value": labels[0], "low": _text(scale.low, turn.language),
                "high_value": labels[-1], "high": _text(scale.high, turn.language)})
            blocks = (Block(ends, BlockStyle.NOTE),)
        return TaskLayout(blocks, rows, wrap=False)

    def press(self, turn: Turn, code: int) -> Step:
        """Record the point the button names."""
        return Step(final=label_at(turn.spec.labels, code))

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Return the point a gold cell names (``3``, ``3.0``)."""
        text = raw.strip()
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=raw) from None
        if value.is_integer() and str(int(value)) in spec.labels:
            return str(int(value))
        raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=raw)

    def is_correct(self, spec: ProjectSpec, value: str, gold: str) -> bool:
        """Return whether the point is the gold point."""
        return value == gold


def _text(text: LocalizedText, language: str) -> str:
    return text.get(language)


def _rounded(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 4)


def _item_row(label: RatingLabel) -> dict[str, object]:
    return {"item_id": label.item, "dimension": label.dimension, "median": label.median,
            "mad": label.mad, "estimate": _rounded(label.estimate),
            "se": _rounded(label.se) if math.isfinite(label.se) else None,
            "low": _rounded(label.low), "high": _rounded(label.high), "answers": label.answers}


def _card(spec: ProjectSpec, count: int) -> str:
    """Return the Hugging Face card of the per-item ratings."""
    labels = spec.labels
    return "\n".join([
        "---", 'configs: [{"config_name": "default", "data_files": '
        '[{"split": "train", "path": "data.jsonl"}]}]', 'tags: ["rating", "annobot"]', "---",
        "", f"# {spec.name}: ratings", "",
        f"{count} items rated on a scale from {labels[0]} to {labels[-1]} by annotators on "
        "Telegram with annobot.", "",
        "- `median`, `mad`: the median rating and its median absolute deviation.",
        "- `estimate`, `se`, `low`, `high`: the rating once each annotator's bias is undone "
        "(rating = item value + annotator offset + noise), with its 95 % interval.",
        "- Every rating in long form: `tables/ratings/long`; Krippendorff's alpha: "
        "`tables/ratings/agreement`.", ""])
