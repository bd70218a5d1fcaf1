"""Fixtures of the sandbox tests (shared ones come from bot.sandbox.pytest_plugin)."""

from bot.sandbox.pytest_plugin import sandbox, sandbox_bot, sandbox_config

__all__ = ["sandbox", "sandbox_bot", "sandbox_config"]
