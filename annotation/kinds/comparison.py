"""A comparison's values: the item's prompt and two candidates, and what an answer says
beyond its side (the level and the order shown). ``annotation.kinds.pairwise`` shows and
reads comparisons; ``annotation.kinds.preferences`` exports them."""

from __future__ import annotations

import json
from dataclasses import dataclass

A, B, TIE = "a", "b", "tie"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One of the two responses compared, with its own id."""

    id: str
    text: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """An item's payload: the prompt and its two candidates, in the item's order."""

    prompt: str
    first: Candidate
    second: Candidate

    def to_json(self) -> str:
        """Return the payload as stored."""
        return json.dumps({"prompt": self.prompt,
                           "candidates": [{"id": c.id, "text": c.text}
                                          for c in (self.first, self.second)]},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Comparison:
        """Read a stored payload."""
        data = json.loads(text)
        first, second = (Candidate(c["id"], c["text"]) for c in data["candidates"])
        return cls(data["prompt"], first, second)


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
