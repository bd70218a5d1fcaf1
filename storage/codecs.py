"""Conversions between stored columns and domain values: times, per-question checks.

Project specs have their JSON form in ``annotation.intake.spec``, beside their TOML form.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime


def to_ts(moment: datetime) -> float:
    """Return a timezone-aware datetime as Unix seconds."""
    return moment.timestamp()


def from_ts(seconds: float) -> datetime:
    """Return Unix seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def checks_to_json(checks: tuple[tuple[str, bool], ...]) -> str:
    """Return an answer's per-question gold checks as stored ("" when it has none)."""
    if not checks:
        return ""
    return json.dumps({key: int(right) for key, right in checks}, separators=(",", ":"))


def checks_from_json(text: str) -> tuple[tuple[str, bool], ...]:
    """Return per-question gold checks as stored by :func:`checks_to_json`."""
    if not text:
        return ()
    return tuple((key, bool(right)) for key, right in json.loads(text).items())
