"""The export use case: a project's dataset in the formats researchers load, streamed.

One pass over the answers (in item order, in batches, on a connection of its own so the
bot keeps working) writes the raw answers and collects the accepted votes; aggregation
runs once; a second pass writes Label Studio tasks beside the labels. Every file is
written off the event loop, through the ``DatasetFolder`` port (``storage/datasets/``
writes the files); memory holds the votes as integer columns, never the rows. The result
is zipped into parts that fit Telegram's 50 MB upload limit.

A kind with tables of its own gets each answer with its reviews (a recording's checks)
and what its annotator told about themselves (``annotation.datasets.context``); what
speakers withdrew is left out of every file. Recordings are converted to 16 kHz WAV only
when ``Format.WAV`` is asked for (it brings the Hugging Face folder along).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from annotation.access import AccessService, require_admin
from annotation.datasets.context import (
    FactsReader,
    ReviewIndex,
    Withdrawals,
    read_reviews,
    read_withdrawals,
)
from annotation.datasets.label_studio import iter_tasks, labeling_config
from annotation.datasets.labels import (
    PartsCollector,
    VoteCollector,
    collector_for,
    label_distribution,
)
from annotation.datasets.pseudonyms import Pseudonymizer
from annotation.datasets.records import (
    ALL_FORMATS,
    DatasetCard,
    ExportFile,
    ExportTable,
    FileConversion,
    Format,
    KindItem,
    KindVote,
    LabeledItem,
    RawAnswer,
)
from annotation.errors import ErrorCode, NotFound
from annotation.intake.catalog import find_project
from annotation.kinds.registry import kind_of
from annotation.media.speech import to_wav_16k
from annotation.models import DEFAULT_LANGUAGE, Project, ProjectId
from annotation.ports.datasets import PART_LIMIT, DatasetFolder, OpenDatasetFolder
from annotation.ports.store import DatasetWork, Store
from annotation.records import ExportAnswer, ItemTally

BATCH = 5_000
PSEUDONYM_SECRET = "pseudonyms"

Progress = Callable[[str], Awaitable[None]]  # stages: started, answers, aggregated, zipping
# a conversion of a kind's table files: the format that asks for it, and the conversion
CONVERSIONS: dict[FileConversion, tuple[Format, Callable[[bytes], bytes]]] = {
    FileConversion.WAV_16K: (Format.WAV, to_wav_16k),
}


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """Which project, in which formats, naming annotators how."""

    project_id: ProjectId
    formats: frozenset[Format] = ALL_FORMATS
    reveal_ids: bool = False


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote."""

    project: Project
    folder: Path
    files: list[Path]
    archives: list[Path]
    items: int
    answers: int
    excluded: int
    labelled: int = 0
    method: str = ""
    counts: dict[str, int] = field(default_factory=dict)


async def _nothing(_stage: str) -> None:
    return None


class DatasetService:
    """Builds datasets from a store into folders, off the event loop (admins only)."""

    def __init__(self, store: Store[DatasetWork], access: AccessService, *,
                 clock: Callable[[], datetime],
                 folders: OpenDatasetFolder, part_limit: int = PART_LIMIT) -> None:
        self._store = store
        self._access = access
        self._clock = clock
        self._folders = folders
        self._part_limit = part_limit

    async def project(self, admin_id: int, ref: str | None) -> Project | None:
        """Return the project to export, named by id or name, or the newest (admins only)."""
        async with self._store.read() as uow:
            require_admin(await self._access.actor_in(uow, admin_id))
            if ref:
                return await find_project(uow, ref.lstrip("#"))
            return next(iter(await uow.projects.all()), None)

    async def export(self, admin_id: int, request: ExportRequest, out_dir: Path,
                     progress: Progress = _nothing) -> ExportResult:
        """Write the requested formats into ``out_dir`` and zip them beside it (admins only).

        The role is checked in both transactions: before the pseudonym secret is made, and
        in the snapshot the dataset is read from.
        """
        async with self._store.write() as uow:
            require_admin(await self._access.actor_in(uow, admin_id))
            secret = await uow.secrets.get_or_create(PSEUDONYM_SECRET, secrets.token_bytes(32))
        await progress("started")
        async with self._store.snapshot() as uow:
            require_admin(await self._access.actor_in(uow, admin_id))
            project = await uow.projects.get(request.project_id)
            if project is None:
                raise NotFound(ErrorCode.NOT_FOUND, what="project", value=request.project_id)
            withdrawn = await read_withdrawals(uow, project)  # by their speakers
            tallies = [t for t in await uow.items.tallies(project.id)
                       if t.external_id not in withdrawn.items]
            names = Pseudonymizer(secret, project.id, reveal_ids=request.reveal_ids)
            formats = _implied(request.formats)
            folder = await asyncio.to_thread(self._folders, out_dir, formats)
            collector = collector_for(project.spec, tallies)
            kind = kind_of(project.spec)
            own = kind.own_tables and bool({Format.TABLES, Format.HUGGINGFACE} & formats)
            kind_votes: dict[str, list[KindVote]] = {}
            reviews = await read_reviews(uow, project) if own else ReviewIndex()
            facts = FactsReader(uow, project.id)
            total = excluded = 0
            async for batch in _answers(uow, project.id, withdrawn):
                rows = [_raw(answer, names) for answer in batch]
                for answer in batch:
                    if answer.excluded:
                        excluded += 1
                    else:
                        collector.add(answer.external_id, answer.annotator_id, answer.value)
                        if own:
                            kind_votes.setdefault(answer.external_id, []).append(KindVote(
                                names(answer.annotator_id), answer.value, answer.detail,
                                answer.assignment_id, reviews.of(answer.assignment_id),
                                await facts.facts(answer.annotator_id)))
                total += len(batch)
                await asyncio.to_thread(folder.add_answers, rows)
                await progress("answers")
            await asyncio.to_thread(folder.close_answers)
            labelled = await asyncio.to_thread(collector.label_items)
            await progress("aggregated")
            card = self._card(project, labelled, collector, total,
                              pseudonymous=not request.reveal_ids)
            await asyncio.to_thread(folder.add_labels, labelled, card)
            if own:
                items = [KindItem(item, tally.payload, tuple(kind_votes.get(item.item_id, ())),
                                  tally.media_key)
                         for item, tally in zip(labelled, tallies, strict=True)]
                for table in await asyncio.to_thread(kind.export, project.spec, items):
                    await _table(uow, table, formats, folder)
                for file in await asyncio.to_thread(kind.export_files, project.spec, items):
                    await _file(uow, file, formats, folder)
            if Format.HUGGINGFACE in formats:
                await self._media(uow, labelled, tallies, folder)
            if Format.LABEL_STUDIO in formats:
                await self._label_studio(uow, project, labelled, tallies, names, folder,
                                         withdrawn)
        await progress("zipping")
        files = await asyncio.to_thread(folder.files)
        archives = await asyncio.to_thread(folder.archive, files, self._part_limit)
        return ExportResult(project, folder.path, files, archives, len(tallies), total,
                            excluded, sum(1 for i in labelled if i.label is not None),
                            labelled[0].method if labelled else project.spec.aggregation,
                            dict(label_distribution(labelled)))

    def _card(self, project: Project, labelled: list[LabeledItem],
              collector: VoteCollector | PartsCollector,
              total: int, *, pseudonymous: bool) -> DatasetCard:
        spec = project.spec
        alpha, agreement = collector.agreement()
        return DatasetCard(
            name=spec.name, question=spec.question.get(DEFAULT_LANGUAGE),
            answer_type=spec.answer_type.value, labels=spec.labels,
            method=labelled[0].method if labelled else spec.aggregation,
            items=len(labelled), answers=total, annotators=collector.annotators,
            krippendorff_alpha=alpha, percent_agreement=agreement,
            label_distribution=label_distribution(labelled), created_at=self._clock(),
            pseudonymous=pseudonymous,
        )

    async def _media(self, uow: DatasetWork, labelled: list[LabeledItem],
                     tallies: list[ItemTally], folder: DatasetFolder) -> None:
        for item, tally in zip(labelled, tallies, strict=True):
            if item.media_file is None or tally.media_key is None:
                continue
            data = await uow.media.data(tally.media_key)
            await asyncio.to_thread(folder.add_media, item, data)

    async def _label_studio(self, uow: DatasetWork, project: Project,
                            labelled: list[LabeledItem], tallies: list[ItemTally],
                            names: Pseudonymizer, folder: DatasetFolder,
                            withdrawn: Withdrawals) -> list[Path]:
        queue: asyncio.Queue[list[RawAnswer] | None] = asyncio.Queue(maxsize=4)
        loop = asyncio.get_running_loop()

        def rows() -> Iterable[RawAnswer]:
            while True:
                batch = asyncio.run_coroutine_threadsafe(queue.get(), loop).result()
                if batch is None:
                    return
                yield from batch

        spec = project.spec
        tasks = iter_tasks(zip(labelled, (t.payload for t in tallies), strict=True), rows(),
                           spec, labelled[0].method if labelled else spec.aggregation)
        config = labeling_config((i.kind for i in labelled), spec)
        writing = asyncio.create_task(asyncio.to_thread(folder.add_label_studio, tasks, config))
        async for batch in _answers(uow, project.id, withdrawn):
            await queue.put([_raw(answer, names) for answer in batch])
        await queue.put(None)
        return await writing


def _implied(formats: frozenset[Format]) -> frozenset[Format]:
    """Return the formats with those the asked ones need (16 kHz WAV lives in the Hugging
    Face folder)."""
    return formats | {Format.HUGGINGFACE} if Format.WAV in formats else formats


async def _table(uow: DatasetWork, table: ExportTable, formats: frozenset[Format],
                 folder: DatasetFolder) -> None:
    """Write a kind's table and the stored files it names (an image comparison's
    candidates, recordings), converted when it asks: only if that format was asked for."""
    conversion = CONVERSIONS[table.convert] if table.convert is not None else None
    if conversion is not None and conversion[0] not in formats:
        return
    await asyncio.to_thread(folder.add_table, table)
    if Format.HUGGINGFACE not in formats:
        return
    for name, key in table.files:
        data = await uow.media.data(key)
        if conversion is not None:
            data = await asyncio.to_thread(conversion[1], data)
        await asyncio.to_thread(folder.add_table_file, table, name, data)


async def _file(uow: DatasetWork, file: ExportFile, formats: frozenset[Format],
                folder: DatasetFolder) -> None:
    """Write a file a kind adds (a COCO JSON, an image it names) if its format was asked."""
    if file.format not in formats:
        return
    if file.text is not None:
        data = file.text.encode()
    else:
        assert file.media is not None  # an ExportFile is a text or a stored media
        data = await uow.media.data(file.media)
    await asyncio.to_thread(folder.add_file, file.path, data)


async def _answers(uow: DatasetWork, project_id: ProjectId, withdrawn: Withdrawals
                   ) -> AsyncIterator[list[ExportAnswer]]:
    """Yield the project's answers in batches, without those speakers withdrew."""
    after: tuple[int, int] | None = None
    while True:
        page = await uow.answers.export_batch(project_id, after, BATCH)
        if not page:
            return
        after = page[-1][0]
        kept = [answer for _key, answer in page
                if not withdrawn.hides(answer.assignment_id, answer.external_id)]
        if kept:
            yield kept


def _raw(answer: ExportAnswer, names: Pseudonymizer) -> RawAnswer:
    return RawAnswer(answer.external_id, names(answer.annotator_id), answer.value,
                     answer.seconds, answer.is_gold, answer.correct, answer.excluded,
                     answer.answered_at)

