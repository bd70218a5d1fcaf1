"""Stable pseudonyms for annotators in exports: the same person gets the same name in every
export of a project, a different one in each project, and the name does not reveal the
Telegram id without the installation's secret (an HMAC, not a hash anyone can reverse by
trying every id)."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "a_"
LENGTH = 12  # hex characters: 48 bits, collisions negligible for a project's crowd


def pseudonym(secret: bytes, project_id: int, annotator_id: int) -> str:
    """Return the annotator's pseudonym in one project."""
    digest = hmac.new(secret, f"{project_id}:{annotator_id}".encode(), hashlib.sha256)
    return PREFIX + digest.hexdigest()[:LENGTH]


class Pseudonymizer:
    """Maps annotator ids to pseudonyms (or keeps the ids, when an admin asks for them)."""

    def __init__(self, secret: bytes, project_id: int, *, reveal_ids: bool = False) -> None:
        self._secret = secret
        self._project_id = project_id
        self._reveal = reveal_ids
        self._cache: dict[int, str] = {}

    @property
    def reveals_ids(self) -> bool:
        """Return whether exports carry Telegram ids instead of pseudonyms."""
        return self._reveal

    def __call__(self, annotator_id: int) -> str:
        """Return the name an export shows for ``annotator_id``."""
        name = self._cache.get(annotator_id)
        if name is None:
            name = (str(annotator_id) if self._reveal
                    else pseudonym(self._secret, self._project_id, annotator_id))
            self._cache[annotator_id] = name
        return name
