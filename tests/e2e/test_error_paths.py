"""Error paths through the sandbox, as a stranger, an annotator and a coordinator would meet
them: each refusal gets its own message in the user's language, a forged button under a
photo never makes the bot edit text that is not there, and the error handler never fails
while handling an error (nothing is logged at ERROR)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from annotation.errors import ErrorCode
from annotation.models import MediaKind
from annotation.quality.settings import QualitySettings
from bot.crowd_screens import is_suspension, task_assignment
from bot.i18n import Catalogs
from bot.sample import SampleProject
from bot.sandbox import SandboxServer, SimMessage, SimUser
from handlers.messages import ERRORS
from tests.e2e.conftest import ADMIN, Harness, sample_spec, sandbox
from tests.e2e.test_console import coordinator_of
from tests.e2e.test_quality import drafts, next_task, tap_and_wait
from tests.projects import make_spec

STRANGER = 900
USER = 600
PROJECT = 1
CATALOGS = Catalogs()


# the English texts, spelled out: the test does not take them from the code it checks
NOT_COORDINATOR = "Sorry, only coordinators can do this."
NOT_SUSPENDED = "You are not suspended: there is nothing to appeal."
ALREADY_APPEALED = "You have already appealed: a coordinator will review it."
ANNOTATOR_NOT_SUSPENDED = "Annotator {value} is not suspended (any more)."
ANNOTATOR_SUSPENDED = "Annotator {value} is already suspended."


def said(language: str, english: str, **params: object) -> str:
    """The message as the user reads it, in their language."""
    return CATALOGS.get(language).gettext(english).format(**params)


def test_each_refusal_has_its_own_message() -> None:
    assert [ERRORS[code] for code in (
        ErrorCode.NOT_COORDINATOR, ErrorCode.NOT_SUSPENDED, ErrorCode.ALREADY_APPEALED,
        ErrorCode.ANNOTATOR_NOT_SUSPENDED, ErrorCode.ANNOTATOR_SUSPENDED)] == [
        NOT_COORDINATOR, NOT_SUSPENDED, ALREADY_APPEALED, ANNOTATOR_NOT_SUSPENDED,
        ANNOTATOR_SUSPENDED]
    for language in ("fr", "mg"):
        for english in (NOT_SUSPENDED, ALREADY_APPEALED, ANNOTATOR_NOT_SUSPENDED,
                        ANNOTATOR_SUSPENDED):
            assert said(language, english, value=1) != english.format(value=1)


def is_task(message: SimMessage) -> bool:
    return task_assignment(message) is not None


@pytest.fixture(autouse=True)
def nothing_logged_at_error(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """No handler failure, no error handler failing while handling one."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records
              if r.levelno >= logging.ERROR]
    assert errors == []


async def toast_of(user: SimUser, message_id: int, data: str) -> str:
    query = await user.tap_data(message_id, data)
    return (await user.wait_for_callback_answer(query)).text or ""


async def tap_inline(server: SandboxServer, user: SimUser, data: str) -> str:
    """A button press under an inline-mode message: the update has no message, no chat."""
    query = server.state.new_query(user.id, None)
    server.state.updates.push("callback_query", {
        "id": query.query_id, "from": user.info, "inline_message_id": "AAAA",
        "chat_instance": "1", "data": data})
    return query.query_id


async def quality_harness_start(server: SandboxServer, harness: Harness, user_id: int,
                                language: str) -> tuple[SimUser, SimMessage]:
    user = server.user(user_id, first_name="Ravo", language_code=language)
    await user.send_command("start", harness.invite)
    return user, await user.wait_for(is_task)


@pytest.mark.parametrize("language", ["en", "fr", "mg"])
async def test_a_stranger_paging_the_annotators_list_is_told_why(
        make_harness, language: str) -> None:  # type: ignore[no-untyped-def]
    quality = QualitySettings(enabled=True)
    async with make_harness(make_spec(quality=quality), drafts()) as harness, \
            sandbox() as server, harness.bot(server):
        stranger = server.user(STRANGER, first_name="Zaza", language_code=language)
        await stranger.send_command("help")  # never joined: only the help is on screen
        shown = await stranger.wait_for(lambda m: bool(m.text))
        refused = said(language, NOT_COORDINATOR)
        for data in (f"ql:1:{PROJECT}:0", f"qs:1:{PROJECT}:{USER}",
                     f"qr:1:{PROJECT}:{USER}", f"qd:1:{PROJECT}:{USER}:r"):
            assert await toast_of(stranger, shown.message_id, data) == refused, data
        assert stranger.message(shown.message_id).edit_count == 0


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_the_annotators_list_is_for_coordinators_and_admins(
        make_harness, language: str) -> None:  # type: ignore[no-untyped-def]
    quality = QualitySettings(enabled=True)
    async with make_harness(make_spec(quality=quality), drafts()) as harness, \
            sandbox() as server, harness.bot(server):
        user, task = await quality_harness_start(server, harness, USER, language)
        await user.send_command("annotators")
        await user.wait_for(lambda m: m.text == said(language, NOT_COORDINATOR))
        assert await toast_of(user, task.message_id, f"qs:1:{PROJECT}:{USER}") == \
            said(language, NOT_COORDINATOR)
        coordinator = await coordinator_of(server, harness)
        await coordinator.send_command("annotators")
        listing = await coordinator.wait_for(lambda m: "page 1 of 1" in (m.text or ""))
        assert "Ravo (#600)" in (listing.text or "")
    assert harness.rows("SELECT status FROM standings") == [("active",)]


@pytest.mark.parametrize("language", ["en", "fr", "mg"])
async def test_an_appeal_by_someone_not_suspended_says_so(
        make_harness, language: str) -> None:  # type: ignore[no-untyped-def]
    quality = QualitySettings(enabled=True, training=0, exam=2, exam_retries=0,
                              exam_stop_early=False)
    async with make_harness(make_spec(quality=quality), drafts()) as harness, \
            sandbox() as server, harness.bot(server):
        user, task = await quality_harness_start(server, harness, USER, language)
        assert await toast_of(user, task.message_id, f"qa:1:{PROJECT}") == \
            said(language, NOT_SUSPENDED)
    assert harness.rows("SELECT appeal FROM standings") == [("none",)]
    assert harness.rows("SELECT kind FROM quality_events") == []


async def test_a_second_appeal_and_stale_decisions_get_their_own_messages(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    quality = QualitySettings(enabled=True, training=0, exam=2, exam_retries=0,
                              exam_stop_early=False)
    async with make_harness(make_spec(quality=quality), drafts()) as harness, \
            sandbox() as server, harness.bot(server):
        admin = server.user(ADMIN, first_name="Admin", language_code="fr")
        await admin.send_command("start")
        home = await admin.wait_for(lambda m: bool(m.text))
        user = server.user(USER, first_name="Ravo", language_code="mg")
        await user.send_command("start", harness.invite)
        seen: set[str] = set()
        for _ in range(2):
            result = await tap_and_wait(user, await next_task(user, seen), "dog")
        assert is_suspension(result)
        appeal = result.callback_data[0][-1]
        assert appeal == f"qa:1:{PROJECT}"
        await toast_of(user, result.message_id, appeal)
        assert await toast_of(user, result.message_id, appeal) == \
            said("mg", ALREADY_APPEALED)
        assert await toast_of(admin, home.message_id, f"qs:1:{PROJECT}:{USER}") == \
            said("fr", ANNOTATOR_SUSPENDED, value=USER)
        assert await toast_of(admin, home.message_id, f"qr:1:{PROJECT}:{USER}") == "Réintégré."
        assert await toast_of(admin, home.message_id, f"qd:1:{PROJECT}:{USER}:c") == \
            said("fr", ANNOTATOR_NOT_SUSPENDED, value=USER)
    events = [row[0] for row in harness.rows("SELECT kind FROM quality_events ORDER BY id")]
    assert events == ["exam_failed", "suspend", "appeal", "reinstate"]


async def test_forged_buttons_on_a_photo_task_never_edit_missing_text(
        sample_200: SampleProject, make_harness) -> None:  # type: ignore[no-untyped-def]
    photos = [item for item in sample_200.items if item.kind is MediaKind.IMAGE][:6]
    async with make_harness(sample_spec(sample_200), photos) as harness, \
            sandbox() as server, harness.bot(server):
        user = server.user(USER, first_name="Ravo", language_code="en")
        await user.send_command("start", harness.invite)
        task = await user.wait_for(is_task)
        assert task.kind == "photo"
        await toast_of(user, task.message_id, "qc:1")  # Continue: the task is on screen
        await toast_of(user, task.message_id, "l:1:fr")
        await user.wait_for(lambda m: m.text == "Langue choisie : français.")
        admin = server.user(ADMIN, first_name="Admin", language_code="en")
        await admin.send_command("start", harness.invite)
        photo = await admin.wait_for(is_task)
        await toast_of(admin, photo.message_id, f"ql:1:{PROJECT}:0")
        await admin.wait_for(lambda m: "page 1 of 1" in (m.text or ""))
        await toast_of(admin, photo.message_id, f"r:1:{USER}:1")
        await admin.wait_for(lambda m: "is now a coordinator" in (m.text or ""))
        for message, who in ((task, user), (photo, admin)):
            shown = who.message(message.message_id)
            assert shown.kind == "photo" and is_task(shown) and shown.edit_count == 0
    assert harness.rows("SELECT role FROM annotators WHERE id = ?", (USER,)) == [
        ("coordinator",)]


async def test_buttons_without_a_message_get_their_answer(make_harness) -> None:  # type: ignore[no-untyped-def]
    quality = QualitySettings(enabled=True)
    async with make_harness(make_spec(quality=quality), drafts()) as harness, \
            sandbox() as server, harness.bot(server):
        user, _task = await quality_harness_start(server, harness, USER, "fr")
        for data, expected in ((f"ql:1:{PROJECT}:0", NOT_COORDINATOR),
                               (f"qa:1:{PROJECT}", NOT_SUSPENDED)):
            answer = await user.wait_for_callback_answer(await tap_inline(server, user, data))
            assert answer.text == said("fr", expected)
        admin = server.user(ADMIN, first_name="Admin", language_code="en")
        await tap_inline(server, admin, f"ql:1:{PROJECT}:0")
        listing = await admin.wait_for(lambda m: "page 1 of 1" in (m.text or ""))
        assert "Ravo (#600)" in (listing.text or "")


async def test_a_refusal_after_the_query_was_answered_arrives_in_the_chat(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(make_spec(), drafts()) as harness, sandbox() as server, \
            harness.bot(server):
        admin = server.user(ADMIN, first_name="Admin", language_code="fr")
        await admin.send_command("start")
        home = await admin.wait_for(lambda m: bool(m.text))
        await toast_of(admin, home.message_id, "e:1:999:0")  # export of no such project
        refused = await admin.wait_for(lambda m: m.message_id != home.message_id)
        assert refused.text == said("fr", "Not found: {value}", value=999)


async def test_a_broadcast_button_forged_onto_a_photo_task_answers_in_a_new_message(
        sample_200: SampleProject, make_harness) -> None:  # type: ignore[no-untyped-def]
    photos = [item for item in sample_200.items if item.kind is MediaKind.IMAGE][:6]
    async with make_harness(sample_spec(sample_200), photos) as harness, \
            sandbox() as server, harness.bot(server):
        coordinator = await coordinator_of(server, harness)
        await coordinator.send_command("start", harness.invite)
        photo = await coordinator.wait_for(is_task)
        await coordinator.send_text("/broadcast all Hello")
        draft = await coordinator.wait_for(lambda m: bool(m.buttons) and not is_task(m))
        cancel = draft.callback_data[0][-1]
        assert cancel.startswith("x:1:")
        await toast_of(coordinator, photo.message_id, cancel)
        await coordinator.wait_for(lambda m: m.text == "Broadcast cancelled.")
        assert coordinator.message(photo.message_id).edit_count == 0
    assert harness.rows("SELECT status FROM broadcasts") == [("cancelled",)]
