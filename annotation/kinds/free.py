"""Typed answers: free text and numbers, sent as a message instead of a tap."""

from __future__ import annotations

from collections.abc import Sequence

from annotation.answers import canonical_answer, is_correct
from annotation.datasets.records import LabeledItem
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.base import (
    Block,
    BlockStyle,
    Phrase,
    PhraseCode,
    Step,
    TaskLayout,
    Turn,
    VoteModel,
)
from annotation.kinds.defaults import KindDefaults
from annotation.kinds.label_studio import result, textarea_config
from annotation.models import MediaKind, ProjectSpec


class TypedKind(KindDefaults):
    """No answer buttons; a note says what to type (``text`` or ``number``)."""

    def __init__(self, name: str, hint: PhraseCode, votes: VoteModel) -> None:
        self.name = name
        self.votes = votes
        self.accepts_typed = True
        self._hint = hint


    def label_studio_config(self, spec: ProjectSpec, kinds: Sequence[MediaKind]) -> str:
        """Return one text area."""
        return textarea_config(kinds)

    def label_studio_result(self, spec: ProjectSpec, item: LabeledItem, label: str
                            ) -> dict[str, object]:
        """Return the answer as written text."""
        return result(item, "textarea", {"text": [label]})

    def layout(self, turn: Turn) -> TaskLayout:
        """Return the note that says what to type."""
        return TaskLayout((Block(Phrase(self._hint), BlockStyle.NOTE),), ())

    def press(self, turn: Turn, code: int) -> Step:
        """Reject every press: no button answers this kind."""
        raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=str(code))

    def typed(self, spec: ProjectSpec, raw: str) -> str:
        """Return the canonical text or number (bounds checked)."""
        return canonical_answer(spec, raw)

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Return the canonical text or number of a gold cell."""
        return canonical_answer(spec, raw)

    def is_correct(self, spec: ProjectSpec, value: str, gold: str) -> bool:
        """Return whether the answer matches the gold (text ignoring case, numbers exactly)."""
        return is_correct(spec, value, gold)
