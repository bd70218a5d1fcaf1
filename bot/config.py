"""The bot's settings: one frozen :class:`BotSettings`, from the command line and environment.

``annobot run`` builds it with :func:`load_config` (flags first, then ``ANNOBOT_*``
variables); the demo, tests and benchmarks construct it directly. It goes unchanged down
to :func:`bot.application.running_bot`. A bad or missing setting raises
:class:`ConfigError` naming it; the CLI prints that one line and exits 2. The token (and
the webhook secret) are kept out of ``repr`` so they cannot leak into logs. The
environment is the place for the token: a ``--token`` flag shows in the process list.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from annotation.console.pacing import DEFAULT_RATE
from annotation.media.preparation import MAX_UPLOAD_PIXELS
from bot.jobs import DIGEST_TIME, EXPIRY_INTERVAL, QUALITY_INTERVAL, REMINDER_INTERVAL
from bot.update_processor import BacklogPolicy

TOKEN_FORMAT = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")
WEBAPP_PORT = 8081
WEBAPP_MAX_AGE = timedelta(hours=1)
# plain http is for a local test only; Telegram refuses a Web App host without a dot
# ("localhost", "[::1]": "Wrong HTTP URL"), even in its test environment
LOOPBACK = ("127.0.0.1",)


class ConfigError(Exception):
    """A setting is missing or malformed."""


@dataclass(frozen=True, slots=True)
class WebhookOptions:
    """Where the bot listens for webhook updates."""

    url: str
    listen: str
    port: int
    path: str
    secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class WebAppOptions:
    """Where the Mini App is served (polling mode; a webhook's server serves it in webhook
    mode) and the public base URL phones open (None: ``http://<listen>:<port>``, for the
    demo and tests on loopback)."""

    url: str | None = None
    listen: str = "127.0.0.1"
    port: int = WEBAPP_PORT  # 0: any free port
    max_age: timedelta = WEBAPP_MAX_AGE  # how long a page's signed data is accepted


@dataclass(frozen=True, slots=True)
class BotSettings:
    """What the bot needs to start, whatever started it (CLI, demo, tests, benchmarks)."""

    token: str = field(repr=False)  # never in logs or tracebacks
    database: Path
    admins: frozenset[int] = frozenset()
    base_url: str | None = None  # a self-hosted Bot API server's ``…/bot``
    base_file_url: str | None = None  # … and its ``…/file/bot``
    webhook: WebhookOptions | None = None  # None: long polling
    webapp: WebAppOptions | None = None  # None: no Mini App (box and span tasks cannot show)
    export_dir: Path = Path("exports")
    # retries of a reply after each 429 (waiting out its retry_after); negative: until
    # Telegram takes it, so a reply under a burst of sign-ups is late, never lost
    flood_retries: int = -1
    expiry_interval: timedelta = EXPIRY_INTERVAL
    quality_interval: timedelta = QUALITY_INTERVAL
    seed: int | None = None
    broadcast_rate: float = DEFAULT_RATE  # messages per second (Telegram allows about 30)
    reminder_interval: timedelta = REMINDER_INTERVAL
    digest_time: time = DIGEST_TIME
    # the limits of docs/SECURITY.md, from ANNOBOT_* (LIMIT_VARIABLES); one sender never
    # slows the others: ``backlog`` is its rate, burst and waiting messages
    backlog: BacklogPolicy = field(default_factory=BacklogPolicy)
    reply_interval: float = 20.0  # seconds between replies to a stranger / "slow down"
    max_concurrent_updates: int = 256  # handlers running at once, all senders together
    upload_pixels: int = MAX_UPLOAD_PIXELS  # decoded image pixels per uploaded file


# variable: (field of BotSettings, or sender_<field> of its BacklogPolicy; its type)
LIMIT_VARIABLES: dict[str, tuple[str, type[int] | type[float]]] = {
    "ANNOBOT_SENDER_RATE": ("sender_rate", float),
    "ANNOBOT_SENDER_BURST": ("sender_burst", int),
    "ANNOBOT_SENDER_BACKLOG": ("sender_backlog", int),
    "ANNOBOT_REPLY_INTERVAL": ("reply_interval", float),
    "ANNOBOT_MAX_UPDATES": ("max_concurrent_updates", int),
    "ANNOBOT_UPLOAD_PIXELS": ("upload_pixels", int),
}


def _with_limits(settings: BotSettings, environ: Mapping[str, str]) -> BotSettings:
    """Return ``settings`` with the limits set in the environment; each must be positive."""
    values: dict[str, Any] = {}
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
    sender = {name.removeprefix("sender_"): values.pop(name)
              for name in list(values) if name.startswith("sender_")}
    return replace(settings, backlog=replace(settings.backlog, **sender), **values)


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


def _port(name: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError(f"{name}: {text!r} is not a port number")
    return int(text)


def load_webapp(*, url: str | None, listen: str | None, port: int | None,
                max_age: int | None, environ: Mapping[str, str] = os.environ
                ) -> WebAppOptions | None:
    """Read the Mini App's settings (None without a public URL: no Mini App); https is
    required unless the URL is a loopback one (a local test)."""
    url = url or environ.get("ANNOBOT_WEBAPP_URL") or None
    if url is None:
        return None
    parsed = urlparse(_check_url("ANNOBOT_WEBAPP_URL", url))
    if parsed.scheme != "https" and parsed.hostname not in LOOPBACK:
        raise ConfigError(f"ANNOBOT_WEBAPP_URL: {url!r} must be https (Telegram opens Mini "
                          "Apps over https only; plain http only at 127.0.0.1)")
    if parsed.query or parsed.fragment:
        raise ConfigError(f"ANNOBOT_WEBAPP_URL: {url!r} must be a base URL (no ? or #)")
    age_text = str(max_age or environ.get("ANNOBOT_WEBAPP_MAX_AGE", "3600")).strip()
    if not age_text.isdigit() or int(age_text) <= 0:
        raise ConfigError(f"ANNOBOT_WEBAPP_MAX_AGE: {age_text!r} is not a number of seconds")
    return WebAppOptions(
        url=url.rstrip("/"),
        listen=listen or environ.get("ANNOBOT_WEBAPP_LISTEN", "127.0.0.1"),
        port=_port("ANNOBOT_WEBAPP_PORT",
                   str(port or environ.get("ANNOBOT_WEBAPP_PORT", str(WEBAPP_PORT)))),
        max_age=timedelta(seconds=int(age_text)),
    )


def load_config(*, token: str | None, admins: str | None, database: str | None,
                api_url: str | None = None, webhook_url: str | None = None,
                webhook_listen: str | None = None, webhook_port: int | None = None,
                export_dir: str | None = None, webapp: WebAppOptions | None = None,
                environ: Mapping[str, str] = os.environ) -> BotSettings:
    """Build the settings of ``annobot run``, flags first, then ``ANNOBOT_*`` variables."""
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
    root = _check_url("--api-url", api).rstrip("/") if api else None
    if webhook:
        _check_url("--webhook", webhook)
    settings = BotSettings(
        token=token,
        admins=admin_ids,
        database=Path(database or environ.get("ANNOBOT_DB", "annobot.db")),
        base_url=f"{root}/bot" if root else None,
        base_file_url=f"{root}/file/bot" if root else None,
        webhook=WebhookOptions(
            url=webhook, path=urlparse(webhook).path.lstrip("/"),
            listen=webhook_listen or environ.get("ANNOBOT_WEBHOOK_LISTEN", "127.0.0.1"),
            port=int(port_text),
            secret=environ.get("ANNOBOT_WEBHOOK_SECRET") or secrets.token_urlsafe(32),
        ) if webhook else None,
        export_dir=Path(export_dir or environ.get("ANNOBOT_EXPORT_DIR", "exports")),
        webapp=webapp,
    )
    return _with_limits(settings, environ)
