"""Cross-check against crowd-kit, the reference library, on a small simulated crowd.

crowd-kit lives only in the optional ``bench`` extra (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from annotation.aggregation import dawid_skene_arrays, encode_arrays, majority_vote_arrays

ck = pytest.importorskip(
    "crowdkit.aggregation", reason="crowd-kit is in the optional 'bench' extra, not installed"
)
pd = pytest.importorskip("pandas", reason="pandas comes with crowd-kit")

# crowd-kit 1.4.2 calls pandas APIs that pandas 3 deprecates; nothing to fix on our side.
pytestmark = [
    pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword:DeprecationWarning"),
]


def load_crowds() -> ModuleType:
    path = Path(__file__).resolve().parents[3] / "benchmarks" / "crowds.py"
    spec = importlib.util.spec_from_file_location("annobot_bench_crowds", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=[2, 5], ids=["K2", "K5"])
def crowd(request: pytest.FixtureRequest) -> tuple[object, object, object]:
    crowds = load_crowds()
    spec = crowds.CrowdSpec(n_answers=4000, n_labels=request.param, n_annotators=150)
    c = crowds.simulate_crowd(spec, np.random.default_rng(7))
    encoded = encode_arrays(
        c.item_idx, c.annotator_idx, c.label_idx,
        n_items=c.n_items, n_annotators=150, n_labels=request.param, gold_idx=c.gold_idx,
    )
    frame = pd.DataFrame({"task": c.item_idx, "worker": c.annotator_idx, "label": c.label_idx})
    gold = pd.Series(c.truth[c.is_gold], index=np.flatnonzero(c.is_gold))
    return encoded, frame, gold[gold.index.isin(frame["task"])]


def as_array(labels: pd.Series, size: int) -> np.ndarray:
    out = np.full(size, -1)
    out[labels.index.to_numpy()] = labels.to_numpy()
    return out


def test_majority_vote_matches_crowdkit_off_ties(crowd: tuple) -> None:
    encoded, frame, _ = crowd
    ours = majority_vote_arrays(encoded)
    theirs = as_array(ck.MajorityVote().fit_predict(frame), encoded.n_items)
    top2 = np.sort(ours.probabilities, axis=1)[:, -2:]
    untied = (top2[:, 1] > top2[:, 0]) & (encoded.gold_idx < 0)

    assert untied.sum() > 500
    np.testing.assert_array_equal(ours.label_idx[untied], theirs[untied])


def test_plain_dawid_skene_reproduces_crowdkit_at_equal_iterations(crowd: tuple) -> None:
    encoded, frame, gold = crowd
    model = ck.DawidSkene(n_iter=15, tol=-1.0).fit(frame, true_labels=gold)
    ours = dawid_skene_arrays(encoded, smoothing=0.0, max_iter=15, tol=0.0)
    theirs = model.probas_.reindex(columns=range(encoded.n_labels))

    assert ours.iterations == 15
    np.testing.assert_allclose(
        ours.probabilities[theirs.index.to_numpy()], theirs.to_numpy(), atol=1e-6
    )


def test_default_dawid_skene_agrees_with_crowdkit_on_most_items(crowd: tuple) -> None:
    encoded, frame, gold = crowd
    theirs = as_array(ck.DawidSkene().fit(frame, true_labels=gold).labels_, encoded.n_items)
    ours = dawid_skene_arrays(encoded, smoothing=0.0)
    answered = theirs >= 0

    assert np.mean(ours.label_idx[answered] == theirs[answered]) > 0.97
