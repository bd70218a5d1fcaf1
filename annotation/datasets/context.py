"""What a kind's export knows beside the answers themselves: the reviews other projects
gave them, what their annotators told about themselves, and what speakers withdrew.

Reviews: a project reviews another when its spec's ``source`` names it (a check project
names the recording project it checks, ``annotation.kinds.check``); each of its items
``rec-<assignment id>`` reviews one answer. :func:`read_reviews` counts the accepted
reviews of every answer, summed over the reviewing projects, with the agreeing reviews
that decide (their ``votes``; the largest when several projects review one).

Facts: :class:`FactsReader` reads what an annotator told about themselves, once per
annotator: what a speaker who consents to it gave with ``/speaker``
(``annotation.loop.speakers``), as its codes: ``gender``, ``age`` (the age band) and
``accents`` (the dialect region). Kinds read the keys they know. The language an
annotator chose for the bot is not among them: it says nothing of what they read (a
recording's language is its item's, ``annotation.kinds.recording.item_language``).

Withdrawals: a speaker's ``/withdraw`` takes every recording they made until then out of
later exports (:func:`read_withdrawals`): in a project answered by voice, those answers;
in a project reviewing one, the items that review them (``rec-<assignment id>``, the
check feed's names), with their answers and media.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from annotation.datasets.records import Reviews
from annotation.errors import NotFound
from annotation.intake.catalog import find_project
from annotation.kinds.registry import kind_of
from annotation.models import AnnotatorId, AssignmentId, Project, ProjectId
from annotation.ports.store import DatasetWork
from annotation.records import Speaker

REVIEW_PREFIX = "rec-"  # an item reviewing an answer is named after its assignment


@dataclass(frozen=True, slots=True)
class ReviewIndex:
    """The reviews of a project's answers (``needed`` None: no project reviews it)."""

    needed: int | None = None
    counts: Mapping[AssignmentId, Mapping[str, int]] = field(default_factory=dict)

    def of(self, answer_id: AssignmentId) -> Reviews | None:
        """Return the reviews of one answer (None when nothing reviews the project)."""
        if self.needed is None:
            return None
        return Reviews(dict(self.counts.get(answer_id, {})), self.needed)


@dataclass(frozen=True, slots=True)
class Withdrawals:
    """What an export leaves out because speakers withdrew it."""

    answers: frozenset[AssignmentId] = frozenset()  # the project's own recordings
    items: frozenset[str] = frozenset()  # external ids of items reviewing withdrawn ones

    def hides(self, assignment_id: AssignmentId, external_id: str) -> bool:
        """Return whether an answer (to the item named ``external_id``) is left out."""
        return assignment_id in self.answers or external_id in self.items


async def read_withdrawals(uow: DatasetWork, project: Project) -> Withdrawals:
    """Return the recordings of ``project`` their speakers withdrew, or the items of
    ``project`` reviewing withdrawn recordings of the project it names as its source."""
    answers: frozenset[AssignmentId] = frozenset()
    if kind_of(project.spec).accepts_voice:
        answers = await uow.speakers.withdrawn(project.id)
    source = await _source(uow, project)
    items: frozenset[str] = frozenset()
    if source is not None and kind_of(source.spec).accepts_voice:
        items = frozenset(f"{REVIEW_PREFIX}{a}" for a in await uow.speakers.withdrawn(
            source.id))
    return Withdrawals(answers, items)


async def read_reviews(uow: DatasetWork, project: Project) -> ReviewIndex:
    """Return the reviews every answer of ``project`` got from the projects naming it."""
    reviewers = [p for p in await uow.projects.all()
                 if p.id != project.id and await _names(uow, p, project)]
    if not reviewers:
        return ReviewIndex()
    counts = await uow.answers.review_counts(project.id, [p.id for p in reviewers])
    return ReviewIndex(max(p.spec.scale.points for p in reviewers if p.spec.scale), counts)


async def _names(uow: DatasetWork, reviewer: Project, project: Project) -> bool:
    """Return whether ``reviewer``'s ``source`` resolves to ``project`` (as the feed reads it)."""
    named = await _source(uow, reviewer)
    return named is not None and named.id == project.id


async def _source(uow: DatasetWork, reviewer: Project) -> Project | None:
    """Return the project ``reviewer``'s spec names as its ``source`` (None: none such)."""
    scale = reviewer.spec.scale
    if scale is None or not scale.source:
        return None
    try:
        named = await find_project(uow, scale.source.lstrip("#"))
    except NotFound:
        return None
    return named if named.id != reviewer.id else None


class FactsReader:
    """Reads what annotators told about themselves, once each, inside one unit of work."""

    def __init__(self, uow: DatasetWork, project_id: ProjectId) -> None:
        self._uow = uow
        self._project_id = project_id
        self._speakers: Mapping[AnnotatorId, Speaker] | None = None
        self._known: dict[AnnotatorId, Mapping[str, str]] = {}

    async def facts(self, annotator_id: AnnotatorId) -> Mapping[str, str]:
        """Return the annotator's facts (a consenting speaker's ``gender``, ``age``,
        ``accents`` as given; empty for one who gave none)."""
        found = self._known.get(annotator_id)
        if found is None:
            if self._speakers is None:
                self._speakers = await self._uow.speakers.of_project(self._project_id)
            speaker = self._speakers.get(annotator_id)
            found = speaker_facts(speaker) if speaker is not None else {}
            self._known[annotator_id] = found
        return found


def speaker_facts(speaker: Speaker) -> dict[str, str]:
    """Return what a speaker gave with ``/speaker`` under the keys exports read (the
    details they did not give are left out)."""
    given = {"gender": speaker.gender, "age": speaker.age_band, "accents": speaker.region}
    return {key: value for key, value in given.items() if value}
