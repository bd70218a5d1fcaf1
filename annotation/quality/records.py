"""Flat records the quality repository returns (counts and rows, no behaviour)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotation.models import AnnotatorId, Stage
from annotation.quality.qualification import Standing
from annotation.quality.scores import GoldScore


@dataclass(frozen=True, slots=True)
class History:
    """An annotator's recent work in a project, after the grace point."""

    gold: GoldScore  # exam and production gold
    values: Sequence[str]  # latest answers, oldest first
    seconds: Sequence[float]  # latest production answers' seconds, oldest first
    skips_in_row: int
    tasks_today: int
    production_done: int  # production tasks answered (all time: for the probation)
    # comparisons and rankings (annotation.kinds.pairwise, .ranking): of the latest answers
    # that picked a side, how many picked the response shown first, how many there were,
    # and how many such picks chance gives: the sum of 1/choices (2 when not recorded)
    first_picks: int = 0
    positioned: int = 0
    expected_first: float = 0.0
    # several questions about one item: each question's exam and production gold score
    # (``Answer.checks``), by question key
    gold_parts: tuple[tuple[str, GoldScore], ...] = ()


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One annotator in a project, for the coordinators' list."""

    annotator_id: AnnotatorId
    name: str
    standing: Standing
    answered: int
    gold: GoldScore  # exam and production gold, all time
    median_seconds: float | None


@dataclass(frozen=True, slots=True)
class TaskStage:
    """The stage and exam attempt an assignment was handed out for."""

    stage: Stage
    attempt: int
