"""Multiple choice: options are toggled (the draft holds them), then submitted with Done."""

from __future__ import annotations

from collections.abc import Sequence

from annotation.answers import canonical_answer, is_correct, join_choices, split_choices
from annotation.datasets.records import LabeledItem
from annotation.kinds.base import (
    DONE_CODE,
    Button,
    Phrase,
    PhraseCode,
    Step,
    TaskLayout,
    Turn,
    VoteModel,
)
from annotation.kinds.choice import label_at
from annotation.kinds.defaults import KindDefaults
from annotation.kinds.label_studio import choices_config, result
from annotation.models import MediaKind, ProjectSpec


class MultiKind(KindDefaults):
    """One toggle per option and a Done button; the draft is the canonical value so far."""

    name = "multi"

    votes = VoteModel.MULTI

    def label_studio_config(self, spec: ProjectSpec, kinds: Sequence[MediaKind]) -> str:
        """Return one multiple-choice control over the options."""
        return choices_config(kinds, spec.options, multiple=True)

    def label_studio_result(self, spec: ProjectSpec, item: LabeledItem, label: str
                            ) -> dict[str, object]:
        """Return the options chosen."""
        return result(item, "choices", {"choices": sorted(split_choices(label),
                                                          key=spec.options.index)})

    def layout(self, turn: Turn) -> TaskLayout:
        """Return a toggle per option, checked as the draft says, then Done."""
        chosen = split_choices(turn.draft)
        toggles = tuple(Button(option, code, checked=option in chosen)
                        for code, option in enumerate(turn.spec.options))
        return TaskLayout((), (toggles,), (Button(Phrase(PhraseCode.DONE), DONE_CODE),))

    def press(self, turn: Turn, code: int) -> Step:
        """Toggle an option, or submit the options toggled so far."""
        if code == DONE_CODE:
            return Step(final=turn.draft)
        option = label_at(turn.spec.options, code)
        return Step(draft=join_choices(turn.spec, split_choices(turn.draft) ^ {option}))

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Return the canonical option set a gold cell names (``a|b``)."""
        return canonical_answer(spec, raw)

    def is_correct(self, spec: ProjectSpec, value: str, gold: str) -> bool:
        """Return whether the same options were chosen as in the gold answer."""
        return is_correct(spec, value, gold)
