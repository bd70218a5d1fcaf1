"""Crowd-label aggregation: pure functions from answers to trusted labels with confidence.

Categorical votes go through :func:`aggregate` (majority vote, gold-weighted vote,
Dawid-Skene, one-coin Dawid-Skene); free text, numbers and multiple choice have their own
aggregators; agreement statistics and the adaptive-overlap stopping rule live here too.
Imports only the standard library and numpy.
"""

from annotation.aggregation.dawid_skene import DEFAULT_SMOOTHING, dawid_skene, dawid_skene_arrays
from annotation.aggregation.dispatch import DEFAULT_METHOD, aggregate, aggregate_arrays
from annotation.aggregation.encoding import EncodedVotes, encode_arrays, encode_votes
from annotation.aggregation.majority import majority_vote, majority_vote_arrays
from annotation.aggregation.models import (
    AggregationError,
    AggregationProblem,
    AggregationResult,
    AnnotatorSkill,
    ItemLabel,
    Method,
    Vote,
)
from annotation.aggregation.one_coin import one_coin, one_coin_arrays
from annotation.aggregation.posterior import Posterior
from annotation.aggregation.weighted import weighted_vote, weighted_vote_arrays

__all__ = [
    "DEFAULT_METHOD",
    "DEFAULT_SMOOTHING",
    "AggregationError",
    "AggregationProblem",
    "AggregationResult",
    "AnnotatorSkill",
    "EncodedVotes",
    "ItemLabel",
    "Method",
    "Posterior",
    "Vote",
    "aggregate",
    "aggregate_arrays",
    "dawid_skene",
    "dawid_skene_arrays",
    "encode_arrays",
    "encode_votes",
    "majority_vote",
    "majority_vote_arrays",
    "one_coin",
    "one_coin_arrays",
    "weighted_vote",
    "weighted_vote_arrays",
]
