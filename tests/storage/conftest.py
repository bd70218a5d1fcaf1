"""Fixtures: a real SQLite database in a temporary folder, and a small project in it."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from annotation.item_drafts import ItemDraft
from annotation.models import AnswerType, LocalizedText, MediaKind, ProjectSpec
from annotation.onboarding import AnnotatorService
from annotation.projects import ProjectService
from annotation.tasks import TaskService
from storage.database import Database


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_spec(**overrides: object) -> ProjectSpec:
    values: dict[str, object] = {
        "name": "Animals",
        "question": LocalizedText({"en": "Which animal?", "fr": "Quel animal ?"}),
        "answer_type": AnswerType.SINGLE,
        "options": ("cat", "dog", "bird"),
        "overlap": 3,
        "gold_rate": 0.0,
        "time_limit_seconds": 300,
    }
    values.update(overrides)
    return ProjectSpec(**values)  # type: ignore[arg-type]


def make_items(count: int, gold: int = 0) -> list[ItemDraft]:
    drafts = [
        ItemDraft(line=i + 2, external_id=f"item{i}", kind=MediaKind.TEXT, text=f"text {i}",
                  media=None, gold_answer=None, explanation=None, training=False)
        for i in range(count)
    ]
    drafts += [
        ItemDraft(line=count + i + 2, external_id=f"gold{i}", kind=MediaKind.TEXT,
                  text=f"gold {i}", media=None, gold_answer="cat", explanation="It is a cat.",
                  training=False)
        for i in range(gold)
    ]
    return drafts


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "annobot.db") as db:
        yield db


@pytest.fixture
def services(database: Database, clock: FakeClock
             ) -> tuple[TaskService, AnnotatorService, ProjectService]:
    return (
        TaskService(database, clock=clock, rng=random.Random(1)),
        AnnotatorService(database, clock=clock, admins={1}),
        ProjectService(database, clock=clock, invite_codes=_codes()),
    )


def _codes() -> Callable[[], str]:
    counter = iter(range(1, 1_000_000))
    return lambda: f"invite{next(counter)}"
