"""Every task kind annobot knows, by the name a spec's ``answer_type`` gives it.

Adding a kind: write its module in ``annotation/kinds/`` and add one line here.
"""

from __future__ import annotations

from collections.abc import Mapping

from annotation.kinds.base import PhraseCode, TaskKind, VoteModel
from annotation.kinds.boxes import BoxesKind
from annotation.kinds.check import CheckKind
from annotation.kinds.choice import ChoiceKind
from annotation.kinds.free import TypedKind
from annotation.kinds.multi import MultiKind
from annotation.kinds.pairwise import PairwiseKind
from annotation.kinds.questions import QuestionsKind
from annotation.kinds.ranking import RankingKind
from annotation.kinds.rating import RatingKind
from annotation.kinds.recording import RecordingKind
from annotation.kinds.spans import SpansKind
from annotation.kinds.transcript import TranscriptKind
from annotation.models import ProjectSpec

_ALL: tuple[TaskKind, ...] = (
    ChoiceKind("single"),
    ChoiceKind("yes_no"),
    MultiKind(),
    TypedKind("text", PhraseCode.TYPE_TEXT, VoteModel.TEXT),
    TypedKind("number", PhraseCode.TYPE_NUMBER, VoteModel.NUMBER),
    PairwiseKind(),
    RatingKind(),
    RankingKind(),
    QuestionsKind(),
    RecordingKind(),
    CheckKind(),
    TranscriptKind(),
    BoxesKind(),
    SpansKind(),
)
KINDS: Mapping[str, TaskKind] = {kind.name: kind for kind in _ALL}


SPEC_KEYS = frozenset(key for kind in KINDS.values() for key in kind.spec_keys)
ITEM_COLUMNS = tuple(dict.fromkeys(c for kind in KINDS.values() for c in kind.item_columns))


def kind_of(spec: ProjectSpec) -> TaskKind:
    """Return the kind that answers a project's tasks."""
    return KINDS[str(spec.answer_type)]
