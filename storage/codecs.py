"""Conversions between stored columns and domain values: times.

Project specs have their JSON form in ``annotation.intake.spec``, beside their TOML form.
"""

from __future__ import annotations

from datetime import UTC, datetime


def to_ts(moment: datetime) -> float:
    """Return a timezone-aware datetime as Unix seconds."""
    return moment.timestamp()


def from_ts(seconds: float) -> datetime:
    """Return Unix seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, tz=UTC)
