"""Comparisons of two audio clips through the sandbox: each annotator gets one voice note
playing both candidates, in the order drawn for them, with the caption saying where B
starts; two who heard opposite orders and preferred the same voice agree in storage and in
the export, which names the candidates by their own ids and carries the clips as given."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.kinds.comparison import Comparison
from annotation.kinds.pairwise import clock_time
from annotation.media.audio_pairs import AFTER_CUE_SECONDS, BEEP_GAP_SECONDS, BEEP_SECONDS
from annotation.media.sources import MemorySource
from annotation.models import ProjectSpec
from bot.crowd_screens import task_assignment
from bot.sandbox import SandboxServer, SimMessage
from tests.annotation.media.test_audio_pairs import clip
from tests.e2e.conftest import Harness, sandbox
from tests.e2e.test_image_pairs import annotators_of_each_order
from tests.e2e.test_kind_exports import export
from tests.e2e.test_kinds import is_task, item_of

SPEC = """
name = "Voices"
answer_type = "pairwise"
question = "Which voice reads the sentence more naturally?"
overlap = 2
gold_rate = 0.0
"""
LOW, HIGH = 300.0, 900.0  # model-x's voice, model-y's
FILES = {"tts/x.ogg": clip(LOW, 3.0),
         "tts/y.wav": clip(HIGH, 4.0, rate=22_050, container="WAV", subtype="PCM_16")}
ITEMS = (b"id,prompt,response_a_media,response_b_media,response_a_id,response_b_id\n"
         b"v1,Manao ahoana,tts/x.ogg,tts/y.wav,model-x,model-y\n")
B_CUE = 2 * BEEP_SECONDS + BEEP_GAP_SECONDS + AFTER_CUE_SECONDS


def pitch(samples: np.ndarray, rate: int, start: float) -> float:
    """Return the strongest frequency of the second of sound from ``start``."""
    window = samples[round(start * rate):round((start + 1.0) * rate)]
    spectrum = np.abs(np.fft.rfft(window * np.hanning(window.size)))
    return float(np.fft.rfftfreq(window.size, 1 / rate)[int(np.argmax(spectrum))])


def voices_in_order(data: bytes, second_at: float) -> tuple[float, float]:
    """Return the pitch heard first and the one heard after B's cue."""
    samples, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    return (pitch(samples, rate, BEEP_SECONDS + AFTER_CUE_SECONDS + 0.5),
            pitch(samples, rate, second_at + B_CUE + 0.5))


async def voice_task(server: SandboxServer, harness: Harness, user_id: int) -> SimMessage:
    user = server.user(user_id, first_name=f"u{user_id}", language_code="en")
    await user.send_command("start", harness.invite)
    return await user.wait_for(is_task)


def audio_at(harness: Harness) -> tuple[float, float]:
    ((payload,),) = harness.rows("SELECT payload FROM items")
    at = Comparison.from_json(str(payload)).audio_at
    assert at is not None
    return at


async def test_opposite_orders_hear_opposite_notes_and_agree_in_the_export(
        make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec: ProjectSpec = parse_spec(SPEC)
    items = parse_items(ITEMS, "items.csv", spec, MemorySource(FILES))
    async with make_harness(spec, items) as harness:
        straight, swapped = annotators_of_each_order(harness, spec)
        at = audio_at(harness)
        async with sandbox() as server, harness.bot(server):
            heard: dict[int, tuple[float, float]] = {}
            tapped: dict[int, str] = {}
            for user_id, second_at in ((straight, at[0]), (swapped, at[1])):
                task = await voice_task(server, harness, user_id)
                assert task.kind == "voice" and task.file_id is not None
                caption = task.text or ""
                assert "Which voice reads the sentence more naturally?" in caption
                assert "Manao ahoana" in caption
                assert f"A from 0:00 (one beep), B from {clock_time(second_at)}" in caption
                assert task.buttons == [["A much better", "A better"],
                                        ["B better", "B much better"], ["Skip ⏭"]]
                stored = server.state.files.get(task.file_id)
                assert stored is not None
                heard[user_id] = voices_in_order(stored.data, second_at)
                # the annotator prefers model-x's low voice, wherever the note plays it
                tapped[user_id] = "A better" if heard[user_id][0] < heard[user_id][1] \
                    else "B better"
                assignment = task_assignment(task)
                await server.user(user_id).tap(tapped[user_id], task.message_id)
                await server.user(user_id).wait_for(
                    lambda m, i=task.message_id, v=task.version:
                    m.message_id > i or (m.message_id == i and m.version > v))
                assert assignment is not None
                assert item_of(harness, int(assignment)).external_id == "v1"
            uploads = server.stats.uploads
        answers = harness.rows("SELECT annotator_id, value, detail FROM answers ORDER BY id")
        folder = await export(harness, tmp_path / "export")

    # two different notes went up, once each: the item's order, then the swapped one
    assert uploads == 2
    assert heard[straight] == (pytest.approx(LOW, abs=5), pytest.approx(HIGH, abs=5))
    assert heard[swapped] == (pytest.approx(HIGH, abs=5), pytest.approx(LOW, abs=5))
    assert tapped == {straight: "A better", swapped: "B better"}
    assert [(a, v) for a, v, _ in answers] == [(straight, "a"), (swapped, "a")]
    assert [json.loads(str(d))["shown"] for _, _, d in answers] == ["ab", "ba"]

    (pair,) = [json.loads(line) for line in
               (folder / "tables/preferences/pairs.jsonl").read_text().splitlines()]
    assert (pair["chosen_id"], pair["rejected_id"]) == ("model-x", "model-y")
    assert (pair["chosen_file_name"], pair["rejected_file_name"]) == ("v1_a.ogg", "v1_b.wav")
    hub = folder / "huggingface/preferences/pairs"
    assert sorted(p.name for p in hub.iterdir()) == [
        "README.md", "metadata.jsonl", "v1_a.ogg", "v1_b.wav"]
    assert (hub / "v1_a.ogg").read_bytes() == FILES["tts/x.ogg"]  # the clips as given
    assert (hub / "v1_b.wav").read_bytes() == FILES["tts/y.wav"]
    config = (folder / "label_studio/label_studio_config.xml").read_text()
    assert '<Pairwise name="label" toName="audio_a,audio_b"/>' in config
    (task,) = json.loads((folder / "label_studio/label_studio_tasks.json").read_text())
    assert task["data"]["audio_a"].endswith("v1_a.ogg")
    assert task["annotations"][0]["result"][0]["value"] == {"selected": "left"}

    datasets = pytest.importorskip("datasets")  # the 'bench' extra, installed by .ci/run
    # the audiofolder's Audio columns need torchcodec and torch to decode (datasets 4+),
    # not installed here: the audiofolder loader reads the rows with the files' names kept
    # as text (the metadata's own types), then soundfile the clips
    cache = str(tmp_path / "hf-cache")
    metadata = datasets.load_dataset("json", data_files=str(hub / "metadata.jsonl"),
                                     cache_dir=cache)["train"]
    loaded = datasets.load_dataset("audiofolder", data_dir=str(hub), cache_dir=cache,
                                   features=metadata.features)["train"]
    assert loaded[0]["chosen_id"] == "model-x"
    chosen, rate = soundfile.read(hub / loaded[0]["chosen_file_name"], dtype="float32")
    assert pitch(chosen, rate, 0.5) == pytest.approx(LOW, abs=5)


async def test_each_note_comes_anew_and_the_one_answered_loses_its_buttons(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(SPEC.replace("overlap = 2", "overlap = 1"))
    items = parse_items(ITEMS + b"v2,,tts/y.wav,tts/x.ogg,model-y,model-x\n", "items.csv",
                        spec, MemorySource(FILES))
    async with make_harness(spec, items) as harness, sandbox() as server, \
            harness.bot(server):
        first = await voice_task(server, harness, 850)
        user = server.user(850)
        await user.tap("A better", first.message_id)
        second = await user.wait_for(lambda m: m.kind == "voice"
                                     and m.message_id > first.message_id)
        assert second.buttons[0] == ["A much better", "A better"]
        assert "B from 0:0" in (second.text or "")
        # the answered note stays (it can be heard again) but nothing on it can be tapped
        answered = await user.wait_for(lambda m: m.message_id == first.message_id
                                       and not m.buttons)
        assert answered.text == first.text and answered.kind == "voice"
        # Undo on the new note brings the first task back, again as a note of its own
        await user.tap("↩ Undo", second.message_id)
        again = await user.wait_for(lambda m: m.kind == "voice"
                                    and m.message_id > second.message_id)
        assert again.text == first.text and again.buttons[0] == first.buttons[0]
        await user.wait_for(lambda m: m.message_id == second.message_id and not m.buttons)
    assert harness.rows("SELECT COUNT(*) FROM answers") == [(0,)]
