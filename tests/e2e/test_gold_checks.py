"""Gold check items through the sandbox: recordings with a known verdict, imported into a
check project beside the recordings it checks, score the checkers who hear them. A
checker who answers them right is scored right and goes on to the real recordings; one
who answers them wrong is told the right verdict in training, scored wrong on every gold
check, and suspended by the project's gold rule before checking anyone's recording."""

from __future__ import annotations

import csv
import io

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.media.sources import MemorySource
from bot.crowd_screens import has_continue, is_no_work, is_suspension, task_assignment
from bot.samples.voices import voice_note
from bot.sandbox import SandboxServer, SimMessage, SimUser
from tests.e2e.conftest import Harness, create_project, sandbox
from tests.e2e.test_kinds import is_task
from tests.e2e.test_recordings import RECORDING_SPEC, replies_to, sentences_csv

CHECK_SPEC = """
name = "Check the readings"
answer_type = "check"
question = "Does the recording say exactly this text?"
source = "Read aloud"
votes = 2
overlap = 4

[quality]
training = 1
training_streak = 0
exam = 0
adaptive_gold = false
probation_tasks = 100         # while gold checks are left, every task is one
probation_gold_rate = 1.0
gold_min_answers = 4
gold_action = "suspend"
speed_min_seconds = 0         # the simulated checkers tap at once
run_max_same = 0
run_max_skips = 0
"""
# the gold checks: (id, verdict, training); a "no" is a reading of another sentence
GOLD = (("t1", "yes", True), ("g1", "yes", False), ("g2", "no", False),
        ("g3", "yes", False), ("g4", "no", False))
SHOWN = "Manao ahoana ianao tompoko?"
BUTTONS = {"yes": "✅ Says exactly the text", "no": "❌ Does not say it"}
OPPOSITE = {"yes": "no", "no": "yes"}
SPEAKER, CAREFUL, CARELESS = 1500, 1501, 1502


def gold_checks() -> tuple[bytes, MemorySource]:
    """Return the check project's items file (audio, the text shown, the known verdict)
    and the voice notes it names."""
    buffer = io.StringIO()
    rows = csv.writer(buffer, lineterminator="\n")
    rows.writerow(["id", "audio", "text", "gold", "training"])
    files: dict[str, bytes] = {}
    for n, (name, verdict, training) in enumerate(GOLD):
        files[f"{name}.ogg"] = voice_note(3.0, seed=40 + n)
        rows.writerow([name, f"{name}.ogg", SHOWN, verdict, "true" if training else ""])
    return buffer.getvalue().encode(), MemorySource(files)


async def check_until_done(user: SimUser, harness: Harness, wrong: bool
                           ) -> tuple[list[str], list[str]]:
    """Answer every check task the user gets: gold checks by their known verdict (the
    opposite when ``wrong``), recordings "says it"; go on past training feedback. Return
    the items answered, in order, and the feedback read, once there is no work or the user
    is suspended."""
    items: list[str] = []
    feedback: list[str] = []
    answered: set[str] = set()
    continued: set[tuple[int, int]] = set()
    after = user.version

    def news(m: SimMessage) -> bool:  # a task or feedback not handled yet, or the end
        return ((m.version > after and (is_no_work(m) or is_suspension(m)))
                or (has_continue(m) and (m.message_id, m.edit_count) not in continued)
                or (task_assignment(m) is not None and task_assignment(m) not in answered))

    while True:
        message = await user.wait_for(news)
        if is_no_work(message) or is_suspension(message):
            return items, feedback
        assignment = task_assignment(message)
        if assignment is None:  # training feedback: the right verdict, then go on
            continued.add((message.message_id, message.edit_count))
            feedback.append(message.text or message.caption or "")
            await user.tap("Continue ▶", message.message_id)
            continue
        answered.add(assignment)
        (item, gold), = harness.rows(
            "SELECT i.external_id, i.gold_answer FROM assignments AS a "
            "JOIN items AS i ON i.id = a.item_id WHERE a.id = ?", (int(assignment),))
        verdict = "yes" if gold is None else OPPOSITE[str(gold)] if wrong else str(gold)
        items.append(str(item))
        await user.tap(BUTTONS[verdict], message.message_id)


def gold_scores(harness: Harness, checker: int) -> list[tuple[object, ...]]:
    """Return the checker's scored gold answers: item, stage, right or wrong."""
    return harness.rows(
        "SELECT i.external_id, a.stage, n.correct FROM answers AS n "
        "JOIN assignments AS a ON a.id = n.assignment_id JOIN items AS i ON i.id = a.item_id "
        "WHERE n.annotator_id = ? AND a.is_gold = 1 ORDER BY n.id", (checker,))


async def record_one(server: SandboxServer, harness: Harness) -> None:
    speaker = server.user(SPEAKER, first_name="Ravo", language_code="en")
    await speaker.send_command("start", harness.invite)
    await speaker.wait_for(is_task)
    sent = await speaker.send_voice(voice_note(3.0, seed=1))
    await speaker.wait_for(replies_to(sent))


async def test_gold_checks_score_a_right_checker_right_and_suspend_a_wrong_one(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RECORDING_SPEC.replace("overlap = 2", "overlap = 1"))
    items = parse_items(sentences_csv(), "s.csv", spec, None)
    check_spec = parse_spec(CHECK_SPEC)
    data, files = gold_checks()
    gold = parse_items(data, "gold.csv", check_spec, files)
    async with make_harness(spec, items) as harness:
        invite = await create_project(harness.db_path, check_spec, gold)
        async with sandbox() as server, harness.bot(server):
            await record_one(server, harness)  # one recording to check, beside the gold
            (recording,), = harness.rows("SELECT external_id FROM items WHERE project_id = 2 "
                                         "AND gold_answer IS NULL")
            careful = server.user(CAREFUL, first_name="Hery", language_code="en")
            await careful.send_command("start", invite)
            done, praise = await check_until_done(careful, harness, wrong=False)
            careless = server.user(CARELESS, first_name="Tojo", language_code="en")
            await careless.send_command("start", invite)
            stopped, feedback = await check_until_done(careless, harness, wrong=True)
            suspension = await careless.wait_for(is_suspension)
            scores = []  # what each checker's /me says of their checked answers
            for user in (careful, careless):
                await user.send_command("me")
                scores.append((await user.wait_for(
                    lambda m: "Checked answers:" in (m.text or ""))).text or "")

    # the careful checker: right on the training check and every gold check, then the
    # recording itself
    assert done[0] == "t1" and done[-1] == recording
    assert len(praise) == 1 and "✅ Right: ✅ Says exactly the text" in praise[0]
    assert sorted(done[1:-1]) == ["g1", "g2", "g3", "g4"]
    assert gold_scores(harness, CAREFUL) == [
        (item, "training" if item == "t1" else "production", 1) for item in done[:-1]]
    # the careless one: told the right verdict in training, wrong on every gold check,
    # suspended by the gold rule after four, before any recording reached them
    assert stopped[0] == "t1" and recording not in stopped
    assert len(feedback) == 1 and "The right answer is ✅ Says exactly the text" in feedback[0]
    assert [row[2] for row in gold_scores(harness, CARELESS)] == [0] * len(stopped)
    assert len(stopped) == 5  # training, then the gold rule's four
    assert harness.rows("SELECT status, rule FROM standings WHERE annotator_id = ?",
                        (CARELESS,)) == [("suspended", "gold")]
    assert harness.rows("SELECT status FROM standings WHERE annotator_id = ?",
                        (CAREFUL,)) == [("active",)]
    assert (suspension.text or "").startswith("⛔ You are suspended from Check the readings.")
    assert "Too many of your checked answers were wrong: 0 of 4 right" in (
        suspension.text or "")
    assert "Checked answers: 5 of 5 right (100%)." in scores[0]
    assert "Checked answers: 0 of 5 right (0%)." in scores[1]
    assert "Status: suspended from this project." in scores[1]
    # the recording's only check is the careful one's
    assert harness.rows("SELECT n.value, n.annotator_id FROM answers AS n "
                        "JOIN assignments AS a ON a.id = n.assignment_id "
                        "JOIN items AS i ON i.id = a.item_id WHERE i.external_id = ?",
                        (recording,)) == [("yes", CAREFUL)]
