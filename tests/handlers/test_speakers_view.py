"""The /speaker form as the phone shows it: every step in every language, its buttons
carrying data that decodes to the question and option they show, within 64 bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotation.loop.speakers import FORM, REGIONS, FormStep, Question, SpeakerService
from annotation.models import AnnotatorId
from annotation.records import Speaker
from bot.i18n import Catalogs
from handlers.callbacks import (
    CONSOLE,
    LANGUAGE_PATTERN,
    MAX_BYTES,
    QUALITY_PATTERN,
    SPEAKER,
    TASK_PATTERN,
    Action,
    Callback,
    decode,
    encode,
    pattern,
)
from handlers.speakers import LABELS, form_view
from tests.clocks import FakeClock
from tests.fakes.store import FakeStore

PROPER_NOUNS = {"betsileo", "sakalava", "betsimisaraka", "20_29", "30_39", "40_49", "50_59"}
SERVICE = SpeakerService(FakeStore(), clock=FakeClock())


def test_every_code_of_the_form_has_a_label() -> None:
    codes = {code for question in FORM for code in SERVICE.options(question)}
    assert codes <= set(LABELS)


@pytest.mark.parametrize("language", ["en", "fr", "mg"])
@pytest.mark.parametrize("question", list(Question))
def test_each_step_shows_its_question_and_one_button_per_option(language: str,
                                                                question: Question) -> None:
    t = Catalogs().get(language)
    step = FormStep(question, SERVICE.options(question), None)
    text, keyboard = form_view(step, t)
    assert keyboard is not None and "{" not in text
    buttons = [button for row in keyboard.inline_keyboard for button in row]
    assert len(buttons) == len(step.options)
    for choice, (button, code) in enumerate(zip(buttons, step.options, strict=True)):
        assert isinstance(button.callback_data, str)
        assert len(button.callback_data.encode()) <= MAX_BYTES
        assert decode(button.callback_data) == Callback(Action.SPEAKER, subject=FORM.index(
            question), option=choice)
        if language != "en" and code not in PROPER_NOUNS:
            assert button.text != LABELS[code], code  # translated
        assert len(button.text) <= 24


@pytest.mark.parametrize("language", ["en", "fr", "mg"])
def test_the_last_step_says_what_is_kept_or_that_nothing_is(language: str) -> None:
    t = Catalogs().get(language)
    kept = FormStep(None, (), Speaker(AnnotatorId(1), "female", "60_plus", "antandroy"))
    text, keyboard = form_view(kept, t)
    assert keyboard is None and "{" not in text
    for code in ("female", "60_plus", "antandroy"):
        assert t.gettext(LABELS[code]) in text
    nothing, _none = form_view(FormStep(None, (), None, declined=True), t)
    assert nothing != text and "/speaker" in nothing


def test_a_region_no_list_knows_is_shown_as_written() -> None:
    t = Catalogs().get("fr")
    text, _none = form_view(FormStep(None, (), Speaker(AnnotatorId(1), region="vezo")), t)
    assert "vezo" in text and REGIONS[0] != "vezo"


speaker_buttons = st.one_of(
    st.builds(Callback, st.just(Action.SPEAKER), subject=st.integers(0, 10**18 - 1),
              option=st.integers(0, 10**18 - 1)),
    st.builds(Callback, st.just(Action.WITHDRAW), option=st.integers(0, 10**18 - 1)),
)


@given(speaker_buttons)
def test_speaker_buttons_round_trip_and_only_their_pattern_routes_them(
        button: Callback) -> None:
    data = encode(button)
    assert data.isascii() and len(data) <= MAX_BYTES and decode(data) == button
    assert pattern(button.action).match(data) and pattern(*SPEAKER).match(data)
    others = [TASK_PATTERN, LANGUAGE_PATTERN, QUALITY_PATTERN, pattern(*CONSOLE)]
    assert not any(p.match(data) for p in others)
