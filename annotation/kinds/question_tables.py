"""What a several-question project exports beside its labels.

- ``questions/labels``: one row per item and part (the question's key, and the response's
  id for a question asked of each), with its aggregated label, confidence, agreement,
  votes and gold;
- ``questions/long``: every accepted answer, one row per part;
- the comparison question's and the rating questions' own tables, as their kinds write
  them (``preferences/``; ``ratings/`` with one ``dimension`` per question and the
  response rated as ``candidate_id``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from annotation.datasets.records import ExportTable, KindItem, KindVote
from annotation.kinds.comparison import Comparison
from annotation.kinds.question_parts import (
    PART_KINDS,
    Part,
    all_parts,
    labels_of,
    part_detail,
)
from annotation.models import ProjectSpec

LABEL_FIELDS = ("item_id", "question", "candidate_id", "label", "confidence", "agreement",
                "answers", "votes", "gold")
LONG_FIELDS = ("item_id", "annotator", "question", "candidate_id", "label")


def question_tables(spec: ProjectSpec, items: Sequence[KindItem]) -> list[ExportTable]:
    """Return the project's own tables (see the module docstring)."""
    parts = all_parts(spec)
    rows, long = [], []
    for entry in items:
        ids = candidate_ids(entry.payload)
        for part in parts:
            found = entry.labelled.parts.get(part.key)
            candidate = ids[part.side] if ids and part.side is not None else None
            if found is not None:
                rows.append({"item_id": found.item_id, "question": part.question.key,
                             "candidate_id": candidate, "label": found.label,
                             "confidence": round(found.confidence, 6),
                             "agreement": round(found.agreement, 6),
                             "answers": found.answers, "votes": dict(found.votes),
                             "gold": found.gold})
        for vote in entry.votes:
            labels = labels_of(vote.label)
            long += [{"item_id": entry.labelled.item_id, "annotator": vote.annotator,
                      "question": part.question.key,
                      "candidate_id": ids[part.side] if ids and part.side is not None
                      else None, "label": labels.get(part.key)} for part in parts]
    tables = [ExportTable("questions/labels", LABEL_FIELDS, tuple(rows)),
              ExportTable("questions/long", LONG_FIELDS, tuple(long))]
    return tables + _part_tables(parts, items)


def candidate_ids(payload: str) -> tuple[str, str] | None:
    """Return the ids of a comparison's two responses, in the item's order (None: not a
    comparison)."""
    if not payload:
        return None
    comparison = Comparison.from_json(payload)
    return comparison.first.id, comparison.second.id


def _part_tables(parts: Sequence[Part], items: Sequence[KindItem]) -> list[ExportTable]:
    """Return the comparison's tables and the ratings' (one dimension per question, and
    the response it is about for a question asked of each) as their own kinds write them."""
    ids = {entry.labelled.item_id: candidate_ids(entry.payload) for entry in items}
    merged: dict[str, ExportTable] = {}
    for part in parts:
        own = PART_KINDS[part.question.answer_type]
        if not own.own_tables:
            continue
        narrowed = replace(part.spec, name=part.question.key)
        part_items = [found for entry in items
                      if (found := _part_item(entry, part)) is not None]
        for table in own.export(narrowed, part_items):
            fields, rows = table.fields, table.rows
            if part.side is not None:
                fields = (*fields, "candidate_id")
                rows = tuple({**row, "candidate_id": _candidate(ids, row, part.side)}
                             for row in rows)
            known = merged.get(table.name)
            if known is not None:
                fields = tuple(dict.fromkeys((*known.fields, *fields)))
                rows = known.rows + rows
            merged[table.name] = replace(table, fields=fields, rows=tuple(
                {field: row.get(field) for field in fields} for row in rows))
    return list(merged.values())


def _part_item(entry: KindItem, part: Part) -> KindItem | None:
    found = entry.labelled.parts.get(part.key)
    if found is None:
        return None
    votes = tuple(KindVote(v.annotator, label, part_detail(v.detail, part.key))
                  for v in entry.votes
                  if (label := labels_of(v.label).get(part.key)) is not None)
    return KindItem(found, entry.payload, votes)


def _candidate(ids: Mapping[str, tuple[str, str] | None], row: Mapping[str, object],
               side: int) -> str | None:
    pair = ids.get(str(row.get("item_id")))
    return pair[side] if pair is not None else None
