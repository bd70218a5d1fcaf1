"""Rating aggregation: medians and the annotator-bias model on simulated and hand-built data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from annotation.aggregation import AggregationError, Rating, aggregate_ratings, fit_rating_model


def simulate(seed: int, *, n_items: int = 300, n_annotators: int = 30) -> tuple[
    list[Rating], np.ndarray, np.ndarray, np.ndarray
]:
    """Rate items on a 0-4 scale: biased annotators, 5 careless ones, 4 ratings per item."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.0, 4.0, n_items)
    bias = rng.normal(0.0, 0.7, n_annotators)
    bias -= bias.mean()
    noise = rng.uniform(0.3, 0.8, n_annotators)
    noise[:5] = 3.0  # careless
    ratings = []
    for i in range(n_items):
        for a in rng.choice(n_annotators, 4, replace=False):
            value = np.clip(np.round(truth[i] + bias[a] + rng.normal(0.0, noise[a])), 0, 4)
            ratings.append(Rating(f"i{i}", f"a{a}", "helpfulness", float(value)))
    return ratings, truth, bias, noise


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_model_beats_the_median_and_finds_biases(seed: int) -> None:
    ratings, truth, bias, _ = simulate(seed)

    result = aggregate_ratings(ratings, scale=(0.0, 4.0))
    labels = result.labels["helpfulness"]
    profiles = result.annotators["helpfulness"]
    estimate = np.array([labels[f"i{i}"].estimate for i in range(truth.size)])
    median = np.array([labels[f"i{i}"].median for i in range(truth.size)])
    found_bias = np.array([profiles[f"a{a}"].bias for a in range(bias.size)])
    found_noise = np.array([profiles[f"a{a}"].noise for a in range(bias.size)])

    model_error = np.sqrt(np.mean((estimate - truth) ** 2))
    median_error = np.sqrt(np.mean((median - truth) ** 2))
    assert model_error < 0.85 * median_error
    assert np.corrcoef(found_bias[5:], bias[5:])[0, 1] > 0.9
    assert found_noise[:5].min() > found_noise[5:].max()


def test_intervals_cover_the_truth_about_as_often_as_they_claim() -> None:
    ratings, truth, _, _ = simulate(3)

    labels = aggregate_ratings(ratings, level=0.9).labels["helpfulness"]
    covered = np.mean(
        [labels[f"i{i}"].low <= truth[i] <= labels[f"i{i}"].high for i in range(truth.size)]
    )

    assert 0.8 <= covered <= 0.98


def test_a_harsh_and_a_lenient_annotator_cancel_out() -> None:
    values = {"q1": 1.0, "q2": 2.0, "q3": 3.0, "q4": 2.0, "q5": 1.0, "q6": 3.0}
    ratings = []
    for n, (item, value) in enumerate(values.items()):
        ratings.append(Rating(item, "harsh", "d", value - 1.0))
        ratings.append(Rating(item, "lenient", "d", value + 1.0))
        if n % 2:
            ratings.append(Rating(item, "fair", "d", value))
    ratings += [Rating("new", "harsh", "d", 1.0)]  # harsh alone: corrected upwards

    result = aggregate_ratings(ratings, bias_smoothing=0.5)
    labels, profiles = result.labels["d"], result.annotators["d"]

    for item, value in values.items():
        assert labels[item].estimate == pytest.approx(value, abs=0.15)
    assert profiles["harsh"].bias < -0.7 and profiles["lenient"].bias > 0.7
    assert labels["new"].median == 1.0 and labels["new"].estimate > 1.7


def test_dimensions_are_fitted_separately() -> None:
    ratings = []
    for n in range(20):
        for annotator in ("a", "b", "c"):
            ratings.append(Rating(f"i{n}", annotator, "helpfulness", (n % 5) + (annotator == "a")))
            ratings.append(Rating(f"i{n}", annotator, "safety", float(n % 5)))

    result = aggregate_ratings(ratings)

    assert result.dimensions == ("helpfulness", "safety")
    assert result.annotators["helpfulness"]["a"].bias > 0.5
    assert abs(result.annotators["safety"]["a"].bias) < 1e-6


def test_missing_ratings_items_and_dimensions() -> None:
    ratings = [Rating("i", "a", "d", 3.0), Rating("i", "b", "d", math.nan),
               Rating("j", "a", "other", 2.0)]

    result = aggregate_ratings(ratings, items=["i", "k"], dimensions=["d", "empty"])
    label = result.labels["d"]["i"]

    assert (label.median, label.estimate, label.answers) == (3.0, 3.0, 1)
    assert set(result.annotators["d"]) == {"a"}
    for dimension, item in (("d", "k"), ("d", "j"), ("empty", "i"), ("other", "i")):
        missing = result.labels[dimension][item]
        assert (missing.median, missing.estimate, missing.low, missing.answers) == (
            None, None, None, 0
        )
    assert dict(result.annotators["empty"]) == {}
    assert result.dimensions == ("d", "empty", "other")


def test_one_annotator_gives_their_own_ratings() -> None:
    ratings = [Rating(f"i{n}", "solo", "d", float(n)) for n in range(5)]

    result = aggregate_ratings(ratings)

    assert [result.labels["d"][f"i{n}"].estimate for n in range(5)] == pytest.approx(range(5))
    assert result.annotators["d"]["solo"].bias == pytest.approx(0.0)


def test_one_item_estimate_stays_within_its_ratings() -> None:
    ratings = [Rating("only", a, "d", v) for a, v in zip("abcd", (1.0, 2.0, 2.0, 4.0), strict=True)]

    label = aggregate_ratings(ratings).labels["d"]["only"]

    assert label.median == 2.0 and label.mad == 0.5
    assert 1.0 <= label.estimate <= 4.0
    assert label.low < label.estimate < label.high


def test_unanimous_raters_keep_a_finite_weight() -> None:
    ratings = [Rating(f"i{n}", a, "d", float(n % 3)) for n in range(6) for a in "abc"]

    result = aggregate_ratings(ratings)

    for n in range(6):
        label = result.labels["d"][f"i{n}"]
        assert label.estimate == pytest.approx(n % 3)
        assert 0.0 < label.se < 0.05
    assert result.annotators["d"]["a"].noise == pytest.approx(0.01)


def test_the_scale_clips_estimates_and_intervals() -> None:
    ratings = [Rating("top", a, "d", 4.0) for a in "abc"] + [Rating("top", "d", "d", 3.0)]
    ratings += [Rating("x", a, "d", v) for a, v in zip("abcd", (2.0, 2.0, 3.0, 1.0), strict=True)]

    label = aggregate_ratings(ratings, scale=(0.0, 4.0)).labels["d"]["top"]

    assert 0.0 <= label.low <= label.estimate <= label.high <= 4.0


def test_the_array_form_reports_unrated_items() -> None:
    fit = fit_rating_model(
        np.array([0, 0, 2]), np.array([0, 1, 1]), np.array([1.0, 2.0, 3.0]),
        n_items=3, n_annotators=2,
    )

    assert math.isnan(fit.estimate[1]) and math.isinf(fit.se[1])
    assert fit.iterations >= 1


@pytest.mark.parametrize(
    "kwargs",
    [{"level": 0.0}, {"scale": (4.0, 0.0)}, {"bias_smoothing": -1.0}, {"noise_smoothing": -1.0}],
)
def test_bad_parameters_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(AggregationError):
        aggregate_ratings([Rating("i", "a", "d", 1.0)], **kwargs)  # type: ignore[arg-type]
