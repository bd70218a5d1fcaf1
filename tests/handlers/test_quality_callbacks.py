"""The quality buttons' callback codec, and the task loop's "check again" button."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers import callbacks
from handlers.quality_callbacks import (
    MAX_BYTES,
    PATTERN,
    QualityAction,
    QualityCallback,
    decode,
    encode,
)

IDS = st.integers(min_value=0, max_value=10**15)


@given(action=st.sampled_from(list(QualityAction)), project=IDS, annotator=IDS, page=IDS,
       reinstate=st.booleans())
def test_every_button_round_trips_within_64_bytes(action: QualityAction, project: int,
                                                  annotator: int, page: int,
                                                  reinstate: bool) -> None:
    callback = QualityCallback(
        action,
        project=project if action is not QualityAction.CONTINUE else 0,
        annotator=annotator if action in (QualityAction.DECIDE, QualityAction.SUSPEND,
                                          QualityAction.REINSTATE) else 0,
        page=page if action is QualityAction.PAGE else 0,
        reinstate=(reinstate if action is QualityAction.DECIDE
                   else action is QualityAction.REINSTATE))
    data = encode(callback)
    assert len(data.encode("ascii")) <= MAX_BYTES and PATTERN.match(data)
    assert decode(data) == callback
    assert not callbacks.PATTERN.match(data)  # never taken for a task button


@pytest.mark.parametrize("data", [
    None, "", "qc:2", "qc:1:5", "qa:1", "qa:1:x", "qd:1:1:2:z", "qd:1:1:2", "qs:1:1",
    "ql:1:1:2:3", "qz:1:1", "qa:1:" + "9" * 70, "qa:1:٣",
])
def test_forged_or_stale_data_does_not_decode(data: str | None) -> None:
    assert decode(data) is None


def test_check_again_decodes_in_the_task_loop() -> None:
    data = callbacks.encode(callbacks.Callback(callbacks.Action.NEXT))
    assert data == "n:1" and callbacks.matches(data)
    assert callbacks.decode(data) == callbacks.Callback(callbacks.Action.NEXT)
