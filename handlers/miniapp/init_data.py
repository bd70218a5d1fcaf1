"""Telegram's signed ``initData``: checked exactly as core.telegram.org/bots/webapps documents.

Telegram gives a Mini App opened from an inline button a query string (``query_id``,
``user`` as JSON, ``auth_date``, ``signature``, ``hash``…). It is genuine iff::

    data_check_string = "\\n".join(f"{key}={value}" for every field but hash, sorted by key)
    secret_key = HMAC_SHA256(key=b"WebAppData", msg=bot_token)
    hash == hex(HMAC_SHA256(key=secret_key, msg=data_check_string))

with the values URL-decoded first. :func:`verify` also refuses data signed longer ago than
``max_age`` (or more than a minute in the future: a skewed or forged clock), and raises
:class:`InitDataRejected` with a reason; it never says which byte was wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl

FUTURE_SKEW = timedelta(minutes=1)
MAX_LENGTH = 8192  # Telegram's initData is well under 1 KB; anything far longer is not it


class Rejection(StrEnum):
    """Why signed data was refused."""

    MISSING = "missing"  # no data, or a field the check needs is absent or malformed
    FORGED = "forged"  # the signature does not match
    EXPIRED = "expired"  # signed too long ago (or in the future)


class InitDataRejected(Exception):
    """The initData cannot be trusted; ``reason`` says why."""

    def __init__(self, reason: Rejection) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class WebAppUser:
    """Who opened the Mini App, as Telegram signed it."""

    user_id: int
    language_code: str | None
    auth_date: datetime
    query_id: str | None
    hash: str  # the signature: one per opening of the app


def secret_key(token: str) -> bytes:
    """Return the key initData is signed with: HMAC-SHA256 of the token under "WebAppData"."""
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def _fields(raw: str) -> dict[str, str]:
    if not raw or len(raw) > MAX_LENGTH:
        raise InitDataRejected(Rejection.MISSING)
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataRejected(Rejection.MISSING) from None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a repeated key: which one was signed?
        raise InitDataRejected(Rejection.FORGED)
    return fields


def verify(raw: str, token: str, now: datetime, max_age: timedelta) -> WebAppUser:
    """Check raw initData against the bot token and its age; return who signed it."""
    fields = _fields(raw)
    received = fields.pop("hash", "")
    if not received:
        raise InitDataRejected(Rejection.MISSING)
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    expected = hmac.new(secret_key(token), check.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), received.encode()):
        raise InitDataRejected(Rejection.FORGED)
    # signed by Telegram from here on: a malformed field is Telegram's, not an attack
    try:
        signed_at = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        raise InitDataRejected(Rejection.MISSING) from None
    if now - signed_at > max_age or signed_at - now > FUTURE_SKEW:
        raise InitDataRejected(Rejection.EXPIRED)
    language = user.get("language_code")
    return WebAppUser(user_id, language if isinstance(language, str) else None, signed_at,
                      fields.get("query_id"), received)
