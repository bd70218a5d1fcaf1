"""The Mini App's answers through the real bot, the sandbox and HTTP: a signed answer is
recorded and the chat's task message moves on in place; every refusal is answered with its
code and records nothing (answers are counted in the database).

The pages' signed data comes from the sandbox, which signs it as Telegram does with its own
code (``SimUser.open_web_app``, ``SimUser.init_data``), not the server's verifier.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import aiohttp
from PIL import Image

from annotation.intake.item_drafts import ItemDraft
from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.media.sources import MemorySource
from annotation.models import ProjectSpec
from bot.crowd_screens import task_assignment
from bot.sample import SampleProject
from bot.sandbox import SandboxServer, SimMessage, SimUser
from handlers.task_flow import TASK_MESSAGE_KEY
from tests.e2e.conftest import Harness, app_url, sample_spec, sandbox

BOXES_SPEC = """
name = "Street"
answer_type = "boxes"
question = "Box every car."
classes = ["car", "person"]
overlap = 2
gold_rate = 0.0
"""
ANSWER = {"boxes": [["car", 0.1, 0.2, 0.3, 0.25]], "points": []}
CANONICAL = '{"boxes":[["car",0.1,0.2,0.3,0.25]],"points":[]}'


def boxes_project() -> tuple[ProjectSpec, list[ItemDraft]]:
    spec = parse_spec(BOXES_SPEC)
    files = {}
    for name in ("a", "b", "c", "d"):
        buffer = io.BytesIO()
        Image.new("RGB", (320, 240), (120, 140, 90)).save(buffer, "PNG")
        files[f"img/{name}.png"] = buffer.getvalue()
    rows = "id,image\n" + "".join(f"{path[4]},{path}\n" for path in files)
    return spec, parse_items(rows.encode(), "items.csv", spec, MemorySource(files))


@dataclass
class App:
    """The Mini App's HTTP API of a running bot, as a page would call it."""

    base: str
    http: aiohttp.ClientSession

    async def post(self, init_data: str, assignment: int | str, answer: object = ANSWER,
                   **extra: object) -> tuple[int, dict[str, Any]]:
        body = {"assignment": int(assignment), "answer": answer, **extra}
        async with self.http.post(f"{self.base}/api/answer", json=body,
                                  headers={"Authorization": f"tma {init_data}"}) as response:
            return response.status, await response.json()

    async def get(self, path: str, init_data: str, assignment: int | str
                  ) -> tuple[aiohttp.ClientResponse, bytes]:
        async with self.http.get(f"{self.base}{path}", params={"a": str(assignment)},
                                 headers={"Authorization": f"tma {init_data}"}) as response:
            return response, await response.read()


@asynccontextmanager
async def running(make_harness: Any, project: tuple[ProjectSpec, list[ItemDraft]] | None = None
                  ) -> AsyncIterator[tuple[Harness, SandboxServer, App]]:
    spec, items = project or boxes_project()
    async with make_harness(spec, items) as harness, \
            sandbox() as server, harness.bot(server) as application, \
            aiohttp.ClientSession() as http:
        yield harness, server, App(app_url(application), http)


def is_task(message: SimMessage) -> bool:
    return task_assignment(message) is not None


async def join(server: SandboxServer, harness: Harness, user_id: int, language: str = "en"
               ) -> tuple[SimUser, SimMessage]:
    user = server.user(user_id, first_name=f"user {user_id}", language_code=language)
    await user.send_command("start", harness.invite)
    return user, await user.wait_for(is_task)


def answers(harness: Harness) -> int:
    return int(str(harness.rows("SELECT COUNT(*) FROM answers")[0][0]))


def fields(init_data: str) -> dict[str, str]:
    return dict(parse_qsl(init_data, keep_blank_values=True))


def encoded(data: dict[str, str]) -> str:
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in data.items())


def launched(url: str) -> tuple[str, str]:
    """Return the page's address and the initData Telegram put in its fragment."""
    parts = urlsplit(url)
    launch = dict(parse_qsl(parts.fragment, keep_blank_values=True))
    return url.split("#", 1)[0], launch["tgWebAppData"]


async def test_a_signed_answer_is_recorded_and_the_task_message_moves_on_in_place(
        make_harness: Any) -> None:
    async with running(make_harness) as (harness, server, app):
        user, task = await join(server, harness, 701)
        first = task_assignment(task)
        sent = len(user.messages)
        page, init_data = launched(user.open_web_app(task))
        assert page == f"{app.base}/app?a={first}"
        async with app.http.get(page) as response:
            assert response.status == 200 and response.content_type == "text/html"
        response, body = await app.get("/api/task", init_data, str(first))
        view = json.loads(body)
        assert response.status == 200
        assert (view["kind"], view["assignment"], view["lang"]) == ("boxes", int(str(first)),
                                                                    "en")
        assert view["image"]["url"] == f"{app.base}/api/image?a={first}"
        response, picture = await app.get("/api/image", init_data, str(first))
        assert response.status == 200 and response.content_type == "image/jpeg"
        assert Image.open(io.BytesIO(picture)).size == (view["image"]["width"],
                                                        view["image"]["height"])
        assert await app.post(init_data, str(first)) == (200, {"ok": True, "duplicate": False})
        moved = await user.wait_for(lambda m: m.message_id == task.message_id and is_task(m)
                                    and task_assignment(m) != first)
        assert moved.edit_count >= 1 and len(user.messages) == sent  # edited, nothing new
        assert "↩ Undo" in [text for row in moved.buttons for text in row]
        digest = hashlib.sha256(fields(init_data)["hash"].encode()).hexdigest()
        assert harness.rows("SELECT assignment_id, value, source FROM answers") == [
            (int(str(first)), CANONICAL, f"webapp:{digest}")]


async def test_a_double_submit_records_once(make_harness: Any) -> None:
    async with running(make_harness) as (harness, server, app):
        user, task = await join(server, harness, 702)
        init_data = user.init_data()
        both = await asyncio.gather(app.post(init_data, str(task_assignment(task))),
                                    app.post(init_data, str(task_assignment(task))))
        assert sorted(body["duplicate"] for status, body in both if status == 200) == [
            False, True]
        again = await app.post(init_data, str(task_assignment(task)))
        assert again == (200, {"ok": True, "duplicate": True})
        assert answers(harness) == 1


async def test_a_forged_hash_is_refused(make_harness: Any) -> None:
    async with running(make_harness) as (harness, server, app):
        user, task = await join(server, harness, 703)
        forged = {**fields(user.init_data()), "hash": "0" * 64}
        status, body = await app.post(encoded(forged), str(task_assignment(task)))
        assert (status, body["ok"], body["error"]) == (401, False, "forged")
        assert "Telegram" in body["message"]
        status, body = await app.post("", str(task_assignment(task)))
        assert (status, body["error"]) == (401, "forged")
        assert answers(harness) == 0


async def test_a_field_changed_after_signing_is_refused(make_harness: Any) -> None:
    async with running(make_harness) as (harness, server, app):
        victim, task = await join(server, harness, 704)
        attacker = server.user(705, first_name="attacker", language_code="en")
        signed = fields(attacker.init_data())
        user = json.loads(signed["user"])
        changed = {**signed, "user": json.dumps({**user, "id": victim.id})}
        status, body = await app.post(encoded(changed), str(task_assignment(task)))
        assert (status, body["error"]) == (401, "forged")
        assert answers(harness) == 0


async def test_an_expired_signature_is_refused(make_harness: Any) -> None:
    async with running(make_harness) as (harness, server, app):
        user, task = await join(server, harness, 706)
        old = user.init_data(auth_date=datetime.now(UTC) - timedelta(hours=2))
        status, body = await app.post(old, str(task_assignment(task)))
        assert (status, body["error"]) == (401, "expired")
        assert answers(harness) == 0


async def test_someone_elses_assignment_is_refused(make_harness: Any) -> None:
    async with running(make_harness) as (harness, server, app):
        _owner, task = await join(server, harness, 707)
        other, _theirs = await join(server, harness, 708)
        status, body = await app.post(other.init_data(), str(task_assignment(task)))
        assert (status, body["error"]) == (403, "not_yours")
        image, _body = await app.get("/api/image", other.init_data(), str(task_assignment(task)))
        assert image.status == 403
        assert answers(harness) == 0


async def test_a_closed_assignment_is_refused(make_harness: Any) -> None:
    async with running(make_harness) as (harness, server, app):
        user, task = await join(server, harness, 709)
        skipped = task_assignment(task)
        init_data = user.init_data()
        await user.tap("Skip ⏭", task.message_id)
        await user.wait_for(lambda m: is_task(m) and task_assignment(m) != skipped)
        status, body = await app.post(init_data, str(skipped))
        assert (status, body["error"]) == (409, "closed")
        task_view, _body = await app.get("/api/task", init_data, str(skipped))
        assert task_view.status == 409
        assert answers(harness) == 0


async def test_an_init_data_replayed_on_another_assignment_is_refused(
        make_harness: Any) -> None:
    async with running(make_harness) as (harness, server, app):
        user, task = await join(server, harness, 710)
        first = task_assignment(task)
        init_data = user.init_data()
        assert (await app.post(init_data, str(first)))[0] == 200
        moved = await user.wait_for(lambda m: is_task(m) and task_assignment(m) != first)
        status, body = await app.post(init_data, str(task_assignment(moved)))
        assert (status, body["error"]) == (401, "replayed")
        assert harness.rows("SELECT assignment_id FROM answers") == [(int(str(first)),)]


async def test_an_oversize_body_is_refused(make_harness: Any) -> None:
    async with running(make_harness) as (harness, server, app):
        user, task = await join(server, harness, 711)
        status, body = await app.post(user.init_data(), str(task_assignment(task)),
                                      padding="x" * 70_000)
        assert (status, body["error"]) == (413, "too_large")
        assert answers(harness) == 0


async def test_an_answer_the_kind_refuses_is_invalid_and_says_why(make_harness: Any) -> None:
    async with running(make_harness) as (harness, server, app):
        user, task = await join(server, harness, 712)
        wrong = {"boxes": [["bus", 0.1, 0.1, 0.2, 0.2]], "points": []}
        status, body = await app.post(user.init_data(), str(task_assignment(task)), wrong)
        assert (status, body["error"]) == (400, "invalid")
        assert '"bus"' in body["message"]
        status, body = await app.post(user.init_data(), str(task_assignment(task)), "nine")
        assert (status, body["error"]) == (400, "invalid")
        assert answers(harness) == 0


async def test_a_chat_task_is_not_shown_in_the_app(sample_small: SampleProject,
                                                   make_harness: Any) -> None:
    project = (sample_spec(sample_small), sample_small.items)
    async with running(make_harness, project) as (harness, server, app):
        user, task = await join(server, harness, 714)
        response, body = await app.get("/api/task", user.init_data(), str(task_assignment(task)))
        assert (response.status, json.loads(body)["error"]) == (404, "chat_only")
        assert not any("web_app" in button for row in
                       (task.reply_markup or {}).get("inline_keyboard", []) for button in row)


async def test_a_refusal_speaks_the_annotators_language(make_harness: Any) -> None:
    async with running(make_harness) as (harness, server, app):
        user, task = await join(server, harness, 713, "fr")
        old = user.init_data(auth_date=datetime.now(UTC) - timedelta(hours=2))
        status, body = await app.post(old, str(task_assignment(task)))
        assert (status, body["error"]) == (401, "expired")
        assert body["message"].startswith("Cette page a été ouverte il y a trop longtemps.")


async def test_without_a_remembered_message_the_next_task_comes_as_a_new_one(
        make_harness: Any) -> None:
    spec, items = boxes_project()
    async with make_harness(spec, items) as harness, sandbox() as server, \
            harness.bot(server) as application, aiohttp.ClientSession() as http:
        app = App(app_url(application), http)
        user, task = await join(server, harness, 715)
        # one sender's updates are handled in order: once /help is answered, /start's
        # handler has finished (and remembered the task message)
        last = max(m.message_id for m in user.history)
        await user.send_command("help")
        await user.wait_for(lambda m: m.from_bot and m.message_id > last)
        remembered = application.user_data[715]
        assert TASK_MESSAGE_KEY in remembered
        remembered.clear()  # as after a restart: nothing remembered
        first = task_assignment(task)
        assert (await app.post(user.init_data(), str(first)))[0] == 200
        new = await user.wait_for(lambda m: is_task(m) and task_assignment(m) != first)
        assert new.message_id != task.message_id
        assert user.message(task.message_id).edit_count == 0
        assert answers(harness) == 1


async def test_in_webhook_mode_one_server_takes_updates_and_answers(make_harness: Any) -> None:
    spec, items = boxes_project()
    async with make_harness(spec, items) as harness, sandbox() as server, \
            harness.bot(server, mode="webhook") as application, \
            aiohttp.ClientSession() as http:
        app = App(app_url(application), http)
        webhook = urlsplit(server.state.webhook.url)  # where the bot asked for updates
        assert urlsplit(app.base).port == webhook.port  # the webhook's own server
        user, task = await join(server, harness, 716)
        page, init_data = launched(user.open_web_app(task))
        assert page.startswith(app.base)
        assert (await app.post(init_data, str(task_assignment(task))))[0] == 200
        await user.wait_for(lambda m: m.message_id == task.message_id and is_task(m)
                            and task_assignment(m) != task_assignment(task))
        assert answers(harness) == 1
