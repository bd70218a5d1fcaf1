"""Hostile or unlucky imports through the chat: each refused with its own clear message, and
nothing written (issue 10, points 3, 6 and 8)."""

from __future__ import annotations

import errno
import io
import os

import pytest
from PIL import Image

from annotation.media.preparation import MAX_UPLOAD_PIXELS
from bot.sample import SampleProject
from storage.repositories.media import SqliteMedia
from tests.annotation.intake.test_upload_limits import png_header_only
from tests.e2e.conftest import sample_spec, sandbox
from tests.e2e.test_console import SPEC, coordinator_of, has, text_of, zip_of

VARIANTS = ["a.png", "./a.png", "././a.png", ".//a.png", "./././a.png", "A.PNG", "./A.png",
            "a.PNG"]


def png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


async def test_bad_imports_are_refused_with_a_clear_reason(
        sample_small: SampleProject, make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        coordinator = await coordinator_of(server, harness)
        await coordinator.send_document(SPEC, "project.toml")
        await coordinator.wait_for(has("Now send the items file"))

        # an unclosed quote used to merge rows 3 and 4 into item 2
        await coordinator.send_document(b'id,text\n1,fine\n2,"open\n3,x\n4,y\n', "items.csv")
        report = await coordinator.wait_for(has("never closed"), timeout=30)
        assert "items.csv line 3: a quote opened on this line is never closed" \
            in text_of(report), report.text

        # more decoded pixels than one upload may hold (headers only: cheap to send)
        count = MAX_UPLOAD_PIXELS // (7000 * 7000) + 1
        files = {f"{n}.png": png_header_only(7000, 7000, salt=n) for n in range(count)}
        items = ("id,image\n" + "".join(f"{n},{name}\n" for n, name in enumerate(files)))
        await coordinator.send_document(zip_of({"items.csv": items.encode(), **files}),
                                        "bomb.zip")
        report = await coordinator.wait_for(has("megapixels"), timeout=30)
        assert f'image "{count - 1}.png" goes past the 200 megapixels' in text_of(report), \
            report.text

        # an "MP3" that is an ID3 header and zeros
        archive = zip_of({"items.csv": b"id,audio\n1,song.mp3\n",
                          "song.mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(1 << 20)})
        await coordinator.send_document(archive, "songs.zip")
        report = await coordinator.wait_for(has("song.mp3"), timeout=30)
        assert '"song.mp3" is damaged or empty' in text_of(report), report.text

        # eight spellings of one 2000×2000 image: one item each, one media row
        items = "id,image\n" + "".join(f"{n},{path}\n" for n, path in enumerate(VARIANTS))
        await coordinator.send_document(
            zip_of({"items.csv": items.encode(), "a.png": png((2000, 2000))}), "same.zip")
        await coordinator.wait_for(has("created as a draft with 8"), timeout=30)
        assert harness.rows("SELECT COUNT(*) FROM projects") == [(2,)]
        assert harness.rows("SELECT COUNT(DISTINCT media_key) FROM items WHERE project_id = 2"
                            ) == [(1,)]


async def test_a_full_disk_refuses_the_import_and_keeps_nothing(
        sample_small: SampleProject, make_harness,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    writes = 0
    original = SqliteMedia.add

    async def add_until_full(self: SqliteMedia, *args: object, **kwargs: object) -> None:
        nonlocal writes
        writes += 1
        if writes > 1:  # the first image fits, the second does not
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        await original(self, *args, **kwargs)  # type: ignore[arg-type]

    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        before = harness.rows("SELECT COUNT(*) FROM media")
        monkeypatch.setattr(SqliteMedia, "add", add_until_full)
        coordinator = await coordinator_of(server, harness)
        archive = zip_of({"project.toml": SPEC, "items.csv": b"id,image\n1,a.png\n2,b.png\n",
                          "a.png": png((30, 30)), "b.png": png((40, 40))})
        await coordinator.send_document(archive, "birds.zip")
        reply = await coordinator.wait_for(has("disk is full"), timeout=30)
        assert text_of(reply) == ("The server's disk is full: nothing was imported. "
                                  "Please tell an admin.")
        assert writes == 2
        assert harness.rows("SELECT COUNT(*) FROM projects") == [(1,)]
        assert harness.rows("SELECT COUNT(*) FROM media") == before
