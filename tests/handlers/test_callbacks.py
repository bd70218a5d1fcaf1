"""The callback codec: every family round-trips within 64 bytes, garbage decodes to None."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.callbacks import (
    CONSOLE,
    LANGUAGE_PATTERN,
    MAX_BYTES,
    QUALITY_PATTERN,
    TASK_PATTERN,
    Action,
    Button,
    Callback,
    QualityAction,
    QualityCallback,
    decode,
    decode_quality,
    encode,
    pattern,
)

IDS = st.integers(min_value=0, max_value=10**18 - 1)  # at most 18 digits, like Telegram ids
LANGUAGES = st.text(string.ascii_lowercase, min_size=2, max_size=2)
TWO_FIELDS = (Action.ANSWER, Action.TOGGLE)
CONSOLE_TWO = (Action.PREVIEW, Action.LIFECYCLE, Action.ROLE, Action.EXPORT)

task_buttons = st.one_of(
    st.builds(Callback, st.sampled_from(TWO_FIELDS), assignment=IDS, option=IDS),
    st.builds(Callback, st.sampled_from((Action.DONE, Action.SKIP, Action.UNDO)),
              assignment=IDS),
    st.just(Callback(Action.NEXT)),
)
language_buttons = st.builds(Callback, st.just(Action.LANGUAGE), language=LANGUAGES)
console_buttons = st.one_of(
    st.builds(Callback, st.sampled_from(CONSOLE_TWO), subject=IDS, option=IDS),
    st.builds(Callback, st.sampled_from(tuple(set(CONSOLE) - set(CONSOLE_TWO))), subject=IDS),
)
quality_buttons = st.one_of(
    st.just(QualityCallback(QualityAction.CONTINUE)),
    st.builds(QualityCallback, st.just(QualityAction.APPEAL), project=IDS),
    st.builds(QualityCallback, st.just(QualityAction.DECIDE), project=IDS, annotator=IDS,
              reinstate=st.booleans()),
    st.builds(QualityCallback, st.just(QualityAction.SUSPEND), project=IDS, annotator=IDS),
    st.builds(QualityCallback, st.just(QualityAction.REINSTATE), project=IDS, annotator=IDS,
              reinstate=st.just(True)),
    st.builds(QualityCallback, st.just(QualityAction.PAGE), project=IDS, page=IDS),
)


def decoded(data: str) -> Button | None:
    """Decode with whichever decoder the data's family uses."""
    return decode_quality(data) if data.startswith("q") else decode(data)


@given(st.one_of(task_buttons, language_buttons, console_buttons, quality_buttons))
def test_every_button_round_trips_within_64_ascii_bytes(button: Button) -> None:
    data = encode(button)
    assert data.isascii() and len(data.encode("ascii")) <= MAX_BYTES
    assert decoded(data) == button
    # the routing pattern of its own action takes it, and no other family's does
    assert pattern(button.action).match(data)
    families = [TASK_PATTERN, LANGUAGE_PATTERN, QUALITY_PATTERN, pattern(*CONSOLE)]
    assert sum(p.match(data) is not None for p in families) == 1


@given(st.text(max_size=80))
def test_any_text_decodes_to_none_or_a_press_its_pattern_routes(data: str) -> None:
    for decoder, patterns in ((decode, pattern(*Action)), (decode_quality, QUALITY_PATTERN)):
        button = decoder(data)
        assert (button is not None) == (patterns.match(data) is not None)


@given(st.sampled_from([*Action, *QualityAction]),
       st.lists(st.text(string.digits + string.ascii_lowercase + ":", max_size=20),
                max_size=4))
def test_fields_in_any_shape_never_raise(action: Action | QualityAction,
                                         fields: list[str]) -> None:
    for version in ("1", "2", "0", ""):
        data = ":".join([action.value, version, *fields])
        button = decoded(data)
        assert button is None or version == "1"


@pytest.mark.parametrize("data", [
    None, "", "a", "a:", "a:1", "a:2:1:2", "a:1:1", "a:1:1:2:3", "a:1:x:2", "a:1:-1:2",
    "a:1:1:2\n", "a:1:٣:1", "a:1:" + "9" * 19 + ":1", "n:1:", "n:2", "l:1:FR", "l:1:fra",
    "l:1:f", "p:1:1", "m:1:x", "z:1:1", "qc:1", "d:1:" + "1" * 70,
])
def test_forged_stale_or_oversized_data_is_no_task_or_console_button(
        data: str | None) -> None:
    assert decode(data) is None


@pytest.mark.parametrize("data", [
    None, "", "qc:2", "qc:1:5", "qa:1", "qa:1:x", "qd:1:1:2:z", "qd:1:1:2", "qs:1:1",
    "ql:1:1:2:3", "qz:1:1", "qa:1:" + "9" * 70, "qa:1:٣", "a:1:1:2", "n:1",
])
def test_forged_stale_or_oversized_data_is_no_quality_button(data: str | None) -> None:
    assert decode_quality(data) is None


@pytest.mark.parametrize(("button", "data"), [
    (Callback(Action.ANSWER, 12, 3), "a:1:12:3"),
    (Callback(Action.TOGGLE, 12, 0), "t:1:12:0"),
    (Callback(Action.DONE, 12), "d:1:12"),
    (Callback(Action.SKIP, 12), "s:1:12"),
    (Callback(Action.UNDO, 11), "u:1:11"),
    (Callback(Action.NEXT), "n:1"),
    (Callback(Action.LANGUAGE, language="mg"), "l:1:mg"),
    (Callback(Action.PREVIEW, subject=4, option=1), "p:1:4:1"),
    (Callback(Action.LIFECYCLE, subject=4, option=2), "c:1:4:2"),
    (Callback(Action.BROADCAST_SEND, subject=9), "b:1:9"),
    (Callback(Action.BROADCAST_CANCEL, subject=9), "x:1:9"),
    (Callback(Action.PAY, subject=202604), "m:1:202604"),
    (Callback(Action.ROLE, subject=555, option=1), "r:1:555:1"),
    (Callback(Action.EXPORT, subject=4, option=0), "e:1:4:0"),
    (QualityCallback(QualityAction.CONTINUE), "qc:1"),
    (QualityCallback(QualityAction.APPEAL, 4), "qa:1:4"),
    (QualityCallback(QualityAction.DECIDE, 4, 555, reinstate=True), "qd:1:4:555:r"),
    (QualityCallback(QualityAction.DECIDE, 4, 555), "qd:1:4:555:c"),
    (QualityCallback(QualityAction.SUSPEND, 4, 555), "qs:1:4:555"),
    (QualityCallback(QualityAction.REINSTATE, 4, 555, reinstate=True), "qr:1:4:555"),
    (QualityCallback(QualityAction.PAGE, 4, page=2), "ql:1:4:2"),
])
def test_the_wire_format_is_the_one_in_users_chats(button: Button, data: str) -> None:
    assert encode(button) == data and decoded(data) == button


def test_data_over_64_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        encode(Callback(Action.LANGUAGE, language="x" * 70))
