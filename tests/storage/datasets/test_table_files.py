"""A kind's table that names files (an image comparison's candidates): the files land in
its Hugging Face folder, which becomes an imagefolder; without that format, nowhere."""

from __future__ import annotations

import json
from pathlib import Path

from annotation.datasets.records import ALL_FORMATS, ExportTable, Format
from annotation.models import MediaKey
from storage.datasets import open_dataset_folder

ROWS = ({"item_id": "d1", "chosen_file_name": "d1_a.jpg", "rejected_file_name": "d1_b.jpg"},)
TABLE = ExportTable("preferences/pairs", ("item_id", "chosen_file_name", "rejected_file_name"),
                    ROWS, "---\n---\n# pairs\n",
                    files=(("d1_a.jpg", MediaKey("ka")), ("d1_b.jpg", MediaKey("kb"))))


def test_the_files_go_beside_the_rows_of_an_imagefolder(tmp_path: Path) -> None:
    folder = open_dataset_folder(tmp_path / "out", ALL_FORMATS)
    folder.add_table(TABLE)
    for name, _key in TABLE.files:
        folder.add_table_file(TABLE, name, b"\xff\xd8" + name.encode())
    hub = folder.path / "huggingface/preferences/pairs"
    assert sorted(p.name for p in hub.iterdir()) == [
        "README.md", "d1_a.jpg", "d1_b.jpg", "metadata.jsonl"]
    assert (hub / "d1_b.jpg").read_bytes() == b"\xff\xd8d1_b.jpg"
    assert [json.loads(line) for line in (hub / "metadata.jsonl").read_text().splitlines()
            ] == list(ROWS)
    assert (folder.path / "tables/preferences/pairs.csv").read_text().splitlines()[1] == (
        "d1,d1_a.jpg,d1_b.jpg")


def test_without_the_hugging_face_format_no_file_is_written(tmp_path: Path) -> None:
    folder = open_dataset_folder(tmp_path / "out", frozenset({Format.TABLES}))
    folder.add_table(TABLE)
    folder.add_table_file(TABLE, "d1_a.jpg", b"\xff\xd8")
    assert [p.relative_to(folder.path).as_posix() for p in folder.files()] == [
        "tables/preferences/pairs.csv", "tables/preferences/pairs.jsonl"]
