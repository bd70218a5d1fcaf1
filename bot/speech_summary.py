"""The speech demo's summary: its run's exports and the crowd's ledger scored against the
hidden truth (``score_speech``), and the summary printed as lines or as JSON.

What it reports: the bot's refusals by reason; the checks' verdicts on the recordings
(accepted, rejected, pending; precision and recall of acceptance); each kind of checker's
accuracy and who quality control stopped; the transcript consensus's CER and WER; the
languages the export gives the recordings (each its sentence's); and the data cost: the
median OGG bytes of a recording the checks accepted (and of every recording the bot kept),
and of the voice note a checker's phone receives per check.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from annotation.aggregation.edit_distance import char_distance, word_distance
from annotation.aggregation.transcripts import normalize_transcript
from annotation.models import Project
from bot.crowd import Style
from bot.demo_session import DemoOptions
from bot.samples.speech import LANGUAGE_OF, Heard, SpeechSample, note_key
from bot.samples.speech_crowd import (
    Ledger,
    SpeechCrowd,
    TakeKind,
)

CHECKER_STYLES = {Style.CAREFUL: "careful", Style.RANDOM: "careless",
                  Style.CONSTANT: "always_yes"}


@dataclass(frozen=True, slots=True)
class SpeechSummary:
    """What the speech demo reports at the end."""

    sample: str
    annotators: int
    speakers: int
    checkers: int
    transcribers: int
    sentences: int
    answers: int  # recordings, checks and transcripts the crowd gave
    seconds: float
    # recording: the bot's refusals, by reason (``RecordingReason``); bad notes it let in
    takes: int
    refused: dict[str, int]
    bad_notes_accepted: int
    good_notes_refused: int
    # the recordings the bot accepted, against the hidden truth (says its sentence or not)
    recordings: int
    wrong_readings: int
    accepted_right: int
    accepted_wrong: int
    rejected_right: int
    rejected_wrong: int
    pending_right: int
    pending_wrong: int
    precision: float  # of the accepted, the share that say their sentence
    recall: float  # of those saying their sentence, the share accepted
    wrong_languages: int  # recordings exported with a language not their sentence's
    # checkers: accuracy on the hidden truth by kind, and who quality control stopped
    checker_accuracy: dict[str, float]
    checkers_by_kind: dict[str, int]
    checkers_stopped: dict[str, int]
    # transcripts: the consensus of the regular clips against the hidden truth
    clips: int
    clips_labelled: int
    transcript_cer: float
    transcript_wer: float
    transcripts_exact: float
    transcribers_careless: int
    transcribers_careless_stopped: int
    transcribers_careful_stopped: int
    # data cost
    accepted_bytes_median: int  # the OGG of a recording the checks accepted
    recording_bytes_median: int  # the OGG of any recording the bot kept (checked or not)
    recording_kbps: float  # their bytes per second of audio, in kilobytes
    check_bytes_median: int  # the voice note a checker's phone receives, once per check
    api_calls: int
    uploads: int
    bot_downloads: int  # files the bot fetched (every voice note sent, refused ones too)
    unknown_notes: int  # voice notes the crowd met that the hidden truth does not name
    quality: bool
    export_dir: str


@dataclass(frozen=True, slots=True)
class SpeechRun:
    """What one run left behind, to be scored."""

    projects: tuple[Project, Project, Project]  # recording, check, transcript
    folders: tuple[Path, Path, Path]  # their exports
    answers: int
    seconds: float
    api_calls: int
    uploads: int
    downloads: int
    stopped: frozenset[int]  # members suspended in the project they worked in


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def _ratio(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def score_speech(options: DemoOptions, sample: SpeechSample, crowd: SpeechCrowd,
                 ledger: Ledger, run: SpeechRun) -> SpeechSummary:
    """Score the run's exports and the crowd's ledger against the hidden truth."""
    recordings_folder, checks_folder, transcripts_folder = run.folders
    # the recordings, as exported, each known by its bytes
    audio = recordings_folder / "huggingface" / "recordings"
    rows = _jsonl(audio / "metadata.jsonl") if (audio / "metadata.jsonl").exists() else []
    heard: dict[str, Heard] = {}
    sizes: list[int] = []
    accepted_sizes: list[int] = []
    wrong_languages = 0
    seconds: list[float] = []
    verdicts: Counter[tuple[object, bool]] = Counter()
    for row in rows:
        data = (audio / str(row["file_name"])).read_bytes()
        found = sample.notes.by_key.get(note_key(data))
        if found is None:
            raise LookupError(f"a recording no speaker sent: {row['file_name']}")
        heard[str(row["recording_id"])] = found
        sizes.append(len(data))
        if row["accepted"] is True:
            accepted_sizes.append(len(data))
        wrong_languages += row["language"] != LANGUAGE_OF.get(str(row["sentence"]))
        seconds.append(float(str(row["duration"])))
        verdicts[row["accepted"], found.says_text] += 1
    right = sum(found.says_text for found in heard.values())
    accepted = verdicts[True, True] + verdicts[True, False]
    # the checks: every exported answer against the truth of what it checked
    gold = {draft.external_id: draft.gold_answer for draft in sample.gold_checks}
    styles = {m.user_id: m.style for m in crowd.checkers}
    tallies: dict[str, list[int]] = {}
    for answer in _jsonl(checks_folder / "tables" / "answers.jsonl"):
        item = str(answer["item_id"])
        if item.startswith("rec-") and item[4:] in heard:
            truth: object = "yes" if heard[item[4:]].says_text else "no"
        else:
            truth = gold.get(item)
        kind = CHECKER_STYLES[styles[int(str(answer["annotator"]))]]
        tally = tallies.setdefault(kind, [0, 0])
        tally[0] += answer["label"] == truth
        tally[1] += 1
    kinds = Counter(CHECKER_STYLES[m.style] for m in crowd.checkers)
    stopped = Counter(CHECKER_STYLES[m.style] for m in crowd.checkers
                      if m.user_id in run.stopped)
    # the transcripts: the consensus of each regular clip
    char_edits = word_edits = chars = words = exact = labelled = clips = 0
    for label in _jsonl(transcripts_folder / "tables" / "labels.jsonl"):
        if label["gold"] is not None:
            continue
        clips += 1
        if label["label"] is None:
            continue
        truth_text = normalize_transcript(sample.clip_truth[str(label["item_id"])])
        consensus = str(label["label"])
        labelled += 1
        char_edits += char_distance(truth_text, consensus)
        word_edits += word_distance(truth_text, consensus)
        chars += len(truth_text)
        words += len(truth_text.split())
        exact += consensus == truth_text
    careless = {m.user_id for m in crowd.transcribers if m.style is not Style.CAREFUL}
    transcribers = {m.user_id for m in crowd.transcribers}
    takes = ledger.takes
    bad = (TakeKind.SILENT, TakeKind.SHORT)
    return SpeechSummary(
        sample="speech", annotators=options.annotators, speakers=len(crowd.speakers),
        checkers=len(crowd.checkers), transcribers=len(crowd.transcribers),
        sentences=len(sample.recordings), answers=run.answers, seconds=round(run.seconds, 2),
        takes=len(takes),
        refused=dict(sorted(Counter(reason for take in takes if not take.accepted
                                    for reason in take.reasons).items())),
        bad_notes_accepted=sum(t.accepted for t in takes if t.kind in bad),
        good_notes_refused=sum(not t.accepted for t in takes if t.kind not in bad),
        recordings=len(rows), wrong_readings=len(rows) - right,
        accepted_right=verdicts[True, True], accepted_wrong=verdicts[True, False],
        rejected_right=verdicts[False, True], rejected_wrong=verdicts[False, False],
        pending_right=verdicts[None, True], pending_wrong=verdicts[None, False],
        precision=_ratio(verdicts[True, True], accepted),
        recall=_ratio(verdicts[True, True], right), wrong_languages=wrong_languages,
        checker_accuracy={kind: _ratio(r, n) for kind, (r, n) in sorted(tallies.items())},
        checkers_by_kind=dict(sorted(kinds.items())),
        checkers_stopped={kind: stopped[kind] for kind in sorted(kinds)},
        clips=clips, clips_labelled=labelled,
        transcript_cer=_ratio(char_edits, chars), transcript_wer=_ratio(word_edits, words),
        transcripts_exact=_ratio(exact, labelled),
        transcribers_careless=len(careless),
        transcribers_careless_stopped=len(careless & run.stopped),
        transcribers_careful_stopped=len((transcribers - careless) & run.stopped),
        accepted_bytes_median=(round(statistics.median(accepted_sizes))
                               if accepted_sizes else 0),
        recording_bytes_median=round(statistics.median(sizes)) if sizes else 0,
        recording_kbps=round(sum(sizes) / sum(seconds) / 1000, 2) if sum(seconds) else 0.0,
        check_bytes_median=(round(statistics.median(ledger.check_bytes))
                            if ledger.check_bytes else 0),
        api_calls=run.api_calls, uploads=run.uploads, bot_downloads=run.downloads,
        unknown_notes=ledger.unknown_notes, quality=options.quality,
        export_dir=str(options.out / "exports"))


def describe_speech_summary(summary: SpeechSummary) -> str:
    """Return the summary as the lines the demo prints."""
    refused = ", ".join(f"{reason.removeprefix('recording.').replace('_', ' ')} {count}"
                        for reason, count in summary.refused.items()) or "none"
    kinds = ", ".join(
        f"{kind.replace('_', ' ')} {summary.checker_accuracy.get(kind, 0.0):.1%} "
        f"(stopped {summary.checkers_stopped.get(kind, 0)} of {count})"
        for kind, count in summary.checkers_by_kind.items())
    decided = summary.recordings
    lines = [
        f"crowd             {summary.speakers} speakers, {summary.checkers} checkers, "
        f"{summary.transcribers} transcribers; {summary.answers} answers in "
        f"{summary.seconds:.0f} s",
        f"bot refusals      {summary.takes - summary.recordings} of {summary.takes} voice "
        f"notes: {refused}",
        f"recordings        {decided} kept by the bot, {summary.wrong_readings} of them "
        "reading the wrong sentence",
        f"languages         {summary.wrong_languages} of {decided} exported in another "
        "language than their sentence's",
        f"checks' verdicts  accepted {summary.accepted_right} right + {summary.accepted_wrong} "
        f"wrong, rejected {summary.rejected_wrong} wrong + {summary.rejected_right} right, "
        f"pending {summary.pending_right + summary.pending_wrong}",
        f"                  acceptance precision {summary.precision:.1%}, recall "
        f"{summary.recall:.1%} (against the hidden truth)",
        f"checkers          accuracy on the hidden truth: {kinds}",
        f"transcripts       consensus CER {summary.transcript_cer:.1%}, WER "
        f"{summary.transcript_wer:.1%}, exactly right {summary.transcripts_exact:.1%} "
        f"({summary.clips_labelled} of {summary.clips} clips)",
    ]
    if summary.quality:
        careful = summary.transcribers - summary.transcribers_careless
        lines.append(f"                  quality control stopped "
                     f"{summary.transcribers_careless_stopped} of "
                     f"{summary.transcribers_careless} careless transcribers and "
                     f"{summary.transcribers_careful_stopped} of {careful} careful ones")
    lines += [
        f"data cost         {summary.accepted_bytes_median / 1000:.1f} KB per accepted "
        f"recording (median OGG; {summary.recording_bytes_median / 1000:.1f} KB over all "
        f"{decided} kept, {summary.recording_kbps:.1f} KB/s), "
        f"{summary.check_bytes_median / 1000:.1f} KB downloaded per check",
        f"Bot API calls     {summary.api_calls} ({summary.uploads} uploads, "
        f"{summary.bot_downloads} files fetched by the bot)",
        f"export written to {summary.export_dir}",
    ]
    return "\n".join(lines)


def speech_summary_json(summary: SpeechSummary) -> str:
    """Return the summary as one JSON object."""
    return json.dumps(dataclasses.asdict(summary))
