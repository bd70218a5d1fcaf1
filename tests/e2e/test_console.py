"""The coordinator's console through the sandbox: roles, projects from files or a guided
conversation, validation, media rejection, preview, lifecycle, stats, earnings, reminders."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from datetime import UTC, datetime

from telegram.ext import Application

from annotation.console.earnings import payout_reference, period_of
from bot.crowd import at_or_after
from bot.sample import SampleProject
from bot.sandbox import SandboxServer, SimMessage, SimUser
from tests.annotation.media.test_preparation import png_declaring
from tests.e2e.conftest import ADMIN, Harness, sample_spec, sandbox
from tests.e2e.test_edge_cases import is_task, start

COORDINATOR = 200
ANNOTATOR = 500
NOT_COORDINATOR = "Sorry, only coordinators can do this."
NOT_ADMIN = "Sorry, only admins can do this."

SPEC = b"""name = "Birds"
question = "Which bird?"
answer_type = "single"
options = ["sparrow", "crow"]
overlap = 2
gold_rate = 0.0
reward = 20
"""


def text_of(message: SimMessage) -> str:
    return message.text or ""


def has(fragment: str):  # type: ignore[no-untyped-def]
    return lambda m: fragment in text_of(m)


async def coordinator_of(server: SandboxServer, harness: Harness) -> SimUser:
    """The admin promotes user COORDINATOR, who then starts the bot."""
    admin = server.user(ADMIN, "Admin")
    await admin.send_command("promote", str(COORDINATOR))
    await admin.wait_for(has(f"User {COORDINATOR} is now a coordinator."))
    user = server.user(COORDINATOR, "Hery")
    await user.send_command("start")
    await user.wait_for(has("Welcome"))
    return user


def snapshot(harness: Harness) -> dict[str, list[tuple[object, ...]]]:
    tables = {
        "projects": "SELECT id, status, remind_after FROM projects ORDER BY id",
        "roles": "SELECT id, role, muted FROM annotators ORDER BY id",
        "broadcasts": "SELECT id, status FROM broadcasts ORDER BY id",
        "outbox": "SELECT * FROM outbox",
        "payouts": "SELECT * FROM payouts",
        "audit": "SELECT id FROM audit_log",
        "items": "SELECT COUNT(*) FROM items",
    }
    return {name: harness.rows(sql) for name, sql in tables.items()}


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def job(app: Application, name: str):  # type: ignore[no-untyped-def,type-arg]
    assert app.job_queue is not None
    return app.job_queue.get_jobs_by_name(name)[0]


async def test_admins_grant_and_revoke_the_coordinator_role(sample_small: SampleProject,
                                                            make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        await coordinator_of(server, harness)
        admin = server.user(ADMIN)
        person = server.user(300, "Voahangy")
        await person.send_command("start")
        await admin.forward_text("hello", origin=person)
        offer = await admin.wait_for(has("Voahangy (user id 300): change their role?"))
        await admin.tap("Make coordinator", offer.message_id)
        await admin.wait_for(has("User 300 is now a coordinator."))
        await admin.send_command("demote", str(COORDINATOR))
        await admin.wait_for(has(f"User {COORDINATOR} is no longer a coordinator."))
        await admin.forward_text("secret", origin=None)
        await admin.wait_for(has("hides their account"))
        await admin.send_command("audit")
        log = await admin.wait_for(has("role.demote"))
        assert "role.promote" in text_of(log)
        assert harness.rows("SELECT id, role FROM annotators WHERE id IN (200, 300) "
                            "ORDER BY id") == [(200, "annotator"), (300, "coordinator")]
        assert harness.rows("SELECT actor_id, action, subject FROM audit_log ORDER BY id") == [
            (ADMIN, "role.promote", "200"), (ADMIN, "role.promote", "300"),
            (ADMIN, "role.demote", "200")]


async def test_a_non_coordinator_is_refused_every_command_and_button(
        sample_small: SampleProject, make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        coordinator = await coordinator_of(server, harness)
        await coordinator.send_text("/broadcast all Hello")
        draft = await coordinator.wait_for(lambda m: bool(m.buttons))
        await coordinator.send_document(SPEC, "project.toml")
        await coordinator.wait_for(has("Now send the items file"))
        await coordinator.send_document(b"id,text\n1,a\n", "items.csv")
        await coordinator.wait_for(has("created as a draft"))
        user = await start(server, harness, ANNOTATOR)
        before = snapshot(harness)
        task = await user.wait_for(is_task)

        commands = ["/promote 500", "/demote 200", "/audit", "/newproject", "/preview", "/projects",
                    "/open 2", "/pause 1", "/close 1", "/broadcast all Hi", "/reminders 1 24",
                    "/stats 1", "/payouts"]
        for command in commands:
            version = user.version
            await user.send_text(command)
            reply = await user.next_change(after=version)
            assert text_of(reply) in (NOT_COORDINATOR, NOT_ADMIN), (command, reply)
        for document, name in ((SPEC, "project.toml"), (b"id,text\n1,a\n", "items.csv")):
            version = user.version
            await user.send_document(document, name)
            assert text_of(await user.next_change(after=version)) == NOT_COORDINATOR
        version = user.version
        await user.forward_text("hi", origin=coordinator)
        assert text_of(await user.next_change(after=version)) == NOT_ADMIN

        forged = ["p:1:2:0", "c:1:2:0", "c:1:1:1", "c:1:1:2", f"b:1:{draft_id(draft)}",
                  f"x:1:{draft_id(draft)}", "m:1:202401", "r:1:500:1"]
        for data in forged:
            query = await user.tap_data(task.message_id, data)
            answer = await user.wait_for_callback_answer(query)
            assert answer.text in (NOT_COORDINATOR, NOT_ADMIN), (data, answer)
        for data in ("m:1:202401", "r:1:500:1"):  # admin-only buttons, for a coordinator
            query = await coordinator.tap_data(draft.message_id, data)
            assert (await coordinator.wait_for_callback_answer(query)).text == NOT_ADMIN
        assert snapshot(harness) == before


def draft_id(message: SimMessage) -> int:
    return int(message.callback_data[0][0].split(":")[2])


async def test_project_from_documents_preview_open_and_pause(make_harness,  # type: ignore[no-untyped-def]
                                                             sample_small: SampleProject) -> None:
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        coordinator = await coordinator_of(server, harness)
        await coordinator.send_document(SPEC, "birds.toml")
        await coordinator.wait_for(has("Settings of “Birds” are valid"))
        rows = "".join(f"{i},bird number {i}\n" for i in range(1, 1201))
        await coordinator.send_document(f"id,text\n{rows}".encode(), "items.csv")
        created = await coordinator.wait_for(has("created as a draft with 1200 items"))
        status = await coordinator.wait_for(has("Checked items.csv."))
        assert status.edit_count >= 1
        project_id = harness.rows("SELECT id, status FROM projects WHERE name = 'Birds'")
        assert project_id == [(2, "draft")]
        invite = harness.rows("SELECT invite_code FROM projects WHERE id = 2")[0][0]
        annotator = server.user(ANNOTATOR, "Ravo")
        await annotator.send_command("start", str(invite))
        await annotator.wait_for(has("No tasks for you right now"))

        await coordinator.tap("👁 Preview", created.message_id)
        first = await coordinator.wait_for(has("bird number 1"))
        assert first.buttons[0] == ["sparrow", "crow"]
        version = coordinator.version
        await coordinator.tap("crow", first.message_id)
        second = await coordinator.next_change(after=version)
        assert "bird number 2" in text_of(second)
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(0,)]
        assert harness.rows("SELECT COUNT(*) FROM assignments WHERE project_id = 2") == [(0,)]

        await coordinator.tap("▶ Open", created.message_id)
        await coordinator.wait_for(has("Birds is open. 1 annotators will be told."))
        await annotator.wait_for(has("The project “Birds” is open: send /start"))
        await annotator.send_command("start")
        task = await annotator.wait_for(is_task)
        await coordinator.send_command("pause", "2")
        await coordinator.wait_for(has("is paused"))
        version = annotator.version
        await annotator.tap("sparrow", task.message_id)
        assert "No tasks for you right now" in text_of(await annotator.next_change(after=version))
        assert harness.rows("SELECT COUNT(*) FROM assignments WHERE status = 'active'") == [(0,)]
        assert harness.rows("SELECT action FROM audit_log WHERE action LIKE 'project.%' "
                            "ORDER BY id") == [("project.create",), ("project.open",),
                                               ("project.pause",)]


async def test_invalid_items_report_every_bad_row_and_create_nothing(
        sample_small: SampleProject, make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        coordinator = await coordinator_of(server, harness)
        await coordinator.send_document(SPEC, "project.toml")
        await coordinator.wait_for(has("Now send the items file"))
        items = ("id,text,gold\n"
                 "1,a sparrow,sparrow\n"
                 "2,a duck,duck\n"          # line 3: gold not an option
                 "1,again,\n"               # line 4: duplicate id
                 "4,,\n"                    # line 5: empty item
                 "5,fine,crow\n"
                 "6,x,crow,extra\n")        # line 7: too many cells
        await coordinator.send_document(items.encode(), "items.csv")
        report = await coordinator.wait_for(has("Nothing was created"))
        for line in (3, 4, 5, 7):
            assert f"items.csv line {line}" in text_of(report), report.text
        assert harness.rows("SELECT COUNT(*) FROM projects") == [(1,)]


async def test_bomb_and_corrupt_images_are_rejected_by_name(sample_small: SampleProject,
                                                           make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        coordinator = await coordinator_of(server, harness)
        archive = zip_of({
            "project.toml": SPEC,
            "items.csv": b"id,image\n1,bomb.png\n2,broken.jpg\n",
            "bomb.png": png_declaring(20_000, 20_000),
            "broken.jpg": b"\xff\xd8\xff\xe0 not really a jpeg",
        })
        await coordinator.send_document(archive, "birds.zip")
        report = await coordinator.wait_for(has("Nothing was created"))
        assert 'image "bomb.png" is too large' in text_of(report), report.text
        assert '"broken.jpg" is damaged or empty' in text_of(report), report.text
        assert harness.rows("SELECT COUNT(*) FROM projects") == [(1,)]
        assert harness.rows("SELECT COUNT(*) FROM media WHERE filename LIKE 'b%'") == [(0,)]


async def test_guided_conversation_then_items(sample_small: SampleProject,
                                              make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        coordinator = await coordinator_of(server, harness)
        await coordinator.send_command("newproject")
        await coordinator.wait_for(has("What is its name?"))
        steps = [("Fruit", "What question"), ("Is it ripe?", "How do they answer?"),
                 ("maybe", 'unknown value "maybe"'), ("yes_no", "How many annotators"),
                 ("0", "0 is not between 1 and 50"), ("3", "What share of tasks"),
                 ("10%", "How many minutes"), ("5", "Now send the items file")]
        for answer, expected in steps:
            version = coordinator.version
            await coordinator.send_text(answer)
            reply = await coordinator.next_change(after=version)
            assert expected in text_of(reply), (answer, reply)
        await coordinator.send_document(b"text\nbanana\nmango\n", "fruit.csv")
        await coordinator.wait_for(has("created as a draft with 2 items"))
        spec = harness.rows("SELECT spec FROM projects WHERE name = 'Fruit'")[0][0]
        assert '"overlap": 3' in str(spec) and '"time_limit_seconds": 300' in str(spec)
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(0,)]


async def test_stats_chart_arrives_as_a_photo(sample_small: SampleProject,
                                              make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        coordinator = await coordinator_of(server, harness)
        for user_id in (501, 502):
            user = await start(server, harness, user_id)
            for _ in range(3):
                task = await user.wait_for(is_task)
                version = user.version
                await user.tap("2", task.message_id)
                await user.next_change(after=version, where=at_or_after(task.message_id))
        await coordinator.send_command("stats", "1")
        chart = await coordinator.wait_for(lambda m: m.kind == "photo")
        assert "Answers: 6; last hour: 6" in text_of(chart)
        assert "Progress:" in text_of(chart) and "Top annotators:" in text_of(chart)
        stored = server.state.files.get(chart.file_id or "")
        assert stored is not None and len(stored.data) < 60_000


async def test_earnings_payout_file_and_mark_paid(sample_small: SampleProject,
                                                  make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = sample_spec(sample_small, reward=20.0)
    async with make_harness(spec, sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        admin = server.user(ADMIN, "Admin")
        await admin.send_command("start")
        await admin.wait_for(has("Welcome"))
        user = await start(server, harness, ANNOTATOR)
        for _ in range(3):
            task = await user.wait_for(is_task)
            version = user.version
            await user.tap("2", task.message_id)
            await user.next_change(after=version, where=at_or_after(task.message_id))
        with sqlite3.connect(harness.db_path) as connection:  # quality control excluded it
            connection.execute("UPDATE answers SET excluded = 1 "
                               "WHERE id = (SELECT MIN(id) FROM answers)")
        await user.send_command("earnings")
        await user.wait_for(has("Accepted answers: 2. Earned: 40 MGA. Paid: 0 MGA. "
                                "To be paid: 40 MGA."))
        period = period_of(datetime.now(UTC))
        await admin.send_command("payouts", period)
        payout = await admin.wait_for(lambda m: m.kind == "document")
        assert "1 annotators, 40 MGA" in text_of(payout)
        csv_text = server.state.files.get(payout.file_id or "").data.decode("utf-8-sig")  # type: ignore[union-attr]
        assert f"{ANNOTATOR},Ravo,{payout_reference(ANNOTATOR, period)},40.00,MGA,2" in csv_text
        query = await admin.tap(f"Mark {period} paid", payout.message_id)
        answer = await admin.wait_for_callback_answer(query)
        assert answer.text == f"The period {period} is not over yet."
        harness.clock.advance(40 * 86400)
        query = await admin.tap(f"Mark {period} paid", payout.message_id)
        await admin.wait_for(has(f"{period} marked paid: 1 payments recorded."))
        await user.send_command("earnings")
        await user.wait_for(has("Paid: 40 MGA. To be paid: 0 MGA."))
        assert harness.rows("SELECT annotator_id, amount, reference FROM payouts") == [
            (ANNOTATOR, 40.0, payout_reference(ANNOTATOR, period))]
        assert ("payout.mark_paid",) in harness.rows("SELECT action FROM audit_log")


async def test_reminders_respect_mute_and_the_digest_reaches_coordinators(
        sample_small: SampleProject, make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server) as app:
        coordinator = await coordinator_of(server, harness)
        idle = await start(server, harness, 501)
        muted = await start(server, harness, 502)
        await muted.send_command("mute")
        await muted.wait_for(has("Reminders are off"))
        await coordinator.send_command("reminders", "1 24")
        await coordinator.wait_for(has("annotators idle for 24 h get a reminder"))
        await job(app, "queue_reminders").run(app)
        harness.clock.advance(25 * 3600)
        await job(app, "queue_reminders").run(app)
        await idle.wait_for(has("Tasks are waiting for you in “Counting demo”"), timeout=10)
        await job(app, "queue_reminders").run(app)  # once per idle spell
        assert harness.rows("SELECT annotator_id FROM outbox o JOIN broadcasts b "
                            "ON b.id = o.broadcast_id WHERE b.kind = 'reminder'") == [(501,)]
        assert not [m for m in muted.messages if "waiting for you" in text_of(m)]
        await job(app, "daily_digest").run(app)
        digest = await coordinator.wait_for(has("Daily digest"))
        assert "Counting demo" in text_of(digest) and "Progress:" in text_of(digest)
