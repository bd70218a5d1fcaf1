"""``annobot export --format``: ``wav`` asks for 16 kHz WAV beside the Hugging Face folder
(which it brings along); ``all`` alone leaves it out."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sample import write_sample_project
from tests.bot.test_cli import run_cli


@pytest.mark.parametrize(("formats", "folders"), [
    ("wav", ["huggingface"]),
    ("all", ["huggingface", "label_studio", "tables"]),
    ("all,wav", ["huggingface", "label_studio", "tables"]),
    ("tables,wav16k", ["huggingface", "tables"]),
])
def test_wav_is_asked_for_and_brings_the_hugging_face_folder(
        tmp_path: Path, formats: str, folders: list[str]) -> None:
    spec, items = write_sample_project(tmp_path / "sample", n_items=3)
    db = tmp_path / "w.db"
    assert run_cli("import", str(spec), str(items), "--db", str(db)).returncode == 0
    result = run_cli("export", "1", "--format", formats, "--out", str(tmp_path / "out"),
                     "--db", str(db))
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.splitlines()[1])
    assert sorted(p.name for p in folder.iterdir()) == folders


def test_an_unknown_format_names_wav_among_the_choices(tmp_path: Path) -> None:
    spec, items = write_sample_project(tmp_path / "sample", n_items=3)
    db = tmp_path / "x.db"
    assert run_cli("import", str(spec), str(items), "--db", str(db)).returncode == 0
    result = run_cli("export", "1", "--format", "mp3", "--db", str(db))
    assert result.returncode == 2 and "tables, hf, ls, wav, all" in result.stderr
