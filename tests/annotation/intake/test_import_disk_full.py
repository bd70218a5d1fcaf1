"""A full disk during an import: a clear error, and nothing of the project kept."""

from __future__ import annotations

import errno
import io
import os
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from annotation.errors import StorageFull
from annotation.intake.catalog import CatalogService
from annotation.intake.item_files import load_from_paths
from annotation.intake.spec import spec_to_toml
from annotation.models import AnswerType, LocalizedText, ProjectSpec
from bot.cli import main
from storage.database import Database
from storage.repositories.media import SqliteMedia

SPEC = ProjectSpec(name="Pets", question=LocalizedText({"en": "Which?"}),
                   answer_type=AnswerType.SINGLE, options=("cat", "dog"))
TABLES = ("projects", "items", "media")


def project_files(folder: Path, images: int = 5) -> tuple[Path, Path]:
    """Write a spec, an items file and noisy images (which barely compress) to ``folder``."""
    (folder / "project.toml").write_text(spec_to_toml(SPEC), encoding="utf-8")
    rows = ["id,image"]
    for n in range(images):
        buffer = io.BytesIO()
        Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3)).save(buffer, "PNG")
        (folder / f"{n}.png").write_bytes(buffer.getvalue())
        rows.append(f"item{n},{n}.png")
    (folder / "items.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder / "project.toml", folder / "items.csv"


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in TABLES}


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "annobot.db") as db:
        yield db


def no_space(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


async def test_sqlite_full_rolls_the_whole_import_back(database: Database, tmp_path: Path
                                                       ) -> None:
    _spec, drafts = load_from_paths(*project_files(tmp_path))
    writer = database._writer
    assert writer is not None
    pages = writer._raw.execute("PRAGMA page_count").fetchone()[0]
    writer.execute_now(f"PRAGMA max_page_count={pages + 20}")  # the "disk" holds ~80 KB more
    with pytest.raises(StorageFull) as caught:
        await CatalogService(database, clock=lambda: datetime.now(UTC)).create(SPEC, drafts)
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    assert counts(database.path) == dict.fromkeys(TABLES, 0)


async def test_enospc_while_writing_media_rolls_the_import_back(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _spec, drafts = load_from_paths(*project_files(tmp_path))
    calls = 0
    original = SqliteMedia.add

    async def add_then_fail(self: SqliteMedia, *args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:  # two media rows are already written in this transaction
            no_space()
        await original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SqliteMedia, "add", add_then_fail)
    with pytest.raises(StorageFull):
        await CatalogService(database, clock=lambda: datetime.now(UTC)).create(SPEC, drafts)
    assert counts(database.path) == dict.fromkeys(TABLES, 0)
    # the database is still usable afterwards
    monkeypatch.setattr(SqliteMedia, "add", original)
    project = await CatalogService(database, clock=lambda: datetime.now(UTC)).create(SPEC, drafts)
    assert project.id == 1


def test_the_import_command_says_the_disk_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_path, items_path = project_files(tmp_path)
    database = tmp_path / "annobot.db"

    async def add(self: SqliteMedia, *args: object, **kwargs: object) -> None:
        no_space()

    monkeypatch.setattr(SqliteMedia, "add", add)
    code = main(["import", str(spec_path), str(items_path), "--db", str(database)])
    err = capsys.readouterr().err
    assert code == 1
    assert "disk is full" in err and "nothing was imported" in err
    assert "Traceback" not in err
    assert counts(database) == dict.fromkeys(TABLES, 0)
