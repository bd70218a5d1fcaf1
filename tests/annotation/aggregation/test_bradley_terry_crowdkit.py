"""Cross-check Bradley-Terry against crowd-kit's BradleyTerry and NoisyBradleyTerry.

crowd-kit lives only in the optional ``bench`` extra (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import numpy as np
import pytest

from annotation.aggregation import bradley_terry_arrays

ck = pytest.importorskip(
    "crowdkit.aggregation", reason="crowd-kit is in the optional 'bench' extra, not installed"
)
pd = pytest.importorskip("pandas", reason="pandas comes with crowd-kit")

pytestmark = [
    pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword:DeprecationWarning"),
]


def comparisons(seed: int, n_candidates: int = 8, n: int = 2000) -> tuple[np.ndarray, ...]:
    """Draw plain Bradley-Terry comparisons (no ties) between candidates of known strength."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0.0, 1.0, n_candidates)
    left = rng.integers(0, n_candidates, n)
    right = (left + rng.integers(1, n_candidates, n)) % n_candidates
    left_wins = rng.random(n) < 1.0 / (1.0 + np.exp(theta[right] - theta[left]))
    winners = np.where(left_wins, left, right)
    losers = np.where(left_wins, right, left)
    return theta, left, right, winners, losers


def frame(left: np.ndarray, right: np.ndarray, winners: np.ndarray) -> pd.DataFrame:
    workers = np.arange(left.size) % 20
    return pd.DataFrame({"worker": workers, "left": left, "right": right, "label": winners})


@pytest.mark.parametrize("seed", [0, 1])
def test_matches_crowdkit_bradley_terry_at_its_maximum_likelihood(seed: int) -> None:
    _, left, right, winners, losers = comparisons(seed)
    # crowd-kit 1.4.2 compares each MM iterate with itself (the same array object), so its
    # default tol stops after the second iteration; tol < 0 runs all n_iter iterations
    model = ck.BradleyTerry(n_iter=3000, tol=-1.0).fit(frame(left, right, winners))
    theirs = np.log(model.scores_.sort_index().to_numpy())
    theirs -= theirs.mean()

    ours = bradley_terry_arrays(winners, losers, n_candidates=8, ridge=1e-9)

    np.testing.assert_allclose(ours.theta, theirs, atol=1e-6)


def test_ranks_like_crowdkit_noisy_bt_on_a_clean_crowd() -> None:
    theta, left, right, winners, losers = comparisons(2, n=600)
    scores = ck.NoisyBradleyTerry(n_iter=100).fit_predict(frame(left, right, winners)).sort_index()

    ours = bradley_terry_arrays(winners, losers, n_candidates=8)

    def ranks(values: np.ndarray) -> np.ndarray:
        return np.argsort(np.argsort(values))

    assert np.corrcoef(ranks(ours.theta), ranks(scores.to_numpy()))[0, 1] > 0.9
    assert np.corrcoef(ranks(ours.theta), ranks(theta))[0, 1] > 0.9
