"""The request object handlers receive, and the special results they may return."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.errors import SandboxError, bad_request
from bot.sandbox.params import Upload


@dataclass(slots=True)
class Call:
    """One Bot API call: method name, coerced parameters, uploaded file parts."""

    method: str
    params: dict[str, Any]
    uploads: dict[str, Upload] = field(default_factory=dict)
    chat_id: int | None = None  # set by handlers, for the request log

    def attached(self, reference: str) -> Upload:
        """Return the upload an ``attach://name`` reference points to."""
        name = reference.removeprefix("attach://")
        upload = self.uploads.get(name)
        if upload is None:
            raise bad_request(f"can't find attached file \"{name}\"")
        return upload


@dataclass(frozen=True, slots=True)
class RawResult:
    """A result already encoded as JSON bytes (used for getUpdates batches)."""

    body: bytes


class DropResponse(SandboxError):
    """Lose the response: the server closes the connection without answering."""
