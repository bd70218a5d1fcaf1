"""Boxes and points: IoU, one-to-one matching, consensus of annotators, agreement."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotation.aggregation.boxes import (
    Box,
    BoxMatch,
    Point,
    consensus_boxes,
    distance,
    iou,
    match_boxes,
    match_marks,
    match_points,
)
from annotation.aggregation.models import AggregationError

CAR = "car"


def car(x: float, y: float, w: float = 0.2, h: float = 0.2) -> Box:
    return Box(CAR, x, y, w, h)


# --- IoU ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (car(0.1, 0.1), car(0.1, 0.1), 1.0),
        (car(0, 0, 0.4, 0.4), car(0.2, 0.2, 0.4, 0.4), 0.04 / 0.28),  # 1/7
        (car(0, 0), car(0.1, 0), 0.02 / 0.06),  # shifted by half its width: 1/3
        (car(0, 0, 0.4, 0.4), car(0.1, 0.1), 0.04 / 0.16),  # one inside the other
        (car(0, 0, 0.4, 0.2), car(0, 0), 0.5),
        (car(0, 0), car(0.2, 0), 0.0),  # touching edges
        (car(0, 0), car(0.5, 0.5), 0.0),
        (car(0, 0, 0, 0.2), car(0, 0), 0.0),  # degenerate: no width
        (car(0, 0, 0.2, -0.1), car(0, 0), 0.0),
        (car(0, 0, float("nan"), 0.2), car(0, 0), 0.0),
        (Box("person", 0.1, 0.1, 0.2, 0.2), car(0.1, 0.1), 1.0),  # pure geometry: no labels
    ],
)
def test_iou_of_known_boxes(a: Box, b: Box, expected: float) -> None:
    assert iou(a, b) == pytest.approx(expected)
    assert iou(b, a) == pytest.approx(expected)


def test_box_corners() -> None:
    box = car(0.1, 0.2, 0.3, 0.4)
    assert (box.x2, box.y2) == pytest.approx((0.4, 0.6))


# --- matching ----------------------------------------------------------------------------


def test_matching_with_a_missing_and_an_extra_box() -> None:
    truth = [car(0.1, 0.1), car(0.6, 0.1), Box("person", 0.1, 0.6, 0.2, 0.3)]
    drawn = [
        Box("person", 0.11, 0.6, 0.2, 0.3),  # matches the person
        car(0.12, 0.1),  # matches the first car: IoU 0.18/0.22
        car(0.6, 0.7),  # nothing there: extra; the second car is missed
    ]
    found = match_boxes(drawn, truth)
    assert (found.matched, found.missed, found.extra) == (2, 1, 1)
    assert found.precision == pytest.approx(2 / 3)
    assert found.recall == pytest.approx(2 / 3)
    assert found.f1 == pytest.approx(2 / 3)
    assert found.mean_iou == pytest.approx((0.18 / 0.22 + 0.057 / 0.063) / 2)


def test_a_box_of_another_class_does_not_match() -> None:
    found = match_boxes([Box("person", 0.1, 0.1, 0.2, 0.2)], [car(0.1, 0.1)])
    assert (found.matched, found.missed, found.extra, found.f1) == (0, 1, 1, 0.0)
    assert found.mean_iou == 0.0


def test_the_threshold_is_inclusive_and_configurable() -> None:
    half = ([car(0, 0, 0.4, 0.2)], [car(0, 0)])  # IoU exactly 0.5
    assert match_boxes(*half).matched == 1
    assert match_boxes(*half, threshold=0.51).matched == 0
    third = ([car(0, 0)], [car(0.1, 0)])  # IoU 1/3
    assert match_boxes(*third).matched == 0
    assert match_boxes(*third, threshold=0.3).matched == 1


def test_matching_is_one_to_one_and_greedy_best_pair_first() -> None:
    # two drawn boxes on one true box: only one matches
    found = match_boxes([car(0.1, 0.1), car(0.11, 0.1)], [car(0.1, 0.1)])
    assert (found.matched, found.extra, found.mean_iou) == (1, 1, 1.0)
    # greedy as COCO: the best pair (IoU 1) goes first, although pairing x with its second
    # choice would have matched both
    x, y = car(0.1, 0.1), car(0.15, 0.1)
    t1, t2 = car(0.1, 0.1), car(0.05, 0.1)
    assert iou(y, t2) < 0.5 <= iou(y, t1)
    assert match_boxes([x, y], [t1, t2]).matched == 1


@pytest.mark.parametrize(
    ("drawn", "truth", "precision", "recall", "f1"),
    [
        ([], [], 1.0, 1.0, 1.0),  # nothing to mark, nothing marked: right
        ([], [car(0.1, 0.1)], 1.0, 0.0, 0.0),  # missed everything: wrong
        ([car(0.1, 0.1)], [], 0.0, 1.0, 0.0),  # marked what is not there: wrong
    ],
)
def test_empty_answers(
    drawn: list[Box], truth: list[Box], precision: float, recall: float, f1: float
) -> None:
    found = match_boxes(drawn, truth)
    assert (found.precision, found.recall, found.f1) == (precision, recall, f1)
    assert found.mean_iou == (1.0 if not drawn and not truth else 0.0)


def test_points_match_within_the_radius_one_to_one_per_class() -> None:
    truth = [Point("eye", 0.3, 0.3), Point("eye", 0.6, 0.3), Point("nose", 0.45, 0.5)]
    drawn = [
        Point("eye", 0.33, 0.34),  # 0.05 away: inside the (inclusive) radius
        Point("eye", 0.31, 0.3),  # nearer: takes the first eye, the other goes extra
        Point("nose", 0.6, 0.31),  # on an eye, but a nose: extra
    ]
    found = match_points(drawn, truth)
    assert (found.matched, found.missed, found.extra) == (1, 2, 2)
    assert found.mean_distance == pytest.approx(0.01)
    assert distance(drawn[0], truth[0]) == pytest.approx(0.05)
    assert match_points(drawn[:1], truth[:1]).matched == 1
    assert match_points(drawn[:1], truth[:1], radius=0.04).matched == 0
    empty = match_points([], [])
    assert (empty.precision, empty.recall, empty.f1) == (1.0, 1.0, 1.0)


def test_marks_count_boxes_and_points_together() -> None:
    drawn = ([car(0.1, 0.1)], [Point("eye", 0.5, 0.5), Point("eye", 0.9, 0.9)])
    truth = ([car(0.1, 0.1), car(0.6, 0.6)], [Point("eye", 0.51, 0.5)])
    found = match_marks(drawn, truth)
    assert found == BoxMatch(precision=2 / 3, recall=2 / 3, f1=pytest.approx(2 / 3), matched=2,
                             missed=1, extra=1, mean_iou=1.0)
    assert match_marks(([], []), ([], [])).f1 == 1.0
    assert match_marks(([], []), ([], [Point("eye", 0.5, 0.5)])).recall == 0.0


# --- consensus ---------------------------------------------------------------------------


def test_a_cluster_with_one_outlier_box_takes_the_median() -> None:
    answers = {
        "ana": ([car(0.1, 0.1)], []),
        "bao": ([car(0.1, 0.1)], []),
        # its box is in the cluster (IoU 0.64) but wider: the median ignores it, a mean would not
        "cyr": ([car(0.1, 0.1, 0.25, 0.25)], []),
    }
    found = consensus_boxes(answers)
    assert len(found.boxes) == 1
    consensus = found.boxes[0]
    assert consensus.box.label == CAR
    assert (consensus.box.x, consensus.box.y, consensus.box.w, consensus.box.h) == pytest.approx(
        (0.1, 0.1, 0.2, 0.2))
    assert consensus.confidence == 1.0
    assert consensus.support == ("ana", "bao", "cyr")
    assert consensus.mean_iou == pytest.approx((1 + 1 + 0.64) / 3)
    assert (found.annotators, found.missing, found.extra) == (3, 0, 0)


def test_an_outlier_box_drawn_by_one_annotator_is_dropped_as_extra() -> None:
    answers = {
        "ana": ([car(0.1, 0.1)], []),
        "bao": ([car(0.12, 0.1)], []),
        "cyr": ([car(0.1, 0.12, 0.2, 0.22), car(0.6, 0.6, 0.1, 0.1)], []),
    }
    found = consensus_boxes(answers)
    assert [(c.box.x, c.box.y, c.confidence) for c in found.boxes] == [(0.1, 0.1, 1.0)]
    assert (found.boxes[0].box.w, found.boxes[0].box.h) == pytest.approx((0.2, 0.2))
    assert (found.missing, found.extra) == (0, 1)


def test_confidence_is_the_share_of_annotators_and_missing_counts_the_rest() -> None:
    answers = {
        "ana": ([car(0.1, 0.1), car(0.6, 0.6)], []),
        "bao": ([car(0.1, 0.1), car(0.6, 0.6)], []),
        "cyr": ([car(0.1, 0.1)], []),
        "dina": ([], []),
    }
    found = consensus_boxes(answers)
    assert [(c.box.x, c.confidence, c.support) for c in found.boxes] == [
        (0.1, 0.75, ("ana", "bao", "cyr")),
        (0.6, 0.5, ("ana", "bao")),  # half the annotators: kept (confidence >= min_share)
    ]
    assert (found.annotators, found.missing, found.extra) == (4, 1 + 2, 0)
    strict = consensus_boxes(answers, min_share=0.6)
    assert [c.box.x for c in strict.boxes] == [0.1]
    assert (strict.missing, strict.extra) == (1, 2)


def test_weights_change_the_shares() -> None:
    answers = {
        "ana": ([car(0.6, 0.6)], []),
        "bao": ([car(0.1, 0.1)], []),
        "cyr": ([car(0.1, 0.1)], []),
    }
    found = consensus_boxes(answers, weights={"ana": 3.0})  # the others weigh 1
    assert [(c.box.x, c.confidence) for c in found.boxes] == [(0.6, 0.6)]
    assert (found.missing, found.extra) == (2, 2)
    equal = consensus_boxes(answers, weights={"ana": 0.0, "bao": 0.0, "cyr": 0.0})
    assert [(c.box.x, c.confidence) for c in equal.boxes] == [(0.1, pytest.approx(2 / 3))]


@pytest.mark.parametrize("weight", [-1.0, float("nan"), float("inf")])
def test_a_bad_weight_is_refused(weight: float) -> None:
    with pytest.raises(AggregationError):
        consensus_boxes({"ana": ([car(0.1, 0.1)], [])}, weights={"ana": weight})


def test_the_seed_is_the_box_with_the_most_partners() -> None:
    # bao's box overlaps both others (IoU 0.58), ana's and cyr's do not overlap enough (0.30):
    # seeded by ana's box, cyr's would be left alone; seeded by bao's, all three agree
    answers = {
        "ana": ([car(0.0, 0.1, 0.3, 0.2)], []),
        "bao": ([car(0.08, 0.1, 0.3, 0.2)], []),
        "cyr": ([car(0.16, 0.1, 0.3, 0.2)], []),
    }
    assert iou(answers["ana"][0][0], answers["cyr"][0][0]) < 0.5
    found = consensus_boxes(answers)
    assert len(found.boxes) == 1
    assert found.boxes[0].support == ("ana", "bao", "cyr")
    assert found.boxes[0].box.x == pytest.approx(0.08)
    assert found.agreement == pytest.approx(2 / 3)  # two pairs of three match


def test_an_annotator_gives_at_most_one_box_to_a_cluster() -> None:
    answers = {
        "ana": ([car(0.1, 0.1), car(0.1, 0.1)], []),  # drew the same box twice
        "bao": ([car(0.1, 0.1)], []),
        "cyr": ([car(0.1, 0.1)], []),
    }
    found = consensus_boxes(answers)
    assert [c.support for c in found.boxes] == [("ana", "bao", "cyr")]
    assert found.extra == 1


def test_boxes_of_different_classes_never_share_a_cluster() -> None:
    answers = {
        "ana": ([car(0.1, 0.1)], []),
        "bao": ([Box("person", 0.1, 0.1, 0.2, 0.2)], []),
    }
    found = consensus_boxes(answers)
    assert [(c.box.label, c.confidence) for c in found.boxes] == [(CAR, 0.5), ("person", 0.5)]
    assert (found.missing, found.extra, found.agreement) == (2, 0, 0.0)


def test_points_consensus() -> None:
    answers = {
        "ana": ([], [Point("eye", 0.30, 0.30), Point("eye", 0.60, 0.30)]),
        "bao": ([], [Point("eye", 0.32, 0.30), Point("eye", 0.61, 0.31)]),
        "cyr": ([], [Point("eye", 0.31, 0.33), Point("nose", 0.45, 0.5)]),
    }
    found = consensus_boxes(answers)
    assert [(c.point.label, c.point.x, c.point.y, c.confidence, c.support) for c in found.points] \
        == [("eye", 0.31, 0.30, 1.0, ("ana", "bao", "cyr")),
            ("eye", pytest.approx(0.605), pytest.approx(0.305), pytest.approx(2 / 3),
             ("ana", "bao"))]
    assert found.points[0].mean_distance == pytest.approx((0.01 + 0.01 + 0.03) / 3)
    assert (found.missing, found.extra, found.boxes) == (1, 1, ())
    closer = consensus_boxes(answers, radius=0.02)
    assert [len(c.support) for c in closer.points] == [2, 2]


def test_agreement_is_the_mean_pairwise_f1() -> None:
    empty: tuple[list[Box], list[Point]] = ([], [])
    assert consensus_boxes({}).agreement == 1.0
    assert consensus_boxes({"ana": empty, "bao": empty}).agreement == 1.0
    assert consensus_boxes({"ana": ([car(0.1, 0.1)], [])}).agreement == 1.0
    found = consensus_boxes({
        "ana": ([car(0.1, 0.1), car(0.6, 0.6)], []),
        "bao": ([car(0.1, 0.1)], []),
        "cyr": empty,
    })
    # ana and bao: one of two boxes matched, one of one: F1 2/3; either with cyr: 0
    assert found.agreement == pytest.approx((2 / 3 + 0 + 0) / 3)


# --- properties --------------------------------------------------------------------------

coordinate = st.integers(min_value=0, max_value=80).map(lambda v: v / 100)
size = st.integers(min_value=1, max_value=20).map(lambda v: v / 100)
labels = st.sampled_from(["car", "person", "bus"])
boxes = st.builds(Box, labels, coordinate, coordinate, size, size)
points = st.builds(Point, st.sampled_from(["eye", "nose"]), coordinate, coordinate)
real = st.floats(min_value=-1, max_value=2, allow_nan=False)
any_boxes = st.builds(Box, labels, real, real, real, real)


@given(any_boxes, any_boxes)
def test_iou_is_symmetric_and_between_0_and_1(a: Box, b: Box) -> None:
    assert iou(a, b) == iou(b, a)
    assert 0.0 <= iou(a, b) <= 1.0


@given(boxes)
def test_a_box_overlaps_itself_fully(a: Box) -> None:
    assert iou(a, a) == 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(boxes, unique=True, max_size=6), st.lists(points, unique=True, max_size=4),
       st.integers(min_value=1, max_value=4))
def test_identical_answers_give_themselves_back(
    drawn: list[Box], marked: list[Point], n: int
) -> None:
    answers = {f"a{i}": (list(drawn), list(marked)) for i in range(n)}
    found = consensus_boxes(answers)
    assert [c.box.label for c in found.boxes] == [b.label for b in sorted(drawn)]
    for consensus, box in zip(found.boxes, sorted(drawn), strict=True):
        assert (consensus.box.x, consensus.box.y, consensus.box.w, consensus.box.h) == \
            pytest.approx((box.x, box.y, box.w, box.h))
        assert consensus.confidence == 1.0
        assert consensus.mean_iou == pytest.approx(1.0)
    assert [c.point for c in found.points] == sorted(marked)
    assert all(c.confidence == 1.0 for c in found.points)
    assert (found.missing, found.extra, found.agreement) == (0, 0, 1.0)
    assert match_boxes(drawn, drawn).f1 == 1.0


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["ana", "bao", "cyr", "dina", "eli"]),
                       st.tuples(st.lists(boxes, max_size=5), st.lists(points, max_size=3)),
                       max_size=5),
       st.randoms(use_true_random=False))
def test_the_order_of_annotators_and_marks_does_not_change_the_consensus(
    answers: dict[str, tuple[list[Box], list[Point]]], rng: random.Random
) -> None:
    names = list(answers)
    rng.shuffle(names)
    shuffled = {}
    for name in names:
        drawn, marked = list(answers[name][0]), list(answers[name][1])
        rng.shuffle(drawn)
        rng.shuffle(marked)
        shuffled[name] = (drawn, marked)
    assert consensus_boxes(shuffled) == consensus_boxes(answers)
    found = consensus_boxes(answers)
    assert 0.0 <= found.agreement <= 1.0
    assert all(0.5 <= c.confidence <= 1.0 for c in found.boxes)
    total = sum(len(b) + len(p) for b, p in answers.values())
    kept = sum(len(c.support) for c in found.boxes) + sum(len(c.support) for c in found.points)
    assert kept + found.extra == total  # every mark is in exactly one cluster
