"""/speaker and /withdraw as use cases on the fake store: each tap stored at once, stale
buttons changing nothing, a withdrawal stopping the checks of the speaker's recordings and
refusing their voice until they agree anew."""

from __future__ import annotations

import pytest

from annotation.errors import AnswerRejected, ErrorCode, StaleTask
from annotation.loop.speakers import (
    AGE_BANDS,
    GENDERS,
    REGIONS,
    FormStep,
    Question,
    SpeakerService,
    may_record,
)
from annotation.loop.tasks import Result
from annotation.loop.voice import VoiceNote
from annotation.models import AnnotatorId, AnswerType
from annotation.records import Speaker
from bot.samples.voices import voice_note
from tests.annotators import Services, join
from tests.clocks import FakeClock
from tests.fakes.store import FakeStore
from tests.projects import make_items, make_spec

RAVO = AnnotatorId(20)


@pytest.fixture
def speakers(store: FakeStore, clock: FakeClock) -> SpeakerService:
    return SpeakerService(store, clock=clock)


async def _registered(services: Services, user: int = RAVO, invite: str = "invite1") -> None:
    await join(services, user, invite)


async def _fill(speakers: SpeakerService, gender: str, age: str, region: str) -> FormStep:
    step = await speakers.choose(RAVO, 0, 0)  # agree
    for question, code in ((Question.GENDER, gender), (Question.AGE_BAND, age),
                           (Question.REGION, region)):
        assert step.question is question
        step = await speakers.choose(RAVO, step.position, step.options.index(code))
    return step


async def test_the_form_asks_consent_then_each_detail_and_stores_every_tap(
        services: Services, speakers: SpeakerService, store: FakeStore,
        clock: FakeClock) -> None:
    assert await speakers.begin(RAVO) is None  # never started the bot
    await services[2].create(make_spec(), make_items(2))
    await _registered(services)
    first = await speakers.begin(RAVO)
    assert first is not None and (first.question, first.options, first.speaker) == (
        Question.CONSENT, ("agree", "decline"), None)
    step = await speakers.choose(RAVO, 0, 0)
    assert (step.question, step.options, step.position) == (Question.GENDER, GENDERS, 1)
    assert step.speaker == Speaker(RAVO, consented_at=clock.now)
    async with store.read() as uow:  # stored at once, before the form is over
        assert await uow.speakers.get(RAVO) == Speaker(RAVO, consented_at=clock.now)
    step = await speakers.choose(RAVO, 1, GENDERS.index("female"))
    assert (step.question, step.options) == (Question.AGE_BAND, AGE_BANDS)
    step = await speakers.choose(RAVO, 2, AGE_BANDS.index("undisclosed"))
    assert (step.question, step.options) == (Question.REGION, REGIONS)
    done = await speakers.choose(RAVO, 3, REGIONS.index("sakalava"))
    expected = Speaker(RAVO, "female", "undisclosed", "sakalava", clock.now)
    assert (done.question, done.speaker, done.declined) == (None, expected, False)
    async with store.read() as uow:
        assert await uow.speakers.get(RAVO) == expected
    # /speaker again shows what is stored; agreeing starts afresh
    again = await speakers.begin(RAVO)
    assert again is not None and again.speaker == expected
    clock.advance(60)
    assert (await speakers.choose(RAVO, 0, 0)).speaker == Speaker(RAVO, consented_at=clock.now)


async def test_declining_keeps_no_details(services: Services, speakers: SpeakerService,
                                          store: FakeStore) -> None:
    await services[2].create(make_spec(), make_items(2))
    await _registered(services)
    declined = await speakers.choose(RAVO, 0, 1)
    assert (declined.question, declined.speaker, declined.declined) == (None, None, True)
    async with store.read() as uow:
        assert await uow.speakers.get(RAVO) is None  # nothing was written
    await _fill(speakers, "male", "40_49", "merina")
    declined = await speakers.choose(RAVO, 0, 1)
    assert declined.speaker == Speaker(RAVO)
    async with store.read() as uow:
        assert await uow.speakers.get(RAVO) == Speaker(RAVO)


@pytest.mark.parametrize(("position", "choice"), [(4, 0), (-1, 0), (1, 4), (3, 8), (0, 2)])
async def test_a_button_no_step_shows_changes_nothing(
        services: Services, speakers: SpeakerService, store: FakeStore, position: int,
        choice: int) -> None:
    await services[2].create(make_spec(), make_items(2))
    await _registered(services)
    await speakers.choose(RAVO, 0, 0)
    commits = store.commits
    with pytest.raises(StaleTask):
        await speakers.choose(RAVO, position, choice)
    assert store.commits == commits


async def test_a_detail_needs_consent(services: Services, speakers: SpeakerService,
                                      store: FakeStore) -> None:
    await services[2].create(make_spec(), make_items(2))
    await _registered(services)
    with pytest.raises(StaleTask):  # a forged button before any consent
        await speakers.choose(RAVO, 1, 0)
    with pytest.raises(StaleTask):
        await speakers.choose(AnnotatorId(99), 0, 0)  # never started the bot
    await speakers.choose(RAVO, 0, 1)  # declined
    with pytest.raises(StaleTask):
        await speakers.choose(RAVO, 2, 0)
    async with store.read() as uow:
        assert await uow.speakers.get(RAVO) is None


RECORDING = make_spec(name="Read", answer_type=AnswerType.RECORDING, options=(), overlap=1)


def _note(number: int, data: bytes) -> VoiceNote:
    return VoiceNote(f"file-{number}", f"unique-{number}", 3, len(data), "audio/ogg",
                     f"{RAVO}:{number}")


async def test_a_withdrawn_speaker_records_again_only_after_agreeing_anew(
        services: Services, speakers: SpeakerService, store: FakeStore,
        clock: FakeClock) -> None:
    tasks = services[0]
    await services[2].create(RECORDING, make_items(3))
    await _registered(services)
    await _fill(speakers, "female", "20_29", "betsileo")
    note = voice_note(3.0, seed=1)
    fetched: list[int] = []

    async def fetch() -> bytes:
        fetched.append(1)
        return note

    assert await tasks.current_task(RAVO) is not None
    recorded = await tasks.answer_voice(RAVO, _note(1, note), fetch)
    assert recorded.result is Result.RECORDED
    clock.advance(60)
    done = await speakers.withdraw(RAVO)
    assert done is not None and done.speaker == Speaker(RAVO, withdrawn_at=clock.now)
    assert not may_record(done.speaker)
    clock.advance(60)
    with pytest.raises(AnswerRejected) as refused:
        await tasks.answer_voice(RAVO, _note(2, voice_note(3.0, seed=2)), fetch)
    assert refused.value.code is ErrorCode.WITHDRAWN and fetched == [1]  # not downloaded
    await speakers.choose(RAVO, 0, 1)  # declining is not agreeing
    with pytest.raises(AnswerRejected):
        await tasks.answer_voice(RAVO, _note(3, voice_note(3.0, seed=3)), fetch)
    await speakers.choose(RAVO, 0, 0)
    second = voice_note(3.0, seed=4)

    async def fetch_second() -> bytes:
        return second

    assert (await tasks.answer_voice(RAVO, _note(4, second), fetch_second)).result \
        is Result.RECORDED
    async with store.read() as uow:
        project = (await uow.projects.all())[0]
        withdrawn = await uow.speakers.withdrawn(project.id)
        assert withdrawn == {recorded.answered}  # the second recording is kept


async def test_withdrawing_stops_the_checks_of_the_speakers_recordings(
        services: Services, speakers: SpeakerService, store: FakeStore) -> None:
    from annotation.kinds.check import LABELS
    from annotation.models import Scale

    tasks = services[0]
    await services[2].create(RECORDING, make_items(3))
    check = make_spec(name="Check", answer_type=AnswerType.CHECK, options=(), overlap=3,
                      scale=Scale(points=2, labels=LABELS, source="Read"))
    await services[2].create(check, [])
    await _registered(services)
    assert await tasks.current_task(RAVO) is not None
    for number in (1, 2):
        data = voice_note(3.0, seed=number)

        async def fetch(data: bytes = data) -> bytes:
            return data

        await tasks.answer_voice(RAVO, _note(number, data), fetch)
    async with store.read() as uow:
        made = await uow.speakers.open_items(RAVO)
    assert len(made) == 2  # each recording became a check
    done = await speakers.withdraw(RAVO)
    assert done is not None and done.checks_stopped == 2
    async with store.read() as uow:
        assert await uow.speakers.open_items(RAVO) == []
    await join(services, 30, "invite2")  # a checker finds nothing to check
    assert await tasks.current_task(AnnotatorId(30)) is None
    assert await speakers.withdraw(AnnotatorId(99)) is None
