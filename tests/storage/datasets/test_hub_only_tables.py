"""A kind's table marked not tabular (recordings as 16 kHz WAV, the twin of a table already
written) goes only into its Hugging Face folder, never under tables/."""

from __future__ import annotations

from pathlib import Path

from annotation.datasets.records import ALL_FORMATS, ExportTable, FileConversion
from annotation.models import MediaKey
from storage.datasets import open_dataset_folder

TABLE = ExportTable("recordings_wav16k", ("file_name", "sentence"),
                    ({"file_name": "s0_a_1.wav", "sentence": "Manao ahoana?"},),
                    "---\n---\n# recordings\n", files=(("s0_a_1.wav", MediaKey("k")),),
                    convert=FileConversion.WAV_16K, tabular=False)


def test_a_table_that_is_not_tabular_is_only_a_hugging_face_folder(tmp_path: Path) -> None:
    folder = open_dataset_folder(tmp_path / "out", ALL_FORMATS)
    folder.add_table(TABLE)
    folder.add_table_file(TABLE, "s0_a_1.wav", b"RIFF")
    assert [p.relative_to(folder.path).as_posix() for p in folder.files()] == [
        "huggingface/recordings_wav16k/README.md", "huggingface/recordings_wav16k/metadata.jsonl",
        "huggingface/recordings_wav16k/s0_a_1.wav"]
