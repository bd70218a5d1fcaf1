"""Adaptive overlap in the live loop: confident items stop early, doubtful ones go on."""

from __future__ import annotations

from collections import Counter

from annotation.item_drafts import ItemDraft
from annotation.models import AnnotatorId, AnswerType, MediaKind
from storage.database import Database
from tests.storage.conftest import make_spec
from tests.storage.test_tasks import Services, _join, answer_all

ADAPTIVE = {"answer_type": AnswerType.YES_NO, "options": (), "overlap": 5, "min_overlap": 2,
            "confidence_target": 0.9}


def _items(regular: int, gold: int) -> list[ItemDraft]:
    drafts = [ItemDraft(i + 2, f"r{i}", MediaKind.TEXT, f"item {i}", None, None, None, False)
              for i in range(regular)]
    drafts += [ItemDraft(regular + i + 2, f"g{i}", MediaKind.TEXT, f"gold {i}", None, "yes",
                         None, False) for i in range(gold)]
    return drafts


async def _everyone_says_yes(services: Services, invite: str, people: range) -> None:
    for user in people:
        await _join(services, user, invite)
    for user in people:  # one after the other: gold records build up as the crowd works
        await answer_all(services, user, lambda _user: 0)


def _answers_per_regular_item(snapshot) -> Counter[str]:  # type: ignore[no-untyped-def]
    return Counter(a.external_id for a in snapshot.answers if not a.is_gold)


async def test_without_gold_history_every_item_goes_to_the_maximum(services: Services) -> None:
    project = await services[2].create(make_spec(gold_rate=0.0, **ADAPTIVE), _items(6, 0))
    await _everyone_says_yes(services, project.invite_code, range(100, 108))
    per_item = _answers_per_regular_item(await services[2].snapshot(project.id))
    assert set(per_item.values()) == {5}  # annotators of unknown skill never reach 0.9


async def test_trusted_annotators_who_agree_settle_items_at_the_minimum(
        services: Services) -> None:
    project = await services[2].create(make_spec(gold_rate=0.5, **ADAPTIVE), _items(12, 12))
    await _everyone_says_yes(services, project.invite_code, range(100, 110))
    per_item = _answers_per_regular_item(await services[2].snapshot(project.id))
    assert all(2 <= n <= 5 for n in per_item.values()) and len(per_item) == 12
    assert sum(per_item.values()) < 5 * 12
    assert Counter(per_item.values())[2] >= 1



async def _answer_some(services: Services, people: range, count: int) -> None:
    tasks = services[0]
    for user in people:
        task = await tasks.current_task(AnnotatorId(user))
        for _ in range(count):
            if task is None:
                break
            task = (await tasks.choose(AnnotatorId(user), task.assignment.id, 0)).task


async def test_after_a_skill_fit_agreeing_annotators_settle_items_without_gold(
        services: Services, database: Database) -> None:
    tasks, _a, projects = services
    project = await projects.create(make_spec(gold_rate=0.0, **ADAPTIVE), _items(60, 0))
    people = range(100, 105)
    for user in people:
        await _join(services, user, project.invite_code)
    await _answer_some(services, people, 8)  # one-coin without gold: no item settles
    before = _answers_per_regular_item(await projects.snapshot(project.id))
    assert max(before.values()) == 5
    assert await tasks.refresh_skills() == 1  # Dawid-Skene: they agree consistently
    await _answer_some(services, people, 20)
    after = _answers_per_regular_item(await projects.snapshot(project.id))
    async with database.read() as uow:
        rows = await uow.connection.fetch_all(
            "SELECT external_id FROM items WHERE settled = 1")
    early = {row[0] for row in rows if after[row[0]] < 5}  # settled before the maximum
    assert early and not early & set(before)
    assert all(after[item] >= 2 for item in early)
