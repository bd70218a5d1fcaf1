"""Krippendorff's alpha for ordinal and interval data: published values, NaN policy, invariances."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotation.aggregation import (
    MeasurementLevel,
    Vote,
    krippendorff_alpha,
    krippendorff_alpha_matrix,
    krippendorff_alpha_units,
)

ORDINAL, INTERVAL = MeasurementLevel.ORDINAL, MeasurementLevel.INTERVAL

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 observers, 12 units,
# missing values. Published: nominal 0.743, ordinal 0.815, interval 0.849.
RELIABILITY_DATA = (
    "1 2 3 3 2 1 4 1 2 . . .",
    "1 2 3 3 2 2 4 1 2 5 . 3",
    ". 3 3 3 2 3 4 2 2 5 1 .",
    "1 2 3 3 2 4 4 1 2 5 1 .",
)


def published_matrix() -> np.ndarray:
    return np.array(
        [[math.nan if v == "." else float(v) for v in row.split()] for row in RELIABILITY_DATA]
    )


@pytest.mark.parametrize(("level", "published"), [(ORDINAL, 0.815), (INTERVAL, 0.849)])
def test_alpha_matches_the_published_example(level: MeasurementLevel, published: float) -> None:
    assert krippendorff_alpha_matrix(published_matrix(), level=level) == pytest.approx(
        published, abs=5e-4
    )


def test_the_nominal_alpha_of_the_same_data_is_the_published_one() -> None:
    votes = [
        Vote(f"u{unit}", f"c{coder}", str(int(value)))
        for coder, row in enumerate(published_matrix())
        for unit, value in enumerate(row)
        if not math.isnan(value)
    ]

    assert krippendorff_alpha(votes) == pytest.approx(0.743, abs=5e-4)


@pytest.mark.parametrize("level", list(MeasurementLevel))
def test_units_and_matrix_forms_agree(level: MeasurementLevel) -> None:
    matrix = published_matrix()
    units = [list(column) for column in matrix.T]  # NaN entries are dropped as missing

    assert krippendorff_alpha_units(units, level=level) == pytest.approx(
        krippendorff_alpha_matrix(matrix, level=level)
    )


@pytest.mark.parametrize("level", list(MeasurementLevel))
def test_perfect_agreement_is_one(level: MeasurementLevel) -> None:
    units = [[1.0, 1.0, 1.0], [3.0, 3.0], [4.0, 4.0, 4.0]]

    assert krippendorff_alpha_units(units, level=level) == pytest.approx(1.0)


@pytest.mark.parametrize("level", list(MeasurementLevel))
def test_units_with_one_value_do_not_count(level: MeasurementLevel) -> None:
    units = [[1.0, 2.0], [3.0, 3.0], [5.0, 4.0]]
    with_singles = [*units, [1.0], [5.0], [math.nan, 2.0]]

    assert krippendorff_alpha_units(with_singles, level=level) == pytest.approx(
        krippendorff_alpha_units(units, level=level)
    )


@pytest.mark.parametrize("level", list(MeasurementLevel))
@pytest.mark.parametrize(
    "units",
    [[], [[1.0], [2.0]], [[2.0, 2.0], [2.0, 2.0, 2.0]], [[math.nan, math.nan, 1.0]]],
    ids=["empty", "no-pairs", "one-value", "only-nan-pairs"],
)
def test_undefined_alpha_is_nan(level: MeasurementLevel, units: list[list[float]]) -> None:
    assert math.isnan(krippendorff_alpha_units(units, level=level))


def test_interval_alpha_weighs_distance_and_ordinal_only_order() -> None:
    near = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    far_outlier = [[1.0, 2.0], [3.0, 4.0], [5.0, 60.0]]

    assert krippendorff_alpha_units(far_outlier, level=ORDINAL) == pytest.approx(
        krippendorff_alpha_units(near, level=ORDINAL)
    )
    assert krippendorff_alpha_units(far_outlier, level=INTERVAL) < krippendorff_alpha_units(
        near, level=INTERVAL
    )


def test_a_matrix_must_be_two_dimensional() -> None:
    with pytest.raises(ValueError, match="2-D"):
        krippendorff_alpha_matrix([1.0, 2.0], level=INTERVAL)


units_strategy = st.lists(
    st.lists(st.integers(0, 4).map(float), min_size=0, max_size=5), min_size=1, max_size=12
)


@settings(max_examples=200, deadline=None)
@given(units=units_strategy, scale=st.floats(0.1, 10.0), shift=st.floats(-5.0, 5.0))
def test_interval_alpha_is_invariant_to_affine_rescaling(
    units: list[list[float]], scale: float, shift: float
) -> None:
    before = krippendorff_alpha_units(units, level=INTERVAL)
    after = krippendorff_alpha_units(
        [[scale * v + shift for v in unit] for unit in units], level=INTERVAL
    )

    assert (math.isnan(before) and math.isnan(after)) or after == pytest.approx(before, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(units=units_strategy)
def test_ordinal_alpha_depends_only_on_the_order_of_values(units: list[list[float]]) -> None:
    stretched = [[math.exp(v) for v in unit] for unit in units]
    before = krippendorff_alpha_units(units, level=ORDINAL)
    after = krippendorff_alpha_units(stretched, level=ORDINAL)

    assert (math.isnan(before) and math.isnan(after)) or after == pytest.approx(before, abs=1e-9)
    assert math.isnan(before) or before <= 1.0 + 1e-12


def test_matches_the_krippendorff_package_on_random_data() -> None:
    reference = pytest.importorskip(
        "krippendorff", reason="the krippendorff package is in the 'test' extra"
    )
    rng = np.random.default_rng(13)
    for trial in range(30):
        coders, units = int(rng.integers(2, 8)), int(rng.integers(2, 40))
        truth = rng.integers(0, 5, size=units)
        data = (truth + rng.integers(-1, 2, size=(coders, units))).astype(np.float64)
        data[rng.random(data.shape) < 0.3] = np.nan
        for level in MeasurementLevel:
            ours = krippendorff_alpha_matrix(data, level=level)
            try:
                theirs = reference.alpha(reliability_data=data, level_of_measurement=str(level))
            except ValueError:  # the package refuses data with one value: undefined
                theirs = math.nan
            assert (math.isnan(ours) and math.isnan(theirs)) or ours == pytest.approx(
                theirs, abs=1e-9
            ), (trial, level)
