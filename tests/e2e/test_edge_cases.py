"""What annotators and admins do wrong, through the sandbox: each gets its message and
changes nothing it should not."""

from __future__ import annotations

import dataclasses

from annotation.models import AnswerType, LocalizedText, NumberRange, ProjectSpec
from bot.crowd import at_or_after
from bot.crowd_screens import task_assignment
from bot.sample import SampleProject
from bot.sandbox import Faults, SandboxServer, SimMessage, SimUser
from tests.e2e.conftest import Harness, sample_spec, sandbox
from tests.projects import make_items

USER = 500


def is_task(message: SimMessage) -> bool:
    return task_assignment(message) is not None


async def start(server: SandboxServer, harness: Harness, user_id: int = USER) -> SimUser:
    user = server.user(user_id, first_name="Ravo", language_code="en")
    await user.send_command("start", harness.invite)
    await user.wait_for(is_task)
    return user


def answer_count(harness: Harness) -> int:
    return int(harness.rows("SELECT COUNT(*) FROM answers")[0][0])


async def toast(user: SimUser, query_id: str) -> str:
    answer = await user.wait_for_callback_answer(query_id)
    return answer.text or ""


async def test_double_tap_records_once(sample_small: SampleProject, make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        user = await start(server, harness)
        task = await user.wait_for(is_task)
        first = await user.tap("2", task.message_id)
        second = await user.tap("3", task.message_id)
        assert await toast(user, first) == ""
        assert await toast(user, second) == "Already recorded."
        await user.wait_for(lambda m: is_task(m) and task_assignment(m) != task_assignment(task))
        assert answer_count(harness) == 1
        assert harness.rows("SELECT value FROM answers") == [("2",)]


async def test_redelivered_updates_change_nothing(sample_small: SampleProject,
                                                  make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        user = await start(server, harness)
        server.set_faults(Faults(redeliver_confirmed=True))
        for _ in range(3):
            task = await user.wait_for(is_task)
            version = user.version
            query = await user.tap("1", task.message_id)
            await toast(user, query)
            await user.next_change(after=version, where=at_or_after(task.message_id))
        await user.send_command("me")
        await user.wait_for(lambda m: "You have answered 3 tasks." in (m.text or ""))
        assert answer_count(harness) == 3
        sent = [r for r in server.stats.log if r.method == "sendMessage"]
        assert len([r for r in sent if r.chat_id == USER]) <= 3  # welcome, /me, and no dupes


async def test_stale_and_forged_buttons_change_nothing(sample_small: SampleProject,
                                                       make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        user = await start(server, harness)
        other = await start(server, harness, USER + 1)
        task = await user.wait_for(is_task)
        old_data = task.callback_data[0][0]
        version = user.version
        await user.tap(task.buttons[0][0], task.message_id)
        await user.next_change(after=version, where=at_or_after(task.message_id))
        assert await toast(user, await user.tap_data(task.message_id, old_data)) == \
            "Already recorded."
        assert await toast(user, await user.tap_data(task.message_id, "a:1:999999:0")) == \
            "This button has expired."
        assert await toast(user, await user.tap_data(task.message_id, "zz:9:<script>")) == \
            "This button has expired."
        theirs = await other.wait_for(is_task)
        stolen = theirs.callback_data[0][0]
        assert await toast(user, await user.tap_data(task.message_id, stolen)) == \
            "This button has expired."
        assert answer_count(harness) == 1


async def test_expired_assignment_gets_a_new_task(sample_small: SampleProject,
                                                  make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = sample_spec(sample_small, time_limit_seconds=60)
    async with make_harness(spec, sample_small.items) as harness, sandbox() as server, \
            harness.bot(server):
        user = await start(server, harness)
        task = await user.wait_for(is_task)
        harness.clock.advance(120)
        query = await user.tap("1", task.message_id)
        assert await toast(user, query) == "This task has expired. Here is a new one."
        fresh = await user.wait_for(lambda m: is_task(m)
                                    and task_assignment(m) != task_assignment(task))
        assert answer_count(harness) == 0
        assert harness.rows("SELECT status FROM assignments WHERE id = ?",
                            (int(task_assignment(task) or 0),)) == [("expired",)]
        assert fresh.message_id


async def test_text_for_a_choice_task_is_refused(sample_small: SampleProject,
                                                 make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        user = await start(server, harness)
        await user.send_text("three")
        await user.wait_for(lambda m: m.text == "Please answer with the buttons under the task.")
        assert answer_count(harness) == 0


NUMBER_SPEC = ProjectSpec(
    name="Ages", question=LocalizedText({"en": "How old?"}), answer_type=AnswerType.NUMBER,
    number_range=NumberRange(0, 10), overlap=1, gold_rate=0.0,
)


async def test_number_out_of_range_then_in_range(make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(NUMBER_SPEC, make_items(3)) as harness, sandbox() as server, \
            harness.bot(server):
        user = await start(server, harness)
        await user.send_text("42")
        await user.wait_for(lambda m: m.text == "Please send a number between 0 and 10.")
        await user.send_text("seven")
        await user.wait_for(lambda m: (m.text or "").startswith("Please send a number, for"))
        assert answer_count(harness) == 0
        version = user.version
        await user.send_text("7,5")
        await user.next_change(after=version)
        assert harness.rows("SELECT value FROM answers") == [("7.5",)]


async def test_unknown_command_and_non_admin_export(sample_small: SampleProject,
                                                    make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server, harness.bot(server):
        user = await start(server, harness)
        await user.send_command("frobnicate")
        await user.wait_for(lambda m: (m.text or "").startswith("I don't know that command."))
        await user.send_command("export")
        await user.wait_for(lambda m: m.text == "Sorry, only admins can do this.")
        assert not [m for m in user.messages if m.kind == "document"]
        assert server.stats.calls["sendDocument"] == 0


async def test_language_comes_from_telegram_and_can_change(sample_small: SampleProject,
                                                           make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = dataclasses.replace(sample_spec(sample_small))
    async with make_harness(spec, sample_small.items) as harness, sandbox() as server, \
            harness.bot(server):
        user = server.user(USER, first_name="Ravo", language_code="fr")
        await user.send_command("start", harness.invite)
        await user.wait_for(lambda m: (m.text or "").startswith("Bienvenue"))
        await user.send_command("language")
        await user.wait_for(lambda m: "Malagasy" in str(m.buttons))
        await user.tap("Malagasy")
        await user.send_command("frobnicate")
        await user.wait_for(lambda m: m.text is not None and "/help" in m.text
                            and not m.text.startswith("I don't"))


async def test_check_again_looks_for_work_without_an_expiry_toast(make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = ProjectSpec(name="One", question=LocalizedText({"en": "Which?"}),
                       answer_type=AnswerType.SINGLE, options=("a", "b"), overlap=1,
                       gold_rate=0.0)
    async with make_harness(spec, make_items(1)) as harness, sandbox() as server, \
            harness.bot(server):
        first = await start(server, harness)
        task = await first.wait_for(is_task)
        await toast(first, await first.tap("a", task.message_id))
        idle = server.user(USER + 1, first_name="Idle", language_code="en")
        await idle.send_command("start", harness.invite)
        waiting = await idle.wait_for(lambda m: (m.text or "").startswith("No tasks for you"))
        assert await toast(idle, await idle.tap("Check again 🔄", waiting.message_id)) == ""
        assert answer_count(harness) == 1
