"""Quality control through the sandbox: training feedback, the exam with retry and
cool-down, suspension, appeal and reinstatement, and the coordinators' list."""

from __future__ import annotations

from annotation.intake.item_drafts import ItemDraft
from annotation.models import MediaKind
from annotation.quality.settings import QualitySettings
from bot.crowd import at_or_after
from bot.crowd_screens import has_continue, is_no_work, is_suspension, task_assignment
from bot.sandbox import SimMessage, SimUser
from tests.e2e.conftest import ADMIN, sandbox
from tests.projects import make_spec

USER = 600


def drafts(regular: int = 4, gold: int = 6, training: int = 2) -> list[ItemDraft]:
    def draft(line: int, name: str, answer: str | None, is_training: bool) -> ItemDraft:
        return ItemDraft(line=line, external_id=name, kind=MediaKind.TEXT, text=f"Item {name}",
                         media=None, gold_answer=answer, training=is_training,
                         explanation="Whiskers and pointed ears." if answer else None)
    return ([draft(i, f"r{i}", None, False) for i in range(regular)]
            + [draft(100 + i, f"t{i}", "cat", True) for i in range(training)]
            + [draft(200 + i, f"g{i}", "cat", False) for i in range(gold)])


def is_task(message: SimMessage) -> bool:
    return task_assignment(message) is not None


async def next_task(user: SimUser, seen: set[str]) -> SimMessage:
    task = await user.wait_for(lambda m: is_task(m) and task_assignment(m) not in seen)
    seen.add(str(task_assignment(task)))
    return task


async def tap_and_wait(user: SimUser, message: SimMessage, text: str) -> SimMessage:
    version = user.version
    await user.tap(text, message.message_id)
    return await user.next_change(after=version, where=at_or_after(message.message_id))


async def test_training_shows_the_right_answer_and_the_explanation(make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = make_spec(quality=QualitySettings(enabled=True, training=2, exam=3))
    async with make_harness(spec, drafts()) as harness, sandbox() as server, \
            harness.bot(server):
        user = server.user(USER, first_name="Ravo", language_code="en")
        await user.send_command("start", harness.invite)
        seen: set[str] = set()
        task = await next_task(user, seen)
        assert "Training" in (task.text or "")
        wrong = await tap_and_wait(user, task, "dog")
        assert "Not quite. The right answer is cat." in (wrong.text or "")
        assert "Whiskers and pointed ears." in (wrong.text or "")
        assert "Item t0" in (wrong.text or "") and has_continue(wrong)
        shown = await tap_and_wait(user, wrong, "Continue ▶")
        assert is_task(shown) and "Training" in (shown.text or "")
        seen.add(str(task_assignment(shown)))
        right = await tap_and_wait(user, shown, "cat")
        assert "✅ Right: cat." in (right.text or "")
        exam = await tap_and_wait(user, right, "Continue ▶")
        assert "Qualification exam" in (exam.text or "")
    rows = harness.rows("SELECT a.stage, n.correct FROM answers AS n "
                        "JOIN assignments AS a ON a.id = n.assignment_id ORDER BY n.id")
    assert rows == [("training", 0), ("training", 1)]


async def test_a_failed_exam_can_be_retaken_after_the_cool_down(make_harness) -> None:  # type: ignore[no-untyped-def]
    quality = QualitySettings(enabled=True, training=0, exam=2, exam_retries=1,
                              exam_cooldown=600, exam_stop_early=False)
    async with make_harness(make_spec(quality=quality), drafts()) as harness, \
            sandbox() as server, harness.bot(server):
        user = server.user(USER, first_name="Ravo", language_code="fr")
        await user.send_command("start", harness.invite)
        seen: set[str] = set()
        for _ in range(2):
            task = await next_task(user, seen)
            assert "Examen de qualification" in (task.text or "")
            result = await tap_and_wait(user, task, "dog")
        assert "0 sur 2" in (result.text or "") and is_no_work(result)
        assert "Examen" not in (result.text or "")  # the result, not the last exam item
        waiting = await tap_and_wait(user, result, "Actualiser 🔄")
        assert is_no_work(waiting) and not is_task(waiting)
        harness.clock.advance(600)
        retake = await tap_and_wait(user, waiting, "Actualiser 🔄")
        assert is_task(retake)
        seen.add(str(task_assignment(retake)))
        second = await tap_and_wait(user, retake, "cat")
        seen.add(str(task_assignment(second)))
        passed = await tap_and_wait(user, second, "cat")
        assert "Vous avez réussi" in (passed.text or "") and has_continue(passed)
        work = await tap_and_wait(user, passed, "Continuer ▶")
        assert is_task(work) and "Examen" not in (work.text or "")
    assert harness.rows("SELECT phase, failures, status FROM standings") == [
        ("production", 1, "active")]


async def test_appeal_and_reinstatement(make_harness) -> None:  # type: ignore[no-untyped-def]
    quality = QualitySettings(enabled=True, training=0, exam=2, exam_retries=0,
                              exam_stop_early=False)
    async with make_harness(make_spec(quality=quality), drafts()) as harness, \
            sandbox() as server, harness.bot(server):
        admin = server.user(ADMIN, first_name="Admin", language_code="en")
        await admin.send_command("start")
        await admin.wait_for(lambda m: "Welcome" in (m.text or ""))
        user = server.user(USER, first_name="Ravo", language_code="en")
        await user.send_command("start", harness.invite)
        seen: set[str] = set()
        for _ in range(2):
            result = await tap_and_wait(user, await next_task(user, seen), "dog")
        assert is_suspension(result)
        assert "You are suspended from Animals." in (result.text or "")
        assert "0 of 2 right, 2 needed, after 1 tries" in (result.text or "")
        query = await user.tap("Appeal ✋", result.message_id)
        toast = await user.wait_for_callback_answer(query)
        assert toast.text == "Your appeal was sent to the coordinators."
        appeal = await admin.wait_for(lambda m: "appeals" in (m.text or ""))
        assert "Ravo (#600)" in (appeal.text or "") and "0 of 2 right" in (appeal.text or "")
        await admin.send_command("annotators")
        listing = await admin.wait_for(lambda m: "page 1 of 1" in (m.text or ""))
        assert "Ravo (#600)" in (listing.text or "") and "✅ 1" in listing.buttons[0]
        decided = await tap_and_wait(admin, appeal, "Reinstate ✅")
        assert "Reinstated." in (decided.text or "")
        news = await user.wait_for(lambda m: "reinstated you" in (m.text or ""))
        again = await tap_and_wait(user, news, "Continue ▶")
        assert is_task(again) and "Qualification exam" in (again.text or "")
    assert harness.rows("SELECT status, appeal FROM standings") == [("active", "reinstated")]
    events = [row[0] for row in harness.rows("SELECT kind FROM quality_events ORDER BY id")]
    assert events == ["exam_failed", "suspend", "appeal", "reinstate"]


async def test_only_coordinators_see_the_annotators_list(make_harness) -> None:  # type: ignore[no-untyped-def]
    quality = QualitySettings(enabled=True)
    async with make_harness(make_spec(quality=quality), drafts()) as harness, \
            sandbox() as server, harness.bot(server):
        user = server.user(USER, first_name="Ravo", language_code="en")
        await user.send_command("start", harness.invite)
        await user.wait_for(is_task)
        await user.send_command("annotators")
        refused = await user.wait_for(lambda m: "only" in (m.text or ""))
        assert "admins" in (refused.text or "") or "coordinators" in (refused.text or "")


