"""Earnings and payouts: each accepted answer earns its project's reward.

Some answers are checked by other annotators before they count: a kind whose
``paid_on_review`` is set (a recording) earns only once the votes of a project reviewing it
(its checks) accept it, at the vote that first makes them accept it (``TaskKind.review``);
that moment, not the recording's, places it in a period, so a recording accepted after its
month was paid is paid with the next one. A check is an answer like any other and earns its
own project's reward. Withdrawing recordings (``/withdraw``) takes nothing earned back.

Periods are UTC calendar months written ``YYYY-MM``. A period can be marked paid once it is
over; the payout file lists, per annotator and currency, the answers and the amount, with a
reference fit for a phone-money transfer (ASCII letters, digits and dashes, with a mod-97
check so a mistyped reference is caught). Balance = everything earned - everything paid.
Excluded answers (quality control) earn nothing: the repository does not count them.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from annotation.access import AccessService, require_admin
from annotation.console.records import AnswerCount, EarningLine, PaidTotal, ReviewVote
from annotation.datasets.tabular import neutralize_cell
from annotation.errors import DomainError, ErrorCode
from annotation.kinds.registry import kind_of
from annotation.models import AnnotatorId, AssignmentId, ProjectId, ProjectSpec
from annotation.ports.store import EarningsWork, HasProjects, Store
from annotation.records import AuditAction, AuditEntry

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
CSV_HEADER = ("annotator_id", "name", "reference", "amount", "currency", "answers", "period")


@dataclass(frozen=True, slots=True)
class Balance:
    """An annotator's earnings in one currency."""

    currency: str
    answers: int
    earned: float
    paid: float

    @property
    def due(self) -> float:
        """Return what is still to be paid."""
        return round(self.earned - self.paid, 2)


@dataclass(frozen=True, slots=True)
class PayoutFile:
    """A period's payout lines and the CSV written from them."""

    period: str
    lines: tuple[EarningLine, ...]
    csv: bytes
    already_paid: bool

    def total(self) -> dict[str, float]:
        """Return the amount per currency."""
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[line.currency] += line.amount
        return {currency: round(amount, 2) for currency, amount in sorted(totals.items())}


def period_of(moment: datetime) -> str:
    """Return the period (UTC month) a moment falls in."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """Return the start (inclusive) and end (exclusive) of a period."""
    match = PERIOD.match(period)
    if match is None:
        raise DomainError(ErrorCode.USAGE, value=period)
    year, month = int(match.group(1)), int(match.group(2))
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def previous_period(now: datetime) -> str:
    """Return the last period that is over."""
    start, _end = period_bounds(period_of(now))
    return period_of(start - timedelta(days=1))


def payout_reference(annotator_id: int, period: str) -> str:
    """Return the transfer reference of one payout: ``ANB202405-123456789-42``."""
    compact = period.replace("-", "")
    check = int(f"{compact}{annotator_id}") % 97
    return f"ANB{compact}-{annotator_id}-{check:02d}"


def accepted_at(votes: Sequence[ReviewVote], spec: ProjectSpec) -> datetime | None:
    """Return when one reviewing project's votes on an answer (in the order given) first
    accept it, or None if they never do."""
    counts: dict[str, int] = defaultdict(int)
    kind = kind_of(spec)
    for vote in votes:
        counts[vote.value] += 1
        if kind.review(spec, counts):
            return vote.at
    return None


def reviewed_counts(votes: Sequence[ReviewVote], specs: Mapping[ProjectId, ProjectSpec],
                    start: datetime | None, end: datetime | None) -> list[AnswerCount]:
    """Count the reviewed answers accepted within [start, end) per annotator and project;
    an answer reviewed in several projects counts once, when the first accepts it."""
    grouped: dict[AssignmentId, dict[ProjectId, list[ReviewVote]]] = defaultdict(
        lambda: defaultdict(list))
    for vote in votes:
        grouped[vote.assignment_id][vote.reviewer_project].append(vote)
    counts: dict[tuple[AnnotatorId, str, ProjectId], int] = defaultdict(int)
    for by_reviewer in grouped.values():
        moments = [moment for reviewer, given in by_reviewer.items() if reviewer in specs
                   and (moment := accepted_at(given, specs[reviewer])) is not None]
        if moments and (start is None or min(moments) >= start) and (
                end is None or min(moments) < end):
            first = next(iter(by_reviewer.values()))[0]
            counts[first.annotator_id, first.name, first.project_id] += 1
    return [AnswerCount(annotator, name, project, n)
            for (annotator, name, project), n in sorted(counts.items())]


def earning_lines(counts: Sequence[AnswerCount], specs: Mapping[ProjectId, ProjectSpec]
                  ) -> list[EarningLine]:
    """Sum accepted answers into amounts per annotator and currency (sorted by annotator)."""
    answers: dict[tuple[AnnotatorId, str], int] = defaultdict(int)
    amounts: dict[tuple[AnnotatorId, str], float] = defaultdict(float)
    names: dict[AnnotatorId, str] = {}
    for count in counts:
        spec = specs.get(count.project_id)
        if spec is None:
            continue
        key = (count.annotator_id, spec.currency)
        answers[key] += count.answers
        amounts[key] += count.answers * spec.reward
        names[count.annotator_id] = count.name
    return [
        EarningLine(annotator, names[annotator], currency, answers[(annotator, currency)],
                    round(amounts[(annotator, currency)], 2))
        for annotator, currency in sorted(answers)
        if amounts[(annotator, currency)] > 0
    ]


def payout_csv(period: str, lines: Sequence[EarningLine]) -> bytes:
    """Write the payout file (UTF-8 with BOM for spreadsheets; formula-safe cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for line in lines:
        row = (line.annotator_id, line.name, payout_reference(line.annotator_id, period),
               f"{line.amount:.2f}", line.currency, line.answers, period)
        writer.writerow([neutralize_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def balances(lines: Sequence[EarningLine], paid: Sequence[PaidTotal]) -> list[Balance]:
    """Return earned, paid and due per currency."""
    paid_by = {total.currency: total.amount for total in paid}
    result = [Balance(line.currency, line.answers, line.amount, paid_by.pop(line.currency, 0.0))
              for line in lines]
    result += [Balance(currency, 0, 0.0, amount) for currency, amount in paid_by.items()]
    return result


class EarningsService:
    """Balances for annotators; payout files and marking periods paid for admins."""

    def __init__(self, store: Store[EarningsWork], access: AccessService, *,
                 clock: Callable[[], datetime]) -> None:
        self._store = store
        self._access = access
        self._clock = clock

    async def balance(self, annotator_id: AnnotatorId) -> list[Balance]:
        """Return the annotator's earnings per currency."""
        async with self._store.read() as uow:
            specs = await _specs(uow)
            counts = await _accepted(uow, specs, None, None, annotator_id)
            paid = await uow.earnings.paid(annotator_id)
        return balances(earning_lines(counts, specs), paid)

    async def payout_file(self, admin_id: int, period: str | None) -> PayoutFile:
        """Build the payout file of a period (the last one over by default; admins only)."""
        chosen = period or previous_period(self._clock())
        start, end = period_bounds(chosen)
        async with self._store.write() as uow:  # the audit entry, with the check and reads
            actor = await self._access.actor_in(uow, admin_id)
            require_admin(actor)
            specs = await _specs(uow)
            lines = earning_lines(await _accepted(uow, specs, start, end), specs)
            already = await uow.earnings.period_paid(chosen)
            await uow.audit.add(AuditEntry(self._clock(), actor.id, AuditAction.PAYOUT_EXPORT,
                                           chosen, f"{len(lines)} lines"))
        return PayoutFile(chosen, tuple(lines), payout_csv(chosen, lines), already)

    async def mark_paid(self, admin_id: int, period: str) -> int:
        """Record a finished period as paid (once); return how many lines were recorded."""
        start, end = period_bounds(period)
        now = self._clock()
        if end > now:
            raise DomainError(ErrorCode.PERIOD_NOT_OVER, value=period)
        async with self._store.write(bulk=True) as uow:
            actor = await self._access.actor_in(uow, admin_id)
            require_admin(actor)
            specs = await _specs(uow)
            lines = earning_lines(await _accepted(uow, specs, start, end), specs)
            references = [payout_reference(line.annotator_id, period) for line in lines]
            added = await uow.earnings.add_payouts(period, lines, references, now, actor.id)
            await uow.audit.add(AuditEntry(now, actor.id, AuditAction.PAYOUT_MARK, period,
                                           f"{added} lines"))
            return added


async def _specs(uow: HasProjects) -> dict[ProjectId, ProjectSpec]:
    return {project.id: project.spec for project in await uow.projects.all()}


async def _accepted(uow: EarningsWork, specs: Mapping[ProjectId, ProjectSpec],
                    start: datetime | None, end: datetime | None,
                    annotator_id: AnnotatorId | None = None) -> list[AnswerCount]:
    """Return the answers that earn within [start, end): the accepted ones, and those of
    the projects paid on review once their checks accept them."""
    reviewed = {project for project, spec in specs.items() if kind_of(spec).paid_on_review}
    counts = list(await uow.earnings.accepted(start, end, annotator_id, reviewed=reviewed))
    if reviewed:
        votes = await uow.earnings.votes(reviewed, end, annotator_id)
        counts += reviewed_counts(votes, specs, start, end)
    return counts
