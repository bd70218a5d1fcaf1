"""What most kinds do, so each kind module says only what is its own.

A kind that inherits :class:`KindDefaults` is answered with buttons, reads no spec keys or
item columns of its own, adds no tables to exports, has no in-task Back step, reopens an
undone answer empty, and shows its item in Label Studio as text or media; it overrides
what differs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from annotation.datasets.records import ExportFile, ExportTable, KindItem, LabeledItem
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.base import (
    Block,
    BlockStyle,
    CandidateMedia,
    Decided,
    ItemCheck,
    SpecReader,
    Turn,
)
from annotation.kinds.label_studio import choice_lines, media_data, result
from annotation.models import MediaKey, MediaKind, ProjectSpec, Scale
from annotation.quality.agreement import majority_agreement
from annotation.records import ItemTally


class KindDefaults:
    """The common answers to the seam's questions (``annotation.kinds.base.TaskKind``)."""

    accepts_typed = False
    accepts_voice = False
    paid_on_review = False
    own_tables = False
    spec_keys: tuple[str, ...] = ()
    item_columns: tuple[str, ...] = ()

    def read_scale(self, reader: SpecReader) -> Scale | None:
        """Return None: no keys of its own."""
        return None

    def scale_toml(self, scale: Scale, quote: Callable[[str], str]) -> list[str]:
        """Return no line: no keys of its own."""
        return []

    def check_item(self, spec: ProjectSpec, cells: Mapping[str, str]) -> ItemCheck:
        """Return an empty payload: no cells of its own."""
        return ItemCheck()

    def fit_item(self, payload: str, kind: MediaKind, size: tuple[int, int] | None
                 ) -> ItemCheck:
        """Return the payload as it is: any item will do."""
        return ItemCheck(payload)

    def with_media(self, payload: str, media: CandidateMedia) -> str:
        """Return the payload as it is: no candidate images."""
        return payload

    def media_key(self, turn: Turn) -> MediaKey | None:
        """Return the item's own media."""
        return turn.item.media_key

    def export(self, spec: ProjectSpec, items: Sequence[KindItem]) -> Sequence[ExportTable]:
        """Return no table: the label tables say everything about this kind."""
        return ()

    def export_files(self, spec: ProjectSpec, items: Sequence[KindItem]
                     ) -> Sequence[ExportFile]:
        """Return no file: tables say everything about this kind."""
        return ()

    def aggregate(self, spec: ProjectSpec, votes: Sequence[tuple[str, str, str]],
                  items: Sequence[ItemTally]) -> list[Decided]:
        """Refuse: only a kind whose ``votes`` is ``VoteModel.OWN`` aggregates itself."""
        raise NotImplementedError(f"{type(self).__name__} is aggregated by its vote model")

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Refuse every value (each kind says its own canonical form)."""
        raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=raw)

    def canonical_about(self, spec: ProjectSpec, text: str, raw: str) -> str:
        """Return ``canonical``: the item's text changes nothing for most kinds."""
        return self.canonical(spec, raw)

    def label_studio_data(self, item: LabeledItem, payload: str) -> dict[str, object]:
        """Return the item's text or media."""
        return media_data(item)

    def label_studio_controls(self, spec: ProjectSpec, name: str, to_name: str,
                              kinds: Sequence[MediaKind]) -> list[str]:
        """Return one single-choice control over the labels."""
        return choice_lines(spec.labels, name, to_name)

    def label_studio_results(self, spec: ProjectSpec, item: LabeledItem, label: str
                             ) -> list[dict[str, object]]:
        """Return the one result ``label`` gives (``label_studio_result``)."""
        return [self.label_studio_result(spec, item, label)]

    def label_studio_result(self, spec: ProjectSpec, item: LabeledItem, label: str
                            ) -> dict[str, object]:
        """Return the label as a choice of the item's object (most kinds say their own)."""
        return result(item, "choices", {"choices": [label]})

    def parts(self, spec: ProjectSpec) -> Mapping[str, ProjectSpec]:
        """Return no parts: an answer is one label."""
        return {}

    def split(self, spec: ProjectSpec, value: str) -> Mapping[str, str]:
        """Return no parts: an answer is one label."""
        return {}

    def answer_blocks(self, turn: Turn, value: str) -> tuple[Block, ...]:
        """Return the value as written (a point, a number, a text)."""
        return (Block(value, BlockStyle.NOTE),)

    @property
    def decides_early(self) -> bool:
        """Return False: items take their overlap (or adaptive overlap decides)."""
        return False

    def settled(self, spec: ProjectSpec, counts: Mapping[str, int]) -> bool:
        """Return False: no rule of its own decides an item early."""
        return False

    def checks(self, spec: ProjectSpec, value: str, gold: str) -> Mapping[str, bool]:
        """Return no per-part checks: ``is_correct`` says it all."""
        return {}

    def agreement(self, spec: ProjectSpec, value: str, others: Sequence[str]
                  ) -> Mapping[str, bool]:
        """Return whether the answer equals the others' majority (none: fewer than two
        others, or a tie)."""
        return majority_agreement(value, others)

    def app_view(self, turn: Turn) -> Mapping[str, object] | None:
        """Return None: answered in the chat."""
        return None

    def review(self, spec: ProjectSpec, counts: Mapping[str, int]) -> bool | None:
        """Return None: this kind reviews no other project's answers."""
        return None

    def typed(self, spec: ProjectSpec, raw: str) -> str:
        """Refuse typed answers: this kind is answered with buttons."""
        raise AnswerRejected(ErrorCode.USE_BUTTONS)

    def back(self, turn: Turn) -> str | None:
        """Return None: the answer is one tap, with no step to take back."""
        return None

    def reopened(self, spec: ProjectSpec, value: str, detail: str) -> str:
        """Reopen an undone answer with nothing chosen."""
        return ""
