"""The task-kind seam: what every kind of task supplies, and the values it speaks in.

A kind (single choice, multiple choice, yes/no, text, number, pairwise comparison,
rating…) is one module in ``annotation/kinds/`` holding one object that satisfies
:class:`TaskKind`, listed once in ``annotation/kinds/registry.py``. The loop
(``annotation.loop.tasks``), the rendering (``handlers/task_view.py``), gold checking and
the imports call kinds only through this protocol and never switch on a kind's name.

How a task is answered, in the kind's own terms:

- every button carries a small integer ``code`` the kind chose; a press returns a
  :class:`Step`: either the task's new *draft* (the task stays on screen: a toggled
  option, one question of several answered) or the *final* canonical value to record;
- a typed answer is canonicalized by :meth:`TaskKind.typed` (kinds answered with buttons
  refuse it with ``USE_BUTTONS``);
- the draft is a string the kind alone reads (storage keeps it on the assignment), so a
  task half answered survives a restart.

What a task looks like is a :class:`TaskLayout`: blocks of text and rows of buttons. Texts
are either written by the coordinator or the items file (``str``, shown as written) or a
:class:`Phrase`: a code the handlers translate (``handlers/phrases.py``), since the domain
holds no user text. Those values live in ``annotation.kinds.layout`` and are re-exported
here, so a kind imports its whole seam from this module.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

from annotation.datasets.records import ExportFile, ExportTable, KindItem, LabeledItem
from annotation.kinds.layout import (
    BACK_CODE,
    DONE_CODE,
    MESSAGE_LIMIT,
    QUESTION_RESERVE,
    Block,
    BlockStyle,
    Button,
    Phrase,
    PhraseCode,
    TaskLayout,
    Text,
    candidate_blocks,
    message_need,
    message_room,
)
from annotation.models import (
    AnnotatorId,
    Item,
    LocalizedText,
    MediaKey,
    MediaKind,
    ProjectSpec,
    Scale,
)
from annotation.records import ItemTally


class VoteModel(StrEnum):
    """How a kind's labels are aggregated across annotators."""

    CATEGORICAL = "categorical"  # one of the spec's labels: Dawid-Skene and its peers
    MULTI = "multi"  # a set of options: each option a yes/no question
    TEXT = "text"  # free text: normalized plurality
    NUMBER = "number"  # numbers: the median
    NONE = "none"  # each answer stands alone (a recording): no consensus label
    TRANSCRIPT = "transcript"  # typed transcripts: ROVER over normalized words
    OWN = "own"  # the kind aggregates its own values (``TaskKind.aggregate``: boxes, spans)


@dataclass(frozen=True, slots=True)
class Step:
    """What a press did: a new draft (the task stays) or the final value to record, with
    the kind's detail beside it (``Answer.detail``)."""

    draft: str | None = None
    final: str | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        if (self.draft is None) == (self.final is None):
            raise ValueError("a step is either a draft or a final value")


@dataclass(frozen=True, slots=True)
class Turn:
    """One annotator facing one item: what a kind needs to show or read a press."""

    spec: ProjectSpec
    item: Item
    annotator_id: AnnotatorId
    draft: str
    language: str = "en"

    @property
    def swapped(self) -> bool:
        """Return whether this annotator sees an item's two candidates in reverse order.

        Decided per annotator and item from a hash (stable across restarts, about half
        the pairs each way), recorded in every answer (``annotation.kinds.pairwise``).
        """
        digest = hashlib.sha256(f"{self.annotator_id}:{self.item.id}".encode()).digest()
        return bool(digest[0] & 1)

    def order(self, count: int) -> tuple[int, ...]:
        """Return the screen order of an item's ``count`` candidates for this annotator (as
        indices in the item's order), drawn per annotator and item like ``swapped``."""
        seed = hashlib.sha256(f"{self.annotator_id}:{self.item.id}:order".encode()).digest()
        order = list(range(count))
        random.Random(int.from_bytes(seed[:8], "big")).shuffle(order)
        return tuple(order)


class ItemFault(StrEnum):
    """What a kind finds wrong with an item's own cells (intake reports it)."""

    MISSING = "missing"  # a cell the kind needs is empty
    NOT_APPLICABLE = "not_applicable"  # a cell this project's kind does not read
    TOO_LONG = "too_long"  # the item cannot be shown whole in one message
    MIXED = "mixed"  # text candidates beside image ones: one item compares one sort
    WRONG_MEDIA = "wrong_media"  # an item the kind cannot ask about (a text to draw on)
    BAD_LANGUAGE = "bad_language"  # a language cell that is no BCP 47 tag (a recording's)


@dataclass(frozen=True, slots=True)
class ItemCheck:
    """A kind's reading of an item's own cells: its payload, or what is wrong."""

    payload: str = ""
    faults: tuple[tuple[ItemFault, str, int, int], ...] = ()  # fault, column, length, limit
    # the files the candidates are (column, path), in the item's order: two images or two
    # clips; intake prepares each and composes them (``annotation.media.pairs``, side by
    # side; ``annotation.media.audio_pairs``, one after the other), then ``with_media``
    media: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CandidateMedia:
    """What intake made of an item's candidate files (``ItemCheck.media``): each one's
    prepared image or clip, and the photo or voice note showing them in the reverse order
    (the item's own media shows them in the item's order)."""

    files: tuple[MediaKey, ...]
    reversed: MediaKey
    suffixes: tuple[str, ...] = ()  # audio: each clip's file suffix (".ogg")
    second_at: tuple[float, float] | None = None  # audio: where B starts, in each order


@dataclass(frozen=True, slots=True)
class Decided:
    """What a kind's own aggregation decided about one item (``TaskKind.aggregate``)."""

    label: str | None  # the consensus's canonical value; None: nobody answered
    confidence: float
    agreement: float
    spread: float | None = None


_E = TypeVar("_E", bound=StrEnum)


class SpecReader(Protocol):
    """The spec reader a kind reads its own keys with (``annotation.intake.spec_fields``)."""

    def integer(self, field: str, default: int, bounds: tuple[int, int]) -> int:
        """Read an integer within inclusive bounds."""
        ...

    def flag(self, field: str, default: bool) -> bool:
        """Read a boolean."""
        ...

    def number(self, field: str, default: float, bounds: tuple[float, float] | None) -> float:
        """Read a number within inclusive bounds."""
        ...

    def has(self, field: str) -> bool:
        """Return whether the spec gives ``field``."""
        ...

    def enum(self, field: str, kind: type[_E], default: _E | None) -> _E | None:
        """Read one of an enum's values (required when ``default`` is None)."""
        ...

    def text(self, field: str, *, limit: int, required: bool) -> str | None:
        """Read a stripped, non-empty string of at most ``limit`` characters."""
        ...

    def localized(self, field: str, *, limit: int, required: bool) -> LocalizedText | None:
        """Read a text in one or more languages."""
        ...

    def language_tag(self, field: str) -> str | None:
        """Read an optional BCP 47 language tag (``mg``, ``mg-MG``), in its usual case."""
        ...

    def names(self, field: str, *, limit: int, bounds: tuple[int, int]) -> tuple[str, ...]:
        """Read a required list of distinct short names (a kind's classes)."""
        ...


class TaskKind(Protocol):
    """What a kind of task supplies to the loop, the rendering and gold checking."""

    name: str
    accepts_typed: bool  # answered by a message (text, number) rather than buttons
    accepts_voice: bool  # answered by a voice message (a recording)
    paid_on_review: bool  # an answer earns once another project's checks accept it (``review``)
    own_tables: bool  # adds tables of its own to exports (``export``)
    votes: VoteModel  # how its labels are aggregated
    spec_keys: tuple[str, ...]  # the spec's top-level keys only this kind reads
    item_columns: tuple[str, ...]  # the items file's columns only this kind reads

    def read_scale(self, reader: SpecReader) -> Scale | None:
        """Read the kind's own spec keys (None: the kind has no scale)."""
        ...

    def scale_toml(self, scale: Scale, quote: Callable[[str], str]) -> list[str]:
        """Write the kind's own spec keys back as TOML lines (``quote`` makes a string)."""
        ...

    def check_item(self, spec: ProjectSpec, cells: Mapping[str, str]) -> ItemCheck:
        """Read an item's own cells into its payload, or say what is wrong."""
        ...

    def with_media(self, payload: str, media: CandidateMedia) -> str:
        """Return the payload recording the candidate images intake prepared."""
        ...

    def media_key(self, turn: Turn) -> MediaKey | None:
        """Return the media a turn shows (the item's own, or one the payload names)."""
        ...

    def export(self, spec: ProjectSpec, items: Sequence[KindItem]) -> Sequence[ExportTable]:
        """Return the kind's own tables (preference pairs, ratings), none for most kinds."""
        ...

    def label_studio_config(self, spec: ProjectSpec, kinds: Sequence[MediaKind]) -> str:
        """Return the Label Studio labeling config of the project's tasks."""
        ...

    def label_studio_data(self, item: LabeledItem, payload: str) -> dict[str, object]:
        """Return a Label Studio task's data for an item."""
        ...

    def label_studio_result(self, spec: ProjectSpec, item: LabeledItem, label: str
                            ) -> dict[str, object]:
        """Return the Label Studio result that says ``label`` about an item."""
        ...

    def label_studio_controls(self, spec: ProjectSpec, name: str, to_name: str,
                              kinds: Sequence[MediaKind]) -> list[str]:
        """Return the config lines of the kind's controls, named ``name``, over the object
        ``to_name`` (several questions name each question's controls after its key)."""
        ...

    def label_studio_results(self, spec: ProjectSpec, item: LabeledItem, label: str
                             ) -> list[dict[str, object]]:
        """Return every Label Studio result ``label`` gives (one per question asked)."""
        ...

    def parts(self, spec: ProjectSpec) -> Mapping[str, ProjectSpec]:
        """Return the questions an answer gives a label to, each with the spec it is
        answered under (several questions about one item); empty: the answer is one label."""
        ...

    def split(self, spec: ProjectSpec, value: str) -> Mapping[str, str]:
        """Return a value's label for each of ``parts`` it gives (empty for one label)."""
        ...

    def layout(self, turn: Turn) -> TaskLayout:
        """Return the blocks and buttons of a task in its current draft."""
        ...

    def answer_blocks(self, turn: Turn, value: str) -> tuple[Block, ...]:
        """Return how a canonical value (a gold answer in training feedback) reads to the
        annotator of ``turn``: in their language and the order they saw (one block per
        question it answers, captioned with the question when there are several)."""
        ...

    def press(self, turn: Turn, code: int) -> Step:
        """Apply a button press; raise ``AnswerRejected`` for a code no button carries."""
        ...

    def typed(self, spec: ProjectSpec, raw: str) -> str:
        """Return the canonical value of a typed answer, or raise ``AnswerRejected``."""
        ...

    def back(self, turn: Turn) -> str | None:
        """Return the draft one step back (the Back button), None with nothing to undo."""
        ...

    def reopened(self, spec: ProjectSpec, value: str, detail: str) -> str:
        """Return the draft an undone answer reopens with (Undo steps back one step)."""
        ...

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Return the canonical form of a value written out (a gold cell, an API answer)."""
        ...

    def canonical_about(self, spec: ProjectSpec, text: str, raw: str) -> str:
        """Return the canonical form of a value given about an item whose text is ``text``
        (spans are offsets into it); most kinds need no item (``canonical``). Gold cells
        and answers posted by the Mini App go through it."""
        ...

    def fit_item(self, payload: str, kind: MediaKind, size: tuple[int, int] | None
                 ) -> ItemCheck:
        """Return an item's payload once its media is known (``kind``; an image's pixel
        ``size``), or the fault of an item this kind cannot ask about."""
        ...

    def aggregate(self, spec: ProjectSpec, votes: Sequence[tuple[str, str, str]],
                  items: Sequence[ItemTally]) -> list[Decided]:
        """Return one decision per item (``VoteModel.OWN``) from the accepted votes
        (item id, annotator, canonical value)."""
        ...

    def export_files(self, spec: ProjectSpec, items: Sequence[KindItem]
                     ) -> Sequence[ExportFile]:
        """Return the files a kind adds to exports beside its tables (COCO, YOLO)."""
        ...

    def is_correct(self, spec: ProjectSpec, value: str, gold: str) -> bool:
        """Return whether a canonical answer matches the canonical gold answer."""
        ...

    @property
    def decides_early(self) -> bool:
        """Return whether an item may be decided before its overlap (``settled``)."""
        ...

    def settled(self, spec: ProjectSpec, counts: Mapping[str, int]) -> bool:
        """Return whether an item with these accepted answers (by value) needs no more."""
        ...

    def checks(self, spec: ProjectSpec, value: str, gold: str) -> Mapping[str, bool]:
        """Return, for each of ``parts`` the gold answer gives, whether it was answered
        right (empty for one label: ``is_correct`` says it all)."""
        ...

    def agreement(self, spec: ProjectSpec, value: str, others: Sequence[str]
                  ) -> Mapping[str, bool]:
        """Return whether an answer agrees with the other answers to its item (the quality
        rule's agreement), for each of ``parts`` it gives, or under ``""`` for one label;
        a part with nothing to agree with (too few others, a tie) is left out."""
        ...

    def app_view(self, turn: Turn) -> Mapping[str, object] | None:
        """Return what the Mini App needs to show a task answered there (its ``kind``,
        classes, text and tokens, flags, the draft), as JSON values; None: the kind is
        answered in the chat only."""
        ...

    def review(self, spec: ProjectSpec, counts: Mapping[str, int]) -> bool | None:
        """Return what this project's answers (by value) about one answer of another
        project decide: accepted (True), rejected (False), or nothing yet (None; always
        None for kinds that review nothing). Earnings pay a ``paid_on_review`` answer once
        accepted."""
        ...


__all__ = [
    "BACK_CODE", "DONE_CODE", "MESSAGE_LIMIT", "QUESTION_RESERVE", "Block", "BlockStyle",
    "Button", "CandidateMedia", "Decided", "ItemCheck", "ItemFault", "Phrase", "PhraseCode",
    "SpecReader", "Step", "TaskKind", "TaskLayout", "Text", "Turn", "VoteModel",
    "candidate_blocks", "message_need", "message_room",
]
