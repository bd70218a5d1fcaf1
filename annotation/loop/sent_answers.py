"""Use cases of answers that do not come from a task's button: a voice message or an audio
file answering a recording task, a document or attachment routed or refused, and an answer
the Mini App sends (its task read first, then the answer recorded once per signed data).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.registry import kind_of
from annotation.loop.checks import feed_from
from annotation.loop.handout import item_of, project_of, task_of
from annotation.loop.outcomes import Outcome, Result
from annotation.loop.recorder import Recorder
from annotation.loop.speakers import may_record
from annotation.loop.voice import (
    DocumentUse,
    MediaRejected,
    VoiceNote,
    document_use,
    expected_answer,
    judge_recording,
    limits_for,
    recording_file_name,
    too_long_to_fetch,
)
from annotation.models import (
    AnnotatorId,
    AssignmentId,
    MediaKind,
    Task,
)


class SentAnswers(Recorder):
    """Answers sent as voice, as a file or from the Mini App."""

    async def task_for(self, annotator_id: AnnotatorId, assignment_id: AssignmentId) -> Task:
        """Return an assignment's task for the Mini App while it is the annotator's to answer.

        Raises ``StaleTask``: ``NOT_YOURS`` (unknown, someone else's, or the annotator is
        suspended from its project), ``ALREADY_ANSWERED`` or ``EXPIRED`` (skipped, expired,
        past its deadline, undone and reassigned: not live). Changes nothing.
        """
        async with self._store.read() as uow:
            assignment, project = await self._owned(uow, annotator_id, assignment_id)
            self._check_live(assignment)
            return await task_of(uow, assignment, project)

    async def answer_from_app(self, annotator_id: AnnotatorId, assignment_id: AssignmentId,
                              raw: str, source: str) -> Outcome:
        """Record an answer the Mini App sent and hand out the next task.

        ``source`` names the signed data that carried it (one per opening of the app): if
        an answer from it is recorded already, the result is ``DUPLICATE`` for this
        assignment (a double submit) and ``REPLAYED`` for another one; nothing changes
        either way. Otherwise the assignment must be live (``task_for``'s ``StaleTask``),
        and nothing else changes on a refusal (an overdue assignment is not closed here).
        """
        async with self._store.write() as uow:
            assignment, project = await self._owned(uow, annotator_id, assignment_id)
            answered = await uow.answers.source_assignment(source)
            if answered is not None:
                return Outcome(Result.DUPLICATE if answered == assignment.id
                               else Result.REPLAYED, None)
            self._check_live(assignment)
            item = await item_of(uow, assignment)
            value = kind_of(project.spec).canonical_about(project.spec, item.text, raw)
            return await self._record(uow, assignment, project, value, source, item=item)

    async def answer_voice(self, annotator_id: AnnotatorId, note: VoiceNote,
                           fetch: Callable[[], Awaitable[bytes]]) -> Outcome:
        """Check a voice message answering the open recording task and record it, or say
        what is wrong with it (``Result.REFUSED``: nothing recorded).

        The file is downloaded (``fetch``) and decoded outside any transaction; the write
        then checks again that the task is still open and the file new.
        """
        async with self._store.read() as uow:
            found = await self._open_task(uow, annotator_id)
            if isinstance(found, Outcome):
                return found
            active, project = found
            if not kind_of(project.spec).accepts_voice:
                raise AnswerRejected(ErrorCode.NOT_VOICE)
            if note.forwarded:  # someone else's voice, or one's own from another chat
                raise AnswerRejected(ErrorCode.FORWARDED_RECORDING)
            if not may_record(await uow.speakers.get(annotator_id)):
                raise AnswerRejected(ErrorCode.WITHDRAWN)  # until /speaker is agreed anew
            if await uow.answers.seen_source(note.source):
                return Outcome(Result.DUPLICATE, None)
            if await uow.answers.recorded_file(project.id, note.file_unique_id):
                raise AnswerRejected(ErrorCode.DUPLICATE_RECORDING)
            item = await item_of(uow, active)
        limits = limits_for(project.spec, item)
        early = too_long_to_fetch(note, limits)
        if early is not None:
            return Outcome(Result.REFUSED, None, problems=(early,))
        data = await fetch()
        try:
            judged = await asyncio.to_thread(judge_recording, data, note, limits)
        except MediaRejected:
            raise AnswerRejected(ErrorCode.SEND_VOICE) from None
        if judged.problems:
            return Outcome(Result.REFUSED, None, problems=judged.problems)
        async with self._store.write() as uow:
            owned = await self._own_active(uow, annotator_id, active.id)
            if isinstance(owned, Outcome):
                return owned
            assignment, project = owned
            if await uow.answers.recorded_file(project.id, note.file_unique_id):
                raise AnswerRejected(ErrorCode.DUPLICATE_RECORDING)
            await uow.media.add(judged.key, MediaKind.AUDIO.value,
                                recording_file_name(judged.key, note.mime), note.mime,
                                "voice" if note.voice else "audio", data)
            if note.resendable:  # checkers get it by id (a document's is uploaded once)
                await uow.media.set_file_id(judged.key, note.file_id)
            outcome = await self._record(uow, assignment, project, judged.key, note.source,
                                         judged.detail, item)
            if outcome.result is Result.RECORDED:
                await feed_from(uow, project)  # checkers can hear it at once
            return replace(outcome, recorded=judged.detail)

    async def document_use(self, annotator_id: AnnotatorId, file_name: str, mime: str, *,
                           coordinator: bool) -> DocumentUse:
        """Say where a document the annotator sent goes (``voice.document_use``): the
        sender's role and whether their open task is a recording decide. Changes nothing."""
        async with self._store.read() as uow:
            project = await project_of(uow, annotator_id)
            active = await uow.assignments.active_for(annotator_id)
        recording = (project is not None and active is not None
                     and active.project_id == project.id
                     and kind_of(project.spec).accepts_voice)
        return document_use(file_name, mime, coordinator=coordinator, recording_open=recording)

    async def refuse_message(self, annotator_id: AnnotatorId) -> Outcome:
        """Refuse a message that answers no task (a photo, a sticker, a file that is not a
        recording): raise ``AnswerRejected`` saying what the open task takes instead
        (``voice.expected_answer``) or ``StaleTask(NO_WORK)`` when none is open; return
        the suspension to report. Changes nothing."""
        async with self._store.read() as uow:
            found = await self._open_task(uow, annotator_id)
        if isinstance(found, Outcome):
            return found
        kind = kind_of(found[1].spec)
        raise AnswerRejected(expected_answer(voice=kind.accepts_voice,
                                             typed=kind.accepts_typed))
