"""Recordings made and checked through the sandbox, exported, and loaded back the way
researchers load them: ``datasets`` reads the audiofolder's metadata, soundfile the voice
notes (the very bytes the speakers sent), pandas Common Voice's tables. Each recording's
language is its sentence's (the spec's default or the item's own), not the language its
speaker chose for the bot; what a consenting speaker told with /speaker goes with it."""

from __future__ import annotations

import io
import statistics
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import soundfile

from annotation.access import AccessService
from annotation.datasets.records import Format
from annotation.datasets.service import DatasetService, ExportRequest
from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.kinds.recording import COMMON_VOICE_FIELDS, RECORDING_FIELDS
from annotation.models import ProjectId
from bot.samples.voices import voice_note
from bot.sandbox import SandboxServer, SimUser
from storage.database import Database
from storage.datasets import open_dataset_folder
from tests.e2e.conftest import ADMIN, Harness, create_project, sandbox
from tests.e2e.test_kinds import is_task
from tests.e2e.test_recordings import CHECK_SPEC, RECORDING_SPEC, replies_to
from tests.e2e.test_speakers import _tap_through, has

datasets = pytest.importorskip("datasets")  # the 'bench' extra, installed by .ci/run
pandas = pytest.importorskip("pandas")  # comes with datasets

OPERATOR = 0
WAV_BUTTON = "🎧 Everything + 16 kHz WAV"
# what each checker says of the first, second and third recording made
VERDICTS = {1401: ("✅ Says exactly the text", "❌ Does not say it", "✅ Says exactly the text"),
            1402: ("✅ Says exactly the text", "❌ Does not say it", "🔇 Can't hear it")}
# the sentences and the language each is in: the spec's (mg) unless the item names its own
SENTENCES = (("s0", "Manao ahoana ianao tompoko?", ""), ("s1", "Tsara ny andro androany.", ""),
             ("s2", "Il fait beau aujourd'hui.", "fr"))
LANGUAGES = {"s0": "mg", "s1": "mg", "s2": "fr"}


def sentences_csv() -> bytes:
    return ("id,text,language\n" + "".join(f'{item},"{text}",{language}\n'
                                           for item, text, language in SENTENCES)).encode()


async def record(speaker: SimUser, note: bytes) -> None:
    """Send a voice note for the speaker's task and wait for what follows the
    acknowledgement (the next task, or word that there is none)."""
    sent = await speaker.send_voice(note)
    ack = await speaker.wait_for(replies_to(sent))
    await speaker.wait_for(lambda m: m.message_id > ack.message_id)


async def check_all(server: SandboxServer, harness: Harness, invite: str, checker: int,
                    order: list[str]) -> None:
    """Have a checker answer each recording they get as ``VERDICTS`` says (``order``: the
    check items' external ids, in the order the recordings were made)."""
    user = server.user(checker, first_name=f"c{checker}", language_code="en")
    await user.send_command("start", invite)
    seen: set[int] = set()
    for _ in order:
        task = await user.wait_for(lambda m: m.kind == "voice" and bool(m.buttons)
                                   and m.message_id not in seen)
        seen.add(task.message_id)
        (item,), = harness.rows(
            "SELECT i.external_id FROM assignments AS a JOIN items AS i ON i.id = a.item_id "
            "WHERE a.annotator_id = ? AND a.status = 'active'", (checker,))
        await user.tap(VERDICTS[checker][order.index(str(item))], task.message_id)
    await user.wait_for(lambda m: "No tasks" in (m.text or ""))


async def export_wav_via_chat(server: SandboxServer) -> zipfile.ZipFile:
    """Have the admin ask /export for both projects: only the recording project offers
    16 kHz WAV; tap it and return the zip the bot sends."""
    admin = server.user(ADMIN, first_name="admin", language_code="en")
    await admin.send_command("export", "2")
    offer = await admin.wait_for(lambda m: "📦 Everything" in str(m.buttons))
    assert WAV_BUTTON not in str(offer.buttons)  # a check project has no recordings
    await admin.send_command("export", "1")
    offer = await admin.wait_for(lambda m: m.message_id > offer.message_id
                                 and WAV_BUTTON in str(m.buttons))
    await admin.tap(WAV_BUTTON, offer.message_id)
    sent = await admin.wait_for(lambda m: m.kind == "document", timeout=30.0)
    assert sent.file_id is not None
    stored = server.state.files.get(sent.file_id)
    assert stored is not None
    return zipfile.ZipFile(io.BytesIO(stored.data))


async def export(harness: Harness, project: int, formats: frozenset[Format], out: Path
                 ) -> Path:
    async with Database(harness.db_path) as database:
        access = AccessService(database, clock=lambda: datetime.now(UTC), admins={OPERATOR})
        service = DatasetService(database, access, clock=lambda: datetime.now(UTC),
                                 folders=open_dataset_folder)
        result = await service.export(OPERATOR, ExportRequest(ProjectId(project), formats), out)
    return result.folder


FEATURES = {"file_name": "string", "item_id": "string", "recording_id": "int64",
            "sentence": "string", "speaker": "string", "language": "string",
            "duration": "float64", "up_votes": "int64", "down_votes": "int64",
            "unclear_votes": "int64", "accepted": "bool", "gender": "string",
            "age": "string", "accents": "string"}


def load_metadata(tmp_path: Path, folder: Path) -> datasets.Dataset:
    """Load an audiofolder's rows with the audiofolder loader. Its Audio column needs
    torchcodec and torch (``datasets`` 4+), not installed here, so the features are given
    with ``file_name`` kept as text; the voice notes are then read with soundfile."""
    features = datasets.Features({name: datasets.Value(dtype)
                                  for name, dtype in FEATURES.items()})
    loaded = datasets.load_dataset("audiofolder", data_dir=str(folder), features=features,
                                   cache_dir=str(tmp_path / "hf-cache"))
    return loaded["train"]


async def test_recordings_checked_export_as_an_audiofolder_and_common_voice_tables(
        make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RECORDING_SPEC.replace("overlap = 2", "overlap = 1") + 'language = "mg"\n')
    items = parse_items(sentences_csv(), "s.csv", spec, None)
    notes = {seed: voice_note(3.0, seed=seed) for seed in (11, 12, 13)}
    async with make_harness(spec, items) as harness:
        check_invite = await create_project(harness.db_path, parse_spec(CHECK_SPEC), [])
        async with sandbox() as server, harness.bot(server):
            english = server.user(1300, first_name="Rado", language_code="en")
            await english.send_command("start", harness.invite)
            await english.wait_for(is_task)
            # the English speaker tells about their voice; the French one does not
            await english.send_command("speaker")
            form = await english.wait_for(has("About your voice"))
            await _tap_through(english, form, "✅ I agree", "Female", "20–29", "Betsileo")
            french = server.user(1301, first_name="Fara", language_code="fr")
            await french.send_command("start", harness.invite)
            await french.wait_for(is_task)  # each holds one sentence (overlap 1)
            await record(english, notes[11])
            await record(french, notes[12])
            await record(english, notes[13])
            order = [f"rec-{a}" for (a,) in harness.rows(
                "SELECT assignment_id FROM answers WHERE project_id = 1 ORDER BY id")]
            assert len(order) == 3
            for checker in VERDICTS:
                await check_all(server, harness, check_invite, checker, order)
            wav_zip = await export_wav_via_chat(server)
        folder = await export(harness, 1, frozenset(Format), tmp_path / "recordings")
        checks = await export(harness, 2, frozenset({Format.TABLES}), tmp_path / "checks")
        speakers = dict(harness.rows("SELECT value, annotator_id FROM answers "
                                     "WHERE project_id = 1"))

    # the audiofolder: its metadata through datasets, its voice notes through soundfile
    hub = folder / "huggingface/recordings"
    loaded = load_metadata(tmp_path, hub)
    assert loaded.num_rows == 3 and set(RECORDING_FIELDS) - {"file_name"} <= set(
        loaded.column_names)
    rows = sorted(loaded, key=lambda r: order.index(f"rec-{r['recording_id']}"))
    assert [(r["up_votes"], r["down_votes"], r["unclear_votes"], r["accepted"])
            for r in rows] == [(2, 0, 0, True), (0, 2, 0, False), (1, 0, 1, None)]
    # the language of the sentence read, whichever language its speaker uses the bot in
    assert {r["item_id"]: r["language"] for r in rows} == LANGUAGES
    assert 'language: ["fr", "mg"]' in (hub / "README.md").read_text("utf-8")
    assert rows[0]["speaker"] == rows[2]["speaker"] != rows[1]["speaker"]
    # what the English speaker told with /speaker goes with both their recordings
    assert [(r["gender"], r["age"], r["accents"]) for r in rows] == [
        ("female", "20_29", "betsileo"), ("", "", ""), ("female", "20_29", "betsileo")]
    assert all(r["speaker"].startswith("a_") for r in rows)  # pseudonyms, not ids
    assert all(2.5 < r["duration"] < 3.5 for r in rows)
    file_names = [r["file_name"] for r in rows]
    sent = [notes[11], notes[12], notes[13]]
    for name, note in zip(file_names, sent, strict=True):
        assert (hub / name).read_bytes() == note  # the bytes the speaker sent
    samples, rate = soundfile.read(hub / file_names[0])
    assert rate == 48_000 and 2.5 < len(samples) / rate < 3.5
    assert set(speakers.values()) == {1300, 1301}
    # 16 kHz WAV, asked for, beside
    wav = folder / "huggingface/recordings_wav16k"
    wav_rows = load_metadata(tmp_path, wav)
    assert sorted(wav_rows["accepted"], key=str) == sorted([True, False, None], key=str)
    info = soundfile.info(io.BytesIO((wav / wav_rows[0]["file_name"]).read_bytes()))
    assert (info.samplerate, info.channels, info.subtype) == (16_000, 1, "PCM_16")

    # the same through /export's button
    names = set(wav_zip.namelist())
    assert {f"huggingface/recordings_wav16k/{Path(n).stem}.wav" for n in file_names} <= names
    assert {f"huggingface/recordings/{n}" for n in file_names} <= names
    assert "tables/recordings/validated.csv" in names

    # Common Voice's tables, read with pandas
    tables = folder / "tables/recordings"
    split = {name: pandas.read_csv(tables / f"{name}.csv", keep_default_na=False)
             for name in ("validated", "invalidated", "other")}
    for frame in split.values():
        assert tuple(frame.columns) == COMMON_VOICE_FIELDS
    assert list(split["validated"]["path"]) == [file_names[0]]
    assert list(split["invalidated"]["locale"]) == [LANGUAGES[str(rows[1]["item_id"])]]
    assert list(split["validated"][["gender", "age", "accents"]].iloc[0]) == [
        "female", "20_29", "betsileo"]
    assert list(split["other"][["up_votes", "down_votes"]].iloc[0]) == [1, 0]
    assert set(split["validated"]["client_id"]) == {rows[0]["speaker"]}

    # the check project's own table: each recording's votes and verdict
    verdicts = pandas.read_csv(checks / "tables/checks/recordings.csv")
    by_item = dict(zip(verdicts["item_id"], verdicts["verdict"], strict=True))
    assert [by_item[item] for item in order] == ["accepted", "rejected", "pending"]

    # data cost: what an accepted recording weighs (the issue asks for the median)
    accepted = [len((hub / name).read_bytes())
                for name, row in zip(file_names, rows, strict=True) if row["accepted"]]
    assert 0 < statistics.median(accepted) < 3.5 * 4_000  # Opus: a few KB per second
