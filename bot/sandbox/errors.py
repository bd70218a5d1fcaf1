"""Errors raised by the sandbox, one tree.

    SandboxError                 base of everything the sandbox raises
     ├── ApiError                a Bot API error reply: HTTP status, Telegram's description,
     │                           optional ``retry_after``; the server turns it into JSON
     └── DriverError             a simulated user was asked to do something impossible
          ├── ButtonNotFound     the tapped button is not on the message's current keyboard
          ├── MessageNotFound    the driver referred to a message the chat does not have
          └── UserBlockedBot     a user who blocked the bot tried to write to it
"""

from __future__ import annotations


class SandboxError(Exception):
    """Base class of every sandbox error."""


class ApiError(SandboxError):
    """A Bot API error reply, answered as ``{"ok": false, "error_code": ..., ...}``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> dict[str, object]:
        """Render the error as Telegram's JSON reply body."""
        body: dict[str, object] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """Build a 400 error with Telegram's ``Bad Request: ...`` prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """Build a 403 error with Telegram's ``Forbidden: ...`` prefix."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """Build the 429 flood-control error carrying ``parameters.retry_after``."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


class DriverError(SandboxError):
    """A simulated user was asked to do something a real user could not do."""


class ButtonNotFound(DriverError):
    """The tapped button is not on the message's current inline keyboard."""


class MessageNotFound(DriverError):
    """The driver referred to a message that the chat does not hold."""


class UserBlockedBot(DriverError):
    """A user who blocked the bot tried to write to it; call ``unblock()`` first."""
