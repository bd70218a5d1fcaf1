"""Speakers at work, built through the ports only: a recording project, a check project
whose items are the recordings (``rec-<assignment>``, authored by their speaker, as
``annotation.loop.checks`` makes them), recordings and checks' votes at given times.

Nothing here knows which engine it runs on, so the same rows come out of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from annotation.kinds.check import LABELS
from annotation.models import (
    AnnotatorId,
    Answer,
    AnswerType,
    AssignmentId,
    ItemId,
    MediaKind,
    Project,
    ProjectSpec,
    ProjectStatus,
    Scale,
)
from annotation.ports import UnitOfWork
from annotation.records import ItemDraftRecord
from tests.contract.crowd import T0, answered
from tests.projects import make_spec

READ_REWARD, CHECK_REWARD = 0.5, 0.1


@dataclass(frozen=True, slots=True)
class Studio:
    """A recording project with its sentences, and the check project that checks it."""

    recording: Project
    sentences: tuple[ItemId, ...]
    check: Project


async def studio(uow: UnitOfWork, *, sentences: int = 3, votes: int = 2) -> Studio:
    """Store a recording project ("Read", reward 0.5) and its check project ("Check",
    reward 0.1, ``votes`` agreeing checks decide)."""
    recording = await uow.projects.add(
        make_spec(name="Read", answer_type=AnswerType.RECORDING, reward=READ_REWARD),
        ProjectStatus.OPEN, "read", None, T0)
    await uow.items.add_many(recording.id, [
        ItemDraftRecord(f"s{n}", MediaKind.TEXT, f"Sentence {n}.", None, None, None, False)
        for n in range(sentences)])
    ids = tuple(t.item_id for t in await uow.items.tallies(recording.id))
    check = await uow.projects.add(check_spec(votes), ProjectStatus.OPEN, "check", None, T0)
    return Studio(recording, ids, check)


async def record(uow: UnitOfWork, place: Studio, sentence: int, speaker: AnnotatorId,
                 when: datetime) -> tuple[Answer, ItemId]:
    """Record a sentence and make its check item (as the feed does); return both."""
    answer = await answered(uow, place.recording, place.sentences[sentence], speaker, when,
                            f"voice-{speaker}-{sentence}")
    await uow.items.add_many(place.check.id, [ItemDraftRecord(
        check_name(answer.assignment_id), MediaKind.AUDIO, f"Sentence {sentence}.", None,
        None, None, False, author=speaker)])
    made = [t.item_id for t in await uow.items.tallies(place.check.id)]
    return answer, made[-1]


def check_name(assignment_id: AssignmentId) -> str:
    """Return the external id of the check item of a recording."""
    return f"rec-{assignment_id}"


async def vote(uow: UnitOfWork, place: Studio, item_id: ItemId, checker: AnnotatorId,
               when: datetime, value: str) -> Answer:
    """Answer a check item."""
    return await answered(uow, place.check, item_id, checker, when, value)


def check_spec(votes: int = 2) -> ProjectSpec:
    """Return a check project's spec: ``votes`` agreeing checks decide."""
    return make_spec(name="Check", answer_type=AnswerType.CHECK, options=(),
                     reward=CHECK_REWARD, scale=Scale(points=votes, labels=LABELS,
                                                      source="Read"))
