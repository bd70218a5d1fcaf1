"""What one upload may cost: each file read and decoded once, a pixel budget, its own pool."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import struct
import threading
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from annotation.errors import ValidationFailed
from annotation.intake.catalog import CatalogService
from annotation.intake.item_files import ItemDraft, parse_items, read_items_archive
from annotation.intake.uploads import UploadKind, read_upload
from annotation.intake.workers import (
    THREAD_PREFIX,
    CancelFlag,
    PreparationCancelled,
    prepare_off_loop,
)
from annotation.media import preparation as media
from annotation.media.preparation import MAX_UPLOAD_PIXELS, MediaProblem, PixelBudget
from annotation.media.sources import MemorySource
from annotation.models import AnswerType, LocalizedText, ProjectSpec
from storage.database import Database

SPEC = ProjectSpec(name="Pets", question=LocalizedText({"en": "Which?"}),
                   answer_type=AnswerType.SINGLE, options=("a", "b"))
VARIANTS = ["a.png", "./a.png", "././a.png", ".//a.png", "./././a.png", "A.PNG", "./A.png",
            "a.PNG"]


def png(size: tuple[int, int] = (40, 30), color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def png_header_only(width: int, height: int, salt: int = 0) -> bytes:
    """A PNG whose header is valid but whose pixels cannot be decoded (a broken IDAT)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    junk = bytes([salt % 256]) * 64
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", junk) + chunk(b"IEND", b"")


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def items_csv(paths: list[str]) -> bytes:
    return ("image\n" + "".join(f"{path}\n" for path in paths)).encode()


# -- one file, one decoding ---------------------------------------------------------------


def test_every_spelling_of_a_zip_member_is_decoded_once() -> None:
    archive = zip_of({"items.csv": items_csv(VARIANTS), "a.png": png((40, 30))})
    budget = PixelBudget()
    _spec, drafts = read_items_archive(archive, SPEC, budget=budget)
    assert len(drafts) == len(VARIANTS)
    assert {draft.media for draft in drafts} == {drafts[0].media}
    assert budget.spent == 40 * 30  # not 8 times


def test_identical_bytes_under_two_names_are_decoded_once() -> None:
    source = MemorySource({"a.png": png(), "copy/b.png": png(), "c.png": png(color="blue")})
    budget = PixelBudget()
    drafts = parse_items(items_csv(["a.png", "copy/b.png", "c.png"]), "items.csv", SPEC, source,
                         budget=budget)
    assert drafts[0].media == drafts[1].media != drafts[2].media
    assert budget.spent == 2 * 40 * 30


def test_a_shared_failure_names_each_file() -> None:
    broken = png_header_only(10, 10)
    source = MemorySource({"x.png": broken, "y.png": broken})
    with pytest.raises(ValidationFailed) as caught:
        parse_items(items_csv(["x.png", "y.png"]), "items.csv", SPEC, source)
    assert [(p.code, p.line, p.params["filename"]) for p in caught.value.problems] == [
        (MediaProblem.CORRUPT, 2, "x.png"), (MediaProblem.CORRUPT, 3, "y.png")]


# -- the pixel budget -----------------------------------------------------------------------


def test_the_image_past_the_budget_is_named_once_and_not_decoded() -> None:
    # The third image's pixels are broken: decoded, it would be reported as damaged.
    source = MemorySource({"1.png": png((10, 10)), "2.png": png((10, 10), "blue"),
                           "3.png": png_header_only(10, 10), "4.png": png_header_only(9, 9)})
    budget = PixelBudget(250)
    with pytest.raises(ValidationFailed) as caught:
        parse_items(items_csv(["1.png", "2.png", "3.png", "4.png", "1.png"]), "items.csv",
                    SPEC, source, budget=budget)
    assert [(p.code, p.line, dict(p.params)) for p in caught.value.problems] == [
        (MediaProblem.UPLOAD_PIXELS, 4, {"filename": "3.png", "limit": 250})]
    assert budget.spent == 200


def test_a_jpeg_is_charged_at_the_scale_it_is_decoded() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), "green").save(buffer, "JPEG")
    budget = PixelBudget()
    media.prepare_image(buffer.getvalue(), "big.jpg", budget)
    assert budget.spent == 2000 * 1500  # decoded at half scale, then resized


def test_chat_uploads_get_the_default_budget() -> None:
    # 49-megapixel headers with broken pixels: cheap to build, each charged before decoding
    count = MAX_UPLOAD_PIXELS // (7000 * 7000) + 1
    files = {f"{n}.png": png_header_only(7000, 7000, salt=n) for n in range(count)}
    archive = zip_of({"items.csv": items_csv(list(files)), **files})
    with pytest.raises(ValidationFailed) as caught:
        read_upload(UploadKind.ARCHIVE, archive, "bomb.zip", SPEC)
    codes = [p.code for p in caught.value.problems]
    assert codes == [MediaProblem.CORRUPT] * (count - 1) + [MediaProblem.UPLOAD_PIXELS]
    assert caught.value.problems[-1].params["filename"] == f"{count - 1}.png"


# -- the uploads' own pool, and cancelling ----------------------------------------------------


async def test_preparation_runs_on_its_own_pool_while_the_default_one_is_busy() -> None:
    loop = asyncio.get_running_loop()
    default = ThreadPoolExecutor(max_workers=1)
    loop.set_default_executor(default)
    release = threading.Event()
    blocker = asyncio.ensure_future(asyncio.to_thread(release.wait, 30))  # e.g. a bulk write
    try:
        name = await asyncio.wait_for(
            prepare_off_loop(lambda _flag: threading.current_thread().name), timeout=30)
    finally:
        release.set()
        await blocker
    assert name.startswith(THREAD_PREFIX)


async def test_cancelling_an_import_stops_between_files_and_writes_nothing(tmp_path: Path
                                                                           ) -> None:
    files = {f"{n}.png": png((8, 8), color=(n, 0, 0)) for n in range(100)}  # type: ignore[arg-type]
    reads: list[str] = []
    flags: list[CancelFlag] = []
    saw_cancel: list[bool] = []
    loop = asyncio.get_running_loop()

    class Source(MemorySource):
        def read(self, relative_path: str) -> bytes:
            reads.append(relative_path)
            if len(reads) == 3:  # the importer goes away while the third file is read
                loop.call_soon_threadsafe(task.cancel)
                saw_cancel.append(flags[0]._event.wait(30))
            return super().read(relative_path)

    def work(flag: CancelFlag) -> list[ItemDraft]:
        flags.append(flag)
        return parse_items(items_csv(list(files)), "items.csv", SPEC, Source(files),
                           cancel=flag)

    async with Database(tmp_path / "annobot.db") as database:

        async def import_project() -> None:  # as the chat does: prepare, then store
            drafts = await prepare_off_loop(work)
            await CatalogService(database, clock=lambda: datetime.now(UTC)).create(SPEC, drafts)

        task = asyncio.ensure_future(import_project())
        with pytest.raises(asyncio.CancelledError):
            await task
    assert saw_cancel == [True]
    assert len(reads) == 3  # stopped at the next file, not after the hundredth
    with sqlite3.connect(tmp_path / "annobot.db") as connection:
        assert [connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("projects", "items", "media")] == [0, 0, 0]


def test_a_cancel_flag_raises_at_its_next_check() -> None:
    flag = CancelFlag()
    flag.check()
    flag.cancel()
    with pytest.raises(PreparationCancelled):
        flag.check()
