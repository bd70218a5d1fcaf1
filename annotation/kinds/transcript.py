"""Transcript: the annotator types exactly what an item says (an audio clip, usually).

The task shows the item with a note, *Type exactly what you hear.*; there are no answer
buttons. The answer's value is the text as typed, trimmed, its white space folded and in
Unicode NFC: nothing else is changed, so what was typed is never lost (case, punctuation
and numbers stay as written). Comparison happens on normalized text
(``annotation.aggregation.transcripts.normalize_transcript``: case, punctuation, spaces,
and numbers as the spec's ``case``, ``punctuation`` and ``numbers`` say), the same
everywhere: the gold CER, the consensus, the agreement figures of the export and the
quality rule's agreement (:meth:`TranscriptKind.agreement`).

Spec keys (all optional):

- ``max_cer`` (0 to 1, default 0.15): the gold bar. An answer to a gold item is right when
  its character error rate (CER) against the gold transcript, both normalized, is at most
  this; so the gold rule, the exam and training feedback (which shows the gold transcript)
  work by CER. 0.15 keeps 96% of careful typists and no careless one in the benchmark
  (docs/AGGREGATION.md, "Transcripts").
- ``numbers`` (``as_written``, default, or ``separate``): ``separate`` puts a space between
  digits and letters before comparing ("3km" = "3 km").
- ``case`` (``fold``, default, or ``keep``): ``keep`` compares case as typed, and the
  consensus keeps it ("Antananarivo" and "antananarivo" differ by one character).
- ``punctuation`` (``strip``, default, or ``keep``): ``keep`` compares punctuation as
  typed, and the consensus keeps it (only the white space is folded).
- ``consensus`` (``rover``, default, or ``medoid``): ``medoid`` makes each item's label
  the transcript closest to the others, one that somebody typed; ROVER combines them word
  by word and was right more often in the benchmark (docs/AGGREGATION.md).

Aggregation (``VoteModel.TRANSCRIPT``, ``annotation.datasets.labels``): ROVER, the
benchmark's winner (or the medoid, as ``consensus`` says), over each item's normalized
transcripts; each annotator weighs
``(passed + 0.5) / (gold answers + 1)`` from their answers to gold items in the project
(:func:`transcript_weights`; 0.5 for everyone without gold answers, so a project without
gold weighs everyone equally). Weighting cut the consensus's WER from 0.103 to 0.071 with
three transcripts per item in the benchmark, and costs one pass over the answers. The
item's label is the normalized consensus, its confidence ROVER's mean winner share, its
agreement ``1 - mean pairwise WER`` (clamped at 0; 1.0 with a single transcript, as a
single vote is for every kind) and its ``spread`` the mean pairwise WER itself (None under
two transcripts).

The export adds (``transcript_tables``)::

    tables/transcripts/items.csv, .jsonl   per item: consensus, confidence, answers,
                                            pairwise WER and CER, gold and its CER
    huggingface/transcripts/items/          the same with a card
    tables/transcripts/long.csv, .jsonl    every transcript: as typed, normalized, and its
                                            CER against the consensus
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum

from annotation.aggregation.edit_distance import levenshtein
from annotation.aggregation.transcripts import (
    DEFAULT_CONSENSUS,
    DEFAULT_GOLD_CER_BAR,
    CasePolicy,
    ConsensusMethod,
    NumberPolicy,
    PunctuationPolicy,
    TranscriptSettings,
    agrees_with_others,
    consensus_transcript,
    gold_cer,
    normalize_transcript,
    transcript_correct,
)
from annotation.answers import normalize_text
from annotation.datasets.records import ExportTable, KindItem
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.base import (
    Block,
    BlockStyle,
    PhraseCode,
    SpecReader,
    Turn,
    VoteModel,
)
from annotation.kinds.free import TypedKind
from annotation.models import ProjectSpec, Scale
from annotation.quality.agreement import MIN_OTHERS, WHOLE

CER_BOUNDS = (0.0, 1.0)
# the keys naming a policy, each read as its enum's values (``Scale`` has a field of each)
POLICIES: Mapping[str, type[StrEnum]] = {
    "numbers": NumberPolicy, "case": CasePolicy, "punctuation": PunctuationPolicy,
    "consensus": ConsensusMethod}
ITEM_FIELDS = ("item_id", "consensus", "confidence", "answers", "pairwise_wer", "pairwise_cer",
               "gold", "gold_cer")
LONG_FIELDS = ("item_id", "annotator", "text", "normalized", "cer_to_consensus")
NO_GOLD_WEIGHT = 0.5  # (0 + 0.5) / (0 + 1): an annotator with no gold answer yet


class TranscriptKind(TypedKind):
    """A typed answer (``TypedKind``: a note, a text area in Label Studio) of what the item
    says, checked against gold by CER and aggregated by ROVER (or the medoid)."""

    own_tables = True
    spec_keys: tuple[str, ...] = ("max_cer", "numbers", "case", "punctuation", "consensus")

    def __init__(self) -> None:
        super().__init__("transcript", PhraseCode.TYPE_TRANSCRIPT, VoteModel.TRANSCRIPT)

    def read_scale(self, reader: SpecReader) -> Scale | None:
        """Read the gold bar, the normalization and the consensus method (all optional;
        an unknown value is refused with the values allowed)."""
        if not any(reader.has(key) for key in self.spec_keys):
            return None
        bar = reader.number("max_cer", DEFAULT_GOLD_CER_BAR, CER_BOUNDS) \
            if reader.has("max_cer") else None
        policies = {key: str(value) for key, policy in POLICIES.items()
                    if reader.has(key) and (value := reader.enum(key, policy, None))}
        return Scale(points=0, labels=(), max_cer=bar, numbers=policies.get("numbers"),
                     case=policies.get("case"), punctuation=policies.get("punctuation"),
                     consensus=policies.get("consensus"))

    def scale_toml(self, scale: Scale, quote: Callable[[str], str]) -> list[str]:
        """Write the keys the spec set."""
        lines = [] if scale.max_cer is None else [f"max_cer = {float(scale.max_cer)!r}"]
        return lines + [f"{key} = {quote(value)}" for key in POLICIES
                        if (value := getattr(scale, key)) is not None]

    def export(self, spec: ProjectSpec, items: Sequence[KindItem]) -> Sequence[ExportTable]:
        """Return the per-item consensus with its agreement, and every transcript."""
        return transcript_tables(spec, items)

    def answer_blocks(self, turn: Turn, value: str) -> tuple[Block, ...]:
        """Return a transcript quoted (the gold one, in training feedback)."""
        return (Block(value, BlockStyle.QUOTE),)

    def typed(self, spec: ProjectSpec, raw: str) -> str:
        """Return the transcript as typed, trimmed and its white space folded."""
        text = normalize_text(raw)
        if not text:
            raise AnswerRejected(ErrorCode.EMPTY_ANSWER)
        return text

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Return a gold transcript as a typed one."""
        return self.typed(spec, raw)

    def is_correct(self, spec: ProjectSpec, value: str, gold: str) -> bool:
        """Return whether the answer's CER against the gold, both normalized, is within
        the spec's bar."""
        return transcript_correct(gold_cer(gold, value, transcript_settings(spec)),
                                  max_cer(spec))

    def agreement(self, spec: ProjectSpec, value: str, others: Sequence[str]
                  ) -> Mapping[str, bool]:
        """Return whether a transcript agrees with the others of its item: its CER against
        their consensus (the project's method and normalization) is within the gold bar;
        nothing with fewer than two others or when they disagree among themselves."""
        if len(others) < MIN_OTHERS:
            return {}
        found = agrees_with_others(value, others, transcript_settings(spec),
                                   method=consensus_method(spec), bar=max_cer(spec))
        return {} if found is None else {WHOLE: found}


def transcript_settings(spec: ProjectSpec) -> TranscriptSettings:
    """Return how a project's transcripts are normalized before they are compared."""
    scale = spec.scale
    numbers = scale.numbers if scale is not None else None
    return TranscriptSettings(
        fold_case=scale is None or scale.case != CasePolicy.KEEP,
        strip_punctuation=scale is None or scale.punctuation != PunctuationPolicy.KEEP,
        numbers=NumberPolicy(numbers or NumberPolicy.AS_WRITTEN))


def consensus_method(spec: ProjectSpec) -> ConsensusMethod:
    """Return how a project's transcripts of one item become one (ROVER by default)."""
    method = spec.scale.consensus if spec.scale is not None else None
    return ConsensusMethod(method or DEFAULT_CONSENSUS)


def max_cer(spec: ProjectSpec) -> float:
    """Return the project's gold bar: the highest CER a right answer may have."""
    bar = spec.scale.max_cer if spec.scale is not None else None
    return DEFAULT_GOLD_CER_BAR if bar is None else bar


def transcript_weights(graded: Iterable[tuple[str, bool]]) -> dict[str, float]:
    """Return each annotator's weight, ``(passed + 0.5) / (gold + 1)``, from their gold
    answers graded right or wrong (annotator, right); the absent weigh ``NO_GOLD_WEIGHT``."""
    passed: dict[str, int] = {}
    given: dict[str, int] = {}
    for annotator, right in graded:
        given[annotator] = given.get(annotator, 0) + 1
        passed[annotator] = passed.get(annotator, 0) + right
    return {a: (passed[a] + 0.5) / (given[a] + 1) for a in given}


def agreement_of(pairwise_wer: float | None, answers: int) -> float:
    """Return an item's agreement: 1 - mean pairwise WER (clamped at 0), 1.0 for a single
    transcript, 0.0 for none."""
    if answers == 0:
        return 0.0
    return 1.0 if pairwise_wer is None else max(0.0, 1.0 - pairwise_wer)


def transcript_tables(spec: ProjectSpec, items: Sequence[KindItem]) -> list[ExportTable]:
    """Return the transcript project's own tables (see the module docstring)."""
    settings = transcript_settings(spec)
    method = consensus_method(spec)
    rows: list[dict[str, object]] = []
    long: list[dict[str, object]] = []
    for entry in items:
        item = entry.labelled
        consensus = item.label
        normalized = [normalize_transcript(vote.label, settings) for vote in entry.votes]
        found = consensus_transcript(normalized, method=method) if normalized else None
        rows.append({
            "item_id": item.item_id, "consensus": consensus,
            "confidence": round(item.confidence, 6), "answers": len(normalized),
            "pairwise_wer": _rounded(found.pairwise_wer if found else None),
            "pairwise_cer": _rounded(found.pairwise_cer if found else None),
            "gold": item.gold,
            "gold_cer": _rounded(gold_cer(item.gold, consensus, settings))
            if item.gold is not None and consensus is not None else None})
        for vote, text in zip(entry.votes, normalized, strict=True):
            long.append({"item_id": item.item_id, "annotator": vote.annotator,
                         "text": vote.label, "normalized": text,
                         "cer_to_consensus": _rounded(
                             levenshtein(consensus, text) / max(len(consensus), 1))
                         if consensus is not None else None})
    return [ExportTable("transcripts/items", ITEM_FIELDS, tuple(rows),
                        _card(spec, rows)),
            ExportTable("transcripts/long", LONG_FIELDS, tuple(long))]


def _rounded(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 6)


def _card(spec: ProjectSpec, rows: Sequence[dict[str, object]]) -> str:
    """Return the Hugging Face card of the per-item consensus transcripts."""
    wers = [w for w in (row["pairwise_wer"] for row in rows) if isinstance(w, float)]
    spread = (f"Mean inter-annotator WER over items with two transcripts or more: "
              f"{sum(wers) / len(wers):.3f}." if wers else "")
    settings = transcript_settings(spec)
    folded = ", ".join([*(["case"] if settings.fold_case else []),
                        *(["punctuation"] if settings.strip_punctuation else []), "spaces"])
    combined = ("combined word by word with ROVER" if consensus_method(spec)
                is ConsensusMethod.ROVER else "reduced to their medoid (the transcript "
                "closest to the others)")
    return "\n".join([
        "---", 'configs: [{"config_name": "default", "data_files": '
        '[{"split": "train", "path": "data.jsonl"}]}]',
        'tags: ["transcription", "speech", "crowdsourcing", "annobot"]', "---", "",
        f"# {spec.name}: transcripts", "",
        f"{len(rows)} items transcribed by annotators on Telegram with annobot. Each "
        f"transcript was normalized ({folded} folded; numbers "
        f"{settings.numbers.value.replace('_', ' ')}), then {combined}, each annotator "
        f"weighted by their gold transcripts. {spread}", "",
        "- `consensus`: the normalized consensus; `confidence`: the mean share of weight "
        "behind each of its words.",
        "- `pairwise_wer`, `pairwise_cer`: mean word and character error rates between "
        "two transcripts of the item (agreement: lower is better).",
        "- `gold`, `gold_cer`: the known transcript of a gold item and the consensus's "
        "CER against it.",
        "- Every transcript as typed: `tables/transcripts/long`.", ""])
