"""Reading the screens the bot shows a simulated annotator: which message is a task (and
its assignment), which buttons answer it, which opens a Mini App, and which messages say
there is no work, offer Continue after feedback, or tell of a suspension.

Used by the crowd runner (``bot/crowd.py``), the samples' judges, the end-to-end tests and
the benchmarks: what a phone would see, read from the sandbox's messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox import SimMessage

TASK_PREFIXES = ("a:1:", "t:1:", "s:1:")
ANSWER_PREFIX = "a:1:"  # a button that answers the task: ``a:1:<assignment>:<code>``
NO_WORK_DATA = "n:1"
CONTINUE_DATA = "qc:1"  # after training feedback or an exam result
APPEAL_PREFIX = "qa:1:"  # only a suspension notice carries the appeal button


@dataclass(frozen=True, slots=True)
class AnswerButton:
    """A button that answers a task: its label and the code its kind gave it."""

    label: str
    code: int


def answer_buttons(message: SimMessage) -> list[AnswerButton]:
    """Return the buttons that answer the task ``message`` shows, in keyboard order."""
    return [AnswerButton(label, int(data.rsplit(":", 1)[1]))
            for labels, datas in zip(message.buttons, message.callback_data, strict=True)
            for label, data in zip(labels, datas, strict=True)
            if data.startswith(ANSWER_PREFIX)]


def task_assignment(message: SimMessage) -> str | None:
    """Return the assignment id a task message's buttons carry, or None."""
    for row in message.callback_data:
        for data in row:
            if data.startswith(TASK_PREFIXES):
                return data.split(":")[2]
    return None


def opens_app(message: SimMessage) -> bool:
    """Return whether a task message carries a button that opens a Mini App."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return any("web_app" in button for row in rows for button in row)


def is_no_work(message: SimMessage) -> bool:
    """Return whether the message says there is no task right now."""
    return any(NO_WORK_DATA in row for row in message.callback_data)


def has_continue(message: SimMessage) -> bool:
    """Return whether the message is feedback or an exam result with a Continue button."""
    return any(CONTINUE_DATA in row for row in message.callback_data)


def is_suspension(message: SimMessage) -> bool:
    """Return whether the message tells the annotator they are suspended (Appeal button)."""
    return any(data.startswith(APPEAL_PREFIX) for row in message.callback_data
               for data in row)
