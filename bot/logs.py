"""Logging, configured once at the entry point; the bot token is redacted everywhere."""

from __future__ import annotations

import logging

REDACTED = "<token>"


def redact(text: str, token: str) -> str:
    """Return ``text`` with every occurrence of ``token`` replaced."""
    return text.replace(token, REDACTED) if token else text


class TokenFilter(logging.Filter):
    """Replaces the bot token in every record (messages, arguments and tracebacks)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the token from the record in place."""
        if not self._token:
            return True
        message = record.getMessage()
        if self._token in message:
            record.msg = redact(message, self._token)
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            if self._token in formatted:
                record.exc_text = redact(formatted, self._token)
                record.exc_info = None
        return True


def configure_logging(level: int = logging.INFO, token: str = "") -> None:
    """Log to stderr, quiet the HTTP client, redact ``token``."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(TokenFilter(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
