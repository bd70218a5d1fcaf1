"""Check votes reach the recordings they check on every engine
(``AnswerRepository.review_counts``): counted per recording over the check projects asked
about, accepted answers only, nothing from other projects' items."""

from __future__ import annotations

from annotation.models import AssignmentId, MediaKind, ProjectStatus
from annotation.ports import Store, UnitOfWork
from annotation.records import ItemDraftRecord
from tests.contract.crowd import answered, at, person, stock
from tests.projects import make_spec


async def test_check_votes_are_counted_per_recording_over_the_check_projects(
        store: Store[UnitOfWork]) -> None:
    async with store.write() as uow:
        source = await stock(uow, regular=3, name="Read aloud", invite="rec")
        speaker = await person(uow, 1)
        recordings = [await answered(uow, source.project, item, speaker, at(n), f"key{n}")
                      for n, item in enumerate(source.regular)]
        checks = [await uow.projects.add(make_spec(name=name), ProjectStatus.OPEN, name, None,
                                         at(0)) for name in ("check1", "check2", "other")]
        for check in checks:  # each check project names every recording
            await uow.items.add_many(check.id, [
                ItemDraftRecord(f"rec-{r.assignment_id}", MediaKind.AUDIO, "text", None, None,
                                None, False) for r in recordings])
        items = {check.id: [t.item_id for t in await uow.items.tallies(check.id)]
                 for check in checks}
        checkers = [await person(uow, n) for n in (10, 11, 12)]
        votes = {  # (check project, recording): the values its checkers gave
            (0, 0): ("yes", "yes"), (1, 0): ("no",), (0, 1): ("no", "unclear"),
            (2, 1): ("yes", "yes", "yes"),  # a project not asked about
            (2, 2): ("yes",),
        }
        moment = 100
        for (check, recording), values in votes.items():
            for checker, value in zip(checkers, values, strict=False):
                moment += 1
                await answered(uow, checks[check], items[checks[check].id][recording],
                               checker, at(moment), value)
        # an excluded checker's votes do not count
        await uow.quality.exclude(checks[1].id, checkers[0])
        await answered(uow, checks[0], items[checks[0].id][2], checkers[2], at(500), "yes")
    asked = [checks[0].id, checks[1].id]
    async with store.read() as uow:
        counts = await uow.answers.review_counts(source.project.id, asked)
        assert counts == {
            recordings[0].assignment_id: {"yes": 2},
            recordings[1].assignment_id: {"no": 1, "unclear": 1},
            recordings[2].assignment_id: {"yes": 1},
        }
        assert await uow.answers.review_counts(source.project.id, []) == {}
        # asked about another project, the same check items name none of its answers
        assert await uow.answers.review_counts(checks[2].id, asked) == {}
        assert AssignmentId(404) not in counts
