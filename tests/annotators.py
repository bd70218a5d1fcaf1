"""Annotators at work in tests: the core services on a store, joining a project, answering
every task. Used on the fake store (``tests/annotation``) and on SQLite (``tests/storage``)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import datetime

from annotation.intake.catalog import CatalogService
from annotation.loop.onboarding import OnboardingService
from annotation.loop.tasks import TaskService
from annotation.models import AnnotatorId
from annotation.ports import Store, UnitOfWork

Services = tuple[TaskService, OnboardingService, CatalogService]
ADMIN = 1  # an admin by configuration in ``core_services``


def invite_codes() -> Callable[[], str]:
    """Return a source of predictable invite codes: invite1, invite2…"""
    counter = iter(range(1, 1_000_000))
    return lambda: f"invite{next(counter)}"


def core_services(store: Store[UnitOfWork], clock: Callable[[], datetime]) -> Services:
    """Return the loop, onboarding and catalog services on ``store`` (rng seeded, admin 1)."""
    return (
        TaskService(store, clock=clock, rng=random.Random(1)),
        OnboardingService(store, clock=clock, admins={ADMIN}),
        CatalogService(store, clock=clock, invite_codes=invite_codes()),
    )


async def join(services: Services, user: int, invite: str) -> None:
    """Register ``user`` and join the project of ``invite``."""
    await services[1].register(AnnotatorId(user), f"user{user}", "en", invite)


async def answer_all(services: Services, user: int, option: Callable[[int], int]) -> None:
    """Answer every task the user gets with ``option(user)`` until there is none left."""
    tasks = services[0]
    task = await tasks.current_task(AnnotatorId(user))
    while task is not None:
        await asyncio.sleep(0)  # a phone's round trip: the other annotators tap meanwhile
        task = (await tasks.press(AnnotatorId(user), task.assignment.id, option(user))).task
