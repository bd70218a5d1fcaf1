"""A small crowd at work, built through the ports only, for the console and quality
contracts: annotators, a project with regular, gold and training items, assignments handed
out at a stage and answered (or skipped) at a given time.

Nothing here knows which engine it runs on, so the same rows come out of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from annotation.models import (
    AnnotatorId,
    Answer,
    Assignment,
    AssignmentStatus,
    ItemId,
    MediaKind,
    Project,
    ProjectStatus,
    Role,
    Stage,
)
from annotation.ports import UnitOfWork
from annotation.records import ItemDraftRecord
from tests.projects import make_spec

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """Return the moment ``seconds`` after ``T0``."""
    return T0 + timedelta(seconds=seconds)


async def person(uow: UnitOfWork, annotator_id: int, *, name: str = "", language: str = "en",
                 joined: datetime = T0, role: Role | None = None,
                 project: Project | None = None, blocked: bool = False) -> AnnotatorId:
    """Register an annotator (with a role, a current project, blocked) and return their id."""
    who = AnnotatorId(annotator_id)
    await uow.annotators.upsert(who, name or f"user{annotator_id}", language, joined)
    if role is not None:
        await uow.annotators.set_role(who, role)
    if project is not None:
        await uow.annotators.set_project(who, project.id)
    if blocked:
        await uow.annotators.set_blocked(who, True)
    return who


@dataclass(frozen=True, slots=True)
class Stock:
    """A stored project and its item ids by kind, in id order."""

    project: Project
    regular: tuple[ItemId, ...]
    gold: tuple[ItemId, ...]  # gold, not training
    training: tuple[ItemId, ...]


async def stock(uow: UnitOfWork, *, regular: int = 3, gold: int = 0, training: int = 0,
                name: str = "Animals", invite: str = "invite1",
                status: ProjectStatus = ProjectStatus.OPEN) -> Stock:
    """Store a project with items (gold and training answer "cat") and return it."""
    project = await uow.projects.add(make_spec(name=name), status, invite, None, T0)

    def draft(external_id: str, gold_answer: str | None, is_training: bool) -> ItemDraftRecord:
        return ItemDraftRecord(external_id, MediaKind.TEXT, external_id, None, gold_answer,
                               None, is_training)

    drafts = [draft(f"item{i}", None, False) for i in range(regular)]
    drafts += [draft(f"gold{i}", "cat", False) for i in range(gold)]
    drafts += [draft(f"train{i}", "cat", True) for i in range(training)]
    await uow.items.add_many(project.id, drafts)
    ids = [t.item_id for t in await uow.items.tallies(project.id)]
    return Stock(project, tuple(ids[:regular]), tuple(ids[regular:regular + gold]),
                 tuple(ids[regular + gold:]))


async def hand_out(uow: UnitOfWork, project: Project, item_id: ItemId, annotator: AnnotatorId,
                   when: datetime, *, gold: bool = False, stage: Stage = Stage.PRODUCTION,
                   attempt: int = 0) -> Assignment:
    """Hand an item out at a stage; the deadline is an hour later."""
    assignment = await uow.assignments.add(project.id, item_id, annotator, gold, when,
                                           when + timedelta(hours=1))
    await uow.quality.set_stage(assignment.id, stage, attempt)
    return assignment


async def answered(uow: UnitOfWork, project: Project, item_id: ItemId, annotator: AnnotatorId,
                   when: datetime, value: str = "cat", *, correct: bool | None = None,
                   seconds: float = 5.0, stage: Stage = Stage.PRODUCTION,
                   attempt: int = 0, detail: str = "",
                   checks: tuple[tuple[str, bool], ...] = ()) -> Answer:
    """Hand an item out and answer it at once (gold when ``correct`` is not None)."""
    gold = correct is not None
    assignment = await hand_out(uow, project, item_id, annotator, when, gold=gold, stage=stage,
                                attempt=attempt)
    answer = Answer(assignment.id, item_id, annotator, value, seconds, gold, correct, when,
                    detail=detail, checks=checks)
    assert await uow.answers.add(answer, None, project.id)
    await uow.assignments.close(assignment, AssignmentStatus.ANSWERED)
    return answer


async def skipped(uow: UnitOfWork, project: Project, item_id: ItemId, annotator: AnnotatorId,
                  when: datetime) -> Assignment:
    """Hand an item out and skip it."""
    assignment = await hand_out(uow, project, item_id, annotator, when)
    await uow.assignments.close(assignment, AssignmentStatus.SKIPPED)
    return assignment
