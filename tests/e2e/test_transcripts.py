"""Transcription through the sandbox: annotators hear a real Opus clip and type what it
says; a gold (training) transcript scores them by CER and its feedback shows the gold
transcript; ROVER turns three imperfect transcripts into the hidden truth; the export's
tables load back with pandas and ``datasets``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotation.access import AccessService
from annotation.aggregation.transcripts import normalize_transcript
from annotation.datasets.records import Format
from annotation.datasets.service import DatasetService, ExportRequest
from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.kinds.transcript import ITEM_FIELDS, LONG_FIELDS
from annotation.media.sources import DirectorySource
from annotation.models import ProjectId
from bot.crowd_screens import has_continue, task_assignment
from bot.samples.voices import voice_note
from bot.sandbox import SandboxServer
from storage.database import Database
from storage.datasets import open_dataset_folder
from tests.e2e.conftest import Harness, sandbox
from tests.e2e.test_kinds import is_task

datasets = pytest.importorskip("datasets")  # the 'bench' extra, installed by .ci/run
pandas = pytest.importorskip("pandas")  # comes with datasets

OPERATOR = 0

TRANSCRIPT_SPEC = """
name = "Voices"
answer_type = "transcript"
question = { en = "What does the speaker say?", fr = "Que dit la personne ?" }
overlap = 3
gold_rate = 0.0

[quality]
training = 1
exam = 0
"""
# the hidden truths: what each clip says (the synthetic clips only stand in for speech)
TRUTH = "Manao ahoana ianao, tompoko? Tsara ny andro androany."
TRAINING = "Tsara ny andro androany."
# each annotator's transcripts: of the training item, then of the clip
TYPED = {
    # careful, one word misheard ("ahona")
    1501: ("Tsara ny andro androany", "Manao ahona ianao, tompoko? Tsara ny andro androany."),
    # careful, another word misheard ("anio"), a typo in training (within the CER bar)
    1502: ("tsara ny andro androani", "Manao ahoana ianao tompoko. Tsara ny andro anio."),
    # careless: drops words, misspells another
    1503: ("tsara", "manao ahoana tompko tsara androany"),
}


def items_folder(folder: Path) -> bytes:
    """Write the two clips into ``folder`` and return the items file naming them."""
    folder.mkdir()
    (folder / "t1.ogg").write_bytes(voice_note(2.0, seed=21))
    (folder / "c1.ogg").write_bytes(voice_note(3.5, seed=22))
    return (f"id,audio,gold,training\nt1,t1.ogg,{TRAINING},true\nc1,c1.ogg,,\n").encode()


async def export(harness: Harness, out: Path) -> Path:
    """Export the project in every format, as an admin would, and return its folder."""
    async with Database(harness.db_path) as database:
        access = AccessService(database, clock=lambda: datetime.now(UTC), admins={OPERATOR})
        service = DatasetService(database, access, clock=lambda: datetime.now(UTC),
                                 folders=open_dataset_folder)
        result = await service.export(OPERATOR, ExportRequest(ProjectId(1), frozenset(Format)), out)
    return result.folder


async def transcribe(server: SandboxServer, harness: Harness, user_id: int) -> str:
    """Have one annotator transcribe the training clip, then the real one; return the
    training feedback they were shown."""
    training, clip = TYPED[user_id]
    user = server.user(user_id, first_name=f"u{user_id}", language_code="en")
    await user.send_command("start", harness.invite)
    task = await user.wait_for(is_task)
    assert task.kind == "voice" and "Type exactly what you hear." in (task.text or "")
    first = task_assignment(task)
    await user.send_text(training)
    feedback = await user.wait_for(has_continue)
    await user.tap("Continue ▶", feedback.message_id)
    task = await user.wait_for(lambda m: is_task(m) and task_assignment(m) != first)
    assert task.kind == "voice"
    await user.send_text(clip)
    await user.wait_for(lambda m: "No tasks" in (m.text or ""))
    return feedback.text or ""


async def test_three_imperfect_transcripts_give_the_hidden_truth_and_export(  # type: ignore[no-untyped-def]
        make_harness, tmp_path: Path) -> None:
    spec = parse_spec(TRANSCRIPT_SPEC)
    data = items_folder(tmp_path / "clips")
    items = parse_items(data, "items.csv", spec, DirectorySource(tmp_path / "clips"))
    async with make_harness(spec, items) as harness:
        async with sandbox() as server, harness.bot(server):
            feedback = {user_id: await transcribe(server, harness, user_id)
                        for user_id in TYPED}
        folder = await export(harness, tmp_path / "export")
        graded = dict(harness.rows(
            "SELECT n.annotator_id, n.correct FROM answers AS n "
            "JOIN items AS i ON i.id = n.item_id WHERE i.external_id = 't1'"))
        typed = harness.rows("SELECT n.annotator_id, n.value FROM answers AS n "
                             "JOIN items AS i ON i.id = n.item_id WHERE i.external_id = 'c1' "
                             "ORDER BY n.id")

    # the gold transcript scores by CER: a misheard letter passes, the careless one fails,
    # and training feedback shows the gold transcript
    assert graded == {1501: 1, 1502: 1, 1503: 0}
    assert f"✅ Right: {TRAINING}." in feedback[1501]
    assert f"❌ Not quite. The right answer is {TRAINING}" in feedback[1503]
    # answers are kept as typed (trimmed), never normalized away
    assert typed == [(user_id, clip) for user_id, (_, clip) in TYPED.items()]

    truth = normalize_transcript(TRUTH)
    # the labels table: the consensus is the hidden truth, which nobody typed
    labels = pandas.read_csv(folder / "tables/labels.csv").set_index("item_id")
    assert labels.loc["c1", "label"] == truth and labels.loc["c1", "method"] == "rover"
    assert truth not in {normalize_transcript(clip) for _, clip in TYPED.values()}
    assert 0 < labels.loc["c1", "agreement"] < 1
    assert labels.loc["c1", "spread"] == pytest.approx(1 - labels.loc["c1", "agreement"])

    # transcripts/items with pandas and with datasets (its Hugging Face folder)
    table = pandas.read_csv(folder / "tables/transcripts/items.csv").set_index("item_id")
    assert tuple(["item_id", *table.columns]) == ITEM_FIELDS
    assert table.loc["c1", "consensus"] == truth and table.loc["c1", "answers"] == 3
    assert 0.5 < table.loc["c1", "pairwise_wer"] < 0.7  # three transcripts far apart…
    assert table.loc["c1", "pairwise_cer"] < table.loc["c1", "pairwise_wer"]  # …letters less
    assert table.loc["t1", "gold"] == TRAINING
    assert table.loc["t1", "gold_cer"] < 0.15  # two careful of three: the training's truth
    hub = datasets.load_dataset(str(folder / "huggingface/transcripts/items"),
                                cache_dir=str(tmp_path / "hf-cache"))["train"]
    assert sorted(hub["item_id"]) == ["c1", "t1"]
    assert dict(zip(hub["item_id"], hub["consensus"], strict=True))["c1"] == truth

    # transcripts/long: every transcript, as typed and normalized, with its CER
    long = pandas.read_csv(folder / "tables/transcripts/long.csv", keep_default_na=False)
    assert tuple(long.columns) == LONG_FIELDS
    clip_rows = long[long["item_id"] == "c1"]
    assert list(clip_rows["text"]) == [clip for _, clip in TYPED.values()]
    assert list(clip_rows["normalized"]) == [normalize_transcript(clip)
                                             for _, clip in TYPED.values()]
    assert all(clip_rows["annotator"].str.startswith("a_"))  # pseudonyms
    assert clip_rows["cer_to_consensus"].iloc[2] == max(clip_rows["cer_to_consensus"])

    # the clip and its consensus, ready for speech recognition: the audio folder
    metadata = [json.loads(line) for line in
                (folder / "huggingface/audio/metadata.jsonl").read_text().splitlines()]
    by_item = {row["item_id"]: row for row in metadata}
    assert by_item["c1"]["label"] == truth
    assert (folder / "huggingface/audio" / by_item["c1"]["file_name"]).read_bytes() == \
        (tmp_path / "clips/c1.ogg").read_bytes()

    # Label Studio: the audio, a text area, each transcript, the consensus as prediction
    config = (folder / "label_studio/label_studio_config.xml").read_text()
    assert "<Audio" in config and "<TextArea" in config
    tasks = json.loads((folder / "label_studio/label_studio_tasks.json").read_text())
    (clip_task,) = [t for t in tasks if t["data"]["item_id"] == "c1"]
    assert clip_task["predictions"][0]["result"][0]["value"]["text"] == [truth]
    assert [a["result"][0]["value"]["text"][0] for a in clip_task["annotations"]] == [
        clip for _, clip in TYPED.values()]
