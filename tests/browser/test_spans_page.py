"""The Mini App page on a spans task, in Chromium on a 360×640 touch screen.

The text has an emoji before "Ny Zo": offsets count code points (as Python does), which a
page counting UTF-16 units would get wrong by one after it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import TEXT, FakeTask, Phone, Served, open_phone, spans_view, tokens

pytestmark = pytest.mark.asyncio(loop_scope="session")
TOKENS = tokens(TEXT)
WORD = {TEXT[s:e]: i for i, (s, e) in reversed(list(enumerate(TOKENS)))}  # first occurrence


def offsets(first: str, last: str) -> tuple[int, int]:
    """Return the code point offsets of the words ``first`` to ``last``."""
    return TOKENS[WORD[first]][0], TOKENS[WORD[last]][1]


async def opened(context: Any, served: Served, fake: FakeTask, **view: Any) -> Phone:
    """Open the page on a spans task."""
    fake.view = spans_view(**view)
    return await open_phone(context, served)


async def centre(phone: Phone, selector: str) -> tuple[float, float]:
    """Return the centre of an element on the screen (once the last change is drawn)."""
    await phone.frame()
    box = await phone.page.locator(selector).first.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


async def tap_word(phone: Phone, word: str) -> None:
    """Tap a word of the text."""
    await phone.touch.tap(await centre(phone, f'.k[data-i="{WORD[word]}"]'))


async def tap_button(phone: Phone, name: str) -> None:
    """Tap the button whose text is ``name``."""
    box = await phone.page.get_by_role("button", name=name, exact=True).bounding_box()
    await phone.touch.tap((box["x"] + box["width"] / 2, box["y"] + box["height"] / 2))


async def test_two_taps_and_a_label_make_a_span_in_code_points(
        context: Any, served: Served, fake: FakeTask, tmp_path: Path) -> None:
    phone = await opened(context, served, fake)
    await tap_word(phone, "Antananarivo")
    await tap_word(phone, "Madagascar")
    await phone.page.get_by_text("Now tap a label below.").wait_for()
    await tap_button(phone, "LOC")
    draft = await phone.wait_draft("d.spans.length === 1")
    assert draft == {"spans": [[*offsets("Antananarivo", "Madagascar"), "LOC"]]}

    await tap_word(phone, "Ny")
    await tap_word(phone, "Zo")
    await tap_button(phone, "PER")
    await tap_word(phone, "Rakoto")
    await tap_button(phone, "PER")
    draft = await phone.wait_draft("d.spans.length === 3")
    assert draft == {"spans": [[*offsets("Rakoto", "Rakoto"), "PER"],
                               [*offsets("Antananarivo", "Madagascar"), "LOC"],
                               [*offsets("Ny", "Zo"), "PER"]]}
    assert TEXT[draft["spans"][2][0]:draft["spans"][2][1]] == "Ny Zo"
    await expect(phone.page.locator(".count")).to_have_text("Spans: 3")
    await phone.page.screenshot(path=str(tmp_path / "spans.png"))  # docs: test_miniapp_live

    await tap_button(phone, "Submit")
    await fake.posted.wait()
    assert fake.posts == [{"assignment": 7, "answer": draft}]
    await phone.page.wait_for_function("k => localStorage.getItem(k) === null",
                                       arg=phone.draft_key)


async def test_a_tapped_span_is_relabelled_removed_and_undone(
        context: Any, served: Served, fake: FakeTask) -> None:
    phone = await opened(context, served, fake)
    remove = phone.page.get_by_role("button", name="Remove", exact=True)
    await tap_word(phone, "Madagascar")
    await tap_button(phone, "LOC")
    await phone.wait_draft("d.spans.length === 1")
    await expect(remove).to_be_disabled()
    await tap_word(phone, "Madagascar")  # a word of a span: selects the span
    await expect(remove).to_be_enabled()
    await tap_button(phone, "ORG")
    await phone.wait_draft("d.spans[0][2] === 'ORG'")
    await tap_button(phone, "Remove")
    await phone.wait_draft("d.spans.length === 0")
    await expect(phone.page.locator(".lab")).to_have_count(0)
    await tap_button(phone, "Undo")
    draft = await phone.wait_draft("d.spans.length === 1")
    assert draft == {"spans": [[*offsets("Madagascar", "Madagascar"), "ORG"]]}
    await tap_button(phone, "Undo")
    await phone.wait_draft("d.spans.length === 1 && d.spans[0][2] === 'LOC'")


async def test_without_overlapping_a_new_span_replaces_the_old_one(
        context: Any, served: Served, fake: FakeTask) -> None:
    phone = await opened(context, served, fake)
    await tap_word(phone, "Ny")
    await tap_word(phone, "Zo")
    await tap_button(phone, "PER")
    await phone.wait_draft("d.spans.length === 1")
    await tap_word(phone, "Zo")  # selects the span "Ny Zo"
    await tap_word(phone, "Zo")  # a second tap starts a new selection there
    await tap_word(phone, "works")
    await tap_button(phone, "ORG")
    draft = await phone.wait_draft("d.spans[0][2] === 'ORG'")
    assert draft == {"spans": [[*offsets("Zo", "works"), "ORG"]]}
    await phone.page.get_by_text("Spans may not overlap: the new span replaced the old one.") \
        .wait_for()


async def test_overlapping_spans_are_kept_and_stacked(
        context: Any, served: Served, fake: FakeTask) -> None:
    phone = await opened(context, served, fake, overlapping=True)
    await tap_word(phone, "Ny")
    await tap_word(phone, "Zo")
    await tap_button(phone, "PER")
    await tap_word(phone, "Zo")
    await tap_word(phone, "Zo")
    await tap_word(phone, "works")
    await tap_button(phone, "ORG")
    draft = await phone.wait_draft("d.spans.length === 2")
    assert draft == {"spans": [[*offsets("Ny", "Zo"), "PER"], [*offsets("Zo", "works"), "ORG"]]}
    zo = phone.page.locator(f'.k[data-i="{WORD["Zo"]}"]')
    ny = phone.page.locator(f'.k[data-i="{WORD["Ny"]}"]')
    await expect(phone.page.locator(".lab")).to_have_count(2)  # drawn
    # two underlines under the shared word, one under the others
    assert (await zo.evaluate("e => getComputedStyle(e).boxShadow")).count("px 0px") == 2
    assert (await ny.evaluate("e => getComputedStyle(e).boxShadow")).count("px 0px") == 1
    await phone.touch.tap(await centre(phone, '.lab:text-is("ORG")'))
    await tap_button(phone, "Remove")
    draft = await phone.wait_draft("d.spans.length === 1")
    assert draft == {"spans": [[*offsets("Ny", "Zo"), "PER"]]}


async def test_a_drag_across_words_selects_them(
        context: Any, served: Served, fake: FakeTask) -> None:
    phone = await opened(context, served, fake)
    start, end = await centre(phone, '.k[data-i="0"]'), await centre(phone, '.k[data-i="2"]')
    assert start[1] == end[1]  # "Rakoto lives in" on one line
    await phone.touch.drag(start, end)
    await phone.page.get_by_text("Now tap a label below.").wait_for()
    await tap_button(phone, "PER")
    draft = await phone.wait_draft("d.spans.length === 1")
    assert draft == {"spans": [[*offsets("Rakoto", "in"), "PER"]]}


async def test_the_draft_survives_a_reload_and_nothing_to_mark_sends_empty(
        context: Any, served: Served, fake: FakeTask) -> None:
    phone = await opened(context, served, fake)
    await tap_word(phone, "Orange")
    await tap_button(phone, "ORG")
    draft = await phone.wait_draft("d.spans.length === 1")
    await phone.page.reload()
    await phone.page.wait_for_selector("#submit")
    await expect(phone.page.locator(".lab")).to_have_text(["ORG"])
    assert await phone.draft() == draft
    await tap_button(phone, "Nothing to mark")
    await tap_button(phone, "Tap again: nothing to mark")
    await fake.posted.wait()
    assert fake.posts == [{"assignment": 7, "answer": {"spans": []}}]


async def test_the_servers_draft_is_shown_when_the_phone_has_none(
        context: Any, served: Served, fake: FakeTask) -> None:
    phone = await opened(context, served, fake,
                         draft={"spans": [[*offsets("Orange", "Orange"), "ORG"]]})
    await expect(phone.page.locator(".lab")).to_have_text(["ORG"])
    await tap_button(phone, "Submit")
    await fake.posted.wait()
    assert fake.posts[0]["answer"] == {"spans": [[*offsets("Orange", "Orange"), "ORG"]]}
