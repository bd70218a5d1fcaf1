"""Adaptive overlap in the live loop: each item's label as it stands, and when to stop.

After every answer to a regular item of an adaptive project, :meth:`LiveLabels.judge`
estimates the item's label from its votes and settles the item (no more assignments) once
the confidence reaches the spec's target, or keeps it open for one more answer
(``annotation.loop.assignment.slots_allowed``). The estimate weighs each vote by what is known
of the annotator:

- their confusion matrix from the last Dawid–Skene fit of the project (anchored on every
  gold answer: training, exam and checks), once the fit saw enough of their answers;
- before that, their fitted accuracy, no higher than their number of answers can show
  (:func:`tempered`), or for someone the fit has not seen yet the accuracy their gold
  answers give (:func:`annotation.aggregation.overlap.smoothed_accuracy`), so a newcomer
  who has just passed training and the exam is believed as far as they showed; their
  wrong answers are taken to spread like the crowd's (:func:`crowd_errors`).

The fit is redone off the event loop when enough new answers have arrived
(:func:`refit_due`: at least ``REFIT_MIN_ANSWERS`` and a ``REFIT_GROWTH`` share of what
the last fit saw), or ``REFIT_INTERVAL`` after the last fit if anything came in; a
project never fitted is fitted at the first chance. After each fit, :meth:`refresh`
sweeps the project's undecided items with the new skills: an open item whose label is now
trusted is settled, a settled one that no longer is (its answers came from someone the fit
now doubts) opens for one more answer. The sweep only touches an item whose answer count
has not moved since it was read, so it never overrides a decision taken on newer answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from annotation.aggregation.models import AnnotatorSkill
from annotation.aggregation.overlap import (
    OverlapPolicy,
    item_posterior,
    smoothed_accuracy,
    wants_more,
)
from annotation.datasets.labels import LiveSkills, live_skills
from annotation.models import AnnotatorId, ItemId, Project, ProjectId, ProjectStatus
from annotation.ports.store import LabelsWork, Store
from annotation.records import ItemVotes, ProjectSnapshot

REFIT_MIN_ANSWERS = 20  # never refit for fewer new answers than this…
REFIT_GROWTH = 0.1  # …nor for less than this share of the answers the last fit saw
REFIT_INTERVAL = timedelta(minutes=5)  # refit anyway this long after the last fit
CONFUSION_ANSWERS_PER_LABEL = 10  # a fitted confusion matrix counts from this many
ERROR_SMOOTHING = 20  # even pseudo wrong answers per label in the crowd's error pattern


Errors = tuple[tuple[float, ...], ...]  # per true label, how wrong answers spread


@dataclass(frozen=True, slots=True)
class Fit:
    """The skills of one project's last fit, and what it saw."""

    skills: LiveSkills
    answers: int  # accepted answers the fit was made on
    at: datetime
    errors: Errors | None = None  # the crowd's error pattern (:func:`crowd_errors`)


def refit_due(fresh: int, fit: Fit | None, now: datetime) -> bool:
    """Return whether a project's skills should be fitted again.

    ``fresh``: answers recorded since the last fit. Never fitted: always due.
    """
    if fit is None:
        return True
    if fresh <= 0:
        return False
    enough = max(REFIT_MIN_ANSWERS, REFIT_GROWTH * fit.answers)
    return fresh >= enough or now - fit.at >= REFIT_INTERVAL


def annotator_skills(annotators: Sequence[str], fitted: Mapping[str, AnnotatorSkill],
                     gold: Mapping[str, tuple[int, int]], errors: Errors | None = None
                     ) -> dict[str, AnnotatorSkill]:
    """Return each annotator's skill: the fit's (:func:`tempered`), else their accuracy on
    gold (``gold``: correct and total gold answers; none gives 0.5) with the crowd's
    ``errors`` (uniform errors without them)."""
    skills: dict[str, AnnotatorSkill] = {}
    for annotator in annotators:
        found = fitted.get(annotator)
        if found is None:
            correct, total = gold.get(annotator, (0, 0))
            accuracy = smoothed_accuracy(correct, total)
            found = AnnotatorSkill(annotator, accuracy, total,
                                   _with_errors(accuracy, errors))
        else:
            found = tempered(found, errors)
        skills[annotator] = found
    return skills


def tempered(skill: AnnotatorSkill, errors: Errors | None = None) -> AnnotatorSkill:
    """Return a fitted skill no surer than its evidence.

    Its own confusion matrix counts once the fit saw ``CONFUSION_ANSWERS_PER_LABEL``
    answers per label from the annotator. Before that: their fitted accuracy, at most
    ``smoothed_accuracy(n, n)`` (what ``n`` answers all right would give), and the crowd's
    ``errors`` for how their wrong answers spread. A fit on a few answers finds patterns
    that are not there: an annotator right on 11 of 11 fitted at 0.986, and rows fitted on
    two items each made a three-way split 97% sure; both settled items that three people
    disagreed on. Errors spread evenly would overrate agreement where people confuse
    neighbouring classes: two agreeing on a wrong neighbour is then much likelier.
    """
    size = len(skill.confusion) if skill.confusion is not None else 0
    if skill.confusion is not None and skill.answers >= CONFUSION_ANSWERS_PER_LABEL * size:
        return skill
    accuracy = min(skill.accuracy, smoothed_accuracy(skill.answers, skill.answers))
    return AnnotatorSkill(skill.annotator, accuracy, skill.answers,
                          _with_errors(accuracy, errors))


def crowd_errors(fit: LiveSkills) -> Errors | None:
    """Return how the crowd's wrong answers spread, per true label: the expected wrong
    answers of the fit (each annotator's answers by the class prior and their confusion
    matrix), pooled, plus ``ERROR_SMOOTHING`` pseudo-answers spread evenly (None without
    confusion matrices)."""
    size = len(fit.prior)
    if size < 2:
        return None
    pooled = [[0.0] * size for _ in range(size)]
    found = False
    for skill in fit.skills.values():
        if skill.confusion is None or len(skill.confusion) != size:
            continue
        found = True
        for t, row in enumerate(skill.confusion):
            for k, p in enumerate(row):
                if k != t:
                    pooled[t][k] += skill.answers * fit.prior[t] * p
    if not found:
        return None
    even = ERROR_SMOOTHING / (size - 1)
    return tuple(
        tuple(0.0 if k == t else (count + even) / (sum(counts) + ERROR_SMOOTHING)
              for k, count in enumerate(counts))
        for t, counts in enumerate(pooled))


def _with_errors(accuracy: float, errors: Errors | None) -> Errors | None:
    """Return the confusion matrix of ``accuracy`` with wrong answers spread as ``errors``."""
    if errors is None:
        return None
    return tuple(tuple(accuracy if k == t else (1.0 - accuracy) * p for k, p in enumerate(row))
                 for t, row in enumerate(errors))


def keeps_open(project: Project, votes: Sequence[tuple[str, str]],
               skills: Mapping[str, AnnotatorSkill], prior: Sequence[float] | None) -> bool:
    """Return whether an item with these (annotator, label) votes needs another answer."""
    spec = project.spec
    assert spec.min_overlap is not None and spec.confidence_target is not None
    policy = OverlapPolicy(spec.min_overlap, spec.overlap, spec.confidence_target)
    estimate = item_posterior(votes, skills, spec.labels, prior=prior)
    return wants_more(estimate, policy)


def sweep(project: Project, undecided: Sequence[ItemVotes], fit: LiveSkills,
          gold: Mapping[str, tuple[int, int]]) -> list[tuple[ItemId, bool, int]]:
    """Return the (item, settled, answers) changes the new fit calls for."""
    changes = []
    errors = crowd_errors(fit)
    for item in undecided:
        votes = [(str(a), v) for a, v in item.votes]
        skills = annotator_skills([a for a, _ in votes], fit.skills, gold, errors)
        settled = not keeps_open(project, votes, skills, fit.prior)
        if settled != item.settled:
            changes.append((item.item_id, settled, item.answers))
    return changes


class LiveLabels:
    """The fits of every adaptive project and the stopping decisions taken from them."""

    def __init__(self, store: Store[LabelsWork], clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock
        self._fits: dict[ProjectId, Fit] = {}
        self._fresh: dict[ProjectId, int] = {}

    async def judge(self, uow: LabelsWork, project: Project, item_id: ItemId) -> None:
        """Settle or open an item after an answer to it (inside that answer's transaction)."""
        spec = project.spec
        assert spec.min_overlap is not None
        votes = [(str(a), v) for a, v in await uow.answers.item_votes(item_id)]
        if len(votes) < spec.min_overlap:
            return
        fit = self._fits.get(project.id)
        fitted = fit.skills.skills if fit is not None else {}
        missing = [AnnotatorId(int(a)) for a, _ in votes if a not in fitted]
        record = await uow.answers.gold_record(project.id, missing) if missing else {}
        gold = {str(a): counts for a, counts in record.items()}
        errors = fit.errors if fit is not None else None
        skills = annotator_skills([a for a, _ in votes], fitted, gold, errors)
        prior = fit.skills.prior if fit is not None else None
        await uow.items.settle(item_id, not keeps_open(project, votes, skills, prior))

    def note_answer(self, project_id: ProjectId) -> None:
        """Count an answer towards the next refit (gold answers inform the fit too)."""
        self._fresh[project_id] = self._fresh.get(project_id, 0) + 1

    async def refresh(self, *, force: bool = False) -> int:
        """Refit every open adaptive project that is due (all with ``force``), sweep its
        undecided items; return how many projects were refitted."""
        async with self._store.read() as uow:
            projects = [p for p in await uow.projects.all()
                        if p.status is ProjectStatus.OPEN and p.spec.adaptive]
        now = self._clock()
        refitted = 0
        for project in projects:
            if not force and not refit_due(self._fresh.get(project.id, 0),
                                           self._fits.get(project.id), now):
                continue
            await self._refit(project, now)
            refitted += 1
        return refitted

    async def _refit(self, project: Project, now: datetime) -> None:
        fresh = self._fresh.get(project.id, 0)
        spec = project.spec
        assert spec.min_overlap is not None
        async with self._store.snapshot() as uow:
            items = await uow.items.tallies(project.id)
            answers = await uow.answers.export_rows(project.id)
            undecided = await uow.items.undecided(project.id, spec.min_overlap, spec.overlap)
            voters = sorted({a for item in undecided for a, _ in item.votes})
            record = await uow.answers.gold_record(project.id, voters)
        snapshot = ProjectSnapshot(project, items, answers)
        skills = await asyncio.to_thread(live_skills, snapshot)
        gold = {str(a): counts for a, counts in record.items()}
        changes = await asyncio.to_thread(sweep, project, undecided, skills, gold)
        accepted = sum(1 for answer in answers if not answer.excluded)
        self._fits[project.id] = Fit(skills, accepted, now, crowd_errors(skills))
        # answers recorded while fitting count towards the next refit
        self._fresh[project.id] = max(0, self._fresh.get(project.id, 0) - fresh)
        if changes:
            async with self._store.write() as uow:
                await uow.items.set_settled(changes)
