"""What a spans project's export adds beside its label tables::

    tables/spans/items.csv, .jsonl   per text: ``text``, ``spans`` ([[start, end, label]],
                                     the consensus), ``confidence`` (the item's),
                                     ``span_confidence`` (one per span), agreement,
                                     answers, gold and the consensus's F1 against it
    huggingface/spans/items/         the same as a JSON-lines dataset, with a card
    tables/spans/marks.csv, .jsonl   one row per consensus span: offsets, label, words,
                                     confidence

The per-annotator spans are the raw answers (``tables/answers``).
"""

from __future__ import annotations

from collections.abc import Sequence

from annotation.aggregation.spans import SpanConsensus, span_f1
from annotation.datasets.records import ExportTable, KindItem
from annotation.kinds.marks import rules
from annotation.kinds.span_values import span_consensus, spans_of
from annotation.models import ProjectSpec

ITEM_FIELDS = ("item_id", "text", "spans", "confidence", "span_confidence", "agreement",
               "answers", "gold", "gold_f1")
MARK_FIELDS = ("item_id", "start", "end", "label", "text", "confidence")


def span_tables(spec: ProjectSpec, items: Sequence[KindItem]) -> list[ExportTable]:
    """Return the per-text and per-span tables (see the module docstring)."""
    rows: list[dict[str, object]] = []
    marks: list[dict[str, object]] = []
    for entry in items:
        item = entry.labelled
        found = _consensus(spec, entry)
        spans = spans_of(item.label) if item.label is not None else ()
        confidences = {c.span: c.confidence for c in found.spans} if found else {}
        rows.append({
            "item_id": item.item_id, "text": item.text,
            "spans": [[s.start, s.end, s.label] for s in spans],
            "confidence": round(item.confidence, 6),
            "span_confidence": [round(confidences.get(s, 0.0), 6) for s in spans],
            "agreement": round(item.agreement, 6), "answers": item.answers,
            "gold": item.gold,
            "gold_f1": round(span_f1(spans, spans_of(item.gold)).f1, 6)
            if item.gold is not None and item.label is not None else None})
        marks += [{"item_id": item.item_id, "start": s.start, "end": s.end,
                   "label": s.label, "text": item.text[s.start:s.end],
                   "confidence": round(confidences.get(s, 0.0), 6)} for s in spans]
    return [ExportTable("spans/items", ITEM_FIELDS, tuple(rows), _card(spec, len(rows))),
            ExportTable("spans/marks", MARK_FIELDS, tuple(marks))]


def _consensus(spec: ProjectSpec, entry: KindItem) -> SpanConsensus | None:
    """Return the consensus of an item's accepted answers (None: none accepted)."""
    answers = {vote.annotator: spans_of(vote.label) for vote in entry.votes}
    return span_consensus(entry.labelled.text, answers, rules(spec)) if answers else None


def _card(spec: ProjectSpec, count: int) -> str:
    """Return the card of the consensus spans."""
    return "\n".join([
        "---", 'configs: [{"config_name": "default", "data_files": '
        '[{"split": "train", "path": "data.jsonl"}]}]',
        'task_categories: ["token-classification"]',
        'tags: ["named-entity-recognition", "crowdsourcing", "annobot"]', "---", "",
        f"# {spec.name}: spans", "",
        f"{count} texts whose words annotators tagged on Telegram (annobot's Mini App) "
        f"with the labels {', '.join(f'`{name}`' for name in spec.labels)}, combined "
        "token by token: a word takes a label when more than half of the annotators "
        "tagged it so.", "",
        "- `spans`: `[start, end, label]`, character offsets into `text` (Unicode code "
        "points, end exclusive), whole words.",
        "- `confidence`: the item's (the mean of `span_confidence`: each span's mean share "
        "of annotators behind its words); `agreement`: the mean token F1 between two "
        "annotators.", "",
        "```python", "from datasets import load_dataset",
        'spans = load_dataset("<this folder>")["train"]', "```", ""])
