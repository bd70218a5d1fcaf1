"""The live adaptive-overlap decisions: when to refit, whose skill counts, what a fit
settles or reopens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from annotation.aggregation.models import AnnotatorSkill
from annotation.datasets.labels import LiveSkills
from annotation.loop.live_labels import (
    REFIT_INTERVAL,
    REFIT_MIN_ANSWERS,
    Fit,
    annotator_skills,
    crowd_errors,
    keeps_open,
    refit_due,
    sweep,
    tempered,
)
from annotation.models import (
    AnnotatorId,
    AnswerType,
    ItemId,
    LocalizedText,
    Project,
    ProjectId,
    ProjectSpec,
    ProjectStatus,
)
from annotation.records import ItemVotes

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
LABELS = ("1", "2", "3", "4")


def _project(target: float = 0.95) -> Project:
    spec = ProjectSpec(name="Count", question=LocalizedText({"en": "How many?"}),
                       answer_type=AnswerType.SINGLE, options=LABELS, overlap=4,
                       min_overlap=2, confidence_target=target)
    return Project(ProjectId(1), spec, ProjectStatus.OPEN, "invite", NOW)


def _fit(answers: int, at: datetime = NOW,
         skills: dict[str, AnnotatorSkill] | None = None) -> Fit:
    return Fit(LiveSkills(skills or {}, (0.25,) * 4), answers, at)


def test_a_project_never_fitted_is_due_at_once() -> None:
    assert refit_due(0, None, NOW)


def test_the_refit_follows_the_volume_of_new_answers() -> None:
    small, big = _fit(50), _fit(2_000)
    assert not refit_due(REFIT_MIN_ANSWERS - 1, small, NOW)
    assert refit_due(REFIT_MIN_ANSWERS, small, NOW)
    assert not refit_due(150, big, NOW)  # under a tenth of what the last fit saw
    assert refit_due(200, big, NOW)


def test_the_timer_refits_only_when_something_came_in() -> None:
    old = _fit(2_000, NOW - REFIT_INTERVAL)
    assert refit_due(1, old, NOW)
    assert not refit_due(0, old, NOW)
    assert not refit_due(1, _fit(2_000, NOW - REFIT_INTERVAL + timedelta(seconds=1)), NOW)


def test_an_annotator_missing_from_the_fit_counts_with_their_gold_record() -> None:
    fitted = {"7": AnnotatorSkill("7", 0.6, 40, None)}
    skills = annotator_skills(["7", "8", "9"], fitted, {"8": (8, 8)})
    assert skills["7"] == fitted["7"]
    assert skills["8"].accuracy == (0.5 + 8) / (1 + 8)  # training and exam: 8 of 8
    assert skills["9"].accuracy == 0.5  # nothing known yet


def test_two_agreeing_newcomers_with_a_clean_exam_are_trusted_before_any_fit() -> None:
    skills = annotator_skills(["8", "9"], {}, {"8": (5, 5), "9": (5, 5)})
    assert not keeps_open(_project(), [("8", "2"), ("9", "2")], skills, None)
    unknown = annotator_skills(["8", "9"], {}, {})
    assert keeps_open(_project(), [("8", "2"), ("9", "2")], unknown, None)


def test_a_fit_settles_trusted_items_and_reopens_doubtful_ones() -> None:
    good = AnnotatorSkill("1", 0.95, 100, None)
    constant = AnnotatorSkill("2", 0.25, 100, None)  # the fit found a constant clicker
    fit = LiveSkills({"1": good, "2": constant, "3": good}, (0.25,) * 4)
    undecided = [
        ItemVotes(ItemId(10), 2, False, ((AnnotatorId(1), "2"), (AnnotatorId(3), "2"))),
        ItemVotes(ItemId(11), 2, True, ((AnnotatorId(1), "1"), (AnnotatorId(2), "1"))),
        ItemVotes(ItemId(12), 3, False, ((AnnotatorId(1), "1"), (AnnotatorId(3), "2"),
                                         (AnnotatorId(2), "2"))),
    ]
    changes = sweep(_project(), undecided, fit, {})
    assert changes == [(ItemId(10), True, 2), (ItemId(11), False, 2)]


def _confusion(right: float) -> tuple[tuple[float, ...], ...]:
    wrong = (1 - right) / 3
    return tuple(tuple(right if k == t else wrong for k in range(4)) for t in range(4))


def test_a_fit_on_few_answers_counts_one_coin_and_no_surer_than_its_evidence() -> None:
    few = tempered(AnnotatorSkill("5", 0.986, 11, _confusion(0.986)))
    assert few.confusion is None and few.accuracy == (0.5 + 11) / (1 + 11)
    many = AnnotatorSkill("6", 0.986, 40, _confusion(0.986))  # ten answers per label
    assert tempered(many) == many


def _neighbourly(right: float) -> tuple[tuple[float, ...], ...]:
    """A confusion matrix whose errors go to the neighbouring counts only."""
    rows = []
    for t in range(4):
        near = [k for k in (t - 1, t + 1) if 0 <= k < 4]
        rows.append(tuple(right if k == t else (1 - right) / len(near) if k in near else 0.0
                          for k in range(4)))
    return tuple(rows)


def test_the_crowd_error_pattern_pools_the_fit_by_answers() -> None:
    fitted = {"1": AnnotatorSkill("1", 0.8, 3_000, _neighbourly(0.8)),
              "2": AnnotatorSkill("2", 0.8, 1_000, _confusion(0.8))}
    errors = crowd_errors(LiveSkills(fitted, (0.25,) * 4))
    assert errors is not None
    # label 1's 150 + 50 expected wrong answers, and 20 even pseudo-answers
    wrong = 150 + 50
    assert errors[0] == pytest.approx((0.0, (150 + 50 / 3 + 20 / 3) / (wrong + 20),
                                        (50 / 3 + 20 / 3) / (wrong + 20),
                                        (50 / 3 + 20 / 3) / (wrong + 20)))
    assert all(abs(sum(row) - 1) < 1e-9 and row[t] == 0 for t, row in enumerate(errors))
    few = crowd_errors(LiveSkills({"1": AnnotatorSkill("1", 0.8, 20, _neighbourly(0.8))},
                                  (0.25,) * 4))
    assert few is not None and max(few[0]) < 0.4  # little evidence: close to even
    assert crowd_errors(LiveSkills({"3": AnnotatorSkill("3", 0.8, 10, None)},
                                   (0.25,) * 4)) is None


def test_where_people_confuse_neighbours_two_agreeing_votes_count_for_less() -> None:
    errors = crowd_errors(LiveSkills({"1": AnnotatorSkill("1", 0.8, 4_000, _neighbourly(0.8))},
                                     (0.25,) * 4))
    few = {"8": AnnotatorSkill("8", 0.85, 12, _neighbourly(0.85)),
           "9": AnnotatorSkill("9", 0.85, 12, _neighbourly(0.85))}
    even = annotator_skills(["8", "9"], few, {})
    shaped = annotator_skills(["8", "9"], few, {}, errors)
    assert even["8"].confusion is None  # one-coin: errors spread evenly
    assert shaped["8"].confusion is not None
    assert shaped["8"].confusion[1][0] == pytest.approx(0.15 * (100 + 20 / 3) / 220)
    votes = [("8", "2"), ("9", "2")]
    assert not keeps_open(_project(0.97), votes, even, None)  # 0.99: settled
    assert keeps_open(_project(0.97), votes, shaped, None)  # 0.96: a neighbour may be right
