"""Check: annotators listen to another's recording and say whether it reads the text.

A check project names the recording project it checks (``source``: its name or ``#id``);
every recording accepted there becomes an item here (``annotation.loop.checks``): the
voice note itself, sent by the file id it came with (never uploaded again), captioned
with the text the speaker was asked to read, and never handed to its own speaker. Three
buttons answer: says exactly the text (``yes``), does not (``no``), cannot hear it
(``unclear``).

A recording is decided once ``votes`` checks agree (default 2, as in the best-known open
speech collection: two up-votes accept, two down-votes reject); the item then stops being
handed out, the overlap (``overlap``, default 5) bounding the checks one recording gets
when votes split. Checkers are scored like any annotator: gold check items (audio with a
known verdict, imported into the check project) are mixed in, and the quality rules apply.

A check project's export holds the usual label tables, and ``checks/recordings``: per
recording checked, its votes and verdict (``CHECK_FIELDS``; the recording project's own
export carries the same votes beside each recording, joined on ``recording_id``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

from annotation.datasets.records import ExportTable, KindItem, LabeledItem
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.base import (
    Block,
    BlockStyle,
    Button,
    Phrase,
    PhraseCode,
    SpecReader,
    Step,
    TaskLayout,
    Turn,
    VoteModel,
)
from annotation.kinds.choice import label_at
from annotation.kinds.defaults import KindDefaults
from annotation.kinds.label_studio import choices_config, result
from annotation.models import MediaKind, ProjectSpec, Scale

SAYS, DOES_NOT, UNCLEAR = "yes", "no", "unclear"
LABELS = (SAYS, DOES_NOT, UNCLEAR)
VOTES = (1, 5)
DEFAULT_VOTES = 2
MAX_SOURCE = 100
CHECK_FIELDS = ("item_id", "recording_id", "source_project", "sentence", "up_votes",
                "down_votes", "unclear_votes", "verdict")
_PHRASES = {SAYS: PhraseCode.CHECK_SAYS, DOES_NOT: PhraseCode.CHECK_DOES_NOT,
            UNCLEAR: PhraseCode.CHECK_UNCLEAR}
_WORDS = {"yes": SAYS, "valid": SAYS, "accepted": SAYS, "up": SAYS, "no": DOES_NOT,
          "invalid": DOES_NOT, "rejected": DOES_NOT, "down": DOES_NOT, "unclear": UNCLEAR,
          "can't hear": UNCLEAR}


class CheckKind(KindDefaults):
    """Three buttons under a voice note: says the text, does not, cannot hear it."""

    name = "check"
    votes = VoteModel.CATEGORICAL
    own_tables = True
    spec_keys: tuple[str, ...] = ("source", "votes")

    def read_scale(self, reader: SpecReader) -> Scale | None:
        """Read ``source`` (the recording project checked) and ``votes`` (agreeing checks
        that decide a recording)."""
        source = reader.text("source", limit=MAX_SOURCE, required=False)
        votes = reader.integer("votes", DEFAULT_VOTES, VOTES)
        return Scale(points=votes, labels=LABELS, source=source)

    def scale_toml(self, scale: Scale, quote: Callable[[str], str]) -> list[str]:
        """Write ``source`` and ``votes``."""
        lines = [f"votes = {scale.points}"]
        if scale.source is not None:
            lines.append(f"source = {quote(scale.source)}")
        return lines

    def export(self, spec: ProjectSpec, items: Sequence[KindItem]) -> Sequence[ExportTable]:
        """Return ``checks/recordings``: each recording checked, its votes and verdict."""
        needed = spec.scale.points if spec.scale is not None else DEFAULT_VOTES
        return (ExportTable("checks/recordings", CHECK_FIELDS,
                            tuple(check_rows(items, needed))),)

    def label_studio_config(self, spec: ProjectSpec, kinds: Sequence[MediaKind]) -> str:
        """Return the recording and a choice of the verdict."""
        return choices_config(kinds, LABELS)

    def label_studio_result(self, spec: ProjectSpec, item: LabeledItem, label: str
                            ) -> dict[str, object]:
        """Return the verdict as a choice."""
        return result(item, "choices", {"choices": [label]})

    def layout(self, turn: Turn) -> TaskLayout:
        """Return one button per verdict, one row each (they are long)."""
        return TaskLayout((), tuple((Button(Phrase(_PHRASES[label]), code),)
                                    for code, label in enumerate(LABELS)), wrap=False)

    def answer_blocks(self, turn: Turn, value: str) -> tuple[Block, ...]:
        """Return the verdict as its button says it."""
        return (Block(Phrase(_PHRASES.get(value, PhraseCode.CHECK_UNCLEAR)), BlockStyle.NOTE),)

    def press(self, turn: Turn, code: int) -> Step:
        """Record the verdict the button names."""
        return Step(final=label_at(LABELS, code))

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Return the verdict a gold cell names (``yes``/``valid``, ``no``/``invalid``,
        ``unclear``)."""
        found = _WORDS.get(raw.strip().casefold())
        if found is None:
            raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=raw)
        return found

    def is_correct(self, spec: ProjectSpec, value: str, gold: str) -> bool:
        """Return whether the verdict is the gold one."""
        return value == gold

    @property
    def decides_early(self) -> bool:
        """Return True: a recording is decided once enough checks agree."""
        return True

    def settled(self, spec: ProjectSpec, counts: Mapping[str, int]) -> bool:
        """Return whether ``votes`` checks agree that the recording says the text, or that
        it does not ("cannot hear" decides nothing)."""
        needed = spec.scale.points if spec.scale is not None else DEFAULT_VOTES
        return max(counts.get(SAYS, 0), counts.get(DOES_NOT, 0)) >= needed

    def review(self, spec: ProjectSpec, counts: Mapping[str, int]) -> bool | None:
        """Return whether the checks accept the recording (:func:`verdict`; None while
        undecided): an accepted recording earns its project's reward."""
        found = verdict(counts, spec.scale.points if spec.scale is not None else DEFAULT_VOTES)
        return None if found is None else found == "accepted"


def verdict(counts: Mapping[str, int], needed: int) -> str | None:
    """Return a recording's verdict from its checks: ``accepted``, ``rejected``, or None
    while undecided (the same rule that stops handing it out)."""
    if counts.get(SAYS, 0) >= needed and counts.get(SAYS, 0) > counts.get(DOES_NOT, 0):
        return "accepted"
    if counts.get(DOES_NOT, 0) >= needed and counts.get(DOES_NOT, 0) > counts.get(SAYS, 0):
        return "rejected"
    return None


def check_rows(items: Sequence[KindItem], needed: int) -> list[dict[str, object]]:
    """Return one row per recording checked (``CHECK_FIELDS``; items that name no
    recording, such as gold checks, are left out): its accepted votes and verdict."""
    rows: list[dict[str, object]] = []
    for entry in items:
        try:
            payload = json.loads(entry.payload) if entry.payload else {}
        except json.JSONDecodeError:
            continue
        if not isinstance(payload, dict) or "recording" not in payload:
            continue
        counts: dict[str, int] = {}
        for vote in entry.votes:
            counts[vote.label] = counts.get(vote.label, 0) + 1
        rows.append({"item_id": entry.labelled.item_id, "recording_id": payload["recording"],
                     "source_project": payload.get("source"), "sentence": entry.labelled.text,
                     "up_votes": counts.get(SAYS, 0), "down_votes": counts.get(DOES_NOT, 0),
                     "unclear_votes": counts.get(UNCLEAR, 0),
                     "verdict": verdict(counts, needed) or "pending"})
    return rows
