"""Callback data of quality control's buttons: ``"q<op>:<version>:<fields>"``, ASCII.

Same format and rules as :mod:`handlers.callbacks` (at most 64 bytes, anything that does
not decode is "expired"), with two-letter prefixes so the task loop's one-letter pattern
never matches them:

- ``qc:1``                          continue after feedback or an exam result
- ``qa:1:<project>``                appeal a suspension
- ``qd:1:<project>:<annotator>:<r|c>``  coordinator: reinstate or confirm (an appeal)
- ``qs:1:<project>:<annotator>``    coordinator: suspend from the annotators list
- ``qr:1:<project>:<annotator>``    coordinator: reinstate from the annotators list
- ``ql:1:<project>:<page>``         coordinator: a page of the annotators list
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from handlers.callbacks import MAX_BYTES, VERSION, join_data, parse_number


class QualityAction(StrEnum):
    """What a quality button does."""

    CONTINUE = "qc"
    APPEAL = "qa"
    DECIDE = "qd"
    SUSPEND = "qs"
    REINSTATE = "qr"
    PAGE = "ql"


_FIELDS = {
    QualityAction.CONTINUE: 0,
    QualityAction.APPEAL: 1,
    QualityAction.DECIDE: 3,
    QualityAction.SUSPEND: 2,
    QualityAction.REINSTATE: 2,
    QualityAction.PAGE: 2,
}
PATTERN = re.compile(rf"^q[cadsrl]:{VERSION}(:|$)")
_REINSTATE, _CONFIRM = "r", "c"


@dataclass(frozen=True, slots=True)
class QualityCallback:
    """A decoded quality button press."""

    action: QualityAction
    project: int = 0
    annotator: int = 0
    page: int = 0
    reinstate: bool = False


def encode(callback: QualityCallback) -> str:
    """Return the callback data for a quality button."""
    action = callback.action
    fields: list[str] = []
    if action is QualityAction.APPEAL:
        fields = [str(callback.project)]
    elif action is QualityAction.DECIDE:
        fields = [str(callback.project), str(callback.annotator),
                  _REINSTATE if callback.reinstate else _CONFIRM]
    elif action is QualityAction.PAGE:
        fields = [str(callback.project), str(callback.page)]
    elif action in (QualityAction.SUSPEND, QualityAction.REINSTATE):
        fields = [str(callback.project), str(callback.annotator)]
    return join_data(action.value, fields)


def decode(data: str | None) -> QualityCallback | None:
    """Return the press encoded in ``data``, or None if it is not a valid quality button."""
    if not data or len(data) > MAX_BYTES or not PATTERN.match(data):
        return None
    parts = data.split(":")
    action = QualityAction(parts[0])
    fields = parts[2:]
    if len(fields) != _FIELDS[action]:
        return None
    if action is QualityAction.DECIDE:
        if fields[2] not in (_REINSTATE, _CONFIRM):
            return None
        fields, reinstate = fields[:2], fields[2] == _REINSTATE
    else:
        reinstate = action is QualityAction.REINSTATE
    numbers = [parse_number(field) for field in fields]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None] + [0, 0]
    if action is QualityAction.PAGE:
        return QualityCallback(action, project=values[0], page=values[1])
    return QualityCallback(action, project=values[0], annotator=values[1],
                           reinstate=reinstate)
