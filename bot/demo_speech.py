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
Telegram ids), and ``bot.speech_summary`` scores them against the hidden truth.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from annotation.access import AccessService
from annotation.datasets.records import Format
from annotation.datasets.service import DatasetService, ExportRequest
from annotation.intake.catalog import CatalogService
from annotation.intake.spec import parse_spec
from annotation.models import AnnotatorId, Project, ProjectId
from annotation.quality.settings import QualitySettings
from bot.application import running_bot
from bot.config import BotSettings
from bot.crowd import Member
from bot.demo_session import ADMIN_ID, DEMO_TOKEN, QUALITY, DemoOptions, fresh_database
from bot.samples.speech import SpeechSample, build_speech_sample
from bot.samples.speech_crowd import (
    Ledger,
    SpeechCrowd,
    SpeechJudge,
    SpeechRunner,
    build_speech_crowd,
)
from bot.sandbox import SandboxConfig, SandboxServer
from bot.speech_summary import SpeechRun, SpeechSummary, score_speech
from storage.database import Database
from storage.datasets import open_dataset_folder

DEFAULT_ITEMS = 30  # sentences to read when ``--items`` is not given (voice notes are slow
# to synthesize: about 0.4 s each)
EXPORT_FOLDERS = ("recordings", "checks", "transcripts")  # under ``<out>/exports/``
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


def planned_speech_answers(options: DemoOptions) -> int:
    """Roughly how many answers the demo will take, for the progress bar's ETA."""
    recordings = options.items * 2  # two speakers per sentence, about 2.5 checks each
    transcripts = options.items // 2 * 3
    gold = (QUALITY.training + QUALITY.exam + 5) if options.quality else 0
    checkers_transcribers = options.annotators - round(options.annotators * 0.4)
    return round(recordings * 3.5) + transcripts + checkers_transcribers * gold
