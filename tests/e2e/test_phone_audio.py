"""An imported WAV clip reaches phones as a light Opus voice note, uploaded once, while the
export carries the WAV exactly as it was given."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import soundfile

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.media.audio import probe_audio
from annotation.media.sources import MemorySource
from bot.samples.voices import voice_samples
from tests.e2e.conftest import sandbox
from tests.e2e.test_kinds import is_task
from tests.e2e.test_transcripts import TRANSCRIPT_SPEC, export


def wav(seconds: float, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, voice_samples(seconds, seed=5, sample_rate=rate).astype(np.float32),
                    rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


async def test_a_wav_clip_is_sent_as_opus_and_exported_as_given(
        make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(TRANSCRIPT_SPEC.replace("training = 1", "training = 0"))
    clip = wav(6.0)
    items = parse_items(b"id,audio\nc1,clips/c1.wav\n", "items.csv", spec,
                        MemorySource({"clips/c1.wav": clip}))
    async with make_harness(spec, items) as harness:
        async with sandbox() as server, harness.bot(server):
            received = []
            for user_id in (1601, 1602):
                user = server.user(user_id, first_name=f"u{user_id}", language_code="en")
                await user.send_command("start", harness.invite)
                task = await user.wait_for(is_task)
                assert task.kind == "voice" and task.file_id is not None
                stored = server.state.files.get(task.file_id)
                assert stored is not None
                received.append(stored.data)
                await user.send_text("manao ahoana")
                await user.wait_for(lambda m: "No tasks" in (m.text or ""))
            uploads = server.stats.uploads
        folder = await export(harness, tmp_path / "export")

    # both annotators got the same voice note, uploaded once: Opus, the clip's length,
    # about a fifteenth of the WAV's bytes
    assert uploads == 1 and received[0] == received[1]
    note = received[0]
    assert note.startswith(b"OggS") and b"OpusHead" in note[:200]
    assert abs(probe_audio(note).duration - 6.0) < 0.05
    assert len(note) * 10 < len(clip)
    metadata = [json.loads(line) for line in
                (folder / "huggingface/audio/metadata.jsonl").read_text().splitlines()]
    (row,) = metadata
    assert row["file_name"].endswith(".wav")
    assert (folder / "huggingface/audio" / row["file_name"]).read_bytes() == clip
