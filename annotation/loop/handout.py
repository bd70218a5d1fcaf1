"""Handing out work: the item an annotator gets next, and the task it is shown as.

Used by every use case of the loop (``annotation.loop.tasks``) inside its write unit of
work: the choice is the pure policy's (``assignment.choose_next_item`` without quality
control, ``quality.pick_item`` with it), the write is the assignment it makes.
"""

from __future__ import annotations

import random
from datetime import datetime

from annotation.errors import NotFound
from annotation.kinds.base import Turn
from annotation.kinds.registry import kind_of
from annotation.loop.assignment import GOLD_SAMPLE, choose_next_item, deadline_for
from annotation.loop.quality import pick_item
from annotation.models import (
    AnnotatorId,
    Assignment,
    Item,
    ItemId,
    Project,
    ProjectStatus,
    Stage,
    Task,
)
from annotation.ports.store import LoopWork


async def project_of(uow: LoopWork, annotator_id: AnnotatorId) -> Project | None:
    """Return the project the annotator works in, if any."""
    annotator = await uow.annotators.get(annotator_id)
    if annotator is None or annotator.current_project is None:
        return None
    return await uow.projects.get(annotator.current_project)


async def assign_next(uow: LoopWork, annotator_id: AnnotatorId, project: Project,
                      now: datetime, rng: random.Random) -> Task | None:
    """Hand the annotator their next item of an open project, as a task (None: no work)."""
    if project.status is not ProjectStatus.OPEN:
        return None
    spec = project.spec
    if spec.quality.enabled:
        return await _assign_checked(uow, annotator_id, project, now, rng)
    regular = await uow.items.next_regular(project.id, annotator_id, spec.overlap,
                                           spec.first_round)
    gold: tuple[ItemId, ...] = ()
    if regular is not None and spec.gold_rate > 0:
        gold = tuple(await uow.items.unseen_gold(project.id, annotator_id, GOLD_SAMPLE))
    item_id = choose_next_item(regular, gold, spec.gold_rate, rng)
    if item_id is None:
        return None
    assignment = await uow.assignments.add(
        project.id, item_id, annotator_id, item_id != regular, now,
        deadline_for(now, spec.time_limit_seconds),
    )
    return await task_of(uow, assignment, project)


async def _assign_checked(uow: LoopWork, annotator_id: AnnotatorId, project: Project,
                          now: datetime, rng: random.Random) -> Task | None:
    """Hand out the item quality control picks: training, exam or production."""
    pick = await pick_item(uow, project, annotator_id, now, rng)
    if pick is None:
        return None
    assignment = await uow.assignments.add(
        project.id, pick.item_id, annotator_id, pick.is_gold, now,
        deadline_for(now, project.spec.time_limit_seconds),
    )
    await uow.quality.set_stage(assignment.id, pick.stage, pick.attempt)
    return await task_of(uow, assignment, project)


async def item_of(uow: LoopWork, assignment: Assignment) -> Item:
    """Return the item an assignment hands out."""
    item = await uow.items.get(assignment.item_id)
    if item is None:
        raise NotFound(what="item")
    return item


async def task_of(uow: LoopWork, assignment: Assignment, project: Project) -> Task:
    """Return what the annotator is shown: the item, the media its kind picks for them
    (an image pair in their order) and the stage it was handed out for."""
    item = await item_of(uow, assignment)
    key = kind_of(project.spec).media_key(Turn(project.spec, item,
                                               assignment.annotator_id, assignment.draft))
    media = await uow.media.get(key) if key else None
    stage = Stage.PRODUCTION
    if project.spec.quality.enabled:
        stage = (await uow.quality.stage_of(assignment.id)).stage
    return Task(assignment, item, project, media, stage=stage)
