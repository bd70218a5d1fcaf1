"""Project-wide test settings."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt into PTB's timedelta periods: its int form warns, and warnings are errors."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
