"""Settings of ``annobot run``, from the command line and the environment.

A bad or missing setting raises :class:`ConfigError` naming it; the CLI prints that one
line and exits 2. The token is kept out of ``repr`` so it cannot leak into logs. The
environment is the place for it: a ``--token`` flag shows in the process list.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

TOKEN_FORMAT = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")


class ConfigError(Exception):
    """A setting is missing or malformed."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What one sender or one upload may cost (docs/SECURITY.md), from ``ANNOBOT_*``."""

    sender_rate: float = 2.0  # messages admitted per sender per second, sustained
    sender_burst: int = 20  # ... and at once
    sender_backlog: int = 20  # a sender's messages waiting behind the one being handled
    reply_interval: float = 20.0  # seconds between replies to a stranger / "slow down"
    max_updates: int = 256  # handlers running at once, all senders together
    upload_pixels: int = 200_000_000  # decoded image pixels per uploaded file


LIMIT_VARIABLES: dict[str, tuple[str, type[int] | type[float]]] = {
    "ANNOBOT_SENDER_RATE": ("sender_rate", float),
    "ANNOBOT_SENDER_BURST": ("sender_burst", int),
    "ANNOBOT_SENDER_BACKLOG": ("sender_backlog", int),
    "ANNOBOT_REPLY_INTERVAL": ("reply_interval", float),
    "ANNOBOT_MAX_UPDATES": ("max_updates", int),
    "ANNOBOT_UPLOAD_PIXELS": ("upload_pixels", int),
}


def load_limits(environ: Mapping[str, str]) -> Limits:
    """Read the limits set in the environment; each must be a positive number."""
    values: dict[str, float] = {}
    for variable, (name, kind) in LIMIT_VARIABLES.items():
        raw = environ.get(variable)
        if raw is None or not raw.strip():
            continue
        try:
            value = kind(raw.strip())
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise ConfigError(f"{variable}: {raw!r} is not {what}") from None
        if not value > 0:
            raise ConfigError(f"{variable}: {raw!r} must be more than 0")
        values[name] = value
    return Limits(**values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Config:
    """Everything ``annobot run`` needs."""

    token: str = field(repr=False)
    admins: frozenset[int]
    database: Path
    api_url: str | None = None
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)
    export_dir: Path = Path("exports")
    flood_retries: int = -1  # retries of a reply after a 429; negative: until it is delivered
    limits: Limits = field(default_factory=Limits)

    @property
    def base_url(self) -> str | None:
        """Return the PTB ``base_url`` for a self-hosted Bot API server."""
        return f"{self.api_url.rstrip('/')}/bot" if self.api_url else None

    @property
    def base_file_url(self) -> str | None:
        """Return the PTB ``base_file_url`` for a self-hosted Bot API server."""
        return f"{self.api_url.rstrip('/')}/file/bot" if self.api_url else None


def parse_admins(raw: str) -> frozenset[int]:
    """Parse a comma- or space-separated list of Telegram user ids."""
    ids = set()
    for part in re.split(r"[\s,;]+", raw.strip()):
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(f"ANNOBOT_ADMINS: {part!r} is not a Telegram user id")
        ids.add(int(part))
    return frozenset(ids)


def _check_url(name: str, url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"{name}: {url!r} is not an http(s) URL")
    return url


def load_config(*, token: str | None, admins: str | None, database: str | None,
                api_url: str | None = None, webhook_url: str | None = None,
                webhook_listen: str | None = None, webhook_port: int | None = None,
                export_dir: str | None = None,
                environ: Mapping[str, str] = os.environ) -> Config:
    """Build the configuration, flags first, then ``ANNOBOT_*`` variables."""
    token = token or environ.get("ANNOBOT_TOKEN", "")
    if not token:
        raise ConfigError("ANNOBOT_TOKEN: missing (set this environment variable to the "
                          "token @BotFather gave you; --token works too, but is visible "
                          "in the process list)")
    if not TOKEN_FORMAT.match(token):
        raise ConfigError("ANNOBOT_TOKEN: not a bot token (expected digits:letters)")
    admin_ids = parse_admins(admins if admins is not None else environ.get("ANNOBOT_ADMINS", ""))
    api = api_url or environ.get("ANNOBOT_API_URL") or None
    webhook = webhook_url or environ.get("ANNOBOT_WEBHOOK_URL") or None
    port_text = str(webhook_port or environ.get("ANNOBOT_WEBHOOK_PORT", "8443"))
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(f"ANNOBOT_WEBHOOK_PORT: {port_text!r} is not a port number")
    return Config(
        token=token,
        admins=admin_ids,
        database=Path(database or environ.get("ANNOBOT_DB", "annobot.db")),
        api_url=_check_url("--api-url", api) if api else None,
        webhook_url=_check_url("--webhook", webhook) if webhook else None,
        webhook_listen=webhook_listen or environ.get("ANNOBOT_WEBHOOK_LISTEN", "127.0.0.1"),
        webhook_port=int(port_text),
        webhook_secret=environ.get("ANNOBOT_WEBHOOK_SECRET") or None,
        export_dir=Path(export_dir or environ.get("ANNOBOT_EXPORT_DIR", "exports")),
        limits=load_limits(environ),
    )
