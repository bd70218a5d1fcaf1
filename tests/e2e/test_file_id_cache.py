"""A full disk while file ids are saved (issue 10, point 8): the annotators work on.

Saving an uploaded photo's file id fails every time; the annotators still get every next
task with no error, each file is uploaded once (the id is reused from memory), and the
admins get one alert in their language, however many saves failed.
"""

from __future__ import annotations

import errno
import os

import pytest

from bot.crowd import CrowdRunner, build_crowd
from bot.crowd_screens import task_assignment
from bot.demo import sample_truth
from bot.sample import SampleProject
from storage.repositories.answers import SqliteAnswers
from storage.repositories.media import SqliteMedia
from tests.e2e.conftest import ADMIN, sample_spec, sandbox

ALERT_FR = "le disque est-il plein"


async def test_a_full_disk_never_breaks_the_task_loop(
        sample_small: SampleProject, make_harness,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    failures = 0

    async def set_file_id(self: SqliteMedia, *args: object) -> None:
        nonlocal failures
        failures += 1
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(SqliteMedia, "set_file_id", set_file_id)
    spec = sample_spec(sample_small, overlap=2, gold_rate=0.0)
    async with make_harness(spec, sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        admin = server.user(ADMIN, "Admin", language_code="fr")
        await admin.send_command("start")
        await admin.wait_for(lambda m: bool(m.text))  # registered, in French
        runner = CrowdRunner(server, sample_truth(sample_small), harness.invite, seed=4)
        crowd = build_crowd(2, careless=0.0, accuracy=(0.9, 0.9), seed=4)
        tally = await runner.run(crowd)
        alert = await admin.wait_for(lambda m: ALERT_FR in (m.text or ""), timeout=10)
        uploads = server.stats.uploads
        shown_media = harness.rows(
            "SELECT COUNT(DISTINCT i.media_key) FROM items AS i WHERE i.media_key IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM assignments AS a WHERE a.item_id = i.id)")[0][0]
        users = [server.user(member.user_id) for member in crowd]

    assert tally.answers == 2 * len(sample_small.items) and tally.retaps == 0
    assert not any("wrong" in (m.text or "") for user in users for m in user.messages)
    assert failures == shown_media >= 2  # every save failed: one per file uploaded
    assert uploads == shown_media  # ...yet each file went up once, its id kept in memory
    assert [m for m in admin.messages if ALERT_FR in (m.text or "")] == [alert]  # one alert
    assert harness.rows("SELECT COUNT(*) FROM media WHERE file_id IS NOT NULL") == [(0,)]


async def test_an_answer_the_full_disk_refused_is_said_so(
        sample_small: SampleProject, make_harness,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    async def add(self: SqliteAnswers, *args: object) -> bool:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    spec = sample_spec(sample_small, overlap=2, gold_rate=0.0)
    async with make_harness(spec, sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        user = server.user(600, "Ravo", language_code="fr")
        await user.send_command("start", harness.invite)
        task = await user.wait_for(lambda m: task_assignment(m) is not None)
        monkeypatch.setattr(SqliteAnswers, "add", add)
        answer = await user.wait_for_callback_answer(
            await user.tap_data(task.message_id, task.callback_data[0][0]))
    assert answer.text is not None and answer.text.startswith("Le disque du serveur est plein")
    assert harness.rows("SELECT COUNT(*) FROM answers") == [(0,)]
