"""What the quality use cases need from storage (implemented in ``storage/``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from annotation.models import AnnotatorId, AssignmentId, ItemId, ProjectId, Recipient, Stage
from annotation.quality.agreement import CastVote
from annotation.quality.qualification import Progress, Standing
from annotation.quality.records import History, RosterRow, TaskStage


class QualityRepository(Protocol):
    """Standings, exam progress, rule evidence, exclusions and quality events."""

    async def standing(self, project_id: ProjectId, annotator_id: AnnotatorId
                       ) -> Standing | None:
        """Return the annotator's standing in the project, if they started there."""
        ...

    async def save(self, standing: Standing, now: datetime) -> None:
        """Store a standing (insert or replace)."""
        ...

    async def set_stage(self, assignment_id: AssignmentId, stage: Stage, attempt: int) -> None:
        """Record the stage (and exam attempt) an assignment was handed out for."""
        ...

    async def stage_of(self, assignment_id: AssignmentId) -> TaskStage:
        """Return the stage an assignment was handed out for."""
        ...

    async def unseen_training(self, project_id: ProjectId, annotator_id: AnnotatorId,
                              limit: int) -> Sequence[ItemId]:
        """Return up to ``limit`` training items the annotator has never had, in id order."""
        ...

    async def progress(self, project_id: ProjectId, annotator_id: AnnotatorId,
                       attempt: int) -> Progress:
        """Return training and exam counts (exam: the given attempt)."""
        ...

    async def gold_record(self, project_id: ProjectId, annotator_id: AnnotatorId,
                          limit: int) -> Sequence[bool]:
        """Return whether each of the latest ``limit`` gold answers was right, oldest first."""
        ...

    async def history(self, project_id: ProjectId, annotator_id: AnnotatorId, *,
                      after_answer: int, recent: int, since: datetime) -> History:
        """Return the evidence the rules need (answers after ``after_answer``)."""
        ...

    async def last_answer_id(self, project_id: ProjectId, annotator_id: AnnotatorId) -> int:
        """Return the id of the annotator's latest answer in the project (0: none)."""
        ...

    async def exclude(self, project_id: ProjectId, annotator_id: AnnotatorId) -> int:
        """Exclude the annotator's answers, reopen their items; return how many answers."""
        ...

    async def include(self, project_id: ProjectId, annotator_id: AnnotatorId) -> int:
        """Count the annotator's excluded answers again; return how many."""
        ...

    async def add_event(self, project_id: ProjectId, annotator_id: AnnotatorId | None,
                        kind: str, rule: str | None, evidence: Mapping[str, object],
                        actor_id: int | None, now: datetime) -> bool:
        """Record a quality event; False if it is a project's second ``needs_gold``."""
        ...

    async def coordinators(self) -> Sequence[Recipient]:
        """Return the users with the coordinator or admin role."""
        ...

    async def votes(self, project_id: ProjectId) -> Sequence[CastVote]:
        """Return every included production answer to a non-gold item of the project."""
        ...

    async def production_standings(self, project_id: ProjectId) -> Sequence[Standing]:
        """Return the standings of annotators working (not suspended) in production."""
        ...

    async def roster(self, project_id: ProjectId, offset: int, limit: int
                     ) -> Sequence[RosterRow]:
        """Return a page of the project's annotators, most answers first."""
        ...

    async def roster_size(self, project_id: ProjectId) -> int:
        """Return how many annotators have a standing in the project."""
        ...
