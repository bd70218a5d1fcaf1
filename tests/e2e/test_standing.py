"""A suspended annotator through the sandbox: the Undo under the task on screen and the
answer buttons of the task undone get the suspension notice (with Appeal), change nothing,
earn nothing, and leave the item counters equal to the rows."""

from __future__ import annotations

from annotation.intake.item_drafts import ItemDraft
from annotation.models import MediaKind
from annotation.quality.settings import QualitySettings
from bot.crowd import at_or_after
from bot.crowd_screens import is_suspension, task_assignment
from bot.sandbox import SimMessage, SimUser
from tests.e2e.conftest import ADMIN, sandbox
from tests.projects import make_spec
from tests.storage.counters import counted_rows, counter_drift

USER, OTHER = 600, 601
GENERIC = "Sorry, something went wrong"
QC = QualitySettings(enabled=True, training=0, exam=0, probation_tasks=0, gold_min_answers=100,
                     speed_min_seconds=0.0, run_max_same=0, run_max_skips=0)


def drafts(count: int) -> list[ItemDraft]:
    return [ItemDraft(line=i + 2, external_id=f"r{i}", kind=MediaKind.TEXT, text=f"Item r{i}",
                      media=None, gold_answer=None, explanation=None, training=False)
            for i in range(count)]


def is_task(message: SimMessage) -> bool:
    return task_assignment(message) is not None


def data_of(message: SimMessage, label: str) -> str:
    """Return the callback data of the button labelled ``label``."""
    for texts, data in zip(message.buttons, message.callback_data, strict=True):
        for text, value in zip(texts, data, strict=True):
            if text == label:
                return value
    raise AssertionError(f"no {label!r} button in {message.buttons}")


async def tap_and_wait(user: SimUser, message: SimMessage, text: str) -> SimMessage:
    version = user.version
    await user.tap(text, message.message_id)
    return await user.next_change(after=version, where=at_or_after(message.message_id))


async def test_a_suspended_annotator_cannot_undo_and_answer_again(make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = make_spec(quality=QC, overlap=2, gold_rate=0.0, reward=10.0)
    async with make_harness(spec, drafts(4)) as harness, sandbox() as server, \
            harness.bot(server):
        admin = server.user(ADMIN, first_name="Admin", language_code="en")
        await admin.send_command("start")
        await admin.wait_for(lambda m: "Welcome" in (m.text or ""))
        other = server.user(OTHER, first_name="Hery", language_code="en")
        await other.send_command("start", harness.invite)
        await tap_and_wait(other, await other.wait_for(is_task), "cat")
        user = server.user(USER, first_name="Ravo", language_code="en")
        await user.send_command("start", harness.invite)
        first = await user.wait_for(is_task)
        assert "Item r0" in (first.text or "")  # the item the other annotator answered
        answer_again = data_of(first, "cat")
        shown = await tap_and_wait(user, first, "cat")
        assert is_task(shown) and "Item r0" not in (shown.text or "")
        undo = data_of(shown, "↩ Undo")

        await admin.send_command("annotators")
        listing = await admin.wait_for(lambda m: "page 1 of 1" in (m.text or ""))
        suspend = next(d for row in listing.callback_data for d in row
                       if d.startswith("qs:") and d.endswith(f":{USER}"))
        query = await admin.tap_data(listing.message_id, suspend)
        assert (await admin.wait_for_callback_answer(query)).text == "Suspended."
        await user.wait_for(lambda m: m.message_id != shown.message_id and is_suspension(m))

        version = user.version
        query = await user.tap_data(shown.message_id, undo)
        toast = await user.wait_for_callback_answer(query)
        refused = await user.next_change(after=version)  # the task on screen, replaced
        assert refused.message_id == shown.message_id and is_suspension(refused)
        assert "You are suspended from Animals." in (refused.text or "")
        assert GENERIC not in (toast.text or "") and not is_task(refused)
        query = await user.tap_data(shown.message_id, answer_again)
        toast = await user.wait_for_callback_answer(query)
        assert GENERIC not in (toast.text or "")
        assert is_suspension(user.message(shown.message_id))

        await user.send_command("earnings")
        await user.wait_for(lambda m: "No earnings yet" in (m.text or ""))
        await other.send_command("earnings")
        await other.wait_for(lambda m: "Accepted answers: 1." in (m.text or ""))
    assert harness.rows("SELECT excluded FROM answers WHERE annotator_id = ?", (USER,)) == [
        (1,)]
    assert harness.rows("SELECT COUNT(*) FROM assignments WHERE annotator_id = ? "
                        "AND status = 'active'", (USER,)) == [(0,)]
    assert counter_drift(harness.db_path) == [] and counted_rows(harness.db_path) == 4
