"""User-facing texts chosen by code: domain error codes and task toasts.

Texts are English msgids marked with :func:`N_` for extraction and translated where they
are shown, in the user's language.
"""

from __future__ import annotations

from annotation.errors import ErrorCode
from annotation.loop.tasks import Result


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


TOASTS: dict[Result, str] = {
    Result.DUPLICATE: N_("Already recorded."),
    Result.EXPIRED: N_("This task has expired. Here is a new one."),
    Result.UNDONE: N_("Answer taken back: answer again."),
}

ERRORS: dict[ErrorCode, str] = {
    ErrorCode.INVALID: N_("That did not work: the input is not valid."),
    ErrorCode.NOT_FOUND: N_("Not found: {value}"),
    ErrorCode.FORBIDDEN: N_("Sorry, only admins can do this."),
    ErrorCode.NOT_A_CHOICE: N_("Please answer with one of the options."),
    ErrorCode.NOT_A_NUMBER: N_("Please send a number, for example 12 or 3.5."),
    ErrorCode.OUT_OF_RANGE: N_("Please send a number between {minimum} and {maximum}."),
    ErrorCode.EMPTY_ANSWER: N_("Please send a non-empty answer."),
    ErrorCode.USE_BUTTONS: N_("Please answer with the buttons under the task."),
    ErrorCode.SEND_VOICE: N_("Please answer with a voice message: hold the 🎤 button and "
                             "speak."),
    ErrorCode.NOT_VOICE: N_("This task is not answered by voice: please use the buttons or "
                            "type your answer."),
    ErrorCode.TYPE_ANSWER: N_("Please type your answer and send it as a message."),
    ErrorCode.DUPLICATE_RECORDING: N_("You sent this recording before. Please record the "
                                      "text again."),
    ErrorCode.FORWARDED_RECORDING: N_("A forwarded recording is not accepted: please hold the "
                                      "🎤 button and record your own voice."),
    ErrorCode.WITHDRAWN: N_("You withdrew your recordings. To record again, send /speaker "
                            "and agree first."),
    ErrorCode.ALREADY_ANSWERED: N_("Already recorded."),
    ErrorCode.EXPIRED: N_("Too late to undo: that answer is kept."),
    ErrorCode.NOT_YOURS: N_("This button has expired."),
    ErrorCode.NO_WORK: N_("You have no open task. Send /start to get one."),
    ErrorCode.PROJECT_NOT_OPEN: N_("This project is not open right now."),
    ErrorCode.NOT_COORDINATOR: N_("Sorry, only coordinators can do this."),
    ErrorCode.BAD_TRANSITION: N_("Not possible in the current state ({value})."),
    ErrorCode.PERIOD_NOT_OVER: N_("The period {value} is not over yet."),
    ErrorCode.USAGE: N_("Please check the command: /help shows how to use it."),
    ErrorCode.NOT_SUSPENDED: N_("You are not suspended: there is nothing to appeal."),
    ErrorCode.ALREADY_APPEALED: N_("You have already appealed: a coordinator will review it."),
    ErrorCode.ANNOTATOR_NOT_SUSPENDED: N_("Annotator {value} is not suspended (any more)."),
    ErrorCode.ANNOTATOR_SUSPENDED: N_("Annotator {value} is already suspended."),
    ErrorCode.DISK_FULL: N_("The server's disk is full: this was not saved. Please tell an "
                            "admin."),
    ErrorCode.MARKS_MALFORMED: N_("This answer could not be read. Please mark it again."),
    ErrorCode.TOO_MANY_MARKS: N_("Too many marks: at most {limit}."),
    ErrorCode.UNKNOWN_CLASS: N_('"{name}" is not one of this task\'s labels: {allowed}.'),
    ErrorCode.OUT_OF_IMAGE: N_("A mark lies outside the image. Please draw it inside."),
    ErrorCode.BOX_TOO_SMALL: N_("A box is too small to see. Please draw it larger."),
    ErrorCode.POINTS_NOT_ALLOWED: N_("This task takes boxes only, not points."),
    ErrorCode.SPAN_OUT_OF_TEXT: N_("A tag lies outside the text. Please tag it again."),
    ErrorCode.SPANS_OVERLAP: N_('Tags may not overlap here: "{words}" is tagged twice.'),
    ErrorCode.NO_MARKS: N_("Please mark at least one thing before sending."),
}

SOMETHING_WENT_WRONG = N_("Sorry, something went wrong. Your saved answers are safe; "
                          "please try again.")
