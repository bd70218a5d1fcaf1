"""Callback data codec: ``"<prefix>:<version>:<fields>"``, ASCII, at most 64 bytes.

Every inline button of the bot is encoded and decoded here. Data that does not decode
(forged, from an old version, or garbled) yields ``None`` and the handler answers "this
button has expired" without changing anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

VERSION = "1"
MAX_BYTES = 64


class Action(StrEnum):
    """What a button does."""

    ANSWER = "a"  # answer a single-choice or yes/no task with option N
    TOGGLE = "t"  # toggle option N of a multiple-choice task
    DONE = "d"  # submit a multiple-choice task
    SKIP = "s"
    UNDO = "u"
    NEXT = "n"  # look for work again
    LANGUAGE = "l"
    # the coordinator's console: ``subject`` is a project, broadcast, period or user id
    PREVIEW = "p"  # show preview task N of project ``subject``
    LIFECYCLE = "c"  # open (0), pause (1) or close (2) project ``subject``
    BROADCAST_SEND = "b"  # confirm drafted broadcast ``subject``
    BROADCAST_CANCEL = "x"
    PAY = "m"  # mark period ``subject`` (YYYYMM) paid
    ROLE = "r"  # make user ``subject`` a coordinator (1) or not (0)
    EXPORT = "e"  # export project ``subject`` in format choice N (handlers/exports.py)


_WITH_OPTION = frozenset({Action.ANSWER, Action.TOGGLE})
_WITH_ASSIGNMENT = frozenset({Action.ANSWER, Action.TOGGLE, Action.DONE, Action.SKIP,
                              Action.UNDO})
_CONSOLE_TWO = frozenset({Action.PREVIEW, Action.LIFECYCLE, Action.ROLE, Action.EXPORT})
_CONSOLE_ONE = frozenset({Action.BROADCAST_SEND, Action.BROADCAST_CANCEL, Action.PAY})
CONSOLE = _CONSOLE_TWO | _CONSOLE_ONE
# The task loop's buttons (and the language choice); console buttons have their own pattern.
PATTERN = re.compile(rf"^[{''.join(a.value for a in Action if a not in CONSOLE)}]:{VERSION}(:|$)")
CONSOLE_PATTERN = re.compile(rf"^[{''.join(sorted(a.value for a in CONSOLE))}]:{VERSION}:")
_ANY = re.compile(rf"^[{''.join(a.value for a in Action)}]:{VERSION}(:|$)")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


@dataclass(frozen=True, slots=True)
class Callback:
    """A decoded button press."""

    action: Action
    assignment: int = 0
    option: int = 0
    language: str = ""
    subject: int = 0  # console buttons: the project, broadcast, period or user acted on


def encode(callback: Callback) -> str:
    """Return the callback data for a button."""
    action = callback.action
    if action is Action.LANGUAGE:
        fields = [callback.language]
    elif action in _CONSOLE_TWO:
        fields = [str(callback.subject), str(callback.option)]
    elif action in _CONSOLE_ONE:
        fields = [str(callback.subject)]
    elif action in _WITH_OPTION:
        fields = [str(callback.assignment), str(callback.option)]
    elif action in _WITH_ASSIGNMENT:
        fields = [str(callback.assignment)]
    else:
        fields = []
    return join_data(action.value, fields)


def join_data(prefix: str, fields: list[str]) -> str:
    """Return ``prefix:version:fields…``, refusing anything over Telegram's 64 bytes."""
    data = ":".join([prefix, VERSION, *fields])
    if len(data.encode("ascii")) > MAX_BYTES:
        raise ValueError("callback data over 64 bytes")
    return data


def parse_number(text: str) -> int | None:
    """Return a field's non-negative integer, or None for anything else."""
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def decode(data: str | None) -> Callback | None:
    """Return the button press encoded in ``data``, or None if it is not one of ours."""
    if not data or len(data) > MAX_BYTES or not _ANY.match(data):
        return None
    parts = data.split(":")
    action = Action(parts[0])
    fields = parts[2:]
    if action is Action.LANGUAGE:
        if len(fields) == 1 and _LANGUAGE.match(fields[0]):
            return Callback(action, language=fields[0])
        return None
    if action is Action.NEXT:
        return Callback(action) if not fields else None
    numbers = [parse_number(field) for field in fields]
    expected = 2 if action in _WITH_OPTION | _CONSOLE_TWO else 1
    if len(numbers) != expected or any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if action in _CONSOLE_TWO:
        return Callback(action, subject=values[0], option=values[1])
    if action in _CONSOLE_ONE:
        return Callback(action, subject=values[0])
    return Callback(action, assignment=values[0], option=values[1] if expected == 2 else 0)


def matches(data: object) -> bool:
    """Return whether ``data`` has one of the task loop's prefixes (the handler's pattern)."""
    return isinstance(data, str) and PATTERN.match(data) is not None
