"""The export use case on the fake store, for a recording project and the check project
naming it: the checks' votes reach each recording, its language is its sentence's (the
item's, else the spec's; never the one its speaker chose for the bot), the speaker's
details fill the metadata and Common Voice's columns, the voice notes are copied as stored,
16 kHz WAV is written only when asked, and what a speaker withdrew leaves both exports."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import soundfile

from annotation.access import AccessService
from annotation.datasets.records import ALL_FORMATS, Format
from annotation.datasets.service import DatasetService, ExportRequest
from annotation.intake.spec import parse_spec
from annotation.kinds.recording import recording_detail
from annotation.loop.checks import CheckFeed
from annotation.models import AnnotatorId, MediaKey, MediaKind, ProjectId, ProjectStatus
from annotation.ports import UnitOfWork
from annotation.records import ItemDraftRecord, Speaker
from bot.samples.voices import voice_note
from storage.datasets import open_dataset_folder
from tests.contract.crowd import answered, at, person
from tests.fakes.store import FakeStore

ADMIN = 1
RECORDING = parse_spec('name = "Read aloud"\nanswer_type = "recording"\n'
                       'question = "Read this sentence aloud."\ngold_rate = 0.0\n'
                       'language = "mg"\n')
CHECK = parse_spec('name = "Checks"\nanswer_type = "check"\nquestion = "Says it?"\n'
                   'source = "Read aloud"\nvotes = 2\ngold_rate = 0.0\n')
SENTENCES = ("Manao ahoana?", "Tsara ny andro.", "Aiza ny lalana?")
PAYLOADS = ("", "", '{"language":"mg-MG"}')  # the last item names its own language
LANGUAGES = ["mg", "mg", "mg-MG"]
NOTES = [voice_note(2.0, seed=seed) for seed in range(3)]
VERDICTS = (("yes", "yes"), ("no", "no"), ("yes",))  # accepted, rejected, pending


async def crowd(store: FakeStore) -> None:
    """Store the projects, one speaker's three recordings and the checks of them."""
    async with store.write() as uow:
        await person(uow, ADMIN)
        source = await uow.projects.add(RECORDING, ProjectStatus.OPEN, "rec", None, at(0))
        await uow.items.add_many(source.id, [
            ItemDraftRecord(f"s{n}", MediaKind.TEXT, text, None, None, None, False,
                            payload=payload)
            for n, (text, payload) in enumerate(zip(SENTENCES, PAYLOADS, strict=True))])
        items = [t.item_id for t in await uow.items.tallies(source.id)]
        speaker = await person(uow, 1300, language="fr")
        for n, (item, note) in enumerate(zip(items, NOTES, strict=True)):
            key = await store_note(uow, note)
            await answered(uow, source, item, speaker, at(n), key,
                           detail=recording_detail(2.0, -20.0, 0.7, f"u{n}", len(note)))
        await uow.projects.add(CHECK, ProjectStatus.OPEN, "chk", None, at(0))
    assert await CheckFeed(store).sync() == 3
    async with store.write() as uow:
        check = await uow.projects.by_name("Checks")
        assert check is not None
        checks = [t.item_id for t in await uow.items.tallies(check.id)]
        checkers = [await person(uow, n) for n in (1400, 1401)]
        for item, values in zip(checks, VERDICTS, strict=True):
            for checker, value in zip(checkers, values, strict=False):
                await answered(uow, check, item, checker, at(100 + item), value)


async def store_note(uow: UnitOfWork, note: bytes) -> MediaKey:
    key = MediaKey(hashlib.sha256(note).hexdigest())  # as the loop names it
    await uow.media.add(key, MediaKind.AUDIO.value, f"{key}.ogg", "audio/ogg", "voice", note)
    return key


async def export(store: FakeStore, project: int, formats: frozenset[Format], out: Path
                 ) -> Path:
    access = AccessService(store, clock=lambda: datetime.now(UTC), admins={ADMIN})
    service = DatasetService(store, access, clock=lambda: datetime.now(UTC),
                             folders=open_dataset_folder)
    return (await service.export(ADMIN, ExportRequest(ProjectId(project), formats), out)).folder


def table(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


async def test_recordings_carry_their_checks_votes_and_language(tmp_path: Path) -> None:
    store = FakeStore()
    await crowd(store)
    folder = await export(store, 1, ALL_FORMATS, tmp_path / "rec")
    hub = folder / "huggingface/recordings"
    rows = [json.loads(line) for line in (hub / "metadata.jsonl").read_text().splitlines()]
    assert [(r["item_id"], r["up_votes"], r["down_votes"], r["accepted"]) for r in rows] == [
        ("s0", 2, 0, True), ("s1", 0, 2, False), ("s2", 1, 0, None)]
    # the speaker uses the bot in French: their recordings are still in Malagasy
    assert [r["language"] for r in rows] == LANGUAGES and {r["duration"] for r in rows} == {2.0}
    assert {(r["gender"], r["age"], r["accents"]) for r in rows} == {("", "", "")}
    assert len({r["speaker"] for r in rows}) == 1 and rows[0]["speaker"].startswith("a_")
    for row, note in zip(rows, NOTES, strict=True):
        assert (hub / row["file_name"]).read_bytes() == note  # as the speaker sent it
    assert [r["path"] for r in table(folder / "tables/recordings/validated.csv")] == [
        rows[0]["file_name"]]
    assert [r["sentence"] for r in table(folder / "tables/recordings/invalidated.csv")] == [
        SENTENCES[1]]
    assert [r["locale"] for r in table(folder / "tables/recordings/other.csv")] == ["mg-MG"]
    assert not (folder / "huggingface/recordings_wav16k").exists()  # not asked for
    assert not (folder / "tables/recordings_wav16k.csv").exists()


async def test_16_khz_wav_is_written_beside_when_asked(tmp_path: Path) -> None:
    store = FakeStore()
    await crowd(store)
    folder = await export(store, 1, frozenset({Format.WAV}), tmp_path / "wav")
    wav = folder / "huggingface/recordings_wav16k"
    rows = [json.loads(line) for line in (wav / "metadata.jsonl").read_text().splitlines()]
    assert [r["accepted"] for r in rows] == [True, False, None]
    for row in rows:
        info = soundfile.info(io.BytesIO((wav / row["file_name"]).read_bytes()))
        assert (info.samplerate, info.channels, info.subtype) == (16_000, 1, "PCM_16")
        assert abs(info.duration - 2.0) < 0.05
    assert (folder / "huggingface/recordings").is_dir()  # WAV comes with the Hugging Face folder
    assert not (folder / "tables").exists()


async def test_a_check_project_exports_each_recordings_verdict(tmp_path: Path) -> None:
    store = FakeStore()
    await crowd(store)
    folder = await export(store, 2, ALL_FORMATS, tmp_path / "chk")
    rows = table(folder / "tables/checks/recordings.csv")
    assert [(r["sentence"], r["up_votes"], r["down_votes"], r["verdict"]) for r in rows] == [
        (SENTENCES[0], "2", "0", "accepted"), (SENTENCES[1], "0", "2", "rejected"),
        (SENTENCES[2], "1", "0", "pending")]
    assert len(table(folder / "tables/labels.csv")) == 3  # the usual labels stay
    # the two exports join on the recording's id
    source = await export(store, 1, frozenset({Format.TABLES}), tmp_path / "rec")
    recordings = table(source / "tables/recordings.csv")
    assert [(r["recording_id"], r["accepted"]) for r in recordings] == [
        (rows[0]["recording_id"], "true"), (rows[1]["recording_id"], "false"),
        (rows[2]["recording_id"], "")]


async def test_speakers_details_fill_common_voice_and_withdrawn_recordings_leave(
        tmp_path: Path) -> None:
    store = FakeStore()
    await crowd(store)
    note = voice_note(2.5, seed=9)
    async with store.write() as uow:
        await uow.speakers.save(Speaker(AnnotatorId(1300), "female", "20_29", "betsileo",
                                        consented_at=at(0)))
        source = await uow.projects.get(ProjectId(1))
        assert source is not None
        first = (await uow.items.tallies(source.id))[0].item_id
        quitter = await person(uow, 1301, language="mg")
        await answered(uow, source, first, quitter, at(50), await store_note(uow, note),
                       detail=recording_detail(2.5, -20.0, 0.7, "q", len(note)))
    assert await CheckFeed(store).sync() == 1  # its check is made, and answered
    async with store.write() as uow:
        check = await uow.projects.get(ProjectId(2))
        assert check is not None
        (made,) = [t for t in await uow.items.tallies(check.id) if t.answers == 0]
        await answered(uow, check, made.item_id, AnnotatorId(1400), at(300), "yes")
        await uow.speakers.save(Speaker(quitter, withdrawn_at=at(400)))  # /withdraw
    folder = await export(store, 1, ALL_FORMATS, tmp_path / "rec")
    rows = [json.loads(line) for line in
            (folder / "huggingface/recordings/metadata.jsonl").read_text().splitlines()]
    assert len(rows) == 3 and [r["language"] for r in rows] == LANGUAGES  # 1301's is gone
    assert {(r["gender"], r["age"], r["accents"]) for r in rows} == {
        ("female", "20_29", "betsileo")}
    assert note not in [p.read_bytes() for p in (folder / "huggingface/recordings").iterdir()]
    assert len(table(folder / "tables/answers.csv")) == 3
    (valid,) = table(folder / "tables/recordings/validated.csv")
    assert (valid["gender"], valid["age"], valid["accents"]) == ("female", "20_29", "betsileo")
    # the check project leaves out the check of the withdrawn recording, and its audio
    checks = await export(store, 2, ALL_FORMATS, tmp_path / "chk")
    assert len(table(checks / "tables/checks/recordings.csv")) == 3
    assert len(table(checks / "tables/labels.csv")) == 3
    assert len(table(checks / "tables/answers.csv")) == 5  # 2 + 2 + 1, not the sixth
    assert note not in [p.read_bytes() for p in (checks / "huggingface/audio").iterdir()
                        if p.suffix != ".jsonl" and p.name != "README.md"]
