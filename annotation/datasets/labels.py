"""From answers to one labelled row per item, with the method the project's spec names.

Votes are collected one answer at a time into compact integer columns (a million answers
cost a few megabytes, not a million objects), then aggregated in one call:
- single choice and yes/no: the spec's method (majority, weighted, Dawid-Skene, one-coin);
- multiple choice: each option aggregated as yes/no; the label is the set of options whose
  probability is at least one half, its confidence the product of each option's
  probability of the decision taken (options treated as independent);
- free text: normalized plurality (the most common spelling of the largest group);
- transcripts: ROVER (or the medoid, as the spec's ``consensus`` says) over the
  normalized transcripts, each annotator weighted by their gold transcripts
  (``annotation.kinds.transcript``): the label is the consensus, its
  agreement 1 - mean pairwise WER, its ``spread`` that WER; the dataset's alpha and
  percent agreement compare normalized transcripts as whole labels;
- numbers: the median, with the median absolute deviation as ``spread``; confidence and
  agreement are the share of answers within one spread of the median (exact match when
  the spread is 0);
- a kind that aggregates its own values (``VoteModel.OWN``: boxes, spans): its
  ``TaskKind.aggregate`` decides each item; the method reads ``<kind>_consensus``.
Answers excluded by quality control are never passed in. Items nobody answered keep
``label=None`` and confidence 0.
"""

from __future__ import annotations

import dataclasses
import json
import math
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from annotation.aggregation import (
    AnnotatorSkill,
    EncodedVotes,
    Method,
    aggregate_arrays,
    encode_arrays,
)
from annotation.aggregation.agreement import (
    krippendorff_alpha_tallies,
    percent_agreement_tallies,
)
from annotation.aggregation.multi import aggregate_multi
from annotation.aggregation.numbers import aggregate_numbers
from annotation.aggregation.text import aggregate_text
from annotation.aggregation.transcripts import aggregate_transcripts, normalize_transcript
from annotation.answers import MULTI_SEPARATOR, split_choices
from annotation.datasets.huggingface import media_file_name
from annotation.datasets.records import LabeledItem
from annotation.kinds.base import VoteModel
from annotation.kinds.registry import kind_of
from annotation.kinds.transcript import (
    NO_GOLD_WEIGHT,
    agreement_of,
    consensus_method,
    transcript_settings,
    transcript_weights,
)
from annotation.models import ProjectSpec
from annotation.records import ItemTally, ProjectSnapshot

FREE_METHOD = {VoteModel.TEXT: "plurality", VoteModel.NUMBER: "median", VoteModel.NONE: "none",
               VoteModel.TRANSCRIPT: "rover"}
OWN_METHOD = "consensus"  # a kind's own aggregation: the method is "<kind>_consensus"


class VoteCollector:
    """Accumulates the accepted answers of one project, then labels every item."""

    def __init__(self, spec: ProjectSpec, items: Sequence[ItemTally]) -> None:
        self._spec = spec
        self._votes = kind_of(spec).votes
        self._items = list(items)
        self._index = {tally.external_id: i for i, tally in enumerate(self._items)}
        self._labels = {label: k for k, label in enumerate(spec.labels)}
        self._annotators: dict[int, int] = {}
        self._item_col = array("l")
        self._annotator_col = array("l")
        self._label_col = array("l")
        self._free: list[tuple[str, str, str]] = []
        self._counts: list[Counter[str]] = [Counter() for _ in self._items]

    @property
    def answers(self) -> int:
        """Return how many answers were collected."""
        return sum(sum(c.values()) for c in self._counts)

    @property
    def annotators(self) -> int:
        """Return how many distinct annotators gave the collected answers."""
        return len(self._annotators)

    def agreement(self) -> tuple[float | None, float | None]:
        """Return Krippendorff's alpha and percent agreement (None when undefined)."""
        counts = (self._normalized_counts() if self._votes is VoteModel.TRANSCRIPT
                  else self._counts)
        alpha = krippendorff_alpha_tallies(counts)
        agreement = percent_agreement_tallies(counts)
        return (None if math.isnan(alpha) else alpha,
                None if math.isnan(agreement) else agreement)

    def add(self, item_id: str, annotator_id: int, value: str) -> None:
        """Collect one accepted answer."""
        i = self._index[item_id]
        self._counts[i][value] += 1
        a = self._annotators.setdefault(annotator_id, len(self._annotators))
        if self._votes is VoteModel.CATEGORICAL:
            self._item_col.append(i)
            self._annotator_col.append(a)
            self._label_col.append(self._labels[value])
        else:
            self._free.append((item_id, str(a), value))

    def label_items(self) -> list[LabeledItem]:
        """Aggregate everything collected into one labelled row per item."""
        decide = {VoteModel.CATEGORICAL: self._categorical, VoteModel.MULTI: self._multi,
                  VoteModel.TEXT: self._text, VoteModel.NUMBER: self._numbers,
                  VoteModel.NONE: self._none, VoteModel.TRANSCRIPT: self._transcripts,
                  VoteModel.OWN: self._own}
        decided = decide[self._votes]()
        method = FREE_METHOD.get(self._votes, self._spec.aggregation)
        if self._votes is VoteModel.TRANSCRIPT:  # ROVER or the medoid, as the spec says
            method = str(consensus_method(self._spec))
        if self._votes is VoteModel.OWN:
            method = f"{self._spec.answer_type}_{OWN_METHOD}"
        rows = []
        for i, tally in enumerate(self._items):
            label, confidence, agreement, spread = decided[i]
            media = (media_file_name(tally.external_id, tally.media_filename)
                     if tally.media_filename else None)
            rows.append(LabeledItem(
                item_id=tally.external_id, kind=tally.kind, text=tally.text, media_file=media,
                gold=tally.gold_answer, label=label, confidence=confidence,
                answers=sum(self._counts[i].values()), agreement=agreement,
                votes=dict(self._counts[i].most_common()), method=method, spread=spread,
                payload=tally.payload,
            ))
        return rows

    def skills(self) -> LiveSkills:
        """Return the annotators' skills and the class prior from a Dawid-Skene fit."""
        posterior = aggregate_arrays(self._encoded(), method=Method.DAWID_SKENE)
        answered = np.bincount(np.frombuffer(self._annotator_col, dtype=np.int_)
                               if self._annotator_col else np.zeros(0, dtype=np.int_),
                               minlength=max(1, len(self._annotators)))
        skills: dict[str, AnnotatorSkill] = {}
        for annotator, a in self._annotators.items():
            confusion = None
            if posterior.confusion is not None:
                confusion = tuple(tuple(row) for row in posterior.confusion[a].tolist())
            skills[str(annotator)] = AnnotatorSkill(
                str(annotator), float(posterior.annotator_accuracy[a]), int(answered[a]),
                confusion)
        answered_items = posterior.probabilities.sum(axis=1) > 0
        prior = (posterior.probabilities[answered_items].mean(axis=0)
                 if answered_items.any() else np.full(len(self._spec.labels),
                                                      1.0 / max(1, len(self._spec.labels))))
        return LiveSkills(skills, tuple(float(p) for p in prior))

    def _encoded(self) -> EncodedVotes:
        return encode_arrays(
            np.frombuffer(self._item_col, dtype=np.int_) if self._item_col else [],
            np.frombuffer(self._annotator_col, dtype=np.int_) if self._annotator_col else [],
            np.frombuffer(self._label_col, dtype=np.int_) if self._label_col else [],
            n_items=len(self._items), n_annotators=max(1, len(self._annotators)),
            n_labels=len(self._spec.labels), gold_idx=self._gold_idx(),
        )

    def _gold_idx(self) -> list[int]:
        return [self._labels.get(t.gold_answer, -1) if t.gold_answer else -1
                for t in self._items]

    def _categorical(self) -> list[tuple[str | None, float, float, float | None]]:
        labels = self._spec.labels
        posterior = aggregate_arrays(self._encoded(), method=Method(self._spec.aggregation))
        decided: list[tuple[str | None, float, float, float | None]] = []
        for i, k in enumerate(posterior.label_idx.tolist()):
            if k < 0:
                decided.append((None, 0.0, 0.0, None))
                continue
            total = sum(self._counts[i].values())
            agreement = self._counts[i][labels[k]] / total if total else 0.0
            decided.append((labels[k], float(posterior.probabilities[i, k]), agreement, None))
        return decided

    def _multi(self) -> list[tuple[str | None, float, float, float | None]]:
        gold = {t.external_id: split_choices(t.gold_answer) for t in self._items
                if t.gold_answer is not None}
        method = Method(self._spec.aggregation)
        result = aggregate_multi(
            [(item, annotator, split_choices(value)) for item, annotator, value in self._free],
            options=self._spec.options, method=method,
            items=[t.external_id for t in self._items], gold=gold,
        )
        decided: list[tuple[str | None, float, float, float | None]] = []
        for i, tally in enumerate(self._items):
            found = result[tally.external_id]
            if found.options is None:
                decided.append((None, 0.0, 0.0, None))
                continue
            label = MULTI_SEPARATOR.join(o for o in self._spec.options if o in found.options)
            confidence = math.prod(
                p if option in found.options else 1.0 - p
                for option, p in found.probabilities.items()
            )
            total = sum(self._counts[i].values())
            agreement = self._counts[i][label] / total if total else 0.0
            decided.append((label, confidence, agreement, None))
        return decided

    def _own(self) -> list[tuple[str | None, float, float, float | None]]:
        """Let the kind decide each item from its own values (boxes, spans)."""
        found = kind_of(self._spec).aggregate(self._spec, self._free, self._items)
        return [(d.label, d.confidence, d.agreement, d.spread) for d in found]

    def _none(self) -> list[tuple[str | None, float, float, float | None]]:
        """Label nothing: each answer stands alone (recordings)."""
        return [(None, 0.0, 0.0, None) for _ in self._items]

    def _normalized_counts(self) -> list[Counter[str]]:
        settings = transcript_settings(self._spec)
        counts: list[Counter[str]] = [Counter() for _ in self._items]
        for item, _annotator, value in self._free:
            counts[self._index[item]][normalize_transcript(value, settings)] += 1
        return counts

    def _transcripts(self) -> list[tuple[str | None, float, float, float | None]]:
        kind, spec = kind_of(self._spec), self._spec
        gold = {t.external_id: t.gold_answer for t in self._items if t.gold_answer}
        weights = transcript_weights(
            (annotator, kind.is_correct(spec, value, gold[item]))
            for item, annotator, value in self._free if item in gold)
        result = aggregate_transcripts(
            self._free, method=consensus_method(spec), settings=transcript_settings(spec),
            weights=weights,
            default_weight=NO_GOLD_WEIGHT, items=[t.external_id for t in self._items])
        return [(found.text, found.confidence, agreement_of(found.pairwise_wer, found.answers),
                 found.pairwise_wer)
                for found in (result[t.external_id] for t in self._items)]

    def _text(self) -> list[tuple[str | None, float, float, float | None]]:
        result = aggregate_text(self._free, items=[t.external_id for t in self._items])
        return [
            (found.label, found.confidence, found.confidence, None)
            for found in (result[t.external_id] for t in self._items)
        ]

    def _numbers(self) -> list[tuple[str | None, float, float, float | None]]:
        values = [(item, annotator, float(value)) for item, annotator, value in self._free]
        result = aggregate_numbers(values, items=[t.external_id for t in self._items])
        by_item: dict[str, list[float]] = {}
        for item, _annotator, value in values:
            by_item.setdefault(item, []).append(value)
        decided: list[tuple[str | None, float, float, float | None]] = []
        for tally in self._items:
            found = result[tally.external_id]
            if found.median is None:
                decided.append((None, 0.0, 0.0, None))
                continue
            answers = by_item[tally.external_id]
            near = sum(1 for v in answers if abs(v - found.median) <= found.mad)
            share = near / len(answers)
            label = _format_number(found.median)
            decided.append((label, share, share, found.mad))
        return decided


class PartsCollector:
    """Accumulates answers that give several labels (several questions about one item):
    each part is collected and aggregated by its own kind, as a project of its own would
    be, and each item's row holds every part's row (``LabeledItem.parts``).

    The item's label is the parts' labels as JSON (None while any part has none), its
    confidence the lowest of theirs, its agreement their mean; the dataset's alpha and
    percent agreement are the mean over the parts that define them.
    """

    def __init__(self, spec: ProjectSpec, items: Sequence[ItemTally]) -> None:
        self._spec = spec
        self._kind = kind_of(spec)
        self._items = list(items)
        self._parts = {
            key: VoteCollector(part, [dataclasses.replace(
                tally, gold_answer=self._kind.split(spec, tally.gold_answer or "").get(key))
                for tally in self._items])
            for key, part in self._kind.parts(spec).items()}
        self._counts: dict[str, Counter[str]] = {t.external_id: Counter() for t in self._items}
        self._annotators: set[int] = set()

    @property
    def answers(self) -> int:
        """Return how many answers were collected."""
        return sum(sum(c.values()) for c in self._counts.values())

    @property
    def annotators(self) -> int:
        """Return how many distinct annotators gave the collected answers."""
        return len(self._annotators)

    def agreement(self) -> tuple[float | None, float | None]:
        """Return the mean over the parts of Krippendorff's alpha and percent agreement."""
        found = [collector.agreement() for collector in self._parts.values()]
        alphas = [a for a, _ in found if a is not None]
        shares = [p for _, p in found if p is not None]
        return (sum(alphas) / len(alphas) if alphas else None,
                sum(shares) / len(shares) if shares else None)

    def add(self, item_id: str, annotator_id: int, value: str) -> None:
        """Collect one accepted answer, each of its parts to its own collector."""
        self._counts[item_id][value] += 1
        self._annotators.add(annotator_id)
        for key, label in self._kind.split(self._spec, value).items():
            collector = self._parts.get(key)
            if collector is not None:
                collector.add(item_id, annotator_id, label)

    def label_items(self) -> list[LabeledItem]:
        """Aggregate every part and join them into one row per item."""
        by_part = {key: collector.label_items() for key, collector in self._parts.items()}
        rows = []
        for i, tally in enumerate(self._items):
            parts = {key: found[i] for key, found in by_part.items()}
            labelled = all(p.label is not None for p in parts.values()) and bool(parts)
            label = json.dumps({key: p.label for key, p in parts.items()},
                               separators=(",", ":")) if labelled else None
            media = (media_file_name(tally.external_id, tally.media_filename)
                     if tally.media_filename else None)
            rows.append(LabeledItem(
                item_id=tally.external_id, kind=tally.kind, text=tally.text, media_file=media,
                gold=tally.gold_answer, label=label,
                confidence=min((p.confidence for p in parts.values()), default=0.0)
                if labelled else 0.0,
                answers=sum(self._counts[tally.external_id].values()),
                agreement=sum(p.agreement for p in parts.values()) / max(1, len(parts)),
                votes=dict(self._counts[tally.external_id].most_common()),
                method=self._spec.aggregation, parts=parts))
        return rows


def collector_for(spec: ProjectSpec, items: Sequence[ItemTally]
                  ) -> VoteCollector | PartsCollector:
    """Return the collector of a project's answers: one label each, or several parts."""
    if kind_of(spec).parts(spec):
        return PartsCollector(spec, items)
    return VoteCollector(spec, items)


@dataclass(frozen=True, slots=True)
class LiveSkills:
    """What the last full Dawid-Skene run learned, for the live adaptive-overlap rule."""

    skills: Mapping[str, AnnotatorSkill]  # by annotator id (as text)
    prior: tuple[float, ...]  # class prior in the spec's label order


def live_skills(snapshot: ProjectSnapshot) -> LiveSkills:
    """Fit Dawid-Skene on a project's accepted answers: each annotator's confusion matrix
    and the class prior (choice questions only)."""
    spec = snapshot.project.spec
    collector = VoteCollector(dataclasses.replace(spec, aggregation=Method.DAWID_SKENE),
                              snapshot.items)
    for answer in snapshot.answers:
        if not answer.excluded:
            collector.add(answer.external_id, answer.annotator_id, answer.value)
    return collector.skills()


def _format_number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def label_distribution(items: Sequence[LabeledItem]) -> Mapping[str, int]:
    """Count items per aggregated label (items without a label left out)."""
    return dict(Counter(item.label for item in items if item.label is not None).most_common())


def label_snapshot(snapshot: ProjectSnapshot, method: str | None = None) -> list[LabeledItem]:
    """Label every item of a snapshot from its accepted answers (``method``: the spec's)."""
    spec = snapshot.project.spec
    if method is not None:
        spec = dataclasses.replace(spec, aggregation=method)
    collector = collector_for(spec, snapshot.items)
    for answer in snapshot.answers:
        if not answer.excluded:
            collector.add(answer.external_id, answer.annotator_id, answer.value)
    return collector.label_items()
