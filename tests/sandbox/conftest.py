"""Fixtures of the sandbox tests (shared ones come from bot.sandbox.pytest_plugin)."""

import pytest

from bot.sandbox.pytest_plugin import sandbox, sandbox_bot, sandbox_config

__all__ = ["sandbox", "sandbox_bot", "sandbox_config"]


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt into PTB's timedelta periods: its int form warns, and warnings are errors."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
