"""Spans: the annotator tags the words of a text item with the spec's labels (named
entities, say), in the Mini App.

Spec keys (``annotation.kinds.marks``)::

    labels = ["PER", "LOC", "ORG"]   # required: 1 to 20 names, each at most 40 characters
    nothing = true                   # the chat offers "Nothing to mark" (an empty answer)
    overlapping = false              # spans may share words
    min_f1 = 0.8                     # a gold answer is right with this F1 (exact spans)

Items are texts (a media item is refused at import); the task shows the text quoted, the
app shows it again with its tokens to tap. The value is described in
``annotation.kinds.span_values``; offsets are checked against the item's text, so gold
cells and the Mini App's answers go through ``canonical_about`` (``canonical`` alone, with
no text, takes only the empty value).

Gold: an answer is right when the F1 of its spans against the gold's (a span counts when
its start, end and label are all the gold's) reaches ``min_f1``; empty against empty is
right, empty against a tagged gold is wrong.

Aggregation (``VoteModel.OWN``): ``consensus_spans`` per text, token by token: a token
takes a label when more than half of the annotators tagged it so; consecutive tokens merge
unless most of them started a new span there; without ``overlapping`` a token keeps its
likeliest label. The label is the consensus value, its confidence the mean share behind
each span's tokens (with no span: the share of annotators who tagged nothing), its
agreement the mean token-level F1 between two annotators. Exports:
``annotation.kinds.span_exports``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import quoteattr

from annotation.aggregation.spans import Span, span_f1, tokens
from annotation.datasets.records import ExportTable, KindItem, LabeledItem
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
from annotation.kinds.label_studio import CONTROL, view
from annotation.kinds.marks import (
    MarksKind,
    draft_of,
    hint_classes,
    marks_layout,
    rules,
)
from annotation.kinds.span_exports import span_tables
from annotation.kinds.span_values import (
    EMPTY,
    consensus_confidence,
    dump_spans,
    read_spans,
    span_consensus,
    spans_of,
    surface,
)
from annotation.models import MediaKind, ProjectSpec
from annotation.records import ItemTally

OWN_KEYS = ("nothing", "overlapping", "min_f1")
SUMMARY_SPANS = 12  # spans a training feedback lists, at most


class SpansKind(MarksKind):
    """Labelled spans of a text, tagged in the Mini App."""

    name = "spans"
    spec_keys: tuple[str, ...] = ("labels", *OWN_KEYS)
    classes_key = "labels"
    own_keys = OWN_KEYS
    empty = EMPTY

    def fit_item(self, payload: str, kind: MediaKind, size: tuple[int, int] | None
                 ) -> ItemCheck:
        """Refuse an item that is not a text."""
        if kind is not MediaKind.TEXT:
            return ItemCheck(payload, ((ItemFault.WRONG_MEDIA, "text", 0, 0),))
        return ItemCheck(payload)

    def layout(self, turn: Turn) -> TaskLayout:
        """Return the note, the button that opens the app, and "Nothing to mark"."""
        return marks_layout(turn, PhraseCode.TAG_SPANS,
                            Phrase(PhraseCode.SPANS_HINT, {"labels": hint_classes(turn.spec)}))

    def app_view(self, turn: Turn) -> Mapping[str, object] | None:
        """Return the labels, the flags, the text with its tokens, and the draft."""
        marks = rules(turn.spec)
        text = turn.item.text
        return {"kind": self.name, "classes": list(turn.spec.labels), "points": False,
                "nothing": marks.nothing, "overlapping": marks.overlapping, "text": text,
                "tokens": [[start, end] for start, end in tokens(text)],
                "draft": draft_of(turn.draft)}

    def answer_blocks(self, turn: Turn, value: str) -> tuple[Block, ...]:
        """Return the spans' words with their labels ("Rakoto" (PER), …)."""
        spans = spans_of(value)
        if not spans:
            return (Block(Phrase(PhraseCode.NO_MARKS), BlockStyle.NOTE),)
        listed = ", ".join(f"“{surface(turn.item.text, s)}” ({s.label})"
                           for s in spans[:SUMMARY_SPANS])
        if len(spans) > SUMMARY_SPANS:
            listed += ", …"
        return (Block(Phrase(PhraseCode.MARKS_SUMMARY, {"marks": listed}), BlockStyle.NOTE),)

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Return the canonical JSON of a value given without its text: only the empty
        value fits (``canonical_about`` checks spans against the item's text)."""
        return dump_spans(read_spans(spec, "", raw))

    def canonical_about(self, spec: ProjectSpec, text: str, raw: str) -> str:
        """Return the canonical JSON of spans of ``text``, or refuse them."""
        return dump_spans(read_spans(spec, text, raw))

    def is_correct(self, spec: ProjectSpec, value: str, gold: str) -> bool:
        """Return whether the spans' F1 against the gold reaches the spec's bar."""
        return span_f1(spans_of(value), spans_of(gold)).f1 >= rules(spec).min_f1 - 1e-9

    def aggregate(self, spec: ProjectSpec, votes: Sequence[tuple[str, str, str]],
                  items: Sequence[ItemTally]) -> list[Decided]:
        """Return each text's consensus spans (see the module docstring)."""
        answers: dict[str, dict[str, tuple[Span, ...]]] = {}
        for item_id, annotator, value in votes:
            answers.setdefault(item_id, {})[annotator] = spans_of(value)
        decided = []
        for tally in items:
            given = answers.get(tally.external_id, {})
            if not given:
                decided.append(Decided(None, 0.0, 0.0))
                continue
            found = span_consensus(tally.text, given, rules(spec))
            decided.append(Decided(dump_spans([c.span for c in found.spans]),
                                   consensus_confidence(found, given), found.agreement))
        return decided

    def export(self, spec: ProjectSpec, items: Sequence[KindItem]) -> Sequence[ExportTable]:
        """Return the per-text spans (JSONL, and a Hugging Face folder) and per-span rows."""
        return span_tables(spec, items)

    def label_studio_config(self, spec: ProjectSpec, kinds: Sequence[MediaKind]) -> str:
        """Return a text with span labels."""
        return view([f'  <Labels name="{CONTROL}" toName="text">',
                     *(f"    <Label value={quoteattr(label)}/>" for label in spec.labels),
                     "  </Labels>", '  <Text name="text" value="$text"/>'])

    def label_studio_result(self, spec: ProjectSpec, item: LabeledItem, label: str
                            ) -> dict[str, object]:
        """Return the first span's region (``label_studio_results`` gives them all)."""
        found = self.label_studio_results(spec, item, label)
        return found[0] if found else {}

    def label_studio_results(self, spec: ProjectSpec, item: LabeledItem, label: str
                             ) -> list[dict[str, object]]:
        """Return one region per span, with its offsets and words."""
        return [{"id": f"s{n}", "from_name": CONTROL, "to_name": "text", "type": "labels",
                 "value": {"start": span.start, "end": span.end,
                           "text": item.text[span.start:span.end], "labels": [span.label]}}
                for n, span in enumerate(spans_of(label))]
