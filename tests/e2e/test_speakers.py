"""Speakers through the sandbox: /speaker asks consent and three details with buttons in one
message edited in place, each stored; a speaker records, then /withdraw (after a
confirmation) takes their recordings out of later exports, stops their checks and refuses
their voice until they agree anew; all of it in English and in French."""

from __future__ import annotations

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from annotation.models import ProjectId
from bot.samples.voices import voice_note
from bot.sandbox import SimMessage, SimUser
from storage.database import Database
from tests.e2e.conftest import Harness, create_project, sandbox
from tests.e2e.test_kinds import is_task
from tests.e2e.test_recordings import CHECK_SPEC, RECORDING_SPEC, replies_to, sentences_csv


def has(fragment: str):  # type: ignore[no-untyped-def]
    return lambda m: fragment in (m.text or "")


async def _tap_through(user: SimUser, form: SimMessage, *labels: str) -> SimMessage:
    """Tap each button in turn on the form's one message; return it as last edited."""
    shown = form.message_id
    for label in labels:
        before = user.message(shown).version
        await user.tap(label, shown)
        form = await user.wait_for(lambda m, v=before: m.message_id == shown
                                   and m.version > v)
    return form


async def _withdrawn(harness: Harness, project: int) -> frozenset[int]:
    """Return what exports leave out of a project (the port's query, on the bot's file)."""
    async with Database(harness.db_path) as database, database.read() as uow:
        return frozenset(await uow.speakers.withdrawn(ProjectId(project)))


async def test_a_speaker_gives_details_records_withdraws_and_records_again(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RECORDING_SPEC.replace("overlap = 2", "overlap = 1"))
    items = parse_items(sentences_csv(), "s.csv", spec, None)
    async with make_harness(spec, items) as harness:
        check_invite = await create_project(harness.db_path, parse_spec(CHECK_SPEC), [])
        async with sandbox() as server, harness.bot(server):
            user = server.user(1400, first_name="Ravo", language_code="en")
            await user.send_command("start", harness.invite)
            await user.wait_for(has("tell us a little about your voice with /speaker"))
            await user.wait_for(is_task)

            await user.send_command("speaker")
            form = await user.wait_for(has("About your voice"))
            assert "/withdraw takes your recordings out of every later export" in form.text
            assert form.buttons == [["✅ I agree", "No, thanks"]]
            form = await _tap_through(user, form, "✅ I agree")
            assert "Question 1 of 3" in form.text and "Your gender:" in form.text
            assert form.buttons == [["Female", "Male"], ["Other", "Prefer not to say"]]
            form = await _tap_through(user, form, "Female", "20–29")
            assert "Where does your way of speaking come from?" in form.text
            form = await _tap_through(user, form, "Betsileo")
            assert form.text.startswith("✅ Thank you!") and not form.buttons
            assert "Female · 20–29 · Betsileo" in form.text
            (row,) = harness.rows("SELECT annotator_id, gender, age_band, region, "
                                  "consented_at IS NOT NULL, withdrawn_at FROM speakers")
            assert row == (1400, "female", "20_29", "betsileo", 1, None)

            sent = await user.send_voice(voice_note(3.0, seed=1))
            await user.wait_for(replies_to(sent))
            (recorded,) = harness.rows("SELECT assignment_id FROM answers")
            assert harness.rows("SELECT author, settled FROM items WHERE project_id = 2") == [
                (1400, 0)]  # a check item of the recording, handed out
            assert await _withdrawn(harness, 1) == frozenset()

            await user.send_command("withdraw")
            confirm = await user.wait_for(has("Withdraw your recordings?"))
            assert confirm.buttons == [["Withdraw them", "Keep them"]]
            done = await _tap_through(user, confirm, "Withdraw them")
            assert done.text.startswith("Done: your recordings are withdrawn.")
            assert "send /speaker and agree first" in done.text and not done.buttons
            (row,) = harness.rows("SELECT gender, age_band, region, consented_at, "
                                  "withdrawn_at IS NOT NULL FROM speakers")
            assert row == (None, None, None, None, 1)  # details deleted, withdrawal kept
            assert await _withdrawn(harness, 1) == {recorded[0]}
            assert harness.rows("SELECT settled FROM items WHERE project_id = 2") == [(1,)]
            checker = server.user(1401, first_name="Soa", language_code="en")
            await checker.send_command("start", check_invite)
            await checker.wait_for(has("No tasks for you"))  # nothing left to check

            await user.send_voice(voice_note(3.0, seed=2))
            reply = await user.wait_for(has("You withdrew"))
            assert reply.text == ("You withdrew your recordings. To record again, send "
                                  "/speaker and agree first.")
            assert harness.rows("SELECT COUNT(*) FROM answers") == [(1,)]

            await user.send_command("speaker")
            again = await user.wait_for(lambda m: "About your voice" in (m.text or "")
                                        and m.message_id != form.message_id)
            await _tap_through(user, again, "✅ I agree")
            sent = await user.send_voice(voice_note(3.0, seed=3))
            ack = await user.wait_for(replies_to(sent))
            assert (ack.text or "").startswith("✅ Recording received")
            assert harness.rows("SELECT COUNT(*) FROM answers") == [(2,)]
            assert await _withdrawn(harness, 1) == {recorded[0]}  # the new one is kept
            assert harness.rows("SELECT settled FROM items WHERE project_id = 2 "
                                "ORDER BY id") == [(1,), (0,)]

            forged = await user.tap_data(again.message_id, "v:1:9:0")  # no such question
            answer = await user.wait_for_callback_answer(forged)
            assert answer.text == "This button has expired."


async def test_a_french_speaker_is_asked_and_answered_in_french(
        make_harness) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RECORDING_SPEC)
    items = parse_items(sentences_csv(), "s.csv", spec, None)
    async with make_harness(spec, items) as harness, sandbox() as server, \
            harness.bot(server):
        user = server.user(1410, first_name="Fara", language_code="fr")
        await user.send_command("start", harness.invite)
        await user.wait_for(has("parlez-nous un peu de votre voix avec /speaker"))
        await user.send_command("speaker")
        form = await user.wait_for(has("À propos de votre voix"))
        assert form.buttons == [["✅ J'accepte", "Non, merci"]]
        form = await _tap_through(user, form, "✅ J'accepte")
        assert "Question 1 sur 3" in form.text and "Votre genre :" in form.text
        form = await _tap_through(user, form, "Je préfère ne pas dire", "Moins de 20 ans",
                                  "Antakarana (nord)")
        assert form.text.startswith("✅ Merci !")
        assert "Je préfère ne pas dire · Moins de 20 ans · Antakarana (nord)" in form.text
        assert harness.rows("SELECT gender, age_band, region FROM speakers") == [
            ("undisclosed", "under_20", "antakarana")]

        await user.send_command("withdraw")
        confirm = await user.wait_for(has("Retirer vos enregistrements ?"))
        kept = await _tap_through(user, confirm, "Les garder")
        assert kept.text == "Rien n'a changé : vos enregistrements sont conservés."
        assert harness.rows("SELECT withdrawn_at FROM speakers") == [(None,)]

        await user.send_command("withdraw")
        confirm = await user.wait_for(lambda m: "Retirer vos enregistrements ?" in (
            m.text or "") and m.message_id != kept.message_id)
        done = await _tap_through(user, confirm, "Les retirer")
        assert done.text.startswith("C'est fait : vos enregistrements sont retirés.")
        assert "envoyez d'abord /speaker et acceptez" in done.text
        (row,) = harness.rows("SELECT gender, withdrawn_at IS NOT NULL FROM speakers")
        assert row == (None, 1)
        await user.send_voice(voice_note(3.0, seed=5))
        reply = await user.wait_for(has("Vous avez retiré"))
        assert reply.text == ("Vous avez retiré vos enregistrements. Pour enregistrer à "
                              "nouveau, envoyez d'abord /speaker et acceptez.")

        await user.send_command("speaker")
        form = await user.wait_for(lambda m: "À propos de votre voix" in (m.text or "")
                                   and m.message_id != form.message_id)
        declined = await _tap_through(user, form, "Non, merci")
        assert declined.text == ("Aucune information sur vous n'est conservée. /speaker "
                                 "vous les redemande.")
