"""What a use case of the annotator's loop answers: its ``Result`` and the task to show
next (``Outcome``), shared by the loop's modules and the handlers that render them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from annotation.media.speech import RecordingProblem
from annotation.models import (
    AssignmentId,
    Task,
)
from annotation.quality.notices import QualityNotice


class Result(StrEnum):
    """What became of a tap or a typed answer."""

    RECORDED = "recorded"
    DUPLICATE = "duplicate"  # already recorded: nothing changed
    EXPIRED = "expired"  # the assignment had expired: a new task is shown
    SKIPPED = "skipped"
    UNDONE = "undone"
    TOGGLED = "toggled"
    SUSPENDED = "suspended"  # refused, nothing changed: the notice says why and how to appeal
    REFUSED = "refused"  # a recording that cannot be accepted: ``problems`` say why
    CURRENT = "current"  # nothing changed: the open task (or a new one) is shown again
    REPLAYED = "replayed"  # a Mini App's signed data already answered another task: refused


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a use case and the task to show next (None: no work right now)."""

    result: Result
    task: Task | None
    answered: AssignmentId | None = None  # the answer that Undo would take back
    correct: bool | None = None
    notice: QualityNotice | None = None  # training feedback, exam result, suspension…
    problems: tuple[RecordingProblem, ...] = ()  # what is wrong with a refused recording
    recorded: str = ""  # an accepted recording's detail (its length, to acknowledge it)
