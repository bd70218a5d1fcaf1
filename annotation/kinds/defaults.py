"""What most kinds do, so each kind module says only what is its own.

A kind that inherits :class:`KindDefaults` is answered with buttons, reads no spec keys or
item columns of its own, adds no tables to exports, has no in-task Back step, reopens an
undone answer empty, and shows its item in Label Studio as text or media; it overrides
what differs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from annotation.datasets.records import ExportTable, KindItem, LabeledItem
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.base import ItemCheck, SpecReader, Turn
from annotation.kinds.label_studio import media_data
from annotation.models import ProjectSpec, Scale


class KindDefaults:
    """The common answers to the seam's questions (``annotation.kinds.base.TaskKind``)."""

    accepts_typed = False
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

    def export(self, spec: ProjectSpec, items: Sequence[KindItem]) -> Sequence[ExportTable]:
        """Return no table: the label tables say everything about this kind."""
        return ()

    def label_studio_data(self, item: LabeledItem, payload: str) -> dict[str, object]:
        """Return the item's text or media."""
        return media_data(item)

    def typed(self, spec: ProjectSpec, raw: str) -> str:
        """Refuse typed answers: this kind is answered with buttons."""
        raise AnswerRejected(ErrorCode.USE_BUTTONS)

    def back(self, turn: Turn) -> str | None:
        """Return None: the answer is one tap, with no step to take back."""
        return None

    def reopened(self, spec: ProjectSpec, value: str, detail: str) -> str:
        """Reopen an undone answer with nothing chosen."""
        return ""
