"""Bot API method handlers and their registry (name -> handler).

Each handler takes the shared :class:`SandboxState` and a :class:`Call` (coerced parameters
plus uploaded files), raises :class:`ApiError` for Telegram's errors, and returns the
``result`` to send. Method names are matched case-insensitively, as Telegram does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox.methods import account, editing, menu, polling, sending
from bot.sandbox.methods.call import Call, DropResponse, RawResult
from bot.sandbox.state import SandboxState

Handler = Callable[[SandboxState, Call], Awaitable[Any]]

HANDLERS: dict[str, Handler] = {
    **account.HANDLERS,
    **editing.HANDLERS,
    **menu.HANDLERS,
    **polling.HANDLERS,
    **sending.HANDLERS,
}
BY_LOWER_NAME: dict[str, str] = {name.lower(): name for name in HANDLERS}

__all__ = ["BY_LOWER_NAME", "HANDLERS", "Call", "DropResponse", "Handler", "RawResult"]
