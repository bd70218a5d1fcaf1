"""The Mini App in Debian's Chromium against the real bot: the page the bot serves, opened
from the task message the way Telegram opens it, answered with a finger on a 360×640 touch
screen, and what that did checked where it lands: the chat's task message (through the
sandbox's simulated user) and the answers in the bot's SQLite database.

Everything is the real thing: PTB's Application polling the sandbox over HTTP, the Mini App
server the bot starts beside it, the page from ``handlers/miniapp/static``. The signed
initData comes from the sandbox (``SimUser.open_web_app``). The only stand-in is Telegram's
phone client, for the one thing a page asks of it: ``TelegramWebviewProxy.postEvent``, whose
events (``web_app_ready``, ``web_app_close``…) are recorded.

Screenshots of the two main tests go to ``tmp_path``, or, when ``ANNOBOT_SCREENSHOTS`` names
a directory, there (``docs/images`` for the documentation's pictures).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from annotation.aggregation.spans import tokens
from annotation.intake.item_drafts import ItemDraft
from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.media.sources import MemorySource
from annotation.models import ProjectSpec
from bot.crowd_screens import is_no_work, opens_app, task_assignment
from bot.sandbox import SandboxServer, SimMessage, SimUser
from tests.browser.conftest import IMAGE_SIZE, Touch, make_jpeg
from tests.e2e.conftest import Clock, Harness, app_url, create_project, sandbox

pytestmark = pytest.mark.asyncio(loop_scope="session")

BOXES_SPEC = """
name = "Street"
answer_type = "boxes"
question = "Box the car and the person."
classes = ["person", "car"]
overlap = 1
gold_rate = 0.0
"""
SPANS_SPEC = """
name = "Names"
answer_type = "spans"
question = "Tag the people and the places."
labels = ["PER", "LOC"]
overlap = 1
gold_rate = 0.0
"""
TEXTS = ["Omaly i Ny Zo dia nandeha tany Antananarivo niaraka tamin'i Rakoto.",
         "Tsara ny andro anio."]
OPEN_BOXES = "🖍 Draw boxes"
OPEN_SPANS = "🏷 Tag words"
NOTHING = "∅ Nothing to mark"
UNDO = "↩ Undo"
# where the shapes of make_jpeg() are, in fractions of the picture: a box around each
CAR = ((0.08, 0.47), (0.47, 0.86))
PERSON = ((0.6, 0.23), (0.72, 0.8))
NEAR = 0.01  # about 3 screen pixels on a 360 px wide picture
# Telegram's Android client gives the page this bridge; the test records what it is told
TELEGRAM_CLIENT = """
window.__events = [];
window.TelegramWebviewProxy = {postEvent: (type, data) => window.__events.push(type)};
"""


def boxes_project(count: int) -> tuple[ProjectSpec, list[ItemDraft]]:
    """Return the boxes spec and ``count`` JPEG items (car and person on a street)."""
    spec = parse_spec(BOXES_SPEC)
    files = {f"img/{n}.jpg": make_jpeg(IMAGE_SIZE) for n in range(count)}
    rows = "id,image\n" + "".join(f"street{n},img/{n}.jpg\n" for n in range(count))
    return spec, parse_items(rows.encode(), "items.csv", spec, MemorySource(files))


def spans_project() -> tuple[ProjectSpec, list[ItemDraft]]:
    """Return the spans spec and the text items of :data:`TEXTS`."""
    spec = parse_spec(SPANS_SPEC)
    lines = "".join(json.dumps({"id": f"t{n}", "text": text}) + "\n"
                    for n, text in enumerate(TEXTS))
    return spec, parse_items(lines.encode(), "items.jsonl", spec, None)


@dataclass
class Live:
    """A running bot (sandbox, database, Mini App server) with one project."""

    harness: Harness
    server: SandboxServer
    base: str

    async def join(self, user_id: int, language: str = "en") -> tuple[SimUser, SimMessage]:
        """Have a new annotator join by the invite; return them and their task message."""
        user = self.server.user(user_id, first_name="Rova", language_code=language)
        await user.send_command("start", self.harness.invite)
        return user, await user.wait_for(is_task)

    def answers(self) -> list[tuple[int, dict[str, Any]]]:
        """Return every stored answer: its assignment and its value, parsed."""
        rows = self.harness.rows("SELECT assignment_id, value FROM answers ORDER BY id")
        return [(int(str(assignment)), json.loads(str(value))) for assignment, value in rows]


@asynccontextmanager
async def live(tmp_path: Path, project: tuple[ProjectSpec, list[ItemDraft]]
               ) -> AsyncIterator[Live]:
    """Run the real bot against the sandbox, on a fresh SQLite file holding ``project``."""
    db_path = tmp_path / "annobot.db"
    invite = await create_project(db_path, *project)
    harness = Harness(db_path, tmp_path / "exports", invite, Clock())
    async with sandbox() as server, harness.bot(server) as application:
        yield Live(harness, server, app_url(application))


def is_task(message: SimMessage) -> bool:
    return task_assignment(message) is not None


def assignment_of(message: SimMessage) -> int:
    """Return the assignment a task message is about."""
    return int(str(task_assignment(message)))


def moved_on(task: SimMessage) -> Callable[[SimMessage], bool]:
    """Return a test for ``task``'s message once it was edited to another task."""
    return lambda m: (m.message_id == task.message_id and is_task(m)
                      and task_assignment(m) != task_assignment(task))


def labels(message: SimMessage) -> list[str]:
    """Return the texts of a message's inline buttons."""
    return [text for row in message.buttons for text in row]


def screenshot_path(tmp_path: Path, name: str) -> Path:
    """Return where a screenshot goes: ``$ANNOBOT_SCREENSHOTS`` when set, else ``tmp_path``."""
    folder = Path(os.environ.get("ANNOBOT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


@dataclass
class Screen:
    """The Mini App opened on the phone: its page and a finger."""

    page: Any
    touch: Touch
    assignment: int

    async def frame(self) -> None:
        """Wait for the page's next animation frame: what changed is drawn by then."""
        await self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")

    async def draft(self, predicate: str) -> Any:
        """Wait until the page's stored draft ``d`` satisfies a JS expression; return it."""
        key = f"annobot:draft:{self.assignment}"
        await self.page.wait_for_function(
            f"k => {{ const d = JSON.parse(localStorage.getItem(k) || 'null'); "
            f"return d !== null && ({predicate}); }}", arg=key)
        await self.frame()
        return json.loads(await self.page.evaluate("k => localStorage.getItem(k)", key))

    async def tap_button(self, name: str) -> None:
        """Tap the button whose text is ``name``."""
        box = await self.page.get_by_role("button", name=name, exact=True).bounding_box()
        await self.touch.tap((box["x"] + box["width"] / 2, box["y"] + box["height"] / 2))

    async def picture(self) -> tuple[float, float, float, float]:
        """Return where the picture is drawn on the screen: x, y, width, height."""
        await self.frame()
        box = await self.page.locator(".stage image").bounding_box()
        return box["x"], box["y"], box["width"], box["height"]

    async def draw(self, start: tuple[float, float], end: tuple[float, float]) -> None:
        """Drag a finger between two points of the picture (fractions of its size)."""
        x, y, width, height = await self.picture()
        await self.touch.drag((x + start[0] * width, y + start[1] * height),
                              (x + end[0] * width, y + end[1] * height))

    async def tap_word(self, index: int) -> None:
        """Tap the text's token ``index``."""
        await self.frame()
        box = await self.page.locator(f'.k[data-i="{index}"]').bounding_box()
        await self.touch.tap((box["x"] + box["width"] / 2, box["y"] + box["height"] / 2))

    async def submit(self) -> None:
        """Tap Submit and wait until the page asks Telegram to close it (the answer is in)."""
        await self.tap_button("Submit")
        await self.page.wait_for_function("() => window.__events.includes('web_app_close')")


async def open_app(context: Any, url: str) -> Screen:
    """Open a Mini App launch URL in a new page of the phone context."""
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await page.add_init_script(TELEGRAM_CLIENT)
    await page.goto(url)
    assignment = int(re.search(r"[?&]a=(\d+)", url).group(1))  # type: ignore[union-attr]
    return Screen(page, Touch(await context.new_cdp_session(page)), assignment)


async def open_boxes(context: Any, url: str) -> Screen:
    """Open the app on a boxes task and wait until its picture is shown."""
    screen = await open_app(context, url)
    await screen.page.wait_for_selector(".stage.ready")
    return screen


def near(box: list[Any], label: str, corners: tuple[tuple[float, float], ...]) -> bool:
    """Return whether a stored box is ``label`` drawn from one corner to the other."""
    (x0, y0), (x1, y1) = corners
    return box[0] == label and all(
        abs(got - want) <= NEAR for got, want in zip(box[1:], [x0, y0, x1 - x0, y1 - y0],
                                                     strict=True))


async def test_a_box_drawn_with_a_finger_is_recorded_and_the_chat_moves_on(
        context: Any, tmp_path: Path) -> None:
    async with live(tmp_path, boxes_project(2)) as bot:
        user, task = await bot.join(1501)
        assert opens_app(task)
        assert OPEN_BOXES in labels(task) and NOTHING in labels(task)
        url = user.open_web_app(task)
        assert url.startswith(f"{bot.base}/app?a={assignment_of(task)}#tgWebAppData=")

        screen = await open_boxes(context, url)
        await expect(screen.page.get_by_text("Box the car and the person.")).to_be_visible()
        await screen.draw(*CAR)  # drawn as "person", the first class...
        await screen.draft("d.boxes.length === 1")
        await screen.tap_button("car")  # ...and made a car: the new box is the selected one
        await screen.draft("d.boxes[0][0] === 'car'")
        await screen.draw(*PERSON)
        await screen.tap_button("person")
        await screen.draft("d.boxes.length === 2 && d.boxes.some(b => b[0] === 'person')")
        x, y, width, _height = await screen.picture()
        await screen.touch.tap((x + 0.9 * width, y + 0.1 * width))  # deselect: a clean picture
        await expect(screen.page.get_by_role("button", name="Delete", exact=True)).to_be_disabled()
        await expect(screen.page.locator(".pill")).to_have_text("Marks: 2")
        await screen.page.screenshot(path=str(screenshot_path(tmp_path, "miniapp-boxes.png")))

        await screen.submit()
        moved = await user.wait_for(moved_on(task), timeout=10)
        assert moved.edit_count >= 1 and opens_app(moved) and UNDO in labels(moved)
        [(assignment, value)] = bot.answers()
        assert assignment == assignment_of(task)
        assert value["points"] == [] and len(value["boxes"]) == 2
        car, person = sorted(value["boxes"])
        assert near(car, "car", CAR) and near(person, "person", PERSON), value
        assert await screen.page.evaluate("window.__events.includes('web_app_ready')")


async def test_a_span_tagged_with_a_finger_is_recorded_and_the_chat_moves_on(
        context: Any, tmp_path: Path) -> None:
    text = TEXTS[0]
    words = {text[start:end]: i for i, (start, end) in enumerate(tokens(text))}
    async with live(tmp_path, spans_project()) as bot:
        user, task = await bot.join(1502)
        assert opens_app(task)
        assert OPEN_SPANS in labels(task) and NOTHING in labels(task)
        screen = await open_app(context, user.open_web_app(task))
        await screen.tap_word(words["Ny"])
        await screen.tap_word(words["Zo"])
        await expect(screen.page.get_by_text("Now tap a label below.")).to_be_visible()
        await screen.tap_button("PER")
        await screen.draft("d.spans.length === 1")
        await screen.tap_word(words["Antananarivo"])
        await screen.tap_button("LOC")
        await screen.draft("d.spans.length === 2")
        await expect(screen.page.locator(".lab")).to_have_text(["PER", "LOC"])
        await expect(screen.page.locator(".count")).to_have_text("Spans: 2")
        await screen.page.screenshot(path=str(screenshot_path(tmp_path, "miniapp-spans.png")))

        await screen.submit()
        await user.wait_for(moved_on(task), timeout=10)
        [(assignment, value)] = bot.answers()
        start = text.index("Ny Zo")
        place = text.index("Antananarivo")
        assert assignment == assignment_of(task)
        assert value == {"spans": [[start, start + len("Ny Zo"), "PER"],
                                   [place, place + len("Antananarivo"), "LOC"]]}


async def test_undo_after_an_app_answer_brings_the_task_back_to_answer_once_more(
        context: Any, tmp_path: Path) -> None:
    async with live(tmp_path, boxes_project(2)) as bot:
        user, task = await bot.join(1503)
        first = assignment_of(task)
        screen = await open_boxes(context, user.open_web_app(task))
        await screen.draw(*PERSON)
        await screen.draft("d.boxes.length === 1")
        await screen.submit()
        await user.wait_for(moved_on(task), timeout=10)
        assert len(bot.answers()) == 1

        await user.tap(UNDO, task.message_id)  # as after an answer tapped in the chat
        back = await user.wait_for(lambda m: m.message_id == task.message_id
                                   and is_task(m) and assignment_of(m) == first)
        assert opens_app(back) and bot.answers() == []
        again = await open_boxes(context, user.open_web_app(back))
        # the undone answer comes back as the draft, to be adjusted
        await expect(again.page.locator(".stage .bx")).to_have_count(1)
        await again.draw(*CAR)
        await again.tap_button("car")
        await again.draft("d.boxes.length === 2 && d.boxes.some(b => b[0] === 'car')")
        await again.submit()
        await user.wait_for(moved_on(back), timeout=10)
        [(assignment, value)] = bot.answers()
        assert assignment == first
        assert sorted(b[0] for b in value["boxes"]) == ["car", "person"]
        assert near(value["boxes"][0], "car", CAR)


async def test_work_in_progress_survives_closing_the_page(
        context: Any, tmp_path: Path) -> None:
    async with live(tmp_path, boxes_project(1)) as bot:
        user, task = await bot.join(1504)
        url = user.open_web_app(task)
        screen = await open_boxes(context, url)
        await screen.draw(*CAR)
        drawn = await screen.draft("d.boxes.length === 1")
        await screen.page.close()
        assert bot.answers() == []

        reopened = await open_boxes(context, url)  # the same launch, opened again
        await expect(reopened.page.get_by_text("Your unsaved work is back.")).to_be_visible()
        await expect(reopened.page.locator(".stage .bx")).to_have_count(1)
        await reopened.submit()
        await user.wait_for(lambda m: m.message_id == task.message_id and is_no_work(m),
                            timeout=10)
        assert bot.answers() == [(assignment_of(task), drawn)]


async def test_a_tampered_launch_is_refused_in_the_annotators_language(
        context: Any, tmp_path: Path) -> None:
    async with live(tmp_path, boxes_project(1)) as bot:
        user, task = await bot.join(1505, language="fr")
        url = user.open_web_app(task)
        found = re.search(r"hash%3D([0-9a-f]{64})", url)
        assert found is not None
        digit = found.end(1) - 1
        tampered = url[:digit] + ("0" if url[digit] != "0" else "1") + url[digit + 1:]
        screen = await open_app(context, tampered)
        await expect(screen.page.get_by_text(
            "Cette page n'a pas pu prouver que Telegram l'a ouverte.", exact=False)).to_be_visible()
        await expect(screen.page.locator("#submit")).to_have_count(0)
        assert bot.answers() == []
        assert user.message(task.message_id).edit_count == 0
