"""The speech sample, how its simulated crowd records, checks and types, and how the demo
reads the bot's refusals and reports (the run through the bot: tests/e2e/test_demo_speech.py)."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from annotation.aggregation.edit_distance import cer
from annotation.aggregation.transcripts import normalize_transcript
from annotation.intake.spec import parse_spec
from annotation.kinds.recording import item_language
from annotation.media.speech import RecordingProblem, RecordingReason, limits_for_sentence
from annotation.models import AnswerType
from bot.crowd import Member, Style
from bot.i18n import load_translations
from bot.samples.speech import (
    LANGUAGE_OF,
    SENTENCES,
    SpeechSample,
    build_speech_sample,
    max_items,
    note_key,
    reading_seconds,
)
from bot.samples.speech_crowd import (
    Habit,
    TakeKind,
    build_speech_crowd,
    plan_takes,
    read_refusal,
    refusal_reasons,
    typed_transcript,
)
from bot.speech_summary import SpeechSummary, describe_speech_summary, speech_summary_json
from handlers.recording_view import refusal_text


@pytest.fixture(scope="module")
def sample() -> SpeechSample:
    return build_speech_sample(6, seed=3, gold_checks=4, gold_transcripts=4)


def test_the_sample_builds_three_projects_whose_notes_have_a_hidden_truth(
        sample: SpeechSample) -> None:
    assert [parse_spec(s).answer_type for s in (
        sample.recording_spec, sample.check_spec, sample.transcript_spec)] == [
        AnswerType.RECORDING, AnswerType.CHECK, AnswerType.TRANSCRIPT]
    check = parse_spec(sample.check_spec)
    assert check.scale is not None and check.scale.source == parse_spec(
        sample.recording_spec).name
    texts = [draft.text for draft in sample.recordings]
    assert len(texts) == len(set(texts)) == 6 and set(texts) <= sample.sentences
    # each sentence is read in its language: the spec's (mg) unless its item names another
    recording = parse_spec(sample.recording_spec)
    assert recording.scale is not None and recording.scale.language == "mg"
    assert [item_language(d.payload, "mg") for d in sample.recordings] == [
        LANGUAGE_OF[text] for text in texts]
    assert {item_language(d.payload) for d in sample.recordings} == {"", "fr"}
    # gold checks: good readings say "yes", readings of another sentence "no"
    assert [d.gold_answer for d in sample.gold_checks] == ["yes", "no", "yes", "no"]
    for draft in sample.gold_checks:
        assert draft.media is not None
        heard = sample.notes.by_key[draft.media.key]  # the media key is the note's hash
        assert heard.says_text == (draft.gold_answer == "yes")
        assert (heard.sentence == draft.text) == heard.says_text
    # clips: 3 regular (6 // 2) and 4 gold, each standing for its sentence
    assert Counter(d.gold_answer is None for d in sample.clips) == {True: 3, False: 4}
    for draft in sample.clips:
        assert draft.media is not None
        assert sample.notes.by_key[draft.media.key].sentence == sample.clip_truth[
            draft.external_id]
        assert draft.gold_answer in (None, sample.clip_truth[draft.external_id])
        assert note_key(draft.media.data) == draft.media.key


def test_sentences_are_malagasy_and_french_and_read_within_the_bots_bounds() -> None:
    assert len(set(SENTENCES)) == len(SENTENCES) == 2 * max_items()
    assert all(" i " in s or " ny " in s for s in SENTENCES[::2])  # Malagasy: subject last
    assert {LANGUAGE_OF[s] for s in SENTENCES[::2]} == {"mg"}
    assert {LANGUAGE_OF[s] for s in SENTENCES[1::2]} == {"fr"}
    for sentence in SENTENCES[:200]:
        limits = limits_for_sentence(sentence)
        assert limits.min_seconds < reading_seconds(sentence) < limits.max_seconds


def test_speakers_fumble_or_read_the_wrong_sentence_by_habit() -> None:
    rng = random.Random(1)
    plans = {habit: [plan_takes(habit, rng) for _ in range(400)] for habit in Habit}
    for takes in plans.values():
        assert all(plan[-1] in (TakeKind.RIGHT, TakeKind.WRONG) for plan in takes)
        assert all(k in (TakeKind.SILENT, TakeKind.SHORT) for plan in takes for k in plan[:-1])
    fumbled = {habit: sum(len(p) > 1 for p in takes) / 400 for habit, takes in plans.items()}
    assert fumbled[Habit.FUMBLING] > 0.45 and fumbled[Habit.GOOD] < 0.12
    assert all(len(plan_takes(Habit.FUMBLING, rng, first=True)) == 2 for _ in range(50))
    wrong = {habit: sum(p[-1] is TakeKind.WRONG for p in takes) / 400
             for habit, takes in plans.items()}
    assert 0.35 < wrong[Habit.WRONG] < 0.65 and wrong[Habit.GOOD] == 0.0


def test_the_crowd_splits_into_speakers_checkers_and_transcribers() -> None:
    crowd = build_speech_crowd(30, careless=0.1, accuracy=(0.85, 0.95), seed=4)
    assert (len(crowd.speakers), len(crowd.checkers), len(crowd.transcribers)) == (12, 9, 9)
    ids = [m.user_id for group in (crowd.speakers, crowd.checkers, crowd.transcribers)
           for m in group]
    assert len(set(ids)) == 30
    assert Counter(crowd.habits.values()) == {Habit.GOOD: 8, Habit.FUMBLING: 3, Habit.WRONG: 1}
    assert Counter(m.style for m in crowd.checkers) == {
        Style.CAREFUL: 7, Style.RANDOM: 1, Style.CONSTANT: 1}
    assert Counter(m.style for m in crowd.transcribers) == {Style.CAREFUL: 8, Style.RANDOM: 1}
    with pytest.raises(ValueError, match="at least 9"):
        build_speech_crowd(8, careless=0.1, accuracy=(0.85, 0.95), seed=4)


def test_careful_transcribers_type_close_to_the_truth_careless_ones_far() -> None:
    rng = random.Random(5)
    careful, careless = Member(1, Style.CAREFUL, 0.9), Member(2, Style.RANDOM, 0.0)
    truths = [normalize_transcript(s) for s in SENTENCES[:300]]

    def mean_cer(member: Member) -> float:
        return sum(cer(t, normalize_transcript(typed_transcript(member, rng, s)))
                   for t, s in zip(truths, SENTENCES, strict=False)) / len(truths)

    assert mean_cer(careful) < 0.08 < 0.3 < mean_cer(careless)


@pytest.mark.parametrize("language", ["en", "fr", "mg"])
def test_the_bots_refusals_are_read_in_every_language(language: str) -> None:
    text = refusal_text([
        RecordingProblem(RecordingReason.TOO_SHORT, {"seconds": 0.6, "minimum": 2.0}),
        RecordingProblem(RecordingReason.SILENT, {"percent": 2.0, "minimum": 20.0}),
    ], load_translations(language))
    assert read_refusal(text, refusal_reasons()) == ("recording.too_short", "recording.silent")
    assert read_refusal("✅ Recording received (3 s).", refusal_reasons()) == ()


def summary(**changes: object) -> SpeechSummary:
    fields: dict[str, object] = dict(
        sample="speech", annotators=30, speakers=12, checkers=9, transcribers=9,
        sentences=30, answers=520, seconds=80.0, takes=70,
        refused={"recording.silent": 4, "recording.too_short": 6}, bad_notes_accepted=0,
        good_notes_refused=0, recordings=60, wrong_readings=3, accepted_right=52,
        accepted_wrong=1, rejected_right=1, rejected_wrong=2, pending_right=4, pending_wrong=0,
        precision=0.9811, recall=0.9123, wrong_languages=0,
        checker_accuracy={"always_yes": 0.5, "careful": 0.9, "careless": 0.33},
        checkers_by_kind={"always_yes": 1, "careful": 7, "careless": 1},
        checkers_stopped={"always_yes": 1, "careful": 0, "careless": 1}, clips=15,
        clips_labelled=15, transcript_cer=0.012, transcript_wer=0.04, transcripts_exact=0.8,
        transcribers_careless=1, transcribers_careless_stopped=1,
        transcribers_careful_stopped=0, accepted_bytes_median=9300,
        recording_bytes_median=9400, recording_kbps=2.2,
        check_bytes_median=9600, api_calls=3000, uploads=40, bot_downloads=70,
        unknown_notes=0, quality=True, export_dir="annobot-demo/exports")
    fields.update(changes)
    return SpeechSummary(**fields)  # type: ignore[arg-type]


def test_the_summary_reports_refusals_verdicts_accuracy_cer_and_data_cost() -> None:
    text = describe_speech_summary(summary())
    assert "bot refusals      10 of 70 voice notes: silent 4, too short 6" in text
    assert "recordings        60 kept by the bot, 3 of them reading the wrong sentence" in text
    assert ("languages         0 of 60 exported in another language than their sentence's"
            in text)
    assert "accepted 52 right + 1 wrong, rejected 2 wrong + 1 right, pending 4" in text
    assert "acceptance precision 98.1%, recall 91.2%" in text
    assert "always yes 50.0% (stopped 1 of 1), careful 90.0% (stopped 0 of 7)" in text
    assert "consensus CER 1.2%, WER 4.0%, exactly right 80.0% (15 of 15 clips)" in text
    assert "stopped 1 of 1 careless transcribers and 0 of 8 careful ones" in text
    assert ("9.3 KB per accepted recording (median OGG; 9.4 KB over all 60 kept, 2.2 KB/s), "
            "9.6 KB downloaded per check") in text
    assert "quality control stopped" not in describe_speech_summary(summary(quality=False))
    assert json.loads(speech_summary_json(summary()))["refused"] == {
        "recording.silent": 4, "recording.too_short": 6}
