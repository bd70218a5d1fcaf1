"""``annobot demo --sample speech``: a crowd records, checks and transcribes, in the sandbox.

One run of the real bot against the local Bot API server holds the three projects of the
speech sample (``bot/samples/speech.py``): speakers read sentences aloud (some send a
silent or too short note first, which the bot refuses; some read the wrong sentence),
checkers listen to each accepted recording (careful, careless, "always yes"), and
transcribers type what clips say. Everyone works at once: checkers begin with the gold
(training, the exam) and check each recording as it comes. With quality control (the
default) the check and transcript projects run training, the exam, hidden gold checks and
the rules.

The projects are then exported as an admin would (tables and the Hugging Face folders,
Telegram ids), and the summary scores them against the hidden truth: the bot's refusals by
reason; the checks' verdicts on the recordings (accepted, rejected, pending; precision and
recall of acceptance); each kind of checker's accuracy and who quality control stopped;
the transcript consensus's CER and WER; the languages the export gives the recordings
(each its sentence's); and the data cost: the median OGG bytes of a recording the checks
accepted (and of every recording the bot kept, checked or not), and of the voice note a
checker's phone receives per check.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from annotation.access import AccessService
from annotation.aggregation.edit_distance import char_distance, word_distance
from annotation.aggregation.transcripts import normalize_transcript
from annotation.datasets.records import Format
from annotation.datasets.service import DatasetService, ExportRequest
from annotation.intake.catalog import CatalogService
from annotation.intake.spec import parse_spec
from annotation.models import AnnotatorId, Project, ProjectId
from annotation.quality.settings import QualitySettings
from bot.application import running_bot
from bot.config import BotSettings
from bot.crowd import Member, Style
from bot.demo_session import ADMIN_ID, DEMO_TOKEN, QUALITY, DemoOptions, fresh_database
from bot.samples.speech import LANGUAGE_OF, Heard, SpeechSample, build_speech_sample, note_key
from bot.samples.speech_crowd import (
    Ledger,
    SpeechCrowd,
    SpeechJudge,
    SpeechRunner,
    TakeKind,
    build_speech_crowd,
)
from bot.sandbox import SandboxConfig, SandboxServer
from storage.database import Database
from storage.datasets import open_dataset_folder

DEFAULT_ITEMS = 30  # sentences to read when ``--items`` is not given (voice notes are slow
# to synthesize: about 0.4 s each)
EXPORT_FOLDERS = ("recordings", "checks", "transcripts")  # under ``<out>/exports/``
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


async def run_speech_demo(options: DemoOptions,
                          on_progress: Callable[[int, float], None] | None = None
                          ) -> SpeechSummary:
    """Run the speech demo and return its summary."""
    sample = await asyncio.to_thread(build_speech_sample, options.items, seed=options.seed)
    crowd = build_speech_crowd(options.annotators, careless=options.careless,
                               accuracy=options.accuracy, seed=options.seed,
                               always_yes=options.biased)
    ledger = Ledger()
    run = await _run(options, sample, crowd, ledger, on_progress)
    return await asyncio.to_thread(score_speech, options, sample, crowd, ledger, run)


async def _create(database_path: Path, sample: SpeechSample, quality: QualitySettings
                  ) -> tuple[Project, Project, Project]:
    await asyncio.to_thread(fresh_database, database_path)
    async with Database(database_path) as database:
        catalog = CatalogService(database, clock=lambda: datetime.now(UTC))
        recording = await catalog.create(parse_spec(sample.recording_spec), sample.recordings)
        # the runs rule's default for checks (40: mostly "yes") keeps careful checkers
        check = await catalog.create(dataclasses.replace(
            parse_spec(sample.check_spec), quality=quality), sample.gold_checks)
        transcript = await catalog.create(dataclasses.replace(
            parse_spec(sample.transcript_spec), quality=quality), sample.clips)
    return recording, check, transcript


async def _run(options: DemoOptions, sample: SpeechSample, crowd: SpeechCrowd, ledger: Ledger,
               on_progress: Callable[[int, float], None] | None) -> SpeechRun:
    database_path = options.out / "demo.db"
    quality = QUALITY if options.quality else QualitySettings()
    projects = await _create(database_path, sample, quality)
    recording, check, transcript = projects
    config = SandboxConfig(token=DEMO_TOKEN, flood_control=options.flood_control,
                           seed=options.seed, log_requests=False)
    async with SandboxServer(config) as server:
        settings = BotSettings(
            token=server.token, database=database_path, admins=frozenset({ADMIN_ID}),
            base_url=server.base_url, base_file_url=server.base_file_url,
            export_dir=options.out / "exports", seed=options.seed)
        async with running_bot(settings):
            judge = SpeechJudge(sample, server, ledger)

            def runner(project: Project, waiting: Callable[[], bool] | None = None
                       ) -> SpeechRunner:
                return SpeechRunner(server, project.invite_code, seed=options.seed,
                                    judge=judge, sample=sample, habits=crowd.habits,
                                    ledger=ledger, wait_for_work=waiting)

            recorded = asyncio.Event()
            runners = [runner(recording), runner(transcript),
                       runner(check, lambda: not recorded.is_set())]
            started = time.perf_counter()

            async def record() -> None:
                try:
                    await runners[0].run(crowd.speakers)
                finally:
                    recorded.set()

            # everyone at once: checkers start on the gold (training, the exam) and wait for
            # recordings while speakers record; a late suspension reopens items, and a
            # recording may come after a checker was told there is nothing left: come back
            work = asyncio.gather(record(), runners[1].run(crowd.transcribers,
                                                           lambda: options.quality),
                                  runners[2].run(crowd.checkers, lambda: True))
            while not work.done():
                await asyncio.wait({work}, timeout=0.25)
                if on_progress is not None:
                    on_progress(sum(r.tally.answers for r in runners),
                                time.perf_counter() - started)
            await work
            seconds = time.perf_counter() - started
        stats = server.stats
        api_calls, uploads, downloads = sum(stats.calls.values()), stats.uploads, stats.downloads
    folders = tuple([await _export(database_path, project.id, options.out / "exports" / name)
                     for project, name in zip(projects, EXPORT_FOLDERS, strict=True)])
    stopped = await _stopped(database_path, ((check.id, crowd.checkers),
                                             (transcript.id, crowd.transcribers)))
    return SpeechRun(projects, (folders[0], folders[1], folders[2]),
                     sum(r.tally.answers for r in runners), seconds, api_calls, uploads,
                     downloads, stopped)


async def _export(database_path: Path, project_id: ProjectId, out: Path) -> Path:
    """Export a project's tables and Hugging Face folders, naming annotators by id."""
    async with Database(database_path) as database:
        access = AccessService(database, clock=lambda: datetime.now(UTC), admins={ADMIN_ID})
        service = DatasetService(database, access, clock=lambda: datetime.now(UTC),
                                 folders=open_dataset_folder)
        request = ExportRequest(project_id, frozenset({Format.TABLES, Format.HUGGINGFACE}),
                                reveal_ids=True)
        result = await service.export(ADMIN_ID, request, out)
    return result.folder


async def _stopped(database_path: Path,
                   groups: Sequence[tuple[ProjectId, Sequence[Member]]]) -> frozenset[int]:
    found: set[int] = set()
    async with Database(database_path) as database, database.read() as uow:
        for project_id, members in groups:
            for member in members:
                standing = await uow.quality.standing(project_id, AnnotatorId(member.user_id))
                if standing is not None and standing.suspended:
                    found.add(member.user_id)
    return frozenset(found)


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


def planned_speech_answers(options: DemoOptions) -> int:
    """Roughly how many answers the demo will take, for the progress bar's ETA."""
    recordings = options.items * 2  # two speakers per sentence, about 2.5 checks each
    transcripts = options.items // 2 * 3
    gold = (QUALITY.training + QUALITY.exam + 5) if options.quality else 0
    checkers_transcribers = options.annotators - round(options.annotators * 0.4)
    return round(recordings * 3.5) + transcripts + checkers_transcribers * gold


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

