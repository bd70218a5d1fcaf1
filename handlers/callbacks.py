"""The callback data codec: every inline button the bot sends is encoded and decoded here.

Data is ``"<prefix>:<version>:<fields>"``, ASCII, at most 64 bytes (Telegram's limit).
Numbers are non-negative decimals of at most 18 digits. Data that does not decode
(forged, from another version, garbled, oversized) yields ``None``, never an exception,
and gets "this button has expired" without changing anything. The routing patterns
(:func:`pattern`, :data:`TASK_PATTERN`…) match exactly the data that decodes, so a handler
registered with one of them always receives a valid press.

Five families, two typed values: :class:`Callback` for the one-letter prefixes (task loop,
language, the coordinator's console, speakers) and :class:`QualityCallback` for quality control's
two-letter prefixes. This table is the wire format; never change a row (buttons already
in users' chats must keep working), add rows instead:

============  ==========================================  =================================
family        data                                        value
============  ==========================================  =================================
task          ``a:1:<assignment>:<option>``               ``Callback(ANSWER, assignment, option)``
task          ``t:1:<assignment>:<option>``               ``Callback(TOGGLE, assignment, option)``
task          ``d:1:<assignment>``                        ``Callback(DONE, assignment)``
task          ``s:1:<assignment>``                        ``Callback(SKIP, assignment)``
task          ``u:1:<assignment>``                        ``Callback(UNDO, assignment)``
task          ``n:1``                                     ``Callback(NEXT)`` ("check again")
language      ``l:1:<xx>``                                ``Callback(LANGUAGE, language=xx)``
console       ``p:1:<project>:<position>``                ``Callback(PREVIEW, subject=, option=)``
console       ``c:1:<project>:<0 open|1 pause|2 close>``  ``Callback(LIFECYCLE, subject=, option=)``
console       ``b:1:<broadcast>``                         ``Callback(BROADCAST_SEND, subject=)``
console       ``x:1:<broadcast>``                         ``Callback(BROADCAST_CANCEL, subject=)``
console       ``m:1:<YYYYMM>``                            ``Callback(PAY, subject=)``
console       ``r:1:<user>:<1 coordinator|0 not>``        ``Callback(ROLE, subject=, option=)``
console       ``e:1:<project>:<format>``                  ``Callback(EXPORT, subject=, option=)``
speaker       ``v:1:<question>:<option>``                 ``Callback(SPEAKER, subject=, option=)``
speaker       ``w:1:<1 withdraw|0 keep>``                 ``Callback(WITHDRAW, option=)``
quality       ``qc:1``                                    ``QualityCallback(CONTINUE)``
quality       ``qa:1:<project>``                          ``QualityCallback(APPEAL, project)``
quality       ``qd:1:<project>:<annotator>:<r|c>``        ``QualityCallback(DECIDE, …, reinstate=)``
quality       ``qs:1:<project>:<annotator>``              ``QualityCallback(SUSPEND, …)``
quality       ``qr:1:<project>:<annotator>``              ``QualityCallback(REINSTATE, …)``
quality       ``ql:1:<project>:<page>``                   ``QualityCallback(PAGE, project, page=)``
============  ==========================================  =================================

``qd`` carries ``r`` (reinstate) or ``c`` (confirm the suspension); ``qr`` always decodes
with ``reinstate=True``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

VERSION = "1"
MAX_BYTES = 64
_NUMBER = "[0-9]{1,18}"
_REINSTATE, _CONFIRM = "r", "c"


class Action(StrEnum):
    """What a one-letter button does (task loop, language, console)."""

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
    # speakers (handlers/speakers.py)
    SPEAKER = "v"  # /speaker: option N of the form's question ``subject``
    WITHDRAW = "w"  # /withdraw: confirm (1) or keep the recordings (0)


class QualityAction(StrEnum):
    """What a quality control button does."""

    CONTINUE = "qc"  # continue after feedback or an exam result
    APPEAL = "qa"  # appeal a suspension
    DECIDE = "qd"  # coordinator: reinstate or confirm, after an appeal
    SUSPEND = "qs"  # coordinator: suspend, from the annotators list
    REINSTATE = "qr"  # coordinator: reinstate, from the annotators list
    PAGE = "ql"  # coordinator: a page of the annotators list


@dataclass(frozen=True, slots=True)
class Callback:
    """A press of a task, language or console button."""

    action: Action
    assignment: int = 0
    option: int = 0
    language: str = ""
    subject: int = 0  # console: the project, broadcast, period or user acted on; speaker: question


@dataclass(frozen=True, slots=True)
class QualityCallback:
    """A press of a quality control button."""

    action: QualityAction
    project: int = 0
    annotator: int = 0
    page: int = 0
    reinstate: bool = False


Button = Callback | QualityCallback

# The fields of each button, in wire order, by attribute name: ``language`` is two
# lowercase letters, ``reinstate`` is r/c, everything else a number.
_FIELDS: dict[Action | QualityAction, tuple[str, ...]] = {
    Action.ANSWER: ("assignment", "option"),
    Action.TOGGLE: ("assignment", "option"),
    Action.DONE: ("assignment",),
    Action.SKIP: ("assignment",),
    Action.UNDO: ("assignment",),
    Action.NEXT: (),
    Action.LANGUAGE: ("language",),
    Action.PREVIEW: ("subject", "option"),
    Action.LIFECYCLE: ("subject", "option"),
    Action.BROADCAST_SEND: ("subject",),
    Action.BROADCAST_CANCEL: ("subject",),
    Action.PAY: ("subject",),
    Action.ROLE: ("subject", "option"),
    Action.EXPORT: ("subject", "option"),
    Action.SPEAKER: ("subject", "option"),
    Action.WITHDRAW: ("option",),
    QualityAction.CONTINUE: (),
    QualityAction.APPEAL: ("project",),
    QualityAction.DECIDE: ("project", "annotator", "reinstate"),
    QualityAction.SUSPEND: ("project", "annotator"),
    QualityAction.REINSTATE: ("project", "annotator"),
    QualityAction.PAGE: ("project", "page"),
}
_FIELD_PATTERNS = {"language": "([a-z]{2})", "reinstate": f"([{_REINSTATE}{_CONFIRM}])"}

TASK = (Action.ANSWER, Action.TOGGLE, Action.DONE, Action.SKIP, Action.UNDO, Action.NEXT)
CONSOLE = (Action.PREVIEW, Action.LIFECYCLE, Action.BROADCAST_SEND, Action.BROADCAST_CANCEL,
           Action.PAY, Action.ROLE, Action.EXPORT)
SPEAKER = (Action.SPEAKER, Action.WITHDRAW)


def _regex(action: Action | QualityAction) -> str:
    fields = "".join(f":{_FIELD_PATTERNS.get(name, f'({_NUMBER})')}" for name in _FIELDS[action])
    return f"{re.escape(action.value)}:{VERSION}{fields}"


def pattern(*actions: Action | QualityAction) -> re.Pattern[str]:
    """Return the routing pattern matching exactly the data that decodes to ``actions``."""
    return re.compile(rf"^(?:{'|'.join(_regex(action) for action in actions)})\Z")


TASK_PATTERN = pattern(*TASK)
LANGUAGE_PATTERN = pattern(Action.LANGUAGE)
QUALITY_PATTERN = pattern(*QualityAction)
_PARSERS = {action: re.compile(_regex(action)) for action in _FIELDS}


def encode(button: Button) -> str:
    """Return the callback data for a button, refusing anything over 64 bytes."""
    fields = [_field_text(getattr(button, name)) for name in _FIELDS[button.action]]
    data = ":".join([button.action.value, VERSION, *fields])
    if len(data.encode("ascii")) > MAX_BYTES:
        raise ValueError("callback data over 64 bytes")
    return data


def _field_text(value: int | str | bool) -> str:
    if isinstance(value, bool):
        return _REINSTATE if value else _CONFIRM
    return str(value)


def _parse(data: str | None, actions: type[Action] | type[QualityAction]
           ) -> tuple[Action | QualityAction, dict[str, str]] | None:
    if not data or len(data) > MAX_BYTES:
        return None
    try:
        action = actions(data.split(":", 1)[0])
    except ValueError:
        return None
    found = _PARSERS[action].fullmatch(data)
    if found is None:
        return None
    return action, dict(zip(_FIELDS[action], found.groups(), strict=True))


def decode(data: str | None) -> Callback | None:
    """Return the task, language or console press in ``data``, or None if not one of ours."""
    parsed = _parse(data, Action)
    if parsed is None:
        return None
    action, fields = parsed
    assert isinstance(action, Action)
    language = fields.pop("language", "")
    return Callback(action, language=language,
                    **{name: int(text) for name, text in fields.items()})


def decode_quality(data: str | None) -> QualityCallback | None:
    """Return the quality control press in ``data``, or None if not a valid one."""
    parsed = _parse(data, QualityAction)
    if parsed is None:
        return None
    action, fields = parsed
    assert isinstance(action, QualityAction)
    verdict = fields.pop("reinstate", None)
    reinstate = verdict == _REINSTATE if verdict else action is QualityAction.REINSTATE
    return QualityCallback(action, reinstate=reinstate,
                           **{name: int(text) for name, text in fields.items()})
