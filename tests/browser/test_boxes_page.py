"""The Mini App page on a boxes task, in Chromium on a 360×640 touch screen.

Where a mark lands is checked against where the picture is actually drawn on the screen (the
bounding box of its SVG ``image``), and the page's output against the contract: the draft it
keeps in localStorage and the JSON it posts to ``/api/answer``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import (
    PREFIX,
    FakeTask,
    Phone,
    Reply,
    Served,
    boxes_view,
    open_phone,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")
NEAR = 0.006  # a few screen pixels, in image fractions (the picture is ~360 px wide)


@dataclass(frozen=True)
class Picture:
    """Where the picture is drawn on the screen, in CSS pixels."""

    x: float
    y: float
    width: float
    height: float

    def at(self, nx: float, ny: float) -> tuple[float, float]:
        """Return the screen point of an image point given in fractions of its size."""
        return self.x + nx * self.width, self.y + ny * self.height

    def of(self, x: float, y: float) -> tuple[float, float]:
        """Return the image point (fractions) under a screen point."""
        return (x - self.x) / self.width, (y - self.y) / self.height


async def picture(phone: Phone) -> Picture:
    """Return where the page draws the picture now."""
    box = await phone.page.locator(".stage image").bounding_box()
    return Picture(box["x"], box["y"], box["width"], box["height"])


def near(actual: list[Any], expected: list[Any], tolerance: float = NEAR) -> bool:
    """Return whether a mark equals ``expected``: same class, coordinates within tolerance."""
    return (actual[0] == expected[0] and len(actual) == len(expected)
            and all(abs(a - e) <= tolerance for a, e in zip(actual[1:], expected[1:],
                                                             strict=True)))


def canonical(value: dict[str, Any]) -> bool:
    """Return whether a value has the contract's shape: exactly boxes and points, each
    rounded to 4 decimals, within [0, 1], sorted."""
    marks = [*value["boxes"], *value["points"]]
    return (set(value) == {"boxes", "points"}
            and all(round(v, 4) == v and 0 <= v <= 1 for mark in marks for v in mark[1:])
            and all(b[1] + b[3] <= 1.00005 and b[2] + b[4] <= 1.00005 for b in value["boxes"])
            and value["boxes"] == sorted(value["boxes"])
            and value["points"] == sorted(value["points"]))


async def draw(phone: Phone, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Draw a box by dragging a finger between two image points (fractions)."""
    await phone.frame()
    shown = await picture(phone)
    await phone.touch.drag(shown.at(*start), shown.at(*end))


async def tap_button(phone: Phone, name: str) -> None:
    """Tap the button whose text is ``name``."""
    box = await phone.page.get_by_role("button", name=name, exact=True).bounding_box()
    await phone.touch.tap((box["x"] + box["width"] / 2, box["y"] + box["height"] / 2))


async def test_a_touch_drag_draws_a_box_in_image_coordinates(phone: Phone,
                                                             tmp_path: Path) -> None:
    shown = await picture(phone)
    assert shown.width == pytest.approx(360 * 1.0, abs=1)  # fitted to the phone's width
    await draw(phone, (0.1, 0.5), (0.45, 0.8))
    draft = await phone.wait_draft("d.boxes.length === 1")
    assert near(draft["boxes"][0], ["car", 0.1, 0.5, 0.35, 0.3])
    await draw(phone, (0.6, 0.24), (0.72, 0.79))
    await tap_button(phone, "person")
    draft = await phone.wait_draft("d.boxes.some(b => b[0] === 'person')")
    await expect(phone.page.locator(".pill")).to_have_text("Marks: 2")
    await phone.page.screenshot(path=str(tmp_path / "boxes.png"))  # docs: test_miniapp_live

    await tap_button(phone, "Submit")
    await phone.served.fake.posted.wait()
    posted = phone.served.fake.posts[0]
    assert posted["assignment"] == 7
    assert canonical(posted["answer"])
    assert posted["answer"] == draft
    assert near(posted["answer"]["boxes"][0], ["car", 0.1, 0.5, 0.35, 0.3])
    assert near(posted["answer"]["boxes"][1], ["person", 0.6, 0.24, 0.12, 0.55])
    await phone.page.get_by_text("Saved").first.wait_for()
    await phone.page.wait_for_function("k => localStorage.getItem(k) === null",
                                       arg=phone.draft_key)


async def test_handles_resize_chips_reclass_delete_removes_and_undo_restores(
        phone: Phone) -> None:
    await draw(phone, (0.2, 0.2), (0.5, 0.5))
    await phone.wait_draft("d.boxes.length === 1")
    shown = await picture(phone)
    # the new box is selected: drag its bottom-right handle, grabbing it 10 px off its centre
    corner = shown.at(0.5, 0.5)
    await phone.touch.drag((corner[0] + 10, corner[1] - 8), shown.at(0.7, 0.6))
    draft = await phone.wait_draft("d.boxes[0][3] > 0.35")
    assert near(draft["boxes"][0], ["car", 0.2, 0.2, 0.5 - 0.2 + 0.2 - 10 / shown.width,
                                    0.4 + 8 / shown.height], tolerance=0.01)
    # a drag inside the selected box moves it
    await phone.touch.drag(shown.at(0.4, 0.4), shown.at(0.3, 0.5))
    draft = await phone.wait_draft("d.boxes[0][1] < 0.15")
    moved = draft["boxes"][0]
    assert moved[1] == pytest.approx(0.1, abs=NEAR) and moved[2] == pytest.approx(0.3, abs=NEAR)

    await tap_button(phone, "bicycle")
    await phone.wait_draft("d.boxes[0][0] === 'bicycle'")
    # a tap on empty space deselects: Delete is off, a tap on the box selects it again
    delete = phone.page.get_by_role("button", name="Delete", exact=True)
    await phone.touch.tap(shown.at(0.9, 0.1))
    await expect(delete).to_be_disabled()
    await phone.touch.tap(shown.at(moved[1] + 0.05, moved[2] + 0.05))
    await expect(delete).to_be_enabled()
    await tap_button(phone, "Delete")
    await phone.wait_draft("d.boxes.length === 0")
    await expect(phone.page.locator(".stage .bx")).to_have_count(0)

    await tap_button(phone, "Undo")
    await phone.wait_draft("d.boxes.length === 1 && d.boxes[0][0] === 'bicycle'")
    await tap_button(phone, "Undo")
    await phone.wait_draft("d.boxes[0][0] === 'car' && d.boxes[0][1] < 0.15")
    await tap_button(phone, "Undo")
    draft = await phone.wait_draft("d.boxes[0][1] > 0.15")
    assert near(draft["boxes"][0][:3], ["car", 0.2, 0.2])
    await expect(phone.page.locator(".stage .bx")).to_have_count(1)


async def test_a_pinch_zooms_and_drawing_still_maps_to_the_image(phone: Phone) -> None:
    before = await picture(phone)
    stage = await phone.page.locator(".stage").bounding_box()
    center = (stage["x"] + stage["width"] / 2, stage["y"] + stage["height"] / 2)
    under = before.of(*center)
    await phone.touch.pinch(center, 60, 180)
    await phone.page.wait_for_function(
        "w => document.querySelector('.stage image').getBoundingClientRect().width > w * 2.9",
        arg=before.width)
    after = await picture(phone)
    assert after.width == pytest.approx(before.width * 3, rel=0.01)
    assert after.of(*center) == pytest.approx(under, abs=0.002)  # pinned under the fingers
    assert await phone.draft() is None  # the first finger of the pinch drew nothing

    start, end = (center[0] - 60, center[1] - 40), (center[0] + 30, center[1] + 50)
    await phone.touch.drag(start, end)
    draft = await phone.wait_draft("d.boxes.length === 1")
    x0, y0 = under[0] + (start[0] - center[0]) / after.width, \
        under[1] + (start[1] - center[1]) / after.height
    expected = ["car", x0, y0, 90 / after.width, 90 / after.height]
    assert near(draft["boxes"][0], expected, tolerance=0.002)

    await tap_button(phone, "Fit")
    await phone.page.wait_for_function(
        "w => Math.abs(document.querySelector('.stage image').getBoundingClientRect().width"
        " - w) < 1", arg=before.width)


async def test_points_are_placed_by_a_tap_with_the_selected_class(phone: Phone) -> None:
    await tap_button(phone, "Point")
    await tap_button(phone, "person")
    shown = await picture(phone)
    await phone.touch.tap(shown.at(0.66, 0.3))
    draft = await phone.wait_draft("d.points.length === 1")
    assert near(draft["points"][0], ["person", 0.66, 0.3])
    assert draft["boxes"] == []
    # a tap on the point selects it; Delete removes it
    await phone.touch.tap(shown.at(0.66, 0.3))
    await tap_button(phone, "Delete")
    await phone.wait_draft("d.points.length === 0")


async def test_a_task_without_points_has_no_point_mode(
        context: Any, served: Served, fake: FakeTask) -> None:
    fake.view = boxes_view(points=False, nothing=False)
    phone = await open_phone(context, served)
    assert await phone.page.get_by_role("button", name="Point", exact=True).count() == 0
    assert await phone.page.get_by_role("button", name="Nothing to mark").count() == 0
    await tap_button(phone, "Submit")  # nothing drawn: refused on the page, nothing sent
    await phone.page.get_by_text("Mark something first.").wait_for()
    assert await phone.fetches(f"{PREFIX}/api/answer") == 0


async def test_a_mouse_draws_zooms_with_the_wheel_and_pans(browser: Any, served: Served) -> None:
    context = await browser.new_context(viewport={"width": 800, "height": 700})
    try:
        phone = await open_phone(context, served)
        mouse = phone.page.mouse
        shown = await picture(phone)
        await mouse.move(*shown.at(0.1, 0.1))
        await mouse.down()
        await mouse.move(*shown.at(0.3, 0.4), steps=5)
        await mouse.up()
        draft = await phone.wait_draft("d.boxes.length === 1")
        assert near(draft["boxes"][0], ["car", 0.1, 0.1, 0.2, 0.3])

        await mouse.move(*shown.at(0.5, 0.5))
        await mouse.wheel(0, -300)
        await phone.page.wait_for_function(
            "w => document.querySelector('.stage image').getBoundingClientRect().width > w * 1.2",
            arg=shown.width)
        zoomed = await picture(phone)
        assert zoomed.of(*shown.at(0.5, 0.5)) == pytest.approx((0.5, 0.5), abs=0.002)

        await tap_mouse(phone, "Pan")
        await mouse.move(400, 300)
        await mouse.down()
        await mouse.move(300, 250, steps=4)
        await mouse.up()
        panned = await picture(phone)
        assert (panned.x - zoomed.x, panned.y - zoomed.y) == pytest.approx((-100, -50), abs=1)
        assert len((await phone.draft())["boxes"]) == 1  # panning drew nothing
        await tap_mouse(phone, "Pan")
        await mouse.move(*panned.at(0.6, 0.6))
        await mouse.down()
        await mouse.move(*panned.at(0.7, 0.65), steps=5)
        await mouse.up()
        draft = await phone.wait_draft("d.boxes.length === 2")
        assert near(draft["boxes"][1], ["car", 0.6, 0.6, 0.1, 0.05], tolerance=0.002)
    finally:
        await context.close()


async def tap_mouse(phone: Phone, name: str) -> None:
    """Click the button whose text is ``name``."""
    await phone.page.get_by_role("button", name=name, exact=True).click()


async def test_the_draft_survives_a_reload_and_is_sent(phone: Phone) -> None:
    await draw(phone, (0.1, 0.1), (0.4, 0.3))
    draft = await phone.wait_draft("d.boxes.length === 1")
    await phone.page.reload()
    await phone.page.wait_for_selector(".stage.ready")
    await phone.page.get_by_text("Your unsaved work is back.").wait_for()
    await expect(phone.page.locator(".stage .bx")).to_have_count(1)
    await tap_button(phone, "Submit")
    await phone.served.fake.posted.wait()
    assert phone.served.fake.posts[0]["answer"] == draft


async def test_the_local_draft_wins_over_the_servers(
        context: Any, served: Served, fake: FakeTask) -> None:
    fake.view = boxes_view(draft={"boxes": [["person", 0.5, 0.5, 0.1, 0.1]], "points": []})
    phone = await open_phone(context, served)
    await expect(phone.page.locator(".stage .bx")).to_have_count(1)
    await phone.page.evaluate(
        "k => localStorage.setItem(k, JSON.stringify({boxes: [['car', 0.1, 0.1, 0.2, 0.2], "
        "['car', 0.5, 0.5, 0.2, 0.2]], points: []}))", phone.draft_key)
    await phone.page.reload()
    await phone.page.wait_for_selector(".stage.ready")
    await expect(phone.page.locator(".stage .bx")).to_have_count(2)


async def test_a_double_tap_on_submit_sends_once(phone: Phone) -> None:
    fake = phone.served.fake
    fake.gate = asyncio.Event()
    await draw(phone, (0.1, 0.1), (0.4, 0.3))
    await phone.wait_draft("d.boxes.length === 1")
    submit = await phone.page.locator("#submit").bounding_box()
    at = (submit["x"] + 20, submit["y"] + 20)
    await phone.touch.tap(at)
    await phone.touch.tap(at)
    await fake.posted.wait()
    assert await phone.fetches(f"{PREFIX}/api/answer") == 1
    fake.gate.set()
    await phone.page.wait_for_function("k => localStorage.getItem(k) === null",
                                       arg=phone.draft_key)
    await phone.touch.tap(at)  # after "Saved", a late tap sends nothing either
    assert await phone.fetches(f"{PREFIX}/api/answer") == 1
    assert len(fake.posts) == 1


async def test_an_offline_submit_keeps_the_draft_and_is_sent_when_back_online(
        context: Any, phone: Phone) -> None:
    fake = phone.served.fake
    await draw(phone, (0.1, 0.1), (0.4, 0.3))
    draft = await phone.wait_draft("d.boxes.length === 1")
    await context.set_offline(True)
    await tap_button(phone, "Submit")
    error = phone.page.locator(".err.on")
    await error.wait_for()
    assert "You are offline." in await error.inner_text()
    assert await phone.draft() == draft
    assert fake.posts == []
    await context.set_offline(False)  # the page's "online" event sends it again
    await fake.posted.wait()
    assert fake.posts[0]["answer"] == draft
    await phone.page.wait_for_function("k => localStorage.getItem(k) === null",
                                       arg=phone.draft_key)


async def test_a_failed_request_is_retried_by_a_tap(phone: Phone) -> None:
    fake = phone.served.fake
    fake.replies.append(Reply(503, "", ""))
    await draw(phone, (0.1, 0.1), (0.4, 0.3))
    await phone.wait_draft("d.boxes.length === 1")
    await tap_button(phone, "Submit")
    error = phone.page.locator(".err.on")
    await error.wait_for()
    assert "Could not send." in await error.inner_text()
    assert await phone.draft() is not None
    await error.tap()
    await phone.page.wait_for_function("k => localStorage.getItem(k) === null",
                                       arg=phone.draft_key)
    assert len(fake.posts) == 2 and fake.recorded == fake.posts[1]["answer"]


async def test_a_refusal_shows_the_servers_message_and_keeps_the_work(phone: Phone) -> None:
    fake = phone.served.fake
    fake.replies.append(Reply(400, "invalid", "Classe inconnue : « dog »."))
    await draw(phone, (0.1, 0.1), (0.4, 0.3))
    await phone.wait_draft("d.boxes.length === 1")
    await tap_button(phone, "Submit")
    error = phone.page.locator(".err.on")
    await error.wait_for()
    assert await error.inner_text() == "Classe inconnue : « dog »."
    assert await phone.draft() is not None
    assert fake.recorded is None
    await error.tap()  # read: a tap hides it, and sends nothing (the answer was refused)
    await expect(error).to_have_count(0)
    assert len(fake.posts) == 1
    await tap_button(phone, "Submit")
    await phone.page.wait_for_function("k => localStorage.getItem(k) === null",
                                       arg=phone.draft_key)
    assert fake.recorded is not None


async def test_nothing_to_mark_asks_for_a_second_tap(phone: Phone) -> None:
    await draw(phone, (0.1, 0.1), (0.4, 0.3))  # what was drawn is not sent with "nothing"
    await phone.wait_draft("d.boxes.length === 1")
    await tap_button(phone, "Nothing to mark")
    await phone.page.get_by_role("button", name="Tap again: nothing to mark").wait_for()
    assert await phone.fetches(f"{PREFIX}/api/answer") == 0
    await tap_button(phone, "Tap again: nothing to mark")
    await phone.served.fake.posted.wait()
    assert phone.served.fake.posts == [{"assignment": 7, "answer": {"boxes": [], "points": []}}]


async def test_every_text_comes_from_the_strings_and_the_theme_applies(
        context: Any, served: Served, fake: FakeTask) -> None:
    fake.strings = {key: f"«{text}»" for key, text in fake.strings.items()}
    phone = await open_phone(context, served, theme={"bg_color": "#101418",
                                                     "text_color": "#fafafa"})
    page = phone.page
    assert await page.evaluate("getComputedStyle(document.body).backgroundColor") \
        == "rgb(16, 20, 24)"
    assert await page.evaluate("getComputedStyle(document.body).color") == "rgb(250, 250, 250)"
    await expect(page.locator(".pill")).not_to_have_text("")
    texts = await page.evaluate(
        "[...document.querySelectorAll('.tool span, .act span, .pill, .over')]"
        ".map(e => e.textContent)")
    assert len(texts) == 10  # undo, box, point, pan, fit, delete; nothing, submit; count; hint
    assert [text for text in texts if not (text.startswith("«") and text.endswith("»"))] \
        == [], texts


async def test_nothing_moves_when_the_picture_arrives(
        context: Any, served: Served, fake: FakeTask) -> None:
    fake.image_gate = asyncio.Event()
    phone = await open_phone(context, served, wait_image=False)
    await phone.frame()
    layout = ("() => [...document.querySelectorAll('.q, .stage, .tools, .chips, .acts, "
              ".stage image')].map(e => JSON.stringify(e.getBoundingClientRect()))")
    before = await phone.page.evaluate(layout)
    assert await phone.page.locator(".stage.ready").count() == 0
    fake.image_gate.set()
    await phone.page.wait_for_selector(".stage.ready")
    await phone.frame()
    assert await phone.page.evaluate(layout) == before


async def test_a_refused_opening_shows_the_message_and_a_retry(
        context: Any, served: Served) -> None:
    page = await context.new_page()
    await page.goto(f"{served.origin}{PREFIX}/app?a=7")  # no initData
    await page.get_by_text("Forged!").wait_for()
    requests = served.fake.task_requests
    await page.get_by_role("button").tap()
    await page.get_by_text("Forged!").wait_for()
    assert served.fake.task_requests == requests + 1


async def test_a_low_end_phone_gets_no_animations(browser: Any, served: Served) -> None:
    agent = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/80.0 Mobile Safari/537.36 Telegram-Android/11.5.3 (Itel A16; Android 10; "
             "SDK 29; LOW)")
    context = await browser.new_context(user_agent=agent, viewport={"width": 360, "height": 640},
                                        has_touch=True, is_mobile=True)
    try:
        phone = await open_phone(context, served)
        assert "low" in (await phone.page.evaluate("document.documentElement.className"))
        assert await phone.page.evaluate(
            "getComputedStyle(document.querySelector('.toast')).transitionDuration") == "0s"
    finally:
        await context.close()
