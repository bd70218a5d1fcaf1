"""What a recording task says to every message that is not a good voice note, through the
sandbox: a photo, sticker, location or stray file is told (in the sender's language) to
send a voice message and records nothing, a flood of stickers gets one reply; an audio file,
sent as audio or as a document, is recorded like a voice note; a voice note for a task that
is not a recording is refused; a coordinator reading aloud still uploads project files;
refusals are said in French and Malagasy."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from PIL import Image
from telegram.ext import Application

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from bot.application import running_bot
from bot.crowd_screens import task_assignment
from bot.samples.voices import voice_note
from bot.sandbox import SandboxServer, SimMessage, SimUser
from tests.e2e.conftest import ADMIN, Harness, create_project, sandbox
from tests.e2e.test_kinds import is_task
from tests.e2e.test_recordings import CHECK_SPEC, RECORDING_SPEC, replies_to, sentences_csv

SEND_VOICE = {
    "en": "Please answer with a voice message: hold the 🎤 button and speak.",
    "fr": "Répondez par un message vocal : maintenez le bouton 🎤 et parlez.",
    "mg": "Azafady, valio amin'ny hafatra feo: tsindrio ela ny bokotra 🎤 ary miteny.",
}
NOT_VOICE = "This task is not answered by voice: please use the buttons or type your answer."
USE_BUTTONS = "Please answer with the buttons under the task."
RECEIVED = "✅ Recording received ("
CHOICE_SPEC = """
name = "Animals"
question = "Which animal?"
answer_type = "single"
options = ["cat", "dog"]
overlap = 2
gold_rate = 0.0
"""


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def sticker() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (512, 512), (250, 200, 0, 255)).save(out, format="WEBP")
    return out.getvalue()


def text_of(message: SimMessage) -> str:
    return message.text or message.caption or ""


def says(text: str):  # type: ignore[no-untyped-def]
    return lambda m: text_of(m) == text


@asynccontextmanager
async def bot(harness: Harness, server: SandboxServer) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The bot, its one-per-interval replies held for an hour: a second stray message
    within a test surely gets none, whatever the machine's speed."""
    settings = dataclasses.replace(harness.settings(server), reply_interval=3600.0)
    async with running_bot(settings, clock=harness.clock) as application:
        yield application


async def joined(server: SandboxServer, harness: Harness, user_id: int,
                 language: str = "en", invite: str | None = None) -> SimUser:
    user = server.user(user_id, first_name=f"user {user_id}", language_code=language)
    await user.send_command("start", invite or harness.invite)
    await user.wait_for(is_task)
    return user


def recorded(harness: Harness) -> list[tuple[object, ...]]:
    return harness.rows("SELECT COUNT(*) FROM answers") + harness.rows(
        "SELECT COUNT(*) FROM media WHERE kind = 'audio'")


def recording_items():  # type: ignore[no-untyped-def]
    spec = parse_spec(RECORDING_SPEC)
    return spec, parse_items(sentences_csv(), "s.csv", spec, None)


async def test_a_photo_sticker_location_or_stray_file_is_told_to_send_a_voice_message(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec, items = recording_items()
    async with make_harness(spec, items) as harness, sandbox() as server, bot(harness, server):
        users = [await joined(server, harness, 1400 + n, language)
                 for n, language in enumerate(("en", "fr", "mg", "en", "mg"))]
        tasks = [user.last_message for user in users]
        await users[0].send_photo(photo(), caption="here is my answer")
        await users[1].send_sticker(sticker())
        await users[2].send_document(b"%PDF-1.4 not a recording", "notes.pdf")
        await users[3].send_location(-18.9, 47.5)
        await users[4].send_document(b"id,text\n1,a\n", "items.csv")  # not a coordinator
        for user in users:
            await user.wait_for(says(SEND_VOICE[str(user.language_code)]))
        assert recorded(harness) == [(0,), (0,)]
        for user, task in zip(users, tasks, strict=True):  # the task stays open, unchanged
            assert task is not None and user.message(task.message_id).text == task.text
        # the task is still the same and a voice note answers it
        sent = await users[1].send_voice(voice_note(3.0, seed=1))
        assert text_of(await users[1].wait_for(replies_to(sent))).startswith("✅ Enregistrement")


async def test_a_flood_of_stickers_gets_one_reply_and_the_others_are_served(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec, items = recording_items()
    async with make_harness(spec, items) as harness, sandbox() as server, bot(harness, server):
        hostile = await joined(server, harness, 1410)
        reader = await joined(server, harness, 1411)
        for _ in range(10):
            await hostile.send_sticker(sticker())
        sent = await reader.send_voice(voice_note(3.0, seed=2))
        assert text_of(await reader.wait_for(replies_to(sent))).startswith(RECEIVED)
        # one lane per sender, in order: once this note is answered every sticker was read
        sent = await hostile.send_voice(voice_note(3.0, seed=3))
        assert text_of(await hostile.wait_for(replies_to(sent))).startswith(RECEIVED)
        refusals = [m for m in hostile.history if text_of(m) == SEND_VOICE["en"]]
        assert len(refusals) == 1
        assert harness.rows("SELECT annotator_id FROM answers ORDER BY annotator_id") == [
            (1410,), (1411,)]


async def test_an_audio_file_sent_as_a_document_is_a_recording_heard_by_checkers(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RECORDING_SPEC.replace("overlap = 2", "overlap = 1"))
    items = parse_items(sentences_csv(), "s.csv", spec, None)
    async with make_harness(spec, items) as harness:
        check_invite = await create_project(harness.db_path, parse_spec(CHECK_SPEC), [])
        async with sandbox() as server, bot(harness, server):
            speaker = await joined(server, harness, 1420)
            first = task_assignment(speaker.last_message)  # type: ignore[arg-type]
            # a file the decoder cannot read (AAC in .m4a, say): the pipeline's own refusal
            sent = await speaker.send_document(b"\x00\x00\x00\x20ftypM4A not decodable",
                                               "reading.m4a")
            await speaker.wait_for(says(SEND_VOICE["en"]))
            assert recorded(harness) == [(0,), (0,)]
            # a bad recording as a file: its reasons, as for a voice note
            sent = await speaker.send_document(voice_note(0.6, seed=4), "short.ogg")
            refusal = text_of(await speaker.wait_for(replies_to(sent)))
            assert "not accepted" in refusal and "too short: 0.6 s" in refusal
            # a good one is recorded and acknowledged; the next task comes
            note = voice_note(3.0, seed=5)
            sent = await speaker.send_document(note, "reading.ogg")
            assert text_of(await speaker.wait_for(replies_to(sent))).startswith(RECEIVED)
            await speaker.wait_for(lambda m: is_task(m) and task_assignment(m) != first)
            (data, file_id, send_as), = harness.rows(
                "SELECT m.data, m.file_id, m.send_as FROM answers AS a "
                "JOIN media AS m ON m.key = a.value")
            assert (bytes(data), file_id, send_as) == (note, None, "audio")  # type: ignore[arg-type]
            # a checker hears it: uploaded once (a document's id is not sent as audio)
            checker = server.user(1421, first_name="checker", language_code="en")
            await checker.send_command("start", check_invite)
            task = await checker.wait_for(lambda m: m.kind == "audio" and bool(m.buttons))
            stored = server.state.files.get(str(task.file_id))
            assert stored is not None and stored.data == note


async def test_an_audio_message_answers_a_recording_task(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec, items = recording_items()
    async with make_harness(spec, items) as harness, sandbox() as server, bot(harness, server):
        speaker = await joined(server, harness, 1430)
        note = voice_note(3.0, seed=6)
        sent = await speaker.send_audio(note, filename="reading.ogg", title="Reading")
        assert text_of(await speaker.wait_for(replies_to(sent))).startswith(RECEIVED)
        (data, file_id, send_as), = harness.rows(
            "SELECT m.data, m.file_id, m.send_as FROM answers AS a "
            "JOIN media AS m ON m.key = a.value")
        assert (bytes(data), send_as) == (note, "audio")  # type: ignore[arg-type]
        stored = server.state.files.get(str(file_id))  # checkers get the speaker's own id
        assert stored is not None and stored.kind == "audio" and stored.data == note


async def test_a_voice_note_or_sticker_for_a_task_that_is_not_a_recording_is_refused(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(CHOICE_SPEC)
    items = parse_items(b"id,text\n1,a cat\n2,a dog\n", "a.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, bot(harness, server):
        user = await joined(server, harness, 1440)
        task = user.last_message
        assert task is not None
        downloads = server.state.stats.downloads
        await user.send_voice(voice_note(3.0, seed=7))
        await user.wait_for(says(NOT_VOICE))
        await user.send_audio(voice_note(3.0, seed=8), filename="cat.ogg")
        await user.wait_for(lambda m: len([n for n in user.history
                                           if text_of(n) == NOT_VOICE]) == 2)
        await user.send_sticker(sticker())
        await user.wait_for(says(USE_BUTTONS))
        assert server.state.stats.downloads == downloads  # nothing was fetched
        assert recorded(harness) == [(0,), (0,)]
        await user.tap("cat", task.message_id)  # the task still takes its buttons
        await user.wait_for(lambda m: is_task(m) and task_assignment(m)
                            != task_assignment(task))
        assert harness.rows("SELECT value FROM answers") == [("cat",)]


async def test_a_coordinator_reading_aloud_still_uploads_project_files(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec, items = recording_items()
    async with make_harness(spec, items) as harness, sandbox() as server, bot(harness, server):
        coordinator = server.user(ADMIN, first_name="Admin", language_code="en")
        # no task open: any file is the upload's, an audio file included
        await coordinator.send_document(voice_note(3.0, seed=9), "reading.ogg")
        await coordinator.wait_for(says("Send the project settings (.toml) and the items "
                                        "(.csv, .jsonl or a .zip with media)."))
        await coordinator.send_command("start", harness.invite)
        await coordinator.wait_for(is_task)
        # a project file goes to the upload, whatever task is open
        await coordinator.send_document(RECORDING_SPEC.replace("Read aloud", "Second")
                                        .encode(), "second.toml")
        await coordinator.wait_for(lambda m: "Settings of “Second” are valid" in text_of(m))
        # an audio file is a recording; a stray file is told to send a voice message
        sent = await coordinator.send_document(voice_note(3.0, seed=10), "reading.ogg")
        assert text_of(await coordinator.wait_for(replies_to(sent))).startswith(RECEIVED)
        await coordinator.send_document(b"%PDF-1.4", "notes.pdf")
        await coordinator.wait_for(says(SEND_VOICE["en"]))
        # the items complete the project begun with the settings
        await coordinator.send_document(sentences_csv(), "items.csv")
        await coordinator.wait_for(lambda m: "created as a draft with 3 items" in text_of(m))
        assert harness.rows("SELECT name, status FROM projects ORDER BY id") == [
            ("Read aloud", "open"), ("Second", "draft")]
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(1,)]


TOO_SHORT = {"fr": "Il est trop court : 0.6 s.", "mg": "Fohy loatra: 0.6 s."}
CLIPPED = {"fr": "Il est saturé, trop fort (", "mg": "Mikotrokotroka, mafy loatra ("}
NOT_ACCEPTED = {"fr": "❌ Cet enregistrement n'a pas été accepté :",
                "mg": "❌ Tsy nekena ity fandraisam-peo ity:"}


@pytest.mark.parametrize("language", ["fr", "mg"])
async def test_refusals_are_said_in_french_and_malagasy(
        make_harness, language: str) -> None:  # type: ignore[no-untyped-def]
    spec, items = recording_items()
    async with make_harness(spec, items) as harness, sandbox() as server, bot(harness, server):
        user = await joined(server, harness, 1450, language)
        for data, reason in ((voice_note(0.6, seed=11), TOO_SHORT[language]),
                             (voice_note(3.0, kind="clipped", seed=12), CLIPPED[language])):
            sent = await user.send_voice(data)
            reply = text_of(await user.wait_for(replies_to(sent)))
            assert reply.startswith(NOT_ACCEPTED[language]) and reason in reply, reply
        await user.send_photo(photo())
        await user.wait_for(says(SEND_VOICE[language]))
        assert recorded(harness) == [(0,), (0,)]
