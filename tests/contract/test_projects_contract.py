"""Projects and items keep one contract on every engine (``annotation.ports.projects``): the
assignment queue's order and adaptive-overlap rule, gold handed out once, the sweep's
undecided items and its guarded decisions, tallies."""

from __future__ import annotations

import pytest

from annotation.models import (
    AnnotatorId,
    AnswerType,
    ItemId,
    LocalizedText,
    MediaKey,
    MediaKind,
    NumberRange,
    ProjectId,
    ProjectStatus,
)
from annotation.ports import Store, UnitOfWork
from annotation.quality.settings import QualitySettings
from annotation.records import ItemDraftRecord, ItemTally, ItemVotes
from tests.contract.conftest import CONSTRAINT_ERRORS
from tests.contract.crowd import T0, answered, at, hand_out, person, stock
from tests.projects import make_spec


async def test_projects_are_found_by_id_invite_and_newest_name(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        first = await uow.projects.add(make_spec(name="Birds"), ProjectStatus.DRAFT, "code1",
                                       AnnotatorId(1), T0)
        second = await uow.projects.add(make_spec(name="Birds"), ProjectStatus.OPEN, "code2",
                                        None, at(60))
        other = await uow.projects.add(make_spec(name="Cats"), ProjectStatus.OPEN, "code3",
                                       None, at(120))
    assert first.spec.name == "Birds" and first.status is ProjectStatus.DRAFT
    assert first.invite_code == "code1" and first.created_at == T0
    assert len({first.id, second.id, other.id}) == 3
    async with store.read() as uow:
        assert await uow.projects.get(first.id) == first
        assert await uow.projects.get(ProjectId(404)) is None
        assert await uow.projects.by_invite("code2") == second
        assert await uow.projects.by_invite("nope") is None
        assert await uow.projects.by_name("Birds") == second  # the newest of that name
        assert await uow.projects.by_name("Dogs") is None
        assert await uow.projects.all() == [other, second, first]


async def test_a_status_change_is_stored(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        project = (await stock(uow)).project
        await uow.projects.set_status(project.id, ProjectStatus.PAUSED)
        await uow.projects.set_status(ProjectId(404), ProjectStatus.CLOSED)  # nobody
    async with store.read() as uow:
        found = await uow.projects.get(project.id)
        assert found is not None and found.status is ProjectStatus.PAUSED
        assert [p.id for p in await uow.projects.all()] == [project.id]


async def test_the_spec_comes_back_as_it_was_stored(store: Store[UnitOfWork]) -> None:
    spec = make_spec(
        name="Numbers", answer_type=AnswerType.NUMBER, options=(),
        question=LocalizedText({"en": "How many?", "mg": "Firy?"}),
        instructions=LocalizedText({"en": "Count them."}), overlap=5, min_overlap=2,
        confidence_target=0.9, gold_rate=0.25, reward=12.5, currency="EUR",
        number_range=NumberRange(0, 10), quality=QualitySettings(enabled=True))
    async with store.write() as uow:
        project = await uow.projects.add(spec, ProjectStatus.OPEN, "code", None, T0)
    async with store.read() as uow:
        found = await uow.projects.get(project.id)
    assert project.spec == spec and found is not None and found.spec == spec


async def test_invite_codes_are_unique(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        await uow.projects.add(make_spec(), ProjectStatus.OPEN, "same", None, T0)
    with pytest.raises(CONSTRAINT_ERRORS):
        async with store.write() as uow:
            await uow.projects.add(make_spec(name="Other"), ProjectStatus.OPEN, "same", None,
                                   T0)


async def test_items_are_stored_with_their_media_and_tallied_in_id_order(
        store: Store[UnitOfWork]) -> None:
    key = MediaKey("k" * 64)
    async with store.write() as uow:
        project = (await stock(uow, regular=0)).project
        await uow.media.add(key, "image", "cat.png", "image/png", "photo", b"png")
        drafts = [
            ItemDraftRecord("b", MediaKind.IMAGE, "", key, None, None, False),
            ItemDraftRecord("a", MediaKind.TEXT, "text a", None, "cat", "It is.", True),
        ]
        assert await uow.items.add_many(project.id, drafts) == 2
        assert await uow.items.add_many(project.id, []) == 0
    async with store.read() as uow:
        tallies = await uow.items.tallies(project.id)
        assert tallies == [
            ItemTally(tallies[0].item_id, "b", MediaKind.IMAGE, "", "cat.png", None, 0, key),
            ItemTally(tallies[1].item_id, "a", MediaKind.TEXT, "text a", None, "cat", 0),
        ]
        assert tallies[0].item_id < tallies[1].item_id
        item = await uow.items.get(tallies[1].item_id)
        assert item is not None and item.is_gold and item.explanation == "It is."
        assert (item.project_id, item.external_id, item.kind, item.media_key) == (
            project.id, "a", MediaKind.TEXT, None)
        photo = await uow.items.get(tallies[0].item_id)
        assert photo is not None and photo.media_key == key and not photo.is_gold
        assert await uow.items.get(ItemId(404)) is None
        assert await uow.items.tallies(ProjectId(404)) == []


async def test_an_external_id_is_used_once_per_project(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        one = await stock(uow, regular=1)
        two = await stock(uow, regular=1, name="Other", invite="invite2")  # same ids: fine
    assert one.regular != two.regular
    with pytest.raises(CONSTRAINT_ERRORS):
        async with store.write() as uow:
            await uow.items.add_many(one.project.id, [
                ItemDraftRecord("item0", MediaKind.TEXT, "again", None, None, None, False)])


async def test_the_queue_hands_out_the_fullest_open_item_first(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=4, gold=1)
        people = [await person(uow, n) for n in (1, 2, 3, 4)]
        await answered(uow, s.project, s.regular[2], people[0], at(1))  # item 2: one answer
        await hand_out(uow, s.project, s.regular[3], people[1], at(2))  # item 3: one live
        await answered(uow, s.project, s.regular[3], people[2], at(3))  # and one answer
    pid = s.project.id
    async with store.read() as uow:
        # fill 2 first, then fill 1, then the lowest id; never gold
        assert await uow.items.next_regular(pid, people[3], 3, 3) == s.regular[3]
        # never an item the annotator had, answered or live
        assert await uow.items.next_regular(pid, people[1], 3, 3) == s.regular[2]
        assert await uow.items.next_regular(pid, people[0], 3, 3) == s.regular[3]
        # at the overlap: closed to everyone
        assert await uow.items.next_regular(pid, people[3], 2, 2) == s.regular[2]
        assert await uow.items.next_regular(pid, people[3], 1, 1) == s.regular[0]
        assert await uow.items.next_regular(ProjectId(404), people[3], 3, 3) is None


async def test_adaptive_items_open_min_overlap_slots_then_one_at_a_time(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=1)
        people = [await person(uow, n) for n in range(1, 7)]
        await hand_out(uow, s.project, s.regular[0], people[0], at(1))
    item, pid = s.regular[0], s.project.id
    async with store.read() as uow:  # one live of two first slots: one more may go
        assert await uow.items.next_regular(pid, people[5], 5, 2) == item
    async with store.write() as uow:
        await hand_out(uow, s.project, item, people[1], at(2))
    async with store.read() as uow:  # two live, no answer: wait for one
        assert await uow.items.next_regular(pid, people[5], 5, 2) is None
    async with store.write() as uow:
        await answered(uow, s.project, item, people[2], at(3))
    async with store.read() as uow:  # fill 3 with one answer: wait for the live ones
        assert await uow.items.next_regular(pid, people[5], 5, 2) is None
    async with store.write() as uow:
        for a in (people[0], people[1]):
            active = await uow.assignments.active_for(a)
            assert active is not None
            await uow.assignments.close(active, "skipped")
    async with store.read() as uow:  # answers 1, nothing live: one more slot
        assert await uow.items.next_regular(pid, people[5], 5, 2) == item
    async with store.write() as uow:
        await uow.items.settle(item)
    async with store.read() as uow:  # settled: closed
        assert await uow.items.next_regular(pid, people[5], 5, 2) is None
    async with store.write() as uow:
        await uow.items.settle(item, False)
    async with store.read() as uow:
        assert await uow.items.next_regular(pid, people[5], 5, 2) == item


async def test_unseen_gold_is_production_gold_never_had_in_id_order(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=1, gold=4, training=2)
        ann = await person(uow, 1)
        await answered(uow, s.project, s.gold[1], ann, at(1), correct=True)
        await hand_out(uow, s.project, s.gold[2], ann, at(2), gold=True)
    pid = s.project.id
    async with store.read() as uow:
        assert await uow.items.unseen_gold(pid, ann, 10) == [s.gold[0], s.gold[3]]
        assert await uow.items.unseen_gold(pid, ann, 1) == [s.gold[0]]
        assert await uow.items.unseen_gold(pid, ann, 0) == []
        assert await uow.items.unseen_gold(pid, AnnotatorId(2), 10) == list(s.gold)


async def test_undecided_items_carry_their_accepted_votes(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=4, gold=1)
        people = [await person(uow, n) for n in (1, 2, 3, 4)]
        pid = s.project.id
        await answered(uow, s.project, s.regular[0], people[0], at(1), "dog")
        await answered(uow, s.project, s.regular[0], people[1], at(2), "cat")
        for p in people[:3]:  # item 1: three answers, at the overlap
            await answered(uow, s.project, s.regular[1], p, at(3), "bird")
        await answered(uow, s.project, s.regular[2], people[3], at(4), "cat")  # one answer
        await answered(uow, s.project, s.gold[0], people[0], at(5), correct=True)
        await uow.items.settle(s.regular[0])
    async with store.read() as uow:
        assert await uow.items.undecided(pid, 1, 3) == [
            ItemVotes(s.regular[0], 2, True, ((people[0], "dog"), (people[1], "cat"))),
            ItemVotes(s.regular[2], 1, False, ((people[3], "cat"),)),
        ]
        assert await uow.items.undecided(pid, 2, 4) == [
            ItemVotes(s.regular[0], 2, True, ((people[0], "dog"), (people[1], "cat"))),
            ItemVotes(s.regular[1], 3, False, tuple((p, "bird") for p in people[:3])),
        ]
    async with store.write() as uow:  # a suspended annotator's answers are left out
        await uow.quality.exclude(pid, people[0])
    async with store.read() as uow:
        assert await uow.items.undecided(pid, 1, 3) == [
            ItemVotes(s.regular[0], 1, False, ((people[1], "cat"),)),
            ItemVotes(s.regular[1], 2, False, tuple((p, "bird") for p in people[1:3])),
            ItemVotes(s.regular[2], 1, False, ((people[3], "cat"),)),
        ]


async def test_the_sweep_changes_only_items_whose_answers_did_not_move(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=3)
        ann = await person(uow, 1)
        await answered(uow, s.project, s.regular[0], ann, at(1))
        await uow.items.settle(s.regular[2])
    changes = [
        (s.regular[0], True, 1),  # one answer, as read: settled
        (s.regular[1], True, 1),  # it has none now: left alone
        (s.regular[2], True, 0),  # already settled: no change
        (ItemId(404), True, 0),
    ]
    async with store.write() as uow:
        assert await uow.items.set_settled(changes) == 1
        assert await uow.items.set_settled([(s.regular[2], False, 0)]) == 1
    async with store.read() as uow:
        assert await uow.items.next_regular(s.project.id, AnnotatorId(2), 3, 3) \
            == s.regular[1]
        assert await uow.items.next_regular(s.project.id, ann, 3, 3) == s.regular[1]
    async with store.write() as uow:
        await uow.items.settle(s.regular[1])
    async with store.read() as uow:  # item 0 settled, item 1 settled, item 2 open again
        assert await uow.items.next_regular(s.project.id, ann, 3, 3) == s.regular[2]


async def test_tallies_count_the_accepted_answers(store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        s = await stock(uow, regular=2)
        people = [await person(uow, n) for n in (1, 2, 3)]
        for p in people:
            await answered(uow, s.project, s.regular[0], p, at(1))
        await answered(uow, s.project, s.regular[1], people[0], at(2))
        await hand_out(uow, s.project, s.regular[1], people[1], at(3))  # live: not counted
    async with store.read() as uow:
        assert [t.answers for t in await uow.items.tallies(s.project.id)] == [3, 1]
    async with store.write() as uow:
        await uow.quality.exclude(s.project.id, people[0])
    async with store.read() as uow:
        assert [t.answers for t in await uow.items.tallies(s.project.id)] == [2, 0]
    async with store.write() as uow:
        await uow.quality.include(s.project.id, people[0])
    async with store.read() as uow:
        assert [t.answers for t in await uow.items.tallies(s.project.id)] == [3, 1]

