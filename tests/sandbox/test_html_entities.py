"""The HTML parse mode parser: entities, UTF-16 offsets, Telegram's errors, fuzzing."""

from __future__ import annotations

import contextlib
import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox.html_entities import HtmlParseError, parse_html, utf16_len


def test_nested_entities_use_utf16_offsets() -> None:
    text, entities = parse_html("😀 <b>bold <i>both</i></b>")
    assert text == "😀 bold both"
    assert entities == [{"type": "bold", "offset": 3, "length": 9},
                        {"type": "italic", "offset": 8, "length": 4}]


def test_links_code_blocks_and_spoilers() -> None:
    text, entities = parse_html('<a href="https://a.b">x</a><pre><code class="language-py">'
                                'y</code></pre><span class="tg-spoiler">z</span>')
    assert text == "xyz"
    assert [e["type"] for e in entities] == ["text_link", "pre", "spoiler"]
    assert entities[1]["language"] == "py"


def test_named_and_numeric_entities() -> None:
    assert parse_html("&lt;&gt;&amp;&quot;&#65;&#x42; & &unknown;")[0] == '<>&"AB & &unknown;'


@pytest.mark.parametrize("bad", ["<b>x", "<x>y</x>", "x</b>", "<b>x</i>", "<b",
                                 '<span class="nope">x</span>'])
def test_invalid_markup_is_refused(bad: str) -> None:
    with pytest.raises(HtmlParseError):
        parse_html(bad)


@given(st.text())
def test_escaped_text_round_trips(text: str) -> None:
    plain, entities = parse_html(html.escape(text))
    assert plain == text and entities == []


@given(st.lists(st.tuples(st.sampled_from(["b", "i", "u", "s", "code"]), st.text()),
                max_size=6))
def test_tagged_segments_become_entities(segments: list[tuple[str, str]]) -> None:
    source = "".join(f"<{tag}>{html.escape(body)}</{tag}>" for tag, body in segments)
    plain, entities = parse_html(source)
    assert plain == "".join(body for _, body in segments)
    assert len(entities) == sum(1 for _, body in segments if body)
    for entity in entities:
        assert entity["offset"] + entity["length"] <= utf16_len(plain)


@given(st.text(alphabet=st.sampled_from(list("<>/&;#abiu =\"'x😀"))))
def test_never_crashes(source: str) -> None:
    with contextlib.suppress(HtmlParseError):
        parse_html(source)
