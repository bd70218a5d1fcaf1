"""Recording: the annotator is the speaker; a voice message answers the task.

The item is the text to read aloud (or an image or a question to talk about: a media item,
its text then a prompt), in a language: the items file's ``language`` column, else the
spec's ``language`` (the project's default), both BCP 47 tags (``mg``, ``fr``, ``mg-MG``)
checked at import (``annotation.models.language_tag``) and kept in the item's payload
(``{"language": "fr"}``; empty when the cell is). The task shows it with a note saying to
answer with a voice message; there are no answer buttons. The loop
(``TaskService.answer_voice``) checks the recording at once: a voice or audio message, not
sent before (Telegram's ``file_unique_id``), its length within bounds drawn from the
text's length or set by the spec (``min_seconds``, ``max_seconds``), speech in it, neither
too quiet nor clipped (``annotation.media.speech``); what is wrong is said to the speaker
in their language and nothing is recorded. An accepted recording is stored in the
project's media and recorded: its value is the media key, its detail the measures
(``{"seconds": 3.2, "level": -21.5, "voiced": 0.71, "file_unique_id": "…"}``). Undo takes
it back, so the speaker can record again.

Recordings have no consensus label (``VoteModel.NONE``); other annotators check them
(``annotation.kinds.check``), and the export lists each recording with its speaker and the
checks' votes (``recording_tables``)::

    huggingface/recordings/            an audiofolder: the voice notes as received (OGG/Opus)
        <item>_<speaker>_<n>.ogg       and metadata.jsonl (RECORDING_FIELDS), with a card
    huggingface/recordings_wav16k/     the same as 16 kHz mono WAV (asked for: ``Format.WAV``)
    tables/recordings.csv, .jsonl      the metadata as a table
    tables/recordings/validated.csv    accepted recordings, in the layout of Common Voice
    tables/recordings/invalidated.csv  rejected ones (COMMON_VOICE_FIELDS)
    tables/recordings/other.csv        the rest: not (yet) decided

A recording's verdict is the check projects' (``annotation.kinds.check.verdict``): its
up-votes (``yes``), down-votes (``no``) and ``unclear`` votes, summed over the projects
checking this one. Its language is its item's (``item_language``): what is read, never the
language the speaker chose for the bot; with neither the column nor the spec key, it is
empty (unknown), not guessed. Age, gender and accents (the speaker's age band, gender and
dialect region, in both the metadata and Common Voice's tables) come from what speakers
told about themselves with ``/speaker``, empty until they do (``speaker_columns``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence

from annotation.datasets.records import ExportTable, FileConversion, KindItem, LabeledItem
from annotation.errors import AnswerRejected, ErrorCode
from annotation.kinds.base import (
    Block,
    BlockStyle,
    ItemCheck,
    ItemFault,
    Phrase,
    PhraseCode,
    SpecReader,
    Step,
    TaskLayout,
    Turn,
    VoteModel,
)
from annotation.kinds.check import DOES_NOT, SAYS, UNCLEAR, verdict
from annotation.kinds.defaults import KindDefaults
from annotation.kinds.label_studio import media_data, textarea_config
from annotation.models import MediaKey, MediaKind, ProjectSpec, Scale, language_tag

SECONDS = (0.5, 600.0)  # a spec's bounds; Telegram voice notes run to an hour, work to minutes
RECORDING_FIELDS = ("file_name", "item_id", "recording_id", "sentence", "speaker", "language",
                    "duration", "up_votes", "down_votes", "unclear_votes", "accepted",
                    "gender", "age", "accents")
# the columns of Common Voice's validated/invalidated/other.tsv (before its 2023 additions)
COMMON_VOICE_FIELDS = ("client_id", "path", "sentence", "up_votes", "down_votes", "age",
                       "gender", "accents", "locale", "segment")
SPEAKER_FACTS = ("age", "gender", "accents")  # what speakers may tell about themselves
SPLITS = {"accepted": "validated", "rejected": "invalidated", None: "other"}
MEDIA_COLUMNS = ("image", "audio", "media")  # an item to talk about (intake's own list)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class RecordingKind(KindDefaults):
    """No buttons: a voice message answers."""

    name = "recording"
    accepts_voice = True
    paid_on_review = True  # a recording earns once its checks accept it
    own_tables = True
    votes = VoteModel.NONE
    spec_keys: tuple[str, ...] = ("min_seconds", "max_seconds", "language")
    item_columns: tuple[str, ...] = ("language",)

    def read_scale(self, reader: SpecReader) -> Scale | None:
        """Read the bounds the spec sets on a recording's length and the language its
        items are in (all optional)."""
        given = {key: reader.number(key, 0.0, SECONDS) for key in ("min_seconds", "max_seconds")
                 if reader.has(key)}
        language = reader.language_tag("language")
        if not given and language is None:
            return None
        return Scale(points=0, labels=(), min_seconds=given.get("min_seconds"),
                     max_seconds=given.get("max_seconds"), language=language)

    def scale_toml(self, scale: Scale, quote: Callable[[str], str]) -> list[str]:
        """Write the bounds and the language the spec set."""
        lines = [f"{key} = {float(value)!r}"
                 for key, value in (("min_seconds", scale.min_seconds),
                                    ("max_seconds", scale.max_seconds)) if value is not None]
        if scale.language is not None:
            lines.append(f"language = {quote(scale.language)}")
        return lines

    def check_item(self, spec: ProjectSpec, cells: Mapping[str, str]) -> ItemCheck:
        """Read the item's ``language`` cell (a BCP 47 tag) into its payload (an empty
        cell leaves it to the spec's); check that there is a text or media to speak of
        (intake leaves that to a kind that reads cells of its own)."""
        faults: list[tuple[ItemFault, str, int, int]] = []
        if not cells.get("text", "").strip() and not any(c in cells for c in MEDIA_COLUMNS):
            faults.append((ItemFault.MISSING, "text", 0, 0))
        raw = cells.get("language", "").strip()
        tag = language_tag(raw) if raw else None
        if raw and tag is None:
            faults.append((ItemFault.BAD_LANGUAGE, "language", len(raw), 0))
        payload = json.dumps({"language": tag}, separators=(",", ":")) if tag else ""
        return ItemCheck(payload, tuple(faults))

    def export(self, spec: ProjectSpec, items: Sequence[KindItem]) -> Sequence[ExportTable]:
        """Return the recordings as an audiofolder and in Common Voice's tables."""
        return recording_tables(spec.name, items, _spec_language(spec))

    def label_studio_config(self, spec: ProjectSpec, kinds: Sequence[MediaKind]) -> str:
        """Return the prompt (text or media) and a text area for a reviewer's notes."""
        return textarea_config(kinds)

    def label_studio_data(self, item: LabeledItem, payload: str) -> dict[str, object]:
        """Return the prompt as any item's."""
        return media_data(item)

    def label_studio_result(self, spec: ProjectSpec, item: LabeledItem, label: str
                            ) -> dict[str, object]:
        """Return the recording's media key as the annotation's text (the audio files are
        in the Hugging Face folder, named by it)."""
        return {"from_name": "label", "to_name": "text", "type": "textarea",
                "value": {"text": [label]}}

    def layout(self, turn: Turn) -> TaskLayout:
        """Return the note that says to answer with a voice message."""
        hint = PhraseCode.RECORD_HINT if turn.item.kind is MediaKind.TEXT else \
            PhraseCode.TALK_HINT
        return TaskLayout((Block(Phrase(hint), BlockStyle.NOTE),), ())

    def press(self, turn: Turn, code: int) -> Step:
        """Reject every press: no button answers a recording."""
        raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=str(code))

    def typed(self, spec: ProjectSpec, raw: str) -> str:
        """Refuse a typed answer: a recording is a voice message."""
        raise AnswerRejected(ErrorCode.SEND_VOICE)

    def canonical(self, spec: ProjectSpec, raw: str) -> str:
        """Refuse a gold answer: no recording is known in advance."""
        raise AnswerRejected(ErrorCode.NOT_A_CHOICE, text=raw)

    def is_correct(self, spec: ProjectSpec, value: str, gold: str) -> bool:
        """Return False: recordings have no gold (their checks do)."""
        return False


def recording_detail(seconds: float, level: float, voiced: float, file_unique_id: str,
                     size: int) -> str:
    """Return a recording's detail as stored beside its media key."""
    return json.dumps({"seconds": round(seconds, 3), "level": round(level, 1),
                       "voiced": round(voiced, 3), "file_unique_id": file_unique_id,
                       "bytes": size}, separators=(",", ":"))


def item_language(payload: str, default: str = "") -> str:
    """Return the language an item is read in: its own (the payload's), else ``default``
    (the spec's; empty: not given)."""
    try:
        found = json.loads(payload) if payload else {}
    except json.JSONDecodeError:
        return default
    language = found.get("language") if isinstance(found, dict) else None
    return language if isinstance(language, str) and language else default


def recording_rows(items: Sequence[KindItem], language: str = "") -> list[dict[str, object]]:
    """Return one metadata row per recording (``RECORDING_FIELDS``), in item order, each
    naming its voice note by a file name unique in the export (``language``: the spec's,
    for items that give none)."""
    rows: list[dict[str, object]] = []
    taken: set[str] = set()
    for entry in items:
        item = entry.labelled
        read_in = item_language(entry.payload, language)
        for vote in entry.votes:
            counts = vote.reviews.counts if vote.reviews is not None else {}
            decided = verdict(counts, vote.reviews.needed) if vote.reviews is not None else None
            rows.append({
                "file_name": _file_name(item.item_id, vote.annotator, taken),
                "item_id": item.item_id, "recording_id": vote.answer_id,
                "sentence": item.text, "speaker": vote.annotator,
                "language": read_in,
                "duration": _seconds(vote.detail),
                "up_votes": counts.get(SAYS, 0), "down_votes": counts.get(DOES_NOT, 0),
                "unclear_votes": counts.get(UNCLEAR, 0),
                "accepted": None if decided is None else decided == "accepted",
                **speaker_columns(vote.facts), "media_key": vote.label})
    return rows


def speaker_columns(facts: Mapping[str, object]) -> dict[str, str]:
    """Return Common Voice's age, gender and accents columns from what a speaker told
    about themselves (empty strings for what they did not)."""
    return {key: str(facts.get(key) or "") for key in SPEAKER_FACTS}


def common_voice_row(row: Mapping[str, object]) -> dict[str, object]:
    """Return a recording's row in Common Voice's layout (``COMMON_VOICE_FIELDS``)."""
    return {"client_id": row["speaker"], "path": row["file_name"], "sentence": row["sentence"],
            "up_votes": row["up_votes"], "down_votes": row["down_votes"],
            **speaker_columns(row), "locale": row["language"], "segment": ""}


def common_voice_tables(rows: Sequence[Mapping[str, object]]) -> list[ExportTable]:
    """Return the validated, invalidated and other tables (accepted, rejected, undecided)."""
    splits: dict[str, list[dict[str, object]]] = {name: [] for name in SPLITS.values()}
    for row in rows:
        accepted = row["accepted"]
        split = SPLITS[None if accepted is None else "accepted" if accepted else "rejected"]
        splits[split].append(common_voice_row(row))
    return [ExportTable(f"recordings/{name}", COMMON_VOICE_FIELDS, tuple(found))
            for name, found in splits.items()]


def recording_tables(name: str, items: Sequence[KindItem], language: str = ""
                     ) -> list[ExportTable]:
    """Return the recording project's own tables (see the module docstring; ``language``:
    the spec's, for items that give none)."""
    rows = recording_rows(items, language)
    metadata = tuple({key: row[key] for key in RECORDING_FIELDS} for row in rows)
    files = tuple((str(row["file_name"]), MediaKey(str(row["media_key"]))) for row in rows)
    wav = tuple({**row, "file_name": _wav(str(row["file_name"]))} for row in metadata)
    return [
        ExportTable("recordings", RECORDING_FIELDS, metadata,
                    recordings_card(name, metadata, "*.ogg"), files=files),
        ExportTable("recordings_wav16k", RECORDING_FIELDS, wav,
                    recordings_card(name, wav, "*.wav"),
                    files=tuple((_wav(file), key) for file, key in files),
                    convert=FileConversion.WAV_16K, tabular=False),
        *common_voice_tables(rows),
    ]


def recordings_card(name: str, rows: Sequence[Mapping[str, object]], pattern: str) -> str:
    """Return the Hugging Face card of the recordings (an ``audiofolder``)."""
    languages = sorted({str(r["language"]) for r in rows if r["language"]})
    header = {"configs": [{"config_name": "default", "data_files": [
                  {"split": "train", "path": ["metadata.jsonl", pattern]}]}],
              "task_categories": ["automatic-speech-recognition", "text-to-speech"],
              **({"language": languages} if languages else {}),
              "tags": ["speech", "crowdsourcing", "annobot"]}
    accepted = sum(1 for r in rows if r["accepted"] is True)
    rejected = sum(1 for r in rows if r["accepted"] is False)
    audio = ("the voice notes as the speakers sent them (OGG/Opus)" if pattern == "*.ogg"
             else "the voice notes converted to 16 kHz mono 16-bit WAV")
    return "\n".join([
        "---", *(f"{key}: {json.dumps(value, ensure_ascii=False)}"
                 for key, value in header.items()), "---", "",
        f"# {name}: recordings", "",
        f"{len(rows)} recordings ({accepted} accepted, {rejected} rejected, "
        f"{len(rows) - accepted - rejected} not decided yet): {audio}. Recorded on Telegram "
        "with annobot: each speaker read the sentence aloud; other annotators checked "
        "each recording (says exactly the sentence, does not, cannot hear it).", "",
        "- `speaker`: a stable pseudonym per project; `language`: the BCP 47 tag of the "
        "sentence read (the item's, else the project's; empty when neither gave one).",
        "- `gender`, `age` (a band such as `20_29`), `accents` (a dialect region): what the "
        "speaker chose to tell with their consent, empty otherwise.",
        "- `duration`: seconds; `up_votes`, `down_votes`, `unclear_votes`: the checks.",
        "- `accepted`: true once enough checks agree it says the sentence, false once "
        "enough agree it does not, null while undecided.",
        "- Common Voice's tables (`validated`, `invalidated`, `other`) are in "
        "`tables/recordings/`.", "",
        "```python", "from datasets import load_dataset",
        'recordings = load_dataset("audiofolder", data_dir="<this folder>")["train"]',
        'accepted = recordings.filter(lambda r: r["accepted"])', "```", ""])


def _file_name(item_id: str, speaker: str, taken: set[str]) -> str:
    """Return ``<item>_<speaker>_<n>.ogg``, unique among ``taken`` (which it joins)."""
    safe = _UNSAFE.sub("_", item_id)[:80] or "item"
    if safe != item_id:
        safe += "-" + hashlib.sha1(item_id.encode()).hexdigest()[:8]
    stem = f"{safe}_{_UNSAFE.sub('_', speaker)}"
    number = 1
    while f"{stem}_{number}.ogg" in taken:
        number += 1
    taken.add(f"{stem}_{number}.ogg")
    return f"{stem}_{number}.ogg"


def _spec_language(spec: ProjectSpec) -> str:
    """Return the language the spec gives its items (empty: none)."""
    return (spec.scale.language or "") if spec.scale is not None else ""


def _wav(file_name: str) -> str:
    return file_name.removesuffix(".ogg") + ".wav"


def _seconds(detail: str) -> float | None:
    """Return a recording's duration from its detail (None: not recorded there)."""
    try:
        facts = json.loads(detail) if detail else {}
    except json.JSONDecodeError:
        return None
    seconds = facts.get("seconds") if isinstance(facts, dict) else None
    return float(seconds) if isinstance(seconds, int | float) else None
