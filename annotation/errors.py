"""The domain's error tree. Errors carry a code and parameters, never user text.

::

    DomainError
    ├── ValidationFailed         a file or field is invalid (carries every Problem found)
    ├── NotFound                 project, item or assignment unknown
    ├── PermissionDenied         the caller lacks the role
    ├── AnswerRejected           an answer does not fit the question (choice, number range)
    ├── StaleTask                the assignment is no longer the caller's to answer
    └── StorageFull              the server's disk is full: the transaction was rolled back

Handlers map each code to a localized message (``bot/i18n``); anything else is a bug and is
logged with the update.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable codes the presentation layer translates."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    NOT_A_CHOICE = "not_a_choice"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    EMPTY_ANSWER = "empty_answer"
    USE_BUTTONS = "use_buttons"
    SEND_VOICE = "send_voice"  # a recording task is answered with a voice message
    NOT_VOICE = "not_voice"  # a voice message for a task that is not a recording
    TYPE_ANSWER = "type_answer"  # a photo, sticker or file for a task answered by typing
    DUPLICATE_RECORDING = "duplicate_recording"  # the same file sent again
    FORWARDED_RECORDING = "forwarded_recording"  # a recording forwarded from elsewhere
    WITHDRAWN = "withdrawn"  # a speaker who withdrew records again before /speaker
    ALREADY_ANSWERED = "already_answered"
    EXPIRED = "expired"
    NOT_YOURS = "not_yours"
    NO_WORK = "no_work"
    PROJECT_NOT_OPEN = "project_not_open"
    NOT_COORDINATOR = "not_coordinator"  # the console: coordinators and admins only
    BAD_TRANSITION = "bad_transition"  # e.g. pausing a closed project
    PERIOD_NOT_OVER = "period_not_over"  # marking a payout period paid before it ends
    USAGE = "usage"  # a console command with missing or malformed arguments
    NOT_SUSPENDED = "not_suspended"  # an appeal by someone who is not suspended
    ALREADY_APPEALED = "already_appealed"  # a second appeal of one suspension
    ANNOTATOR_NOT_SUSPENDED = "annotator_not_suspended"  # reinstating the active
    ANNOTATOR_SUSPENDED = "annotator_suspended"  # suspending the suspended
    DISK_FULL = "disk_full"  # the server's disk (or the database's size limit) is full
    # boxes and spans (``annotation.kinds.marks``): an answer the Mini App (or a gold cell)
    # gives that the kind refuses; params in brackets
    MARKS_MALFORMED = "marks_malformed"  # not the JSON of marks the task takes
    TOO_MANY_MARKS = "too_many_marks"  # [limit]
    UNKNOWN_CLASS = "unknown_class"  # [name, allowed]
    OUT_OF_IMAGE = "out_of_image"  # a coordinate outside the image (0 to 1)
    BOX_TOO_SMALL = "box_too_small"  # a box too thin to see
    POINTS_NOT_ALLOWED = "points_not_allowed"  # points for a task that takes boxes only
    SPAN_OUT_OF_TEXT = "span_out_of_text"  # [start, end, length]
    SPANS_OVERLAP = "spans_overlap"  # [words]: two spans share words, and may not
    NO_MARKS = "no_marks"  # an empty answer where "Nothing to mark" is not offered


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where it is and why, as a code with parameters."""

    code: str
    line: int | None = None
    field: str | None = None
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code: ErrorCode = ErrorCode.INVALID

    def __init__(self, code: ErrorCode | None = None, **params: object) -> None:
        if code is not None:
            self.code = code
        self.params: dict[str, object] = dict(params)
        super().__init__(f"{self.code}: {params}" if params else str(self.code))


class ValidationFailed(DomainError):
    """An imported file or spec has problems; nothing was written."""

    code = ErrorCode.INVALID

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(ErrorCode.INVALID, count=len(problems))
        self.problems: tuple[Problem, ...] = tuple(problems)


class NotFound(DomainError):
    """A project, item or assignment does not exist."""

    code = ErrorCode.NOT_FOUND


class PermissionDenied(DomainError):
    """The caller lacks the role for this action."""

    code = ErrorCode.FORBIDDEN


class AnswerRejected(DomainError):
    """An answer does not fit the question."""


class StaleTask(DomainError):
    """The assignment was answered, expired or belongs to someone else."""


class StorageFull(DomainError):
    """The server's disk is full: the write was rolled back, nothing of it was kept."""

    code = ErrorCode.DISK_FULL
