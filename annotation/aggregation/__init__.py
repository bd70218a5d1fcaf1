"""Crowd-label aggregation: pure functions from answers to trusted labels with confidence.

Categorical votes go through :func:`aggregate` (majority vote, gold-weighted vote,
Dawid-Skene, one-coin Dawid-Skene); free text, numbers and multiple choice have their own
aggregators, and so do comparisons (ordinal preferences per item, Bradley-Terry scores per
candidate) and ratings; agreement statistics (Krippendorff's alpha: nominal, ordinal,
interval) and the adaptive-overlap stopping rule live here too.
Imports only the standard library and numpy.
"""

from annotation.aggregation.agreement import krippendorff_alpha, percent_agreement
from annotation.aggregation.bradley_terry import (
    BradleyTerryFit,
    BradleyTerryResult,
    CandidateScore,
    Comparison,
    HeadToHead,
    bradley_terry,
    bradley_terry_arrays,
    head_to_head,
)
from annotation.aggregation.calibration import expected_calibration_error
from annotation.aggregation.dawid_skene import DEFAULT_SMOOTHING, dawid_skene, dawid_skene_arrays
from annotation.aggregation.dispatch import DEFAULT_METHOD, aggregate, aggregate_arrays
from annotation.aggregation.encoding import EncodedVotes, encode_arrays, encode_votes
from annotation.aggregation.krippendorff import (
    MeasurementLevel,
    krippendorff_alpha_matrix,
    krippendorff_alpha_units,
)
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
from annotation.aggregation.multi import MultiLabel, aggregate_multi
from annotation.aggregation.numbers import NumberLabel, aggregate_numbers
from annotation.aggregation.one_coin import one_coin, one_coin_arrays
from annotation.aggregation.ordinal import (
    LevelVote,
    PreferenceLabel,
    PreferenceResult,
    PreferenceSkill,
    Side,
    aggregate_preferences,
)
from annotation.aggregation.overlap import (
    ItemEstimate,
    OverlapPolicy,
    item_confidence,
    needs_more_answers,
    smoothed_accuracy,
)
from annotation.aggregation.posterior import Posterior
from annotation.aggregation.ratings import (
    RaterProfile,
    Rating,
    RatingFit,
    RatingLabel,
    RatingsResult,
    aggregate_ratings,
    fit_rating_model,
)
from annotation.aggregation.text import TextLabel, aggregate_text, normalize_text
from annotation.aggregation.weighted import weighted_vote, weighted_vote_arrays

__all__ = [
    "DEFAULT_METHOD",
    "DEFAULT_SMOOTHING",
    "AggregationError",
    "AggregationProblem",
    "AggregationResult",
    "AnnotatorSkill",
    "BradleyTerryFit",
    "BradleyTerryResult",
    "CandidateScore",
    "Comparison",
    "EncodedVotes",
    "HeadToHead",
    "ItemEstimate",
    "ItemLabel",
    "LevelVote",
    "MeasurementLevel",
    "Method",
    "MultiLabel",
    "NumberLabel",
    "OverlapPolicy",
    "Posterior",
    "PreferenceLabel",
    "PreferenceResult",
    "PreferenceSkill",
    "RaterProfile",
    "Rating",
    "RatingFit",
    "RatingLabel",
    "RatingsResult",
    "Side",
    "TextLabel",
    "Vote",
    "aggregate",
    "aggregate_arrays",
    "aggregate_multi",
    "aggregate_numbers",
    "aggregate_preferences",
    "aggregate_ratings",
    "aggregate_text",
    "bradley_terry",
    "bradley_terry_arrays",
    "dawid_skene",
    "dawid_skene_arrays",
    "encode_arrays",
    "encode_votes",
    "expected_calibration_error",
    "fit_rating_model",
    "head_to_head",
    "item_confidence",
    "krippendorff_alpha",
    "krippendorff_alpha_matrix",
    "krippendorff_alpha_units",
    "majority_vote",
    "majority_vote_arrays",
    "needs_more_answers",
    "normalize_text",
    "one_coin",
    "one_coin_arrays",
    "percent_agreement",
    "smoothed_accuracy",
    "weighted_vote",
    "weighted_vote_arrays",
]
