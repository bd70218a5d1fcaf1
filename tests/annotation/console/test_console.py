"""Pure policy of the coordinator's console: roles, pacing, audiences, the guided spec,
lifecycle, earnings, statistics and the chart."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from annotation.access import Actor, effective_role, require_admin, require_coordinator
from annotation.console.broadcasts import parse_broadcast
from annotation.console.earnings import (
    balances,
    earning_lines,
    payout_csv,
    payout_reference,
    period_bounds,
    previous_period,
)
from annotation.console.lifecycle import LifecycleAction, next_status
from annotation.console.pacing import Pacer, should_report
from annotation.console.records import (
    AnnotatorScore,
    AnswerCount,
    AudienceKind,
    BroadcastProgress,
    DeliveryStatus,
    HourCount,
    ItemValue,
    PaidTotal,
)
from annotation.console.stats import (
    accuracy_buckets,
    agreement,
    fill_hours,
    progress_series,
    top_annotators,
)
from annotation.errors import DomainError, PermissionDenied, ValidationFailed
from annotation.intake.guided_spec import GuidedSpec, GuidedStep, advance
from annotation.models import (
    AnnotatorId,
    AnswerType,
    ItemId,
    LocalizedText,
    ProjectId,
    ProjectSpec,
    ProjectStatus,
    Role,
)
from handlers.charts import ChartTexts, draw_chart


@pytest.mark.parametrize(("user", "stored", "expected"), [
    (1, None, Role.ADMIN), (1, Role.ANNOTATOR, Role.ADMIN), (2, Role.ADMIN, Role.ANNOTATOR),
    (2, Role.COORDINATOR, Role.COORDINATOR), (3, None, Role.ANNOTATOR)])
def test_admins_come_from_configuration_only(user: int, stored: Role | None,
                                             expected: Role) -> None:
    assert effective_role(user, stored, {1}) is expected


def test_role_checks() -> None:
    annotator = Actor(AnnotatorId(5), Role.ANNOTATOR)
    coordinator = Actor(AnnotatorId(6), Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        require_coordinator(annotator)
    require_coordinator(coordinator)
    with pytest.raises(PermissionDenied):
        require_admin(coordinator)
    require_admin(Actor(AnnotatorId(1), Role.ADMIN))


def test_pacer_spaces_sends_at_its_rate() -> None:
    pacer, now, sends = Pacer(rate=10.0, burst=3.0, now=0.0), 0.0, []
    for _ in range(21):
        now += pacer.delay(now)
        pacer.take(now)
        sends.append(now)
    assert sends[0] == 0.0
    assert sends[-1] == pytest.approx(2.0)  # 20 intervals of 0.1 s: no initial burst


def test_pacer_catches_up_at_most_burst_and_holds() -> None:
    pacer = Pacer(rate=10.0, burst=3.0, now=0.0)
    pacer.take(0.0)
    now = 5.0  # a long stall
    taken = 0
    while pacer.delay(now) == 0:
        pacer.take(now)
        taken += 1
    assert taken == 3
    pacer.hold(now, 2.0)
    assert pacer.delay(now) >= 2.0
    assert pacer.delay(now + 2.0) == pytest.approx(0.0, abs=0.11)


@given(st.floats(1, 100), st.lists(st.floats(0, 1), min_size=1, max_size=50))
def test_pacer_never_exceeds_rate_plus_burst(rate: float, gaps: list[float]) -> None:
    pacer, now, sends = Pacer(rate=rate, burst=3.0, now=0.0), 0.0, []
    for gap in gaps:
        now += gap
        now += pacer.delay(now)
        pacer.take(now)
        sends.append(now)
    window = sends[-1] - sends[0]
    assert len(sends) <= 3 + rate * window + 1e-6


@pytest.mark.parametrize(("raw", "kind", "text"), [
    ("all Hello\nthere", AudienceKind.ALL, "Hello\nthere"),
    ("project 3 Salut", AudienceKind.PROJECT, "Salut"),
    ("idle 7 Miverena", AudienceKind.IDLE, "Miverena"),
    ("all", AudienceKind.ALL, "")])
def test_parse_broadcast(raw: str, kind: AudienceKind, text: str) -> None:
    request, body = parse_broadcast(raw)
    assert request.kind is kind and body == text


@pytest.mark.parametrize("raw", ["", "everyone hi", "idle x hi", "idle 0 hi", "project"])
def test_parse_broadcast_rejects_bad_audiences(raw: str) -> None:
    with pytest.raises(DomainError):
        parse_broadcast(raw)


def test_progress_counts_and_report_throttle() -> None:
    progress = BroadcastProgress(3).plus(DeliveryStatus.SENT).plus(DeliveryStatus.BLOCKED)
    assert (progress.done, progress.finished) == (2, False)
    assert progress.plus(DeliveryStatus.UNCERTAIN).finished
    assert should_report(None, 0.0, False)
    assert not should_report(10.0, 11.0, False)
    assert should_report(10.0, 11.0, True)


def test_guided_conversation_skips_options_for_yes_no() -> None:
    state = GuidedSpec()
    for answer in ("Fruit", "Is it ripe?", "yes_no", "3", "10", "5"):
        state = advance(state, answer)
    assert state.step is GuidedStep.DONE
    spec = state.spec
    assert (spec.answer_type, spec.overlap, spec.gold_rate, spec.time_limit_seconds) == (
        AnswerType.YES_NO, 3, 0.1, 300)


def test_guided_conversation_reports_and_stays_put() -> None:
    state = GuidedSpec(GuidedStep.OPTIONS, {"name": "a", "question": "b",
                                            "answer_type": "single"})
    with pytest.raises(ValidationFailed) as raised:
        advance(state, "cat, cat")
    assert raised.value.problems[0].field == "options"
    assert advance(state, "cat, dog").step is GuidedStep.OVERLAP


@pytest.mark.parametrize(("status", "action", "expected"), [
    (ProjectStatus.DRAFT, LifecycleAction.OPEN, ProjectStatus.OPEN),
    (ProjectStatus.OPEN, LifecycleAction.PAUSE, ProjectStatus.PAUSED),
    (ProjectStatus.PAUSED, LifecycleAction.OPEN, ProjectStatus.OPEN),
    (ProjectStatus.PAUSED, LifecycleAction.CLOSE, ProjectStatus.CLOSED)])
def test_lifecycle(status: ProjectStatus, action: LifecycleAction,
                   expected: ProjectStatus) -> None:
    assert next_status(status, action) is expected


@pytest.mark.parametrize(("status", "action"), [
    (ProjectStatus.CLOSED, LifecycleAction.OPEN), (ProjectStatus.DRAFT, LifecycleAction.PAUSE),
    (ProjectStatus.OPEN, LifecycleAction.OPEN)])
def test_lifecycle_refuses(status: ProjectStatus, action: LifecycleAction) -> None:
    with pytest.raises(DomainError):
        next_status(status, action)


def _spec(reward: float, currency: str = "MGA") -> ProjectSpec:
    return ProjectSpec("p", LocalizedText({"en": "q"}), AnswerType.TEXT, reward=reward,
                       currency=currency)


def test_earnings_lines_balances_and_csv() -> None:
    counts = [AnswerCount(AnnotatorId(7), "=Rabe", ProjectId(1), 3),
              AnswerCount(AnnotatorId(7), "=Rabe", ProjectId(2), 2),
              AnswerCount(AnnotatorId(8), "Soa", ProjectId(3), 4)]
    specs = {ProjectId(1): _spec(20), ProjectId(2): _spec(5), ProjectId(3): _spec(0.5, "EUR")}
    lines = earning_lines(counts, specs)
    assert [(x.annotator_id, x.currency, x.answers, x.amount) for x in lines] == [
        (7, "MGA", 5, 70.0), (8, "EUR", 4, 2.0)]
    balance = balances(lines[:1], [PaidTotal("MGA", 60.0)])
    assert balance[0].due == 10.0
    text = payout_csv("2024-05", lines).decode("utf-8-sig")
    assert text.splitlines()[1] == f"7,'=Rabe,{payout_reference(7, '2024-05')},70.00,MGA,5,2024-05"


def test_periods_and_references() -> None:
    assert period_bounds("2024-12") == (datetime(2024, 12, 1, tzinfo=UTC),
                                        datetime(2025, 1, 1, tzinfo=UTC))
    assert previous_period(datetime(2024, 1, 15, tzinfo=UTC)) == "2023-12"
    reference = payout_reference(123456789, "2024-05")
    assert reference.startswith("ANB202405-123456789-") and reference.isascii()
    assert " " not in reference
    with pytest.raises(DomainError):
        period_bounds("2024-13")


def test_statistics() -> None:
    values = [ItemValue(ItemId(1), v) for v in "aab"] + [ItemValue(ItemId(2), "x")] \
        + [ItemValue(ItemId(3), v) for v in "cc"]
    assert agreement(values) == pytest.approx((2 / 3 + 1) / 2)
    scores = [AnnotatorScore(AnnotatorId(i), f"a{i}", 10 * i, 4, c)
              for i, c in ((1, 4), (2, 1), (3, 3))] + [AnnotatorScore(AnnotatorId(9), "new",
                                                                      1, 1, 1)]
    assert accuracy_buckets(scores) == (1, 0, 1, 1)
    assert [s.annotator_id for s in top_annotators(scores, 2)] == [3, 2]
    now = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    hours = fill_hours([HourCount(datetime(2024, 5, 1, 11, tzinfo=UTC), 5)], now, hours=3)
    assert [h.answers for h in hours] == [0, 5, 0]
    assert progress_series(hours, counted=10, needed=20) == [0.25, 0.5, 0.5]


def test_chart_is_a_small_png() -> None:
    texts = ChartTexts("Réponses", "Progression (%)", "Réponses par heure", "48 h")
    data = draw_chart([i / 48 for i in range(48)], [i % 7 * 10 for i in range(48)], texts)
    assert len(data) < 60_000
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (720, 480)
