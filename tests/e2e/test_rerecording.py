"""Re-recording through the sandbox, with a check project checking the recordings: a take
taken back (Undo) and recorded again is replaced everywhere. Checkers hear the new take
(sent by its own file id), only their votes on it decide it, and its speaker is paid by
them; checks already given on the old take stay, and earn, but decide nothing; a checker
who still holds the old take may answer it, for no recording (``annotation.loop.checks``).
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from annotation.access import AccessService
from annotation.datasets.records import Format
from annotation.datasets.service import DatasetService, ExportRequest, ExportResult
from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.models import ProjectId
from bot.crowd_screens import task_assignment
from bot.samples.voices import voice_note
from bot.sandbox import SandboxServer, SimMessage, SimUser
from storage.database import Database
from storage.datasets import open_dataset_folder
from tests.e2e.conftest import Harness, create_project, sandbox
from tests.e2e.test_kinds import is_task, join
from tests.e2e.test_recordings import CHECK_SPEC, RECORDING_SPEC, replies_to, sentences_csv

READ = RECORDING_SPEC.replace("overlap = 2", "overlap = 1") + "reward = 100\n"
CHECK = CHECK_SPEC + "reward = 10\n"
SAYS, DOES_NOT = "✅ Says exactly the text", "❌ Does not say it"
OPERATOR = 0  # an admin of the export service, not a Telegram user


def is_check(message: SimMessage) -> bool:
    return message.kind == "voice" and bool(message.buttons)


async def record(speaker: SimUser, note: bytes) -> SimMessage:
    """Send a voice note for the speaker's open task; return the next task shown."""
    sent = await speaker.send_voice(note)
    ack = await speaker.wait_for(replies_to(sent))
    assert (ack.text or "").startswith("✅ Recording received (")
    return await speaker.wait_for(lambda m: m.message_id > ack.message_id and is_task(m))


async def undo(speaker: SimUser, shown: SimMessage, assignment: str) -> None:
    """Tap Undo under the task shown after a recording; wait for the recording task again."""
    await speaker.tap("↩ Undo", shown.message_id)
    await speaker.wait_for(lambda m: m.message_id == shown.message_id
                           and task_assignment(m) == assignment)


async def checker(server: SandboxServer, invite: str, user_id: int) -> tuple[SimUser, SimMessage]:
    """Join the check project; return the checker and the recording handed to them."""
    user = server.user(user_id, first_name=f"c{user_id}", language_code="en")
    await user.send_command("start", invite)
    return user, await user.wait_for(is_check)


def heard(server: SandboxServer, message: SimMessage) -> bytes:
    """Return the bytes of the voice note a check message carries (by its file id)."""
    stored = server.state.files.get(message.file_id or "")
    assert stored is not None
    return stored.data


async def vote(user: SimUser, task: SimMessage, button: str) -> SimMessage:
    """Tap a verdict; return what replaces the task (the next recording, or no work)."""
    version = user.version
    await user.tap(button, task.message_id)
    return await user.next_change(after=version, where=lambda m: "No tasks" in (m.text or "")
                                  or (is_check(m) and (m.message_id, m.file_id)
                                      != (task.message_id, task.file_id)))


async def earned(user: SimUser, line: str) -> None:
    """Ask /earnings and wait for ``line``."""
    await user.send_command("earnings")
    await user.wait_for(lambda m: line in (m.text or ""))


def check_items(harness: Harness) -> list[tuple[object, ...]]:
    return harness.rows("SELECT external_id, media_key, settled, answers, retired_at IS NULL "
                        "FROM items WHERE project_id = 2 ORDER BY id")


def recording(harness: Harness) -> tuple[str, str]:
    """Return the one recording's assignment (as task buttons name it) and media key."""
    (assignment, value), = harness.rows("SELECT assignment_id, value FROM answers "
                                        "WHERE project_id = 1")
    return str(assignment), str(value)


async def export(harness: Harness, project: int, out: Path) -> ExportResult:
    async with Database(harness.db_path) as database:
        access = AccessService(database, clock=lambda: datetime.now(UTC), admins={OPERATOR})
        service = DatasetService(database, access, clock=lambda: datetime.now(UTC),
                                 folders=open_dataset_folder)
        return await service.export(OPERATOR, ExportRequest(
            ProjectId(project), frozenset({Format.TABLES})), out)


def table(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


async def test_a_take_taken_back_before_anyone_checked_it_is_replaced_by_the_new_one(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(READ)
    old, new = voice_note(3.0, seed=1), voice_note(4.0, seed=2)
    async with make_harness(spec, parse_items(sentences_csv(), "s.csv", spec, None)) as harness:
        invite = await create_project(harness.db_path, parse_spec(CHECK), [])
        async with sandbox() as server, harness.bot(server):
            speaker = await join(server, harness, 1600)
            first = task_assignment(await speaker.wait_for(is_task))
            assert first is not None
            shown = await record(speaker, old)
            assert [row[0] for row in check_items(harness)] == [f"rec-{first}"]
            await undo(speaker, shown, first)
            assert check_items(harness) == []  # nobody was handed it: it is gone
            await record(speaker, new)
            assignment, key = recording(harness)
            assert assignment == first
            assert check_items(harness) == [(f"rec-{first}", key, 0, 0, 1)]
            # two checkers hear the new take, by its own file id, and accept it
            for user_id in (1601, 1602):
                user, task = await checker(server, invite, user_id)
                assert heard(server, task) == new
                await vote(user, task, SAYS)
                await earned(user, "Accepted answers: 1. Earned: 10 MGA.")
            assert check_items(harness) == [(f"rec-{first}", key, 1, 2, 1)]
            await earned(speaker, "Accepted answers: 1. Earned: 100 MGA.")


async def test_checks_of_a_take_taken_back_are_kept_but_do_not_decide_the_new_take(
        make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(READ)
    old, new = voice_note(3.0, seed=1), voice_note(4.0, seed=2)
    async with make_harness(spec, parse_items(sentences_csv(), "s.csv", spec, None)) as harness:
        invite = await create_project(harness.db_path, parse_spec(CHECK), [])
        async with sandbox() as server, harness.bot(server):
            speaker = await join(server, harness, 1610)
            first = task_assignment(await speaker.wait_for(is_task))
            assert first is not None
            shown = await record(speaker, old)
            _assignment, old_key = recording(harness)
            # one checker rejects the old take; another holds it open, unanswered
            early, task = await checker(server, invite, 1611)
            assert heard(server, task) == old
            assert "No tasks" in ((await vote(early, task, DOES_NOT)).text or "")
            holder, held = await checker(server, invite, 1612)
            assert heard(server, held) == old
            await undo(speaker, shown, first)
            (retired,), = harness.rows("SELECT id FROM items WHERE project_id = 2")
            assert check_items(harness) == [(f"rec-{first}~{retired}", old_key, 1, 1, 0)]
            await record(speaker, new)
            _assignment, key = recording(harness)
            assert check_items(harness)[1] == (f"rec-{first}", key, 0, 0, 1)
            # the holder's answer on the old take is recorded there, for no recording; the
            # new take is handed out next, and its own two votes decide it
            after = await vote(holder, held, DOES_NOT)
            assert is_check(after) and heard(server, after) == new
            await vote(holder, after, SAYS)
            late, task = await checker(server, invite, 1613)
            assert heard(server, task) == new
            await vote(late, task, SAYS)
            assert check_items(harness) == [(f"rec-{first}~{retired}", old_key, 1, 2, 0),
                                            (f"rec-{first}", key, 1, 2, 1)]
            # the new take is accepted and paid; every check earns, the old take's too
            await earned(speaker, "Accepted answers: 1. Earned: 100 MGA.")
            await earned(early, "Accepted answers: 1. Earned: 10 MGA.")
            await earned(holder, "Accepted answers: 2. Earned: 20 MGA.")
            await earned(late, "Accepted answers: 1. Earned: 10 MGA.")
    # exports know the new take only, with its own votes
    recordings = await export(harness, 1, tmp_path / "read")
    validated = table(recordings.folder / "tables/recordings/validated.csv")
    assert [(r["up_votes"], r["down_votes"]) for r in validated] == [("2", "0")]
    checks = await export(harness, 2, tmp_path / "check")
    assert (checks.items, checks.answers) == (1, 2)  # the retired item and its votes left out
    rows = table(checks.folder / "tables/checks/recordings.csv")
    assert [(r["item_id"], r["recording_id"], r["up_votes"], r["down_votes"], r["verdict"])
            for r in rows] == [(f"rec-{first}", str(first), "2", "0", "accepted")]
