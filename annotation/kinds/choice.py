"""Single choice and yes/no: one tap on one of the project's labels records the answer."""

from __future__ import annotations

from collections.abc import Sequence

from annotation.answers import canonical_answer, is_correct
from annotation.datasets.records import LabeledItem
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.base import (
    Block,
    BlockStyle,
    Button,
    Phrase,
    PhraseCode,
    Step,
    TaskLayout,
    Text,
    Turn,
    VoteModel,
)
from annotation.kinds.defaults import KindDefaults
from annotation.kinds.label_studio import choices_config, result
from annotation.models import NO, YES, MediaKind, ProjectSpec

_PHRASES = {YES: Phrase(PhraseCode.YES), NO: Phrase(PhraseCode.NO)}


def label_at(labels: tuple[str, ...], code: int) -> str:
    """Return the label a button's code names, rejecting a code no button carries."""
    if not 0 <= code < len(labels):
        raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=str(code))
    return labels[code]


class ChoiceKind(KindDefaults):
    """One button per label (``single``: the spec's options; ``yes_no``: yes and no)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.accepts_typed = False

    votes = VoteModel.CATEGORICAL

    def label_studio_config(self, spec: ProjectSpec, kinds: Sequence[MediaKind]) -> str:
        """Return one single-choice control over the labels."""
        return choices_config(kinds, spec.labels)

    def label_studio_result(self, spec: ProjectSpec, item: LabeledItem, label: str
                            ) -> dict[str, object]:
        """Return the label as a choice."""
        return result(item, "choices", {"choices": [label]})

    def layout(self, turn: Turn) -> TaskLayout:
        """Return one button per label; yes and no are translated."""
        buttons = tuple(Button(self._label(label), code)
                        for code, label in enumerate(turn.spec.labels))
        return TaskLayout((), (buttons,))

    def answer_blocks(self, turn: Turn, value: str) -> tuple[Block, ...]:
        """Return the label as its button says it (yes and no translated)."""
        return (Block(self._label(value), BlockStyle.NOTE),)

    def press(self, turn: Turn, code: int) -> Step:
        """Record the label the button names."""
        return Step(final=label_at(turn.spec.labels, code))

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Return the label a gold cell names (any case, yes/no in three languages)."""
        return canonical_answer(spec, raw)

    def is_correct(self, spec: ProjectSpec, value: str, gold: str) -> bool:
        """Return whether the label is the gold one."""
        return is_correct(spec, value, gold)

    @staticmethod
    def _label(label: str) -> Text:
        return _PHRASES.get(label, label)
