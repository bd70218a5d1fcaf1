"""Messages that are not voice notes: where a document goes, what a photo or sticker is
told, and that an audio file sent as a document is recorded without reusing its file id."""

from __future__ import annotations

import pytest

from annotation.errors import AnswerRejected, ErrorCode, StaleTask
from annotation.loop.tasks import Result
from annotation.loop.voice import (
    DocumentUse,
    VoiceNote,
    document_use,
    expected_answer,
    is_audio_file,
)
from annotation.models import AnnotatorId, AnswerType
from bot.samples.voices import voice_note
from tests.annotators import Services, join
from tests.fakes.store import FakeStore
from tests.projects import make_items, make_spec

RAVO = AnnotatorId(20)
RECORDING = make_spec(name="Read", answer_type=AnswerType.RECORDING, options=(), overlap=1)


@pytest.mark.parametrize(("name", "mime", "audio"), [
    ("reading.ogg", "", True),
    ("reading.M4A", "application/octet-stream", True),
    ("voice", "audio/mpeg", True),
    ("voice.bin", "audio/ogg; codecs=opus", True),
    ("take.opus", "", True),
    ("notes.pdf", "application/pdf", False),
    ("clip.mp4", "video/mp4", False),
    ("items.csv", "text/csv", False),
])
def test_an_audio_file_is_known_by_its_type_or_else_its_name(name: str, mime: str,
                                                             audio: bool) -> None:
    assert is_audio_file(name, mime) is audio


@pytest.mark.parametrize(("name", "coordinator", "recording", "use"), [
    # the coordinator path wins for project files, and for any file outside a recording
    ("spec.toml", True, True, DocumentUse.UPLOAD),
    ("items.zip", True, False, DocumentUse.UPLOAD),
    ("reading.ogg", True, False, DocumentUse.UPLOAD),
    ("notes.pdf", True, False, DocumentUse.UPLOAD),
    # a coordinator reading aloud: an audio file is a recording, a stray file refused
    ("reading.ogg", True, True, DocumentUse.RECORDING),
    ("notes.pdf", True, True, DocumentUse.REFUSED),
    # an annotator: audio answers the open task; a project file is the upload's to refuse
    # unless a recording is open; the rest is refused
    ("reading.ogg", False, True, DocumentUse.RECORDING),
    ("reading.ogg", False, False, DocumentUse.RECORDING),
    ("items.csv", False, False, DocumentUse.UPLOAD),
    ("items.csv", False, True, DocumentUse.REFUSED),
    ("notes.pdf", False, True, DocumentUse.REFUSED),
    ("notes.pdf", False, False, DocumentUse.REFUSED),
])
def test_a_document_goes_where_the_role_and_the_open_task_say(
        name: str, coordinator: bool, recording: bool, use: DocumentUse) -> None:
    assert document_use(name, "", coordinator=coordinator, recording_open=recording) is use


def test_the_refusal_says_what_the_task_takes() -> None:
    assert expected_answer(voice=True, typed=False) is ErrorCode.SEND_VOICE
    assert expected_answer(voice=False, typed=True) is ErrorCode.TYPE_ANSWER
    assert expected_answer(voice=False, typed=False) is ErrorCode.USE_BUTTONS


@pytest.mark.parametrize(("spec", "code"), [
    (RECORDING, ErrorCode.SEND_VOICE),
    (make_spec(answer_type=AnswerType.TEXT), ErrorCode.TYPE_ANSWER),
    (make_spec(), ErrorCode.USE_BUTTONS),
])
async def test_a_message_that_answers_nothing_is_refused_and_records_nothing(
        services: Services, store: FakeStore, spec: object, code: ErrorCode) -> None:
    tasks, _annotators, projects = services
    project = await projects.create(spec, make_items(2))  # type: ignore[arg-type]
    with pytest.raises(StaleTask) as nothing:  # not even registered
        await tasks.refuse_message(RAVO)
    assert nothing.value.code is ErrorCode.NO_WORK
    await join(services, RAVO, project.invite_code)
    task = await tasks.current_task(RAVO)
    assert task is not None
    with pytest.raises(AnswerRejected) as refused:
        await tasks.refuse_message(RAVO)
    assert refused.value.code is code
    assert not (await projects.snapshot(project.id)).answers
    assert await tasks.current_task(RAVO) == task  # still the same task


async def test_the_open_task_and_the_role_route_a_document(services: Services) -> None:
    tasks, _annotators, projects = services
    reading = await projects.create(RECORDING, make_items(2))
    choosing = await projects.create(make_spec(), make_items(2))
    await join(services, RAVO, choosing.invite_code)
    assert await tasks.current_task(RAVO) is not None
    assert await tasks.document_use(RAVO, "items.csv", "", coordinator=True) \
        is DocumentUse.UPLOAD
    assert await tasks.document_use(RAVO, "r.ogg", "", coordinator=True) is DocumentUse.UPLOAD
    await join(services, RAVO, reading.invite_code)
    assert await tasks.current_task(RAVO) is not None
    assert await tasks.document_use(RAVO, "r.ogg", "", coordinator=True) \
        is DocumentUse.RECORDING
    assert await tasks.document_use(RAVO, "items.csv", "", coordinator=False) \
        is DocumentUse.REFUSED


async def test_an_audio_file_sent_as_a_document_is_recorded_but_its_id_not_reused(
        services: Services, store: FakeStore) -> None:
    tasks, _annotators, projects = services
    await projects.create(RECORDING, make_items(2))
    await join(services, RAVO, "invite1")
    assert await tasks.current_task(RAVO) is not None
    data = voice_note(3.0, seed=1)

    async def fetch() -> bytes:
        return data

    note = VoiceNote("document-id", "unique-1", 0, len(data), "audio/ogg", f"{RAVO}:1",
                     voice=False, resendable=False)
    outcome = await tasks.answer_voice(RAVO, note, fetch)
    assert outcome.result is Result.RECORDED
    async with store.read() as uow:
        answer = await uow.answers.last_by(RAVO)
        assert answer is not None
        media = await uow.media.get(answer.value)  # type: ignore[arg-type]
    assert media is not None and media.file_id is None and media.send_as == "audio"
