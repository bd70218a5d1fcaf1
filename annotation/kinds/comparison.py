"""A comparison's values: the item's prompt and two candidates, and what an answer says
beyond its side (the level and the order shown). ``annotation.kinds.pairwise`` shows and
reads comparisons; ``annotation.kinds.preferences`` exports them.

Candidates are texts, or images: then each candidate holds the key of its own prepared
image, and the comparison the key of the side-by-side photo in the reverse order (the
item's own media is the photo in the item's order, ``annotation.media.pairs``). The stored
JSON only gains keys (``media``, ``swapped_media``), so text comparisons read as before.
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
    media: MediaKey | None = None  # the candidate's prepared image (an image comparison)


@dataclass(frozen=True, slots=True)
class Comparison:
    """An item's payload: the prompt and its two candidates, in the item's order."""

    prompt: str
    first: Candidate
    second: Candidate
    swapped_media: MediaKey | None = None  # images: the photo showing the second as A

    @property
    def images(self) -> bool:
        """Return whether the candidates are images (shown in one side-by-side photo)."""
        return self.first.media is not None

    def with_images(self, first: MediaKey, second: MediaKey, swapped: MediaKey
                    ) -> Comparison:
        """Return the comparison with its candidates' images and the swapped photo."""
        return Comparison(self.prompt, replace(self.first, media=first),
                          replace(self.second, media=second), swapped)

    def to_json(self) -> str:
        """Return the payload as stored."""
        data: dict[str, object] = {"prompt": self.prompt,
                                   "candidates": [_candidate_json(c)
                                                  for c in (self.first, self.second)]}
        if self.swapped_media is not None:
            data["swapped_media"] = self.swapped_media
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Comparison:
        """Read a stored payload."""
        data = json.loads(text)
        first, second = (Candidate(c["id"], c["text"], _key(c.get("media")))
                         for c in data["candidates"])
        return cls(data["prompt"], first, second, _key(data.get("swapped_media")))


def _candidate_json(candidate: Candidate) -> dict[str, str]:
    data = {"id": candidate.id, "text": candidate.text}
    if candidate.media is not None:
        data["media"] = candidate.media
    return data


def _key(value: object) -> MediaKey | None:
    return MediaKey(str(value)) if value else None


def image_file_name(item_id: str, side: str) -> str:
    """Return the export's file name of a candidate's image: the item's id and its side in
    the item's order (``a`` or ``b``), made safe for any file system."""
    safe = _UNSAFE.sub("_", item_id)[:80] or "item"
    if safe != item_id:
        safe += "-" + hashlib.sha1(item_id.encode()).hexdigest()[:8]
    return f"{safe}_{side}.jpg"


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
