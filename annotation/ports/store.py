"""Units of work and the store that opens them, narrowed to what each use case uses.

A unit of work is one transaction over some repositories. Each repository has a one-property
Protocol (``HasAnnotators``, ``HasItems``…); a group of use cases composes the ones it uses
into its own unit of work (``LoopWork``, ``BroadcastWork``…), and its service asks for a
``Store`` of that unit of work (``Store[LoopWork]``), so its constructor states what it
reads and writes. ``Store`` is covariant: a store of a wider unit of work is a store of
every narrower one, so ``storage.database.Database`` (whose unit of work has every
repository, ``UnitOfWork``) serves every service, and so does the in-memory fake store of
the tests (``tests/fakes/store.py``).

Who takes what (``AccessWork`` is annotators and audit)::

    AccessService             Store[AccessWork]
    MediaLibrary              Store[MediaWork]       media
    CatalogService            Store[CatalogWork]     projects, items, media, answers
    OnboardingService         Store[OnboardingWork]  annotators, projects, assignments
    TaskService               Store[LoopWork]        annotators, projects, items,
                                                     assignments, answers, media, quality,
                                                     speakers
    LiveLabels                Store[LabelsWork]      projects, items, answers
    LifecycleService          Store[LifecycleWork]   access, projects, items, media, outbox
    BroadcastService          Store[BroadcastWork]   access, outbox, projects
    EarningsService           Store[EarningsWork]    access, earnings, projects
    ReminderService           Store[ReminderWork]    access, reminders, outbox
    StatsService              Store[StatsWork]       access, projects, stats
    QualityService (console)  Store[QualityWork]     annotators, projects, quality
    DatasetService            Store[DatasetWork]     annotators, projects, items, media,
                                                     answers, secrets, speakers
    SpeakerService            Store[SpeakerWork]     annotators, items, speakers
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol, TypeVar

from annotation.ports.console import (
    AuditRepository,
    EarningsRepository,
    OutboxRepository,
    ReminderRepository,
    StatsRepository,
)
from annotation.ports.loop import AnswerRepository, AssignmentRepository
from annotation.ports.media import MediaRepository
from annotation.ports.people import AnnotatorRepository, SecretRepository
from annotation.ports.projects import ItemRepository, ProjectRepository
from annotation.ports.quality import QualityRepository
from annotation.ports.speakers import SpeakerRepository

# One repository each -------------------------------------------------------------------


class HasAnnotators(Protocol):
    """A unit of work with the annotators repository."""

    @property
    def annotators(self) -> AnnotatorRepository:
        """Return the annotators repository of this transaction."""
        ...


class HasProjects(Protocol):
    """A unit of work with the projects repository."""

    @property
    def projects(self) -> ProjectRepository:
        """Return the projects repository of this transaction."""
        ...


class HasItems(Protocol):
    """A unit of work with the items repository."""

    @property
    def items(self) -> ItemRepository:
        """Return the items repository of this transaction."""
        ...


class HasAssignments(Protocol):
    """A unit of work with the assignments repository."""

    @property
    def assignments(self) -> AssignmentRepository:
        """Return the assignments repository of this transaction."""
        ...


class HasAnswers(Protocol):
    """A unit of work with the answers repository."""

    @property
    def answers(self) -> AnswerRepository:
        """Return the answers repository of this transaction."""
        ...


class HasMedia(Protocol):
    """A unit of work with the media repository."""

    @property
    def media(self) -> MediaRepository:
        """Return the media repository of this transaction."""
        ...


class HasQuality(Protocol):
    """A unit of work with the quality repository."""

    @property
    def quality(self) -> QualityRepository:
        """Return the quality repository (standings, evidence, exclusions) of this transaction."""
        ...


class HasAudit(Protocol):
    """A unit of work with the audit log."""

    @property
    def audit(self) -> AuditRepository:
        """Return the audit log of this transaction."""
        ...


class HasOutbox(Protocol):
    """A unit of work with the broadcasts and their outbox."""

    @property
    def outbox(self) -> OutboxRepository:
        """Return the broadcasts and outbox of this transaction."""
        ...


class HasReminders(Protocol):
    """A unit of work with the reminder settings."""

    @property
    def reminders(self) -> ReminderRepository:
        """Return the reminder settings of this transaction."""
        ...


class HasEarnings(Protocol):
    """A unit of work with the earnings and payouts."""

    @property
    def earnings(self) -> EarningsRepository:
        """Return the earnings and payouts of this transaction."""
        ...


class HasStats(Protocol):
    """A unit of work with the statistics queries."""

    @property
    def stats(self) -> StatsRepository:
        """Return the statistics queries of this transaction."""
        ...


class HasSecrets(Protocol):
    """A unit of work with the installation's secrets."""

    @property
    def secrets(self) -> SecretRepository:
        """Return the secrets repository of this transaction."""
        ...


class HasSpeakers(Protocol):
    """A unit of work with the speakers' details and withdrawals."""

    @property
    def speakers(self) -> SpeakerRepository:
        """Return the speakers repository of this transaction."""
        ...


# Per group of use cases ----------------------------------------------------------------


class AccessWork(HasAnnotators, HasAudit, Protocol):
    """Roles and the audit log (``annotation.access``)."""


class MediaWork(HasMedia, Protocol):
    """Stored media and file ids (``annotation.media.library``)."""


class ImportWork(HasProjects, HasItems, HasMedia, Protocol):
    """Storing a project with its items and media (``CatalogService.add_in``)."""


class CatalogWork(ImportWork, HasAnswers, Protocol):
    """Projects as stored: create, list, find, snapshot (``annotation.intake.catalog``)."""


class OnboardingWork(HasAnnotators, HasProjects, HasAssignments, Protocol):
    """Registration, languages, joining a project (``annotation.loop.onboarding``)."""


class LabelsWork(HasProjects, HasItems, HasAnswers, Protocol):
    """Adaptive overlap's fits and decisions (``annotation.loop.live_labels``)."""


class LoopWork(HasAnnotators, HasProjects, HasItems, HasAssignments, HasAnswers, HasMedia,
               HasQuality, HasSpeakers, Protocol):
    """The annotator's loop with its quality control (``annotation.loop.tasks``)."""


class LifecycleWork(AccessWork, ImportWork, HasOutbox, Protocol):
    """Projects from the console (``annotation.console.lifecycle``)."""


class BroadcastWork(AccessWork, HasOutbox, HasProjects, Protocol):
    """Broadcasts and the sender's steps (``annotation.console.broadcasts``)."""


class EarningsWork(AccessWork, HasEarnings, HasProjects, Protocol):
    """Balances and payouts (``annotation.console.earnings``)."""


class ReminderWork(AccessWork, HasReminders, HasOutbox, Protocol):
    """Reminder periods, ``/mute`` and the reminder job (``annotation.console.reminders``)."""


class StatsWork(AccessWork, HasProjects, HasStats, Protocol):
    """``/stats`` and the daily digest (``annotation.console.stats``)."""


class QualityWork(HasAnnotators, HasProjects, HasQuality, Protocol):
    """Coordinators' quality decisions (``annotation.console.quality``)."""


class DatasetWork(HasAnnotators, HasProjects, HasItems, HasMedia, HasAnswers, HasSecrets,
                  HasSpeakers, Protocol):
    """Exports (``annotation.datasets.service``)."""


class SpeakerWork(HasAnnotators, HasItems, HasSpeakers, Protocol):
    """``/speaker`` and ``/withdraw`` (``annotation.loop.speakers``)."""


class UnitOfWork(LoopWork, AccessWork, HasOutbox, HasReminders, HasEarnings, HasStats,
                 HasSecrets, Protocol):
    """One transaction over every repository (``storage``, the composition root)."""


W = TypeVar("W", covariant=True)


class Store(Protocol[W]):
    """Opens units of work of type ``W``."""

    def write(self, *, bulk: bool = False) -> AbstractAsyncContextManager[W]:
        """Open a serialized write transaction, committed when the block exits cleanly.

        ``bulk``: a long transaction (an import, a payout): the store runs it so that the
        annotators' short transactions are not stalled behind it.
        """
        ...

    def read(self) -> AbstractAsyncContextManager[W]:
        """Open a read-only snapshot."""
        ...

    def snapshot(self) -> AbstractAsyncContextManager[W]:
        """Open a long read on a connection of its own (exports), blocking no one."""
        ...
