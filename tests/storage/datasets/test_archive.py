"""Zip parts for the chat: files whole and in order, no part past the limit."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from storage.datasets.archive import FileTooLarge, write_archives


def test_archives_split_in_order_and_refuse_a_file_too_big(tmp_path: Path) -> None:
    files = []
    for n in range(5):
        path = tmp_path / f"f{n}.bin"
        path.write_bytes(bytes([n]) * 400)
        files.append((f"d/f{n}.bin", path))
    parts = write_archives(files, tmp_path / "out", "export", max_bytes=1200)
    assert [p.name for p in parts] == ["export-part1.zip", "export-part2.zip",
                                       "export-part3.zip"]
    names = [n for p in parts for n in zipfile.ZipFile(p).namelist()]
    assert names == [name for name, _ in files]
    assert all(p.stat().st_size <= 1200 for p in parts)
    with pytest.raises(FileTooLarge):
        write_archives(files, tmp_path / "out2", "x", max_bytes=300)
    single = write_archives(files[:1], tmp_path / "out3", "one", max_bytes=1200)
    assert [p.name for p in single] == ["one.zip"]


def test_photos_are_stored_and_text_is_deflated(tmp_path: Path) -> None:
    photo, table = tmp_path / "a.JPG", tmp_path / "b.csv"
    photo.write_bytes(b"\xff\xd8" + b"x" * 500)
    table.write_text("a,b\n" * 100)
    [part] = write_archives([("a.JPG", photo), ("b.csv", table)], tmp_path / "out", "s")
    with zipfile.ZipFile(part) as archive:
        kinds = {info.filename: info.compress_type for info in archive.infolist()}
    assert kinds == {"a.JPG": zipfile.ZIP_STORED, "b.csv": zipfile.ZIP_DEFLATED}
