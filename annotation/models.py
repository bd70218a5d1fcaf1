"""Domain values of the annotation core: projects, items, assignments, answers, annotators.

Everything here is a frozen dataclass or an enum; no Telegram, no SQL. Identifiers are
``NewType`` integers so a project id cannot be passed where an item id is expected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NewType

from annotation.quality.settings import QualitySettings

ProjectId = NewType("ProjectId", int)
ItemId = NewType("ItemId", int)
AssignmentId = NewType("AssignmentId", int)
AnnotatorId = NewType("AnnotatorId", int)  # the Telegram user id
MediaKey = NewType("MediaKey", str)  # sha256 of the prepared media bytes

LANGUAGES: tuple[str, ...] = ("en", "fr", "mg")
DEFAULT_LANGUAGE = "en"


class AnswerType(StrEnum):
    """How an annotator answers a task."""

    SINGLE = "single"
    MULTI = "multi"
    YES_NO = "yes_no"
    TEXT = "text"
    NUMBER = "number"
    PAIRWISE = "pairwise"  # which of two responses is better, and by how much
    RATING = "rating"  # one point on a scale of n
    RANKING = "ranking"  # several responses put in order, best first
    QUESTIONS = "questions"  # several one-tap questions about one item, walked in turn
    RECORDING = "recording"  # a voice message: the text read aloud, or speech about an item
    CHECK = "check"  # another's recording: does it say the text?
    TRANSCRIPT = "transcript"  # typed: exactly what an item (an audio clip) says
    BOXES = "boxes"  # boxes (and points) drawn on an image item, in the Mini App
    SPANS = "spans"  # labelled spans of a text item's words, tagged in the Mini App

    @property
    def is_choice(self) -> bool:
        """Return whether the answer is given with buttons."""
        return self not in (AnswerType.TEXT, AnswerType.NUMBER, AnswerType.TRANSCRIPT,
                            AnswerType.BOXES, AnswerType.SPANS)


class MediaKind(StrEnum):
    """What an item shows."""

    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"


class ProjectStatus(StrEnum):
    """Project lifecycle: only open projects hand out tasks."""

    DRAFT = "draft"
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class AssignmentStatus(StrEnum):
    """Where an assignment stands."""

    ACTIVE = "active"
    ANSWERED = "answered"
    SKIPPED = "skipped"
    EXPIRED = "expired"


class Stage(StrEnum):
    """Why an item was handed out: training (with feedback), the exam, or real work."""

    TRAINING = "training"
    EXAM = "exam"
    PRODUCTION = "production"


class Role(StrEnum):
    """Privilege levels."""

    ANNOTATOR = "annotator"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


YES = "yes"
NO = "no"


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A text given in one or more languages, falling back to English, then any."""

    texts: Mapping[str, str]

    def get(self, language: str) -> str:
        """Return the text in ``language`` or the best fallback."""
        if language in self.texts:
            return self.texts[language]
        if DEFAULT_LANGUAGE in self.texts:
            return self.texts[DEFAULT_LANGUAGE]
        return next(iter(self.texts.values()), "")


@dataclass(frozen=True, slots=True)
class NumberRange:
    """Inclusive bounds for number answers (either side may be open)."""

    minimum: float | None = None
    maximum: float | None = None

    def contains(self, value: float) -> bool:
        """Return whether ``value`` lies within the bounds."""
        if self.minimum is not None and value < self.minimum:
            return False
        return not (self.maximum is not None and value > self.maximum)


@dataclass(frozen=True, slots=True)
class MarkRules:
    """What a boxes or spans task allows, and the bars its gold answers are scored by
    (``annotation.kinds.marks``; the marks' classes are the scale's ``labels``)."""

    points: bool = False  # boxes: points may be marked beside boxes
    nothing: bool = True  # the task offers "Nothing to mark" (an empty answer)
    overlapping: bool = False  # spans may overlap
    iou: float = 0.5  # boxes: the IoU at which two boxes match (gold and aggregation)
    radius: float = 0.05  # boxes: the distance (of the image's size) at which points match
    min_precision: float = 0.8  # boxes: a right gold answer's least precision
    min_recall: float = 0.8  # boxes: a right gold answer's least recall
    min_f1: float = 0.8  # spans: a right gold answer's least F1 (exact spans)


@dataclass(frozen=True, slots=True)
class Scale:
    """A scale answered with one tap: a comparison's margins or a rating's points.

    ``labels`` are what aggregation, gold and exports see (``a``/``b``/``tie`` for a
    comparison, the points for a rating); the kind (``annotation/kinds/``) builds them.
    """

    points: int  # a rating's points, or a comparison's levels on each side (1 to 3)
    labels: tuple[str, ...]
    start: int = 1  # a rating's first point (0 or 1)
    tie: bool = False  # a comparison offers "tie / can't tell"
    low: LocalizedText | None = None  # what a rating's lowest point means
    high: LocalizedText | None = None  # what its highest point means
    min_seconds: float | None = None  # a recording's bounds, when the spec sets them
    max_seconds: float | None = None
    source: str | None = None  # a check project: the recording project it checks
    language: str | None = None  # a recording project's: what its items are read in
    max_cer: float | None = None  # a transcript's gold bar, when the spec sets it
    numbers: str | None = None  # a transcript's number policy (``NumberPolicy``), if set
    case: str | None = None  # a transcript's case policy (``CasePolicy``), if set
    punctuation: str | None = None  # …its punctuation policy (``PunctuationPolicy``)…
    consensus: str | None = None  # …and its consensus method (``ConsensusMethod``)
    marks: MarkRules | None = None  # boxes and spans: what they allow, their gold bars


@dataclass(frozen=True, slots=True)
class Question:
    """One question of a several-question spec (``annotation.kinds.questions``).

    ``key`` names it in answers, gold and exports; ``each``: asked once per response of a
    comparison item (its parts are ``key.a`` and ``key.b``, in the item's order).
    """

    key: str
    text: LocalizedText
    answer_type: AnswerType
    options: tuple[str, ...] = ()
    scale: Scale | None = None
    each: bool = False


@dataclass(frozen=True, slots=True)
class ProjectSpec:
    """What a coordinator declares about a project (parsed from TOML)."""

    name: str
    question: LocalizedText
    answer_type: AnswerType
    options: tuple[str, ...] = ()
    instructions: LocalizedText = field(default_factory=lambda: LocalizedText({}))
    overlap: int = 3  # with adaptive overlap: the most answers an item may get
    # adaptive overlap (optional): an item stops at ``min_overlap`` answers or more once its
    # live confidence reaches ``confidence_target`` (annotation.aggregation.overlap)
    min_overlap: int | None = None
    confidence_target: float | None = None
    gold_rate: float = 0.1
    time_limit_seconds: int = 600
    reward: float = 0.0
    currency: str = "MGA"
    number_range: NumberRange = field(default_factory=NumberRange)
    aggregation: str = "dawid_skene"  # the benchmark's winner: aggregation.DEFAULT_METHOD
    quality: QualitySettings = field(default_factory=QualitySettings)
    scale: Scale | None = None  # comparisons and ratings (annotation/kinds/)
    questions: tuple[Question, ...] = ()  # answer_type "questions": asked in this order

    @property
    def adaptive(self) -> bool:
        """Return whether items stop early once their label is confident enough."""
        return self.min_overlap is not None and self.confidence_target is not None

    @property
    def first_round(self) -> int:
        """Return how many slots an item opens with: ``min_overlap`` when adaptive, else
        ``overlap`` (``annotation.loop.assignment.slots_allowed``)."""
        if self.adaptive and self.min_overlap is not None:
            return self.min_overlap
        return self.overlap

    @property
    def labels(self) -> tuple[str, ...]:
        """Return the label set of a categorical question."""
        if self.answer_type is AnswerType.YES_NO:
            return (YES, NO)
        if self.scale is not None:
            return self.scale.labels
        return self.options


@dataclass(frozen=True, slots=True)
class Project:
    """A stored project."""

    id: ProjectId
    spec: ProjectSpec
    status: ProjectStatus
    invite_code: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Item:
    """One thing to annotate: a text, an image or an audio clip."""

    id: ItemId
    project_id: ProjectId
    external_id: str
    kind: MediaKind
    text: str
    media_key: MediaKey | None
    gold_answer: str | None
    explanation: str | None = None
    payload: str = ""  # the kind's own data, JSON (annotation/kinds/); "" when it has none

    @property
    def is_gold(self) -> bool:
        """Return whether the item has a known answer."""
        return self.gold_answer is not None


@dataclass(frozen=True, slots=True)
class Media:
    """Prepared media bytes with the Telegram file id once uploaded."""

    key: MediaKey
    kind: MediaKind
    filename: str
    mime: str
    send_as: str  # "photo", "audio" or "voice"
    file_id: str | None


@dataclass(frozen=True, slots=True)
class Annotator:
    """A person known to the bot."""

    id: AnnotatorId
    name: str
    language: str
    role: Role
    current_project: ProjectId | None
    blocked: bool = False


@dataclass(frozen=True, slots=True)
class Recipient:
    """A coordinator or admin to tell something, and the language to tell it in."""

    annotator_id: AnnotatorId
    language: str


@dataclass(frozen=True, slots=True)
class Assignment:
    """An item handed to an annotator, with its deadline."""

    id: AssignmentId
    project_id: ProjectId
    item_id: ItemId
    annotator_id: AnnotatorId
    status: AssignmentStatus
    is_gold: bool
    assigned_at: datetime
    deadline: datetime
    draft: str = ""  # multiple choice: the options toggled so far, canonical form


@dataclass(frozen=True, slots=True)
class Answer:
    """A recorded answer."""

    assignment_id: AssignmentId
    item_id: ItemId
    annotator_id: AnnotatorId
    value: str
    seconds: float
    is_gold: bool
    correct: bool | None
    answered_at: datetime
    # what the answer says beyond its label, JSON the kind reads (a comparison's margin and
    # the order the candidates were shown in); "" for most kinds
    detail: str = field(default="", kw_only=True)
    # several questions about one item: each question with a gold answer, and whether this
    # answer got it right (``correct`` is then whether all were); empty for other kinds
    checks: tuple[tuple[str, bool], ...] = field(default=(), kw_only=True)


@dataclass(frozen=True, slots=True)
class Task:
    """What an annotator is shown: an active assignment with its item and project."""

    assignment: Assignment
    item: Item
    project: Project
    media: Media | None
    stage: Stage = Stage.PRODUCTION


@dataclass(frozen=True, slots=True)
class AnnotatorStats:
    """Tasks done and gold accuracy of one annotator (in one project or overall)."""

    answered: int
    gold_answered: int
    gold_correct: int

    @property
    def gold_accuracy(self) -> float | None:
        """Return the raw share of gold answered right, or None without gold."""
        if self.gold_answered == 0:
            return None
        return self.gold_correct / self.gold_answered


# a BCP 47 language tag as data carries it (``mg``, ``fr``, ``en-GB``, ``zh-Hant-TW``):
# language, then script, region and variants; ``_`` taken for ``-`` (``mg_MG``, as locales)
_LANGUAGE_TAG = re.compile(r"([a-z]{2,3})(-[a-z]{4})?(-(?:[a-z]{2}|[0-9]{3}))?"
                           r"((?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)", re.IGNORECASE)
MAX_LANGUAGE_TAG = 35


def language_tag(text: str) -> str | None:
    """Return ``text`` as a BCP 47 language tag in its usual case (``mg``, ``mg-MG``,
    ``zh-Hant``), or None when it is not one. Only the tag's shape is checked (two or
    three letters, then an optional script, region and variants), not the registry."""
    found = _LANGUAGE_TAG.fullmatch(text.strip().replace("_", "-"))
    if found is None or len(found[0]) > MAX_LANGUAGE_TAG:
        return None
    language, script, region, variants = found.groups()
    return "".join((language.lower(), (script or "").title(), (region or "").upper(),
                    (variants or "").lower()))
