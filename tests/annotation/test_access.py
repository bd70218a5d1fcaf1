"""One access policy: every privileged use case checks the caller's role itself.

``PRIVILEGED`` lists every use case a coordinator or admin may run and an annotator may not,
with the role it needs. Each is run on the fake store as a registered annotator and as a
stranger who never started the bot (and, for the admins' ones, as a coordinator): each is
refused with ``PermissionDenied`` and leaves every table as it was. Run by the role it needs,
it is not refused. ``OPEN`` names the other public methods of these services and why they
are not privileged; a new public method missing from both tables fails
:func:`test_every_public_method_is_classified`.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotation.access import AccessService
from annotation.console.broadcasts import BroadcastService
from annotation.console.earnings import EarningsService
from annotation.console.lifecycle import LifecycleAction, LifecycleService
from annotation.console.quality import QualityService
from annotation.console.records import AudienceKind, AudienceRequest
from annotation.console.reminders import ReminderService
from annotation.console.stats import StatsService
from annotation.datasets.service import DatasetService, ExportRequest
from annotation.errors import DomainError, PermissionDenied
from annotation.intake.catalog import CatalogService
from annotation.loop.onboarding import OnboardingService
from annotation.models import AnnotatorId, ProjectId, Role
from storage.datasets import open_dataset_folder
from tests.clocks import FakeClock
from tests.fakes.store import FakeStore
from tests.projects import make_items, make_spec

ADMIN, COORDINATOR, ANNOTATOR, STRANGER = 1, 2, 3, 4


@dataclass(frozen=True, slots=True)
class Console:
    """Every privileged service over one store, and the rows the cases act on."""

    access: AccessService
    lifecycle: LifecycleService
    datasets: DatasetService
    broadcasts: BroadcastService
    reminders: ReminderService
    earnings: EarningsService
    stats: StatsService
    quality: QualityService
    project: ProjectId
    broadcast: int
    out: Path


Call = Callable[[Console, int], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Case:
    """One privileged use case: the method, the role it needs, and how to call it."""

    service: type
    method: str
    role: Role
    call: Call


C, A = Role.COORDINATOR, Role.ADMIN
PRIVILEGED: tuple[Case, ...] = (
    Case(LifecycleService, "create", C,
         lambda s, u: s.lifecycle.create(u, make_spec(name="New"), make_items(2))),
    Case(LifecycleService, "find", C, lambda s, u: s.lifecycle.find(u, None)),
    Case(LifecycleService, "all", C, lambda s, u: s.lifecycle.all(u)),
    Case(LifecycleService, "change", C,
         lambda s, u: s.lifecycle.change(u, s.project, LifecycleAction.OPEN)),
    Case(LifecycleService, "preview", C, lambda s, u: s.lifecycle.preview(u, s.project, 0)),
    Case(DatasetService, "project", A, lambda s, u: s.datasets.project(u, None)),
    Case(DatasetService, "export", A,
         lambda s, u: s.datasets.export(u, ExportRequest(s.project), s.out)),
    Case(BroadcastService, "draft", C,
         lambda s, u: s.broadcasts.draft(u, AudienceRequest(AudienceKind.ALL), "hi")),
    Case(BroadcastService, "confirm", C, lambda s, u: s.broadcasts.confirm(u, s.broadcast, 1, 1)),
    Case(BroadcastService, "cancel", C, lambda s, u: s.broadcasts.cancel(u, s.broadcast)),
    Case(ReminderService, "set_period", C, lambda s, u: s.reminders.set_period(u, s.project, 24)),
    Case(EarningsService, "payout_file", A, lambda s, u: s.earnings.payout_file(u, None)),
    Case(EarningsService, "mark_paid", A, lambda s, u: s.earnings.mark_paid(u, "2025-12")),
    Case(AccessService, "set_coordinator", A,
         lambda s, u: s.access.set_coordinator(u, 5, "", True)),
    Case(AccessService, "staff", A, lambda s, u: s.access.staff(u)),
    Case(AccessService, "recent", A, lambda s, u: s.access.recent(u)),
    Case(AccessService, "lookup", A, lambda s, u: s.access.lookup(u, ANNOTATOR)),
    Case(StatsService, "project_stats", C, lambda s, u: s.stats.project_stats(u, s.project)),
    Case(QualityService, "decide", C,
         lambda s, u: s.quality.decide(u, s.project, AnnotatorId(ANNOTATOR), True)),
    Case(QualityService, "suspend", C,
         lambda s, u: s.quality.suspend(u, s.project, AnnotatorId(ANNOTATOR))),
    Case(QualityService, "roster", C, lambda s, u: s.quality.roster(u, s.project, 0)),
)

_JOB = "a job of the bot's own (bot/jobs.py, bot/broadcaster.py): no user reaches it"
_OWN = "the caller's own data, for everyone"
OPEN: dict[tuple[type, str], str] = {
    (BroadcastService, "recover"): _JOB,
    (BroadcastService, "sending"): _JOB,
    (BroadcastService, "claim"): _JOB,
    (BroadcastService, "settle"): _JOB,
    (BroadcastService, "progress"): _JOB,
    (BroadcastService, "finish"): _JOB,
    (BroadcastService, "project_name"): "renders a broadcast for the sender job",
    (ReminderService, "mute"): _OWN,
    (ReminderService, "queue_due"): _JOB,
    (EarningsService, "balance"): _OWN,
    (StatsService, "digest"): _JOB,
    (QualityService, "is_coordinator"): "reads a role (which buttons to show)",
    (QualityService, "score"): _OWN,
    (QualityService, "appeal"): _OWN,
    (QualityService, "review_all"): _JOB,
    (AccessService, "actor"): "reads a role (which menu or help to show)",
    (AccessService, "actor_in"): "the check itself, inside a use case's transaction",
    (AccessService, "member"): "reads a role (which command menu to publish)",
    (AccessService, "menu_holders"): "who gets a staff menu or an alert (start-up, alerts)",
    (AccessService, "coordinator"): "an early refusal before an upload is downloaded; "
                                    "LifecycleService.create checks again",
}


def _public_methods(service: type) -> set[str]:
    return {name for name, member in inspect.getmembers(service, inspect.iscoroutinefunction)
            if not name.startswith("_")}


def test_every_public_method_is_classified() -> None:
    services = {case.service for case in PRIVILEGED}
    classified = {(case.service, case.method) for case in PRIVILEGED} | set(OPEN)
    public = {(service, name) for service in services for name in _public_methods(service)}
    assert public - classified == set(), "classify new methods in PRIVILEGED or OPEN"
    assert classified - public == set(), "stale entries"


@pytest.fixture
async def console(store: FakeStore, clock: FakeClock, tmp_path: Path
                  ) -> AsyncIterator[Console]:
    admins = {ADMIN}
    access = AccessService(store, clock=clock, admins=admins)
    annotators = OnboardingService(store, clock=clock, admins=admins)
    for user in (ADMIN, COORDINATOR, ANNOTATOR):
        await annotators.register(AnnotatorId(user), f"user {user}", "en", None)
    await access.set_coordinator(ADMIN, COORDINATOR, "", True)
    projects = LifecycleService(store, access, CatalogService(store, clock=clock),
                                clock=clock)
    project = await projects.create(ADMIN, make_spec(), make_items(3, gold=1))
    broadcasts = BroadcastService(store, access, clock=clock)
    draft = await broadcasts.draft(ADMIN, AudienceRequest(AudienceKind.ALL), "hello")
    yield Console(
        access=access, lifecycle=projects,
        datasets=DatasetService(store, access, clock=clock, folders=open_dataset_folder),
        broadcasts=broadcasts,
        reminders=ReminderService(store, access, clock=clock),
        earnings=EarningsService(store, access, clock=clock),
        stats=StatsService(store, access, clock=clock, admins=admins),
        quality=QualityService(store, clock=clock, admins=admins),
        project=project.id, broadcast=draft.broadcast.id, out=tmp_path / "export")


def _name(case: Case) -> str:
    return f"{case.service.__name__}.{case.method}"


# every use case as an annotator and as a stranger; admin-only ones as a coordinator too
REFUSALS = [pytest.param(case, caller, id=f"{_name(case)}-{who}")
            for case in PRIVILEGED
            for caller, who in ((ANNOTATOR, "annotator"), (STRANGER, "stranger"),
                                (COORDINATOR, "coordinator"))
            if caller != COORDINATOR or case.role is Role.ADMIN]


@pytest.mark.parametrize(("case", "caller"), REFUSALS)
async def test_refused_without_the_role(console: Console, store: FakeStore, case: Case,
                                        caller: int) -> None:
    before = store.state.copy()  # every row of every table: the database as a value
    with pytest.raises(PermissionDenied):
        await case.call(console, caller)
    assert store.state == before
    assert not console.out.exists()


@pytest.mark.parametrize("case", PRIVILEGED, ids=_name)
async def test_allowed_with_the_role(console: Console, case: Case) -> None:
    caller = ADMIN if case.role is Role.ADMIN else COORDINATOR
    try:
        await case.call(console, caller)
    except PermissionDenied:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"{_name(case)} refused a {case.role.value}")
    except DomainError:  # e.g. nobody to decide on: allowed, nothing to do
        pass
