"""Every phrase a task kind can name reads as a translated text in every language."""

from __future__ import annotations

import re

import pytest

from annotation.kinds.base import Phrase, PhraseCode
from bot.i18n import Catalogs
from handlers.phrases import TEMPLATES, markup, plain

PARAMS = {"side": "A", "low_value": "1", "low": "<bad>", "high_value": "5", "high": "good",
          "ranking": "C > A", "step": 2, "steps": 4, "question": "Is it <safe>?",
          "classes": "car, <bad>", "labels": "PER, LOC", "marks": "“Rakoto” (PER)",
          "a": "0:00", "b": "0:14"}


def test_every_code_has_a_template() -> None:
    assert set(TEMPLATES) == set(PhraseCode)


@pytest.mark.parametrize("language", ["en", "fr", "mg"])
@pytest.mark.parametrize("code", list(PhraseCode))
def test_every_phrase_is_translated_and_fills_its_placeholders(language: str,
                                                               code: PhraseCode) -> None:
    t = Catalogs().get(language)
    names = set(re.findall(r"{(\w+)}", TEMPLATES[code]))
    phrase = Phrase(code, {name: PARAMS[name] for name in names})
    text = plain(phrase, t)
    assert "{" not in text and text
    if language != "en" and TEMPLATES[code] not in {"{low_value} = {low} · {high_value} = {high}",
                                                     "✓ {question}"}:  # nothing to translate
        assert t.gettext(TEMPLATES[code]) != TEMPLATES[code]
    assert "<bad>" not in markup(phrase, t)  # what a coordinator wrote is escaped


def test_a_written_text_is_shown_as_written_and_escaped_in_markup() -> None:
    t = Catalogs().get("fr")
    assert plain("a < b", t) == "a < b"
    assert markup("a < b", t) == "a &lt; b"
