"""Project statistics for ``/stats`` and the coordinators' daily digest.

Progress counts answers towards each regular item's overlap (an item never counts more than
``overlap``). Agreement is the mean, over non-gold items with at least two answers, of the
share of answers equal to the item's most frequent answer (1.0: everyone agreed). Gold
accuracy is bucketed over annotators with at least ``MIN_GOLD`` checked answers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from annotation.access import AccessService, effective_role, require_coordinator
from annotation.console.records import AnnotatorScore, HourCount, ItemValue, ProjectCounts
from annotation.models import (
    ItemId,
    Project,
    ProjectId,
    ProjectStatus,
    Recipient,
    Role,
)
from annotation.ports.store import StatsWork, Store

TOP = 5
HOURS_SHOWN = 48
ACCURACY_BUCKETS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 1.01))


@dataclass(frozen=True, slots=True)
class ProjectStats:
    """Everything ``/stats`` shows of one project."""

    project: Project
    counts: ProjectCounts
    hourly: tuple[HourCount, ...]  # the last HOURS_SHOWN hours, oldest first, zeros filled
    agreement: float | None
    accuracy_buckets: tuple[int, ...]  # annotators per ACCURACY_BUCKETS entry
    top: tuple[AnnotatorScore, ...]

    @property
    def progress(self) -> float:
        """Return the share of wanted answers given."""
        return self.counts.progress(self.project.spec.overlap)

    @property
    def last_hour(self) -> int:
        """Return the answers of the last full or running hour."""
        return self.hourly[-1].answers if self.hourly else 0

    @property
    def per_hour(self) -> float:
        """Return the mean answers per hour over the last 24 hours."""
        recent = self.hourly[-24:]
        return sum(h.answers for h in recent) / 24 if recent else 0.0


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One project in the daily digest."""

    project: Project
    progress: float
    answers_today: int
    gold_exhausted: int  # active annotators with no unseen gold left
    new_suspensions: int  # annotators suspended by quality control in the last 24 hours


def agreement(values: Sequence[ItemValue]) -> float | None:
    """Return the mean majority share over items with two answers or more."""
    by_item: dict[ItemId, list[str]] = defaultdict(list)
    for value in values:
        by_item[value.item_id].append(value.value)
    shares = [Counter(answers).most_common(1)[0][1] / len(answers)
              for answers in by_item.values() if len(answers) >= 2]
    return sum(shares) / len(shares) if shares else None


def accuracy_buckets(scores: Sequence[AnnotatorScore]) -> tuple[int, ...]:
    """Count annotators per gold accuracy bucket (those with too few checks left out)."""
    counts = [0] * len(ACCURACY_BUCKETS)
    for score in scores:
        accuracy = score.accuracy
        if accuracy is None:
            continue
        for index, (low, high) in enumerate(ACCURACY_BUCKETS):
            if low <= accuracy < high:
                counts[index] += 1
    return tuple(counts)


def top_annotators(scores: Sequence[AnnotatorScore], n: int = TOP) -> tuple[AnnotatorScore, ...]:
    """Return the ``n`` annotators with the most answers (ties: better accuracy, then id)."""
    return tuple(sorted(scores, key=lambda s: (-s.answers, -(s.accuracy or 0.0),
                                               s.annotator_id))[:n])


def hour_of(moment: datetime) -> datetime:
    """Return the start of the hour ``moment`` falls in."""
    return moment.replace(minute=0, second=0, microsecond=0)


def fill_hours(counts: Sequence[HourCount], now: datetime, hours: int = HOURS_SHOWN
               ) -> tuple[HourCount, ...]:
    """Return one entry per hour of the last ``hours`` hours (missing hours as zero)."""
    by_hour = {hour_of(c.hour): c.answers for c in counts}
    last = hour_of(now)
    return tuple(HourCount(h, by_hour.get(h, 0))
                 for h in (last - timedelta(hours=hours - 1 - i) for i in range(hours)))


def progress_series(hourly: Sequence[HourCount], counted: int, needed: int) -> list[float]:
    """Return progress (0..1) at the end of each hour, ending at the current ``counted``.

    Worked backwards from now, so the line always ends at the progress shown in the text
    (hourly counts include gold answers: earlier points are slightly low, never above).
    """
    series = []
    remaining = counted
    for hour in reversed(hourly):
        series.append(max(0.0, min(1.0, remaining / needed)) if needed else 1.0)
        remaining -= hour.answers
    return series[::-1]


class StatsService:
    """``/stats`` for coordinators, and the daily digest."""

    def __init__(self, store: Store[StatsWork], access: AccessService, *,
                 clock: Callable[[], datetime], admins: Collection[int] = ()) -> None:
        self._store = store
        self._access = access
        self._clock = clock
        self._admins = frozenset(admins)

    async def project_stats(self, user_id: int, project_id: ProjectId) -> ProjectStats:
        """Return a project's statistics (coordinators only)."""
        now = self._clock()
        async with self._store.read() as uow:
            require_coordinator(await self._access.actor_in(uow, user_id))
            project = await uow.projects.get(project_id)
            assert project is not None
            counts = await uow.stats.counts(project.id, project.spec.overlap)
            hourly = await uow.stats.hourly(project.id, now - timedelta(hours=HOURS_SHOWN))
            scores = await uow.stats.scores(project.id)
            values = await uow.stats.values(project.id)
        return ProjectStats(project, counts, fill_hours(hourly, now), agreement(values),
                            accuracy_buckets(scores), top_annotators(scores))

    async def digest(self) -> tuple[list[Recipient], list[DigestLine]]:
        """Return who gets the daily digest and a line per open or paused project."""
        now = self._clock()
        lines = []
        async with self._store.read() as uow:
            staff = await uow.audit.staff()
            recipients = []
            for member in staff:
                if effective_role(member.id, member.role, self._admins) is Role.ANNOTATOR:
                    continue
                annotator = await uow.annotators.get(member.id)
                if annotator is not None and not annotator.blocked:
                    recipients.append(Recipient(member.id, annotator.language))
            for project in await uow.projects.all():
                if project.status not in (ProjectStatus.OPEN, ProjectStatus.PAUSED):
                    continue
                counts = await uow.stats.counts(project.id, project.spec.overlap)
                day = await uow.stats.hourly(project.id, now - timedelta(hours=24))
                exhausted = await uow.stats.gold_exhausted(project.id, now - timedelta(days=7))
                suspended = await uow.stats.suspended_since(project.id, now - timedelta(hours=24))
                lines.append(DigestLine(project, counts.progress(project.spec.overlap),
                                        sum(h.answers for h in day), exhausted, suspended))
        return recipients, lines
