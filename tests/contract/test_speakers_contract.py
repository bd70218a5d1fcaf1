"""The speakers repository keeps one contract on every engine: details and withdrawals
stored, the checks a withdrawal stops, the recordings it takes out of exports, the details
exports attach, and the check feed passing withdrawn recordings by."""

from __future__ import annotations

import pytest

from annotation.models import AnnotatorId, ProjectId
from annotation.ports import Store, UnitOfWork
from annotation.records import Speaker
from tests.contract.conftest import CONSTRAINT_ERRORS
from tests.contract.crowd import T0, answered, at, person
from tests.contract.speech import record, studio

HOUR = 3600
RAVO, SOA = AnnotatorId(20), AnnotatorId(21)


async def test_a_speaker_is_stored_and_replaced_whole(store: Store[UnitOfWork]) -> None:
    given = Speaker(RAVO, "female", "20_29", "betsileo", at(HOUR), None)
    async with store.write() as uow:
        await person(uow, RAVO)
        assert await uow.speakers.get(RAVO) is None
        await uow.speakers.save(given)
    async with store.read() as uow:
        assert await uow.speakers.get(RAVO) == given
    withdrawn = Speaker(RAVO, withdrawn_at=at(2 * HOUR))
    async with store.write() as uow:
        await uow.speakers.save(withdrawn)
    async with store.read() as uow:
        stored = await uow.speakers.get(RAVO)
    assert stored == withdrawn and stored.withdrawn


async def test_only_an_annotator_can_be_a_speaker(store: Store[UnitOfWork]) -> None:
    with pytest.raises(CONSTRAINT_ERRORS):
        async with store.write() as uow:
            await uow.speakers.save(Speaker(AnnotatorId(99), consented_at=T0))


async def test_withdrawn_recordings_are_those_made_until_the_withdrawal(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        place = await studio(uow)
        for who in (RAVO, SOA):
            await person(uow, who)
        first, _item = await record(uow, place, 0, RAVO, at(HOUR))
        second, _item = await record(uow, place, 1, RAVO, at(2 * HOUR))
        await record(uow, place, 0, SOA, at(2 * HOUR))
        assert await uow.speakers.withdrawn(place.recording.id) == frozenset()
        await uow.speakers.save(Speaker(RAVO, withdrawn_at=at(2 * HOUR)))
        await uow.speakers.save(Speaker(SOA, "male", consented_at=at(HOUR)))
        # Ravo consents again and records: the new recording is kept
        await uow.speakers.save(Speaker(RAVO, consented_at=at(3 * HOUR),
                                        withdrawn_at=at(2 * HOUR)))
        await record(uow, place, 2, RAVO, at(4 * HOUR))
    async with store.read() as uow:
        assert await uow.speakers.withdrawn(place.recording.id) == {
            first.assignment_id, second.assignment_id}
        assert await uow.speakers.withdrawn(place.check.id) == frozenset()
        assert await uow.speakers.withdrawn(ProjectId(99)) == frozenset()


async def test_a_withdrawal_finds_the_checks_still_handed_out(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        place = await studio(uow)
        for who in (RAVO, SOA):
            await person(uow, who)
        _answer, one = await record(uow, place, 0, RAVO, at(HOUR))
        _answer, two = await record(uow, place, 1, RAVO, at(2 * HOUR))
        _answer, three = await record(uow, place, 2, RAVO, at(3 * HOUR))
        await record(uow, place, 0, SOA, at(3 * HOUR))
        await uow.items.settle(two)  # decided already
        assert await uow.speakers.open_items(RAVO) == [one, three]
        assert await uow.speakers.open_items(AnnotatorId(77)) == []


async def test_exports_get_the_details_of_the_speakers_consenting_now(
        store: Store[UnitOfWork]) -> None:
    ravo = Speaker(RAVO, "female", "30_39", "merina", at(HOUR))
    async with store.write() as uow:
        place = await studio(uow)
        for who in (RAVO, SOA, AnnotatorId(22), AnnotatorId(23)):
            await person(uow, who)
        for who in (RAVO, SOA, AnnotatorId(22)):
            await record(uow, place, 0, who, at(2 * HOUR))
        await uow.speakers.save(ravo)
        await uow.speakers.save(Speaker(SOA, withdrawn_at=at(3 * HOUR)))  # details deleted
        await uow.speakers.save(Speaker(AnnotatorId(22)))  # declined: no consent
        await uow.speakers.save(Speaker(AnnotatorId(23), "male", consented_at=at(HOUR)))
    async with store.read() as uow:
        assert await uow.speakers.of_project(place.recording.id) == {RAVO: ravo}
        assert await uow.speakers.of_project(place.check.id) == {}


async def test_the_check_feed_passes_withdrawn_recordings_by(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        place = await studio(uow)
        for who in (RAVO, SOA):
            await person(uow, who)
        for who, sentence in ((RAVO, 0), (SOA, 0), (RAVO, 1)):  # no check items yet
            await answered(uow, place.recording, place.sentences[sentence], who,
                           at(HOUR * (1 + sentence)), f"voice-{who}-{sentence}")
        before = await uow.answers.unchecked_recordings(place.recording.id, place.check.id,
                                                         10)
        await uow.speakers.save(Speaker(RAVO, withdrawn_at=at(1.5 * HOUR)))
        after = await uow.answers.unchecked_recordings(place.recording.id, place.check.id,
                                                        10)
    assert [(r.annotator_id, r.text) for r in before] == [
        (RAVO, "Sentence 0."), (SOA, "Sentence 0."), (RAVO, "Sentence 1.")]
    assert [(r.annotator_id, r.text) for r in after] == [
        (SOA, "Sentence 0."), (RAVO, "Sentence 1.")]  # recorded after the withdrawal
