"""Recording tasks through the sandbox: real Opus voice notes are downloaded, decoded and
judged; each refusal is said in the speaker's language and records nothing; an accepted
recording is stored with the file id it came with; Undo lets the speaker record again."""

from __future__ import annotations

import json

import pytest

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from bot.crowd_screens import task_assignment
from bot.samples.voices import voice_note
from bot.sandbox import SimMessage
from tests.e2e.conftest import create_project, sandbox
from tests.e2e.test_kinds import is_task, join

RECORDING_SPEC = """
name = "Read aloud"
answer_type = "recording"
question = { en = "Read this sentence aloud.", fr = "Lisez cette phrase à voix haute." }
overlap = 2
gold_rate = 0.0
"""
SENTENCES = ["Manao ahoana ianao tompoko?", "Tsara ny andro androany.",
             "Aiza ny lalana mankany an-tsena?"]


def sentences_csv() -> bytes:
    return ("id,text\n" + "".join(f"s{n},{text}\n" for n, text in enumerate(SENTENCES))
            ).encode()


def replies_to(message_id: int):  # type: ignore[no-untyped-def]
    return lambda m: m.reply_to_message_id == message_id


@pytest.mark.parametrize(("kind", "seconds", "reason"), [
    ("silence", 3.0, "hardly hear any speech"),
    ("speech", 0.6, "too short: 0.6 s"),
    ("speech", 20.0, "too long"),
    ("quiet", 3.0, "too quiet"),
    ("clipped", 3.0, "distorted"),
])
async def test_each_bad_recording_is_refused_with_its_reason_and_nothing_recorded(
        make_harness, kind: str, seconds: float, reason: str) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RECORDING_SPEC)
    items = parse_items(sentences_csv(), "s.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        user = await join(server, harness, 1300)
        sent = await user.send_voice(voice_note(seconds, kind=kind, seed=3))
        reply = await user.wait_for(replies_to(sent))
        assert "not accepted" in (reply.text or "") and reason in (reply.text or "")
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(0,)]
        assert harness.rows("SELECT COUNT(*) FROM media WHERE kind = 'audio'") == [(0,)]


async def test_a_good_recording_is_stored_acknowledged_and_can_be_recorded_again(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RECORDING_SPEC)
    items = parse_items(sentences_csv(), "s.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        user = await join(server, harness, 1310)
        task = await user.wait_for(is_task)
        assert "🎙 Read the text aloud and send it as a voice message." in (task.text or "")
        first = task_assignment(task)
        await user.send_text("Manao ahoana")  # typing is not recording
        await user.wait_for(lambda m: "Please answer with a voice message" in (m.text or ""))
        note = voice_note(3.0, seed=1)
        sent = await user.send_voice(note)
        ack = await user.wait_for(replies_to(sent))
        assert (ack.text or "").startswith("✅ Recording received (")
        task = await user.wait_for(lambda m: is_task(m) and task_assignment(m) != first)
        (value, detail), = harness.rows("SELECT value, detail FROM answers")
        facts = json.loads(str(detail))
        assert 2.5 < facts["seconds"] < 3.5 and facts["voiced"] > 0.3
        (data, file_id), = harness.rows("SELECT data, file_id FROM media WHERE key = ?",
                                        (value,))
        assert bytes(data) == note
        stored = server.state.files.get(str(file_id))
        assert stored is not None and stored.data == note  # the speaker's own file id
        # the same file again, now for the next sentence: refused, nothing recorded
        await user.send_voice(note)
        await user.wait_for(lambda m: "You sent this recording before" in (m.text or ""))
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(1,)]
        # Undo takes the first recording back; a new one replaces it
        await user.tap("↩ Undo", task.message_id)
        await user.wait_for(lambda m: m.message_id == task.message_id
                            and task_assignment(m) == first)
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(0,)]
        better = voice_note(4.0, seed=2)
        sent = await user.send_voice(better)
        await user.wait_for(replies_to(sent))
        (value,), = harness.rows("SELECT value FROM answers")
        assert harness.rows("SELECT data FROM media WHERE key = ?", (value,)) == [(better,)]


async def test_a_french_speaker_is_told_in_french(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RECORDING_SPEC)
    items = parse_items(sentences_csv(), "s.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        user = server.user(1320, first_name="Fara", language_code="fr")
        await user.send_command("start", harness.invite)
        await user.wait_for(is_task)
        sent = await user.send_voice(voice_note(3.0, kind="silence", seed=4))
        reply: SimMessage = await user.wait_for(replies_to(sent))
        assert "n'a pas été accepté" in (reply.text or "") and "voix" in (reply.text or "")


CHECK_SPEC = """
name = "Check the readings"
answer_type = "check"
question = "Does the recording say exactly this text?"
source = "Read aloud"
votes = 2
overlap = 4
gold_rate = 0.0
"""


async def test_recordings_become_checks_decided_by_two_agreeing_votes(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RECORDING_SPEC.replace("overlap = 2", "overlap = 1"))
    items = parse_items(sentences_csv(), "s.csv", spec, None)
    async with make_harness(spec, items) as harness:
        check_invite = await create_project(harness.db_path, parse_spec(CHECK_SPEC), [])
        async with sandbox() as server, harness.bot(server):
            speaker = await join(server, harness, 1330)
            for seed in (1, 2):  # two sentences read
                sent = await speaker.send_voice(voice_note(3.0, seed=seed))
                await speaker.wait_for(replies_to(sent))
            # each recording is a check item at once, made by its speaker
            made = harness.rows("SELECT external_id, kind, author, media_key FROM items "
                                "WHERE project_id = 2 ORDER BY id")
            assert [(m[1], m[2]) for m in made] == [("audio", 1330), ("audio", 1330)]
            # the speaker is never asked to check their own voice
            await speaker.send_command("start", check_invite)
            await speaker.wait_for(lambda m: "No tasks for you" in (m.text or ""))
            uploads = server.state.stats.uploads
            for checker, button in ((1331, "✅ Says exactly the text"),
                                    (1332, "✅ Says exactly the text")):
                user = server.user(checker, first_name=f"c{checker}", language_code="en")
                await user.send_command("start", check_invite)
                task = await user.wait_for(lambda m: m.kind == "voice" and bool(m.buttons))
                assert "Does the recording say exactly this text?" in (task.caption or "")
                assert [row[0] for row in task.buttons[:3]] == [
                    "✅ Says exactly the text", "❌ Does not say it", "🔇 Can't hear it"]
                await user.tap(button, task.message_id)
                await user.wait_for(lambda m, i=task.message_id: m.message_id != i
                                    and (m.kind == "voice" or "No tasks" in (m.text or "")))
            # two agreeing checks decide a recording: it is handed out no more
            settled = harness.rows("SELECT external_id, settled, answers FROM items "
                                   "WHERE project_id = 2 ORDER BY id")
            assert settled[0][1:] == (1, 2)
            late = server.user(1333, first_name="late", language_code="en")
            await late.send_command("start", check_invite)
            task = await late.wait_for(lambda m: m.kind == "voice" and bool(m.buttons))
            item = harness.rows("SELECT i.external_id FROM assignments AS a JOIN items AS i "
                                "ON i.id = a.item_id WHERE a.annotator_id = 1333")
            assert item == [(settled[1][0],)]  # only the undecided recording is left
            assert server.state.stats.uploads == uploads  # sent by file id, never again


async def test_a_forwarded_recording_is_refused_and_nothing_recorded(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RECORDING_SPEC)
    items = parse_items(sentences_csv(), "s.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, harness.bot(server):
        speaker = await join(server, harness, 1340)
        other = await join(server, harness, 1341)
        # a note the bot refused (silent) is in no answer: refused again when forwarded,
        # for being forwarded, before anything is downloaded
        refused = await speaker.send_voice(voice_note(3.0, kind="silence", seed=9))
        await speaker.wait_for(replies_to(refused))
        harness_answers = harness.rows("SELECT COUNT(*) FROM answers")
        downloads = server.state.stats.downloads
        await other.forward(refused, origin=speaker)
        await other.wait_for(lambda m: "forwarded recording is not accepted" in (m.text or ""))
        assert server.state.stats.downloads == downloads
        assert harness.rows("SELECT COUNT(*) FROM answers") == harness_answers
