"""The value of a spans task: labelled spans of the item's text, as canonical JSON.

``{"spans":[[0,6,"PER"],[17,29,"LOC"]]}``: each span its start and end (character offsets
into the item's text, Unicode code points, end exclusive) and its label, widened to whole
tokens (``annotation.aggregation.spans.tokens``: runs of word characters, and each other
non-space character alone), sorted, repeats dropped; nothing tagged is ``{"spans":[]}``.

A gold cell may also be written ``PER:0-6; LOC:17-29`` (label, start, end). Refused, each
with its ``ErrorCode``: more than 200 spans (``TOO_MANY_MARKS``), a label the spec does not
name (``UNKNOWN_CLASS``), offsets outside the text or a span ending before it starts
(``SPAN_OUT_OF_TEXT``), two spans sharing a token where the spec does not allow overlaps
(``SPANS_OVERLAP``), an empty answer where "Nothing to mark" is not offered (``NO_MARKS``),
and anything else that is not this JSON (``MARKS_MALFORMED``). A span of white space only
is dropped.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence

from annotation.aggregation.spans import Span, SpanConsensus, consensus_spans, snap
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.marks import MAX_RAW, class_of, dump, parse_object, rules
from annotation.models import MarkRules, ProjectSpec

EMPTY = '{"spans":[]}'
MAX_SPANS = 200
_FRIENDLY = re.compile(r"^\s*(.+?)\s*:\s*(\d{1,9})\s*-\s*(\d{1,9})\s*$")


def read_spans(spec: ProjectSpec, text: str, raw: str) -> tuple[Span, ...]:
    """Return the spans a value gives about ``text``, checked and snapped to tokens, or
    raise ``AnswerRejected``."""
    entries = _friendly(raw) if not raw.lstrip().startswith("{") else \
        parse_object(raw, ("spans",))["spans"]
    if len(entries) > MAX_SPANS:
        raise AnswerRejected(ErrorCode.TOO_MANY_MARKS, limit=MAX_SPANS)
    given = [_span(spec, text, entry) for entry in entries]
    spans = snap(text, given)
    marks = rules(spec)
    if not marks.overlapping:
        reach = 0
        for span in spans:
            if span.start < reach:  # the words shared: from its start to the reach so far
                shared = Span(span.start, min(reach, span.end), span.label)
                raise AnswerRejected(ErrorCode.SPANS_OVERLAP, words=surface(text, shared))
            reach = max(reach, span.end)
    if not spans and not marks.nothing:
        raise AnswerRejected(ErrorCode.NO_MARKS)
    return tuple(spans)


def dump_spans(spans: Sequence[Span]) -> str:
    """Return spans as the canonical JSON (sorted as given)."""
    return dump({"spans": [[s.start, s.end, s.label] for s in spans]})


def spans_of(value: str) -> tuple[Span, ...]:
    """Return the spans of a canonical value (trusted: it was checked when recorded)."""
    data = json.loads(value) if value else {}
    return tuple(Span(start, end, label) for start, end, label in data.get("spans", ()))


def span_consensus(text: str, answers: Mapping[str, Sequence[Span]], marks: MarkRules
                   ) -> SpanConsensus:
    """Return the consensus of the annotators' spans of one text."""
    return consensus_spans(text, answers, overlapping=marks.overlapping)


def consensus_confidence(found: SpanConsensus, answers: Mapping[str, Sequence[Span]]
                         ) -> float:
    """Return the mean confidence of the consensus spans; with none, the share of
    annotators who tagged nothing."""
    if found.spans:
        return math.fsum(c.confidence for c in found.spans) / len(found.spans)
    return sum(1 for spans in answers.values() if not spans) / max(1, len(answers))


def surface(text: str, span: Span, limit: int = 40) -> str:
    """Return the words a span covers, shortened to ``limit`` characters."""
    words = " ".join(text[span.start:span.end].split())
    return words if len(words) <= limit else words[:limit - 1] + "…"


def _friendly(raw: str) -> list[object]:
    """Return the entries of ``PER:0-6; LOC:17-29`` as the JSON form gives them."""
    if len(raw) > MAX_RAW or not raw.strip():
        raise AnswerRejected(ErrorCode.MARKS_MALFORMED)
    entries: list[object] = []
    for piece in raw.split(";"):
        if not piece.strip():
            continue
        found = _FRIENDLY.match(piece)
        if found is None:
            raise AnswerRejected(ErrorCode.MARKS_MALFORMED)
        entries.append([int(found[2]), int(found[3]), found[1]])
    return entries


def _span(spec: ProjectSpec, text: str, value: object) -> Span:
    if not isinstance(value, list) or len(value) != 3:
        raise AnswerRejected(ErrorCode.MARKS_MALFORMED)
    start, end, label = value
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise AnswerRejected(ErrorCode.MARKS_MALFORMED)
    assert isinstance(start, int) and isinstance(end, int)
    name = class_of(label, spec)
    if not 0 <= start < end <= len(text):
        raise AnswerRejected(ErrorCode.SPAN_OUT_OF_TEXT, start=start, end=end,
                             length=len(text))
    return Span(start, end, name)
