"""Settings of ``annobot run``, from the command line and the environment.

A bad or missing setting raises :class:`ConfigError` naming it; the CLI prints that one
line and exits 2. The token is kept out of ``repr`` so it cannot leak into logs.
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
    flood_retries: int = 3

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
        raise ConfigError("ANNOBOT_TOKEN: missing (set it or pass --token; get one "
                          "from @BotFather)")
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
    )
