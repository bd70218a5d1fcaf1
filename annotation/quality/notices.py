"""What quality control has to say after a use case: values the handlers render and send.

Use cases never send anything themselves: they return these, and handlers or jobs show
them (to the annotator in their language; to every coordinator in theirs).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from annotation.models import AnnotatorId, Item, Project, Recipient
from annotation.quality.qualification import ExamResult
from annotation.quality.rules import Verdict


class NoteKind(StrEnum):
    """Why the coordinators are told something."""

    FLAG = "flag"  # a rule flagged an annotator for review
    APPEAL = "appeal"  # a suspended annotator appealed
    NEEDS_GOLD = "needs_gold"  # annotators have seen every gold item of the project


@dataclass(frozen=True, slots=True)
class Feedback:
    """The result of a training answer: right or not, the answer and why."""

    correct: bool
    answer: str  # the gold answer, canonical: the kind says how it reads (``answer_blocks``)
    explanation: str | None
    item: Item | None = None  # the item answered, and by whom: the order they saw it in
    annotator_id: AnnotatorId | None = None


@dataclass(frozen=True, slots=True)
class CoordinatorNote:
    """A message for the coordinators, with the evidence behind it."""

    kind: NoteKind
    project: Project
    recipients: tuple[Recipient, ...]
    annotator_id: AnnotatorId | None = None
    annotator_name: str = ""
    verdict: Verdict | None = None


@dataclass(frozen=True, slots=True)
class AnnotatorNote:
    """A message for one annotator outside their task flow (from a job or a coordinator)."""

    annotator_id: AnnotatorId
    language: str
    project: Project
    verdict: Verdict  # SUSPEND: suspended (with an appeal button); else a warning
    reinstated: bool = False
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class QualityNotice:
    """What quality control adds to the outcome of an answer or a skip."""

    feedback: Feedback | None = None
    exam: ExamResult | None = None
    suspension: Verdict | None = None
    warnings: tuple[Verdict, ...] = ()
    notes: tuple[CoordinatorNote, ...] = ()
    project: Project | None = None

    @property
    def interrupts(self) -> bool:
        """Return whether the annotator must read something before the next task."""
        return (self.feedback is not None or self.exam is not None
                or self.suspension is not None)
