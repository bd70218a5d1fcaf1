"""Undo of a checked recording on SQLite: the take and its checks change in one
transaction, so an Undo that fails midway (the process killed) leaves both as they were;
and migration 014 retires the check items an older Undo left carrying a take taken back,
so the feed makes the new takes' checks."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from annotation.kinds.check import LABELS
from annotation.loop.checks import CheckFeed
from annotation.loop.tasks import Result
from annotation.loop.voice import VoiceNote
from annotation.models import (
    AnnotatorId,
    AnswerType,
    ItemId,
    MediaKey,
    MediaKind,
    ProjectStatus,
    Scale,
)
from annotation.records import ItemDraftRecord
from bot.samples.voices import voice_note
from storage import migrations
from storage.database import Database
from storage.repositories.items import SqliteItems
from tests.annotators import Services, join
from tests.contract.crowd import answered, at, person
from tests.projects import make_items, make_spec

RAVO = AnnotatorId(20)
READ = make_spec(name="Read", answer_type=AnswerType.RECORDING, options=(), overlap=1)
CHECK = make_spec(name="Check", answer_type=AnswerType.CHECK, options=(), overlap=3,
                  scale=Scale(points=2, labels=LABELS, source="Read"))


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as connection:
        return list(connection.execute(sql))


async def test_an_undo_that_fails_midway_leaves_the_take_and_its_checks_as_they_were(
        services: Services, database: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    tasks = services[0]
    await services[2].create(READ, make_items(3))
    await services[2].create(CHECK, [])
    await join(services, RAVO, "invite1")
    assert await tasks.current_task(RAVO) is not None
    data = voice_note(3.0, seed=1)

    async def fetch() -> bytes:
        return data

    recorded = await tasks.answer_voice(RAVO, VoiceNote("file-1", "unique-1", 3, len(data),
                                                        "audio/ogg", "20:1"), fetch)
    assert recorded.result is Result.RECORDED and recorded.answered is not None
    first = recorded.answered
    await join(services, 30, "invite2")
    assert await tasks.current_task(AnnotatorId(30)) is not None  # a checker holds it
    path = tmp_path / "annobot.db"
    before = _rows(path, "SELECT external_id, media_key, settled, retired_at FROM items "
                         "WHERE project_id = 2")

    async def killed(*_args: object) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(SqliteItems, "retire", killed)
    with pytest.raises(RuntimeError):
        await tasks.undo(RAVO, first)
    assert _rows(path, "SELECT external_id, media_key, settled, retired_at FROM items "
                       "WHERE project_id = 2") == before
    assert _rows(path, f"SELECT status FROM assignments WHERE id = {first}") == [("answered",)]
    assert _rows(path, f"SELECT COUNT(*) FROM answers WHERE assignment_id = {first}") == [(1,)]
    monkeypatch.undo()
    assert (await tasks.undo(RAVO, first)).result is Result.UNDONE
    assert _rows(path, "SELECT external_id, settled, retired_at IS NOT NULL FROM items "
                       "WHERE project_id = 2") == [(f"rec-{first}~4", 1, 1)]  # after 3 sentences


async def test_the_migration_retires_the_checks_an_older_undo_left_on_a_discarded_take(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "annobot.db"
    every = migrations.available_migrations()
    assert (14, "014_retired_checks.sql") in [(v, name) for v, name, _sql in every]
    monkeypatch.setattr(migrations, "available_migrations",
                        lambda: [m for m in every if m[0] < 14])
    async with Database(path):
        pass
    with closing(sqlite3.connect(path)) as connection, connection:
        for version, name, sql in every:  # today's code needs the later ones' columns
            if version > 14:
                connection.executescript(sql)
                connection.execute("INSERT INTO schema_migrations (version, name, "
                                   "applied_at) VALUES (?, ?, 0)", (version, name))
    async with Database(path) as database, database.write() as uow:
        read = await uow.projects.add(READ, ProjectStatus.OPEN, "read", None, at(0))
        check = await uow.projects.add(CHECK, ProjectStatus.OPEN, "check", None, at(0))
        await uow.items.add_many(read.id, [
            ItemDraftRecord(f"s{n}", MediaKind.TEXT, f"Sentence {n}.", None, None, None,
                            False) for n in range(3)])
        for key in ("k0", "k1-old", "k1-new", "k2"):
            await uow.media.add(MediaKey(key), "audio", f"{key}.ogg", "audio/ogg", "voice",
                                key.encode())
        speaker, checker = await person(uow, RAVO), await person(uow, 30)
        kept = await answered(uow, read, ItemId(1), speaker, at(1), "k0")  # 1-3: sentences
        again = await answered(uow, read, ItemId(2), speaker, at(2), "k1-old")
        gone = await answered(uow, read, ItemId(3), speaker, at(3), "k2")
        await uow.items.add_many(check.id, [
            ItemDraftRecord(f"rec-{answer.assignment_id}", MediaKind.AUDIO, "text",
                            MediaKey(answer.value), None, None, False, author=speaker)
            for answer in (kept, again, gone)] + [  # and a gold check imported by name
            ItemDraftRecord("rec-99", MediaKind.AUDIO, "text", MediaKey("k0"), "yes", None,
                            False)])
        await answered(uow, check, ItemId(5), checker, at(4), "no")  # a vote on the take "k1-old"
        # what the older Undo did: the answer deleted, its checks left; one recorded again
        await uow.answers.delete(again.assignment_id)
        await uow.answers.delete(gone.assignment_id)
        assert await uow.answers.add(replace(again, value="k1-new", answered_at=at(5)), None,
                                     read.id)
    monkeypatch.setattr(migrations, "available_migrations", lambda: every)
    async with Database(path) as database:
        assert _rows(path, "SELECT external_id, media_key, settled, retired_at IS NULL, "
                           "answers FROM items WHERE project_id = 2 ORDER BY id") == [
            (f"rec-{kept.assignment_id}", "k0", 0, 1, 0),
            (f"rec-{again.assignment_id}~5", "k1-old", 1, 0, 1),
            (f"rec-{gone.assignment_id}~6", "k2", 1, 0, 0),
            ("rec-99", "k0", 0, 1, 0)]
        assert await CheckFeed(database).sync() == 1  # the new take's check, at once
    assert _rows(path, "SELECT external_id, media_key FROM items WHERE project_id = 2 "
                       "AND retired_at IS NULL ORDER BY id") == [
        (f"rec-{kept.assignment_id}", "k0"), ("rec-99", "k0"),
        (f"rec-{again.assignment_id}", "k1-new")]
