"""A comparison's values: the item's prompt and two candidates, and what an answer says
beyond its side (the level and the order shown). ``annotation.kinds.pairwise`` shows and
reads comparisons; ``annotation.kinds.preferences`` exports them.

Candidates are texts, images or audio clips. An image candidate holds the key of its own
prepared image, and the comparison the key of the side-by-side photo in the reverse order
(the item's own media is the photo in the item's order, ``annotation.media.pairs``). An
audio candidate holds its clip's key and file suffix, and the comparison the voice note
playing both in the reverse order and, for each order, where the screen's B starts
(``annotation.media.audio_pairs``). The stored JSON only gains keys (``media``, ``suffix``,
``swapped_media``, ``audio_at``), so text and image comparisons read as before.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace

from annotation.models import MediaKey

A, B, TIE = "a", "b", "tie"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One of the two responses compared, with its own id: a text, or an image."""

    id: str
    text: str
    media: MediaKey | None = None  # the candidate's prepared image, or its clip as given
    suffix: str | None = None  # an audio candidate's file suffix (".ogg"); images: ".jpg"


@dataclass(frozen=True, slots=True)
class Comparison:
    """An item's payload: the prompt and its two candidates, in the item's order."""

    prompt: str
    first: Candidate
    second: Candidate
    swapped_media: MediaKey | None = None  # the photo (or note) showing the second as A
    # audio: where the screen's B starts (seconds) in the item's order and swapped
    audio_at: tuple[float, float] | None = None

    @property
    def files(self) -> bool:
        """Return whether the candidates are files (images or audio clips), not texts."""
        return self.first.media is not None

    @property
    def images(self) -> bool:
        """Return whether the candidates are images (shown in one side-by-side photo)."""
        return self.files and self.audio_at is None

    @property
    def audio(self) -> bool:
        """Return whether the candidates are audio clips (played in one voice note)."""
        return self.files and self.audio_at is not None

    def with_images(self, first: MediaKey, second: MediaKey, swapped: MediaKey
                    ) -> Comparison:
        """Return the comparison with its candidates' images and the swapped photo."""
        return Comparison(self.prompt, replace(self.first, media=first),
                          replace(self.second, media=second), swapped)

    def with_clips(self, clips: tuple[tuple[MediaKey, str], tuple[MediaKey, str]],
                   swapped: MediaKey, audio_at: tuple[float, float]) -> Comparison:
        """Return the comparison with its candidates' clips (key and suffix), the swapped
        note and where B starts in each order."""
        (first, first_suffix), (second, second_suffix) = clips
        return Comparison(self.prompt, replace(self.first, media=first, suffix=first_suffix),
                          replace(self.second, media=second, suffix=second_suffix), swapped,
                          audio_at)

    def file_name(self, item_id: str, side: str) -> str:
        """Return the export's file name of a candidate's image or clip (``a``: the item's
        first candidate)."""
        candidate = self.first if side == A else self.second
        return candidate_file_name(item_id, side, candidate.suffix or ".jpg")

    def to_json(self) -> str:
        """Return the payload as stored."""
        data: dict[str, object] = {"prompt": self.prompt,
                                   "candidates": [_candidate_json(c)
                                                  for c in (self.first, self.second)]}
        if self.swapped_media is not None:
            data["swapped_media"] = self.swapped_media
        if self.audio_at is not None:
            data["audio_at"] = list(self.audio_at)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Comparison:
        """Read a stored payload."""
        data = json.loads(text)
        first, second = (Candidate(c["id"], c["text"], _key(c.get("media")), c.get("suffix"))
                         for c in data["candidates"])
        at = data.get("audio_at")
        return cls(data["prompt"], first, second, _key(data.get("swapped_media")),
                   (float(at[0]), float(at[1])) if at else None)


def _candidate_json(candidate: Candidate) -> dict[str, str]:
    data = {"id": candidate.id, "text": candidate.text}
    if candidate.media is not None:
        data["media"] = candidate.media
    if candidate.suffix is not None:
        data["suffix"] = candidate.suffix
    return data


def _key(value: object) -> MediaKey | None:
    return MediaKey(str(value)) if value else None


def candidate_file_name(item_id: str, side: str, suffix: str = ".jpg") -> str:
    """Return the export's file name of a candidate's image or clip: the item's id and its
    side in the item's order (``a`` or ``b``), made safe for any file system."""
    safe = _UNSAFE.sub("_", item_id)[:80] or "item"
    if safe != item_id:
        safe += "-" + hashlib.sha1(item_id.encode()).hexdigest()[:8]
    return f"{safe}_{side}{suffix}"


@dataclass(frozen=True, slots=True)
class Judgement:
    """An answer's detail: the level given (0 for a tie) and the order shown."""

    level: int
    shown: str  # "ab": the item's first candidate was shown as A; "ba": as B
    position: int | None  # the screen position picked (0: A, 1: B), None for a tie

    def to_json(self) -> str:
        """Return the detail as stored (``position`` is what the position rule counts)."""
        return json.dumps({"level": self.level, "position": self.position,
                           "shown": self.shown}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Judgement:
        """Read a stored detail."""
        data = json.loads(text)
        return cls(int(data["level"]), str(data["shown"]), data.get("position"))


def margin(label: str, detail: str) -> int:
    """Return a judgement as a signed margin: negative for ``a``, positive for ``b``."""
    level = Judgement.from_json(detail).level if detail else 1
    return -level if label == A else level if label == B else 0


@dataclass(frozen=True, slots=True)
class Lineup:
    """An item's payload for a ranking: the prompt and its candidates, in the item's order."""

    prompt: str
    candidates: tuple[Candidate, ...]

    def to_json(self) -> str:
        """Return the payload as stored."""
        return json.dumps({"prompt": self.prompt,
                           "candidates": [{"id": c.id, "text": c.text}
                                          for c in self.candidates]},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Lineup:
        """Read a stored payload."""
        data = json.loads(text)
        return cls(data["prompt"], tuple(Candidate(c["id"], c["text"])
                                         for c in data["candidates"]))
