"""Method selection: one entry point that runs the method a project's spec names.

``DEFAULT_METHOD`` is the method that won the benchmark in ``docs/AGGREGATION.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from annotation.aggregation.dawid_skene import dawid_skene_arrays
from annotation.aggregation.encoding import EncodedVotes, encode_votes
from annotation.aggregation.majority import majority_vote_arrays
from annotation.aggregation.models import (
    AggregationError,
    AggregationProblem,
    AggregationResult,
    Method,
    Vote,
)
from annotation.aggregation.one_coin import one_coin_arrays
from annotation.aggregation.posterior import Posterior, build_result
from annotation.aggregation.weighted import weighted_vote_arrays

DEFAULT_METHOD = Method.DAWID_SKENE

_ARRAY_METHODS: Mapping[Method, Callable[[EncodedVotes], Posterior]] = {
    Method.MAJORITY: majority_vote_arrays,
    Method.WEIGHTED: weighted_vote_arrays,
    Method.DAWID_SKENE: dawid_skene_arrays,
    Method.ONE_COIN: one_coin_arrays,
}


def aggregate_arrays(encoded: EncodedVotes, *, method: Method = DEFAULT_METHOD) -> Posterior:
    """Run one method, with its default parameters, on integer-coded votes."""
    run = _ARRAY_METHODS.get(method)
    if run is None:
        raise AggregationError(reason=AggregationProblem.UNKNOWN_METHOD, method=str(method))
    return run(encoded)


def aggregate(
    votes: Sequence[Vote],
    *,
    method: Method = DEFAULT_METHOD,
    labels: Sequence[str] | None = None,
    items: Sequence[str] | None = None,
    gold: Mapping[str, str] | None = None,
) -> AggregationResult:
    """Aggregate categorical votes into one label per item with the chosen method.

    ``labels`` are the project's options in display order (labels nobody chose still get a
    probability; ties go to the first); ``items`` lists every item, answered or not (an
    unanswered item gets ``label=None``, confidence 0); ``gold`` maps items to their truth
    (clamped in every method).
    """
    encoded = encode_votes(votes, labels=labels, items=items, gold=gold)
    return build_result(Method(method), encoded, aggregate_arrays(encoded, method=Method(method)))
