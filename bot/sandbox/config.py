"""Configuration of the sandbox: flood limits, fault injection and server settings."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """Token-bucket rates of Telegram's flood control (rates per second unless named).

    Sends count against the global bucket and the chat's bucket (private or group).
    Edits use a separate, more generous per-chat bucket and, when
    ``edits_count_globally`` is set, also the global one: Telegram lets bots edit a
    message more often than it lets them post, but heavy editing still trips the
    bot-wide limit. ``answerCallbackQuery`` and ``sendChatAction`` are never limited.
    """

    global_per_second: float = 30.0
    global_burst: float = 30.0
    private_per_second: float = 1.0
    private_burst: float = 3.0
    group_per_minute: float = 20.0
    group_burst: float = 5.0
    edit_per_second: float = 3.0
    edit_burst: float = 10.0
    edits_count_globally: bool = True


@dataclass(frozen=True, slots=True)
class Faults:
    """Fault injection, drawn from the server's seeded ``random.Random``.

    ``error_rate``: fraction of requests answered 500 or 502 before doing anything.
    ``delay_rate``/``delay_seconds``: fraction of requests held before processing.
    ``drop_update_rate``: fraction of non-empty getUpdates responses (or successful webhook
    pushes) lost after delivery, so the client asks again and gets the same updates.
    ``drop_response_rate``: fraction of other requests carried out whose response is lost.
    ``redeliver_confirmed``: every update is delivered once more after its confirmation,
    as when a bot dies before its offset reached Telegram.
    ``methods``: Bot API method names the rates apply to (``None``: all methods).
    ``limit``: stop injecting after this many faults (``None``: no limit).
    """

    error_rate: float = 0.0
    delay_rate: float = 0.0
    delay_seconds: float = 0.0
    drop_update_rate: float = 0.0
    drop_response_rate: float = 0.0
    redeliver_confirmed: bool = False
    methods: frozenset[str] | None = None
    limit: int | None = None


@dataclass(slots=True)
class SandboxConfig:
    """Everything a :class:`SandboxServer` needs; every field has a usable default."""

    token: str = "123456:TEST"
    flood_control: bool = True
    faults: Faults = field(default_factory=Faults)
    seed: int = 0
    host: str = "127.0.0.1"
    port: int = 0
    bot_username: str = "annobot_sandbox_bot"
    bot_first_name: str = "Annobot Sandbox"
    flood: FloodLimits = field(default_factory=FloodLimits)
    clock: Callable[[], float] = time.monotonic
    # Unix time of message dates and of a Mini App's auth_date (tests may pin it).
    wall_clock: Callable[[], float] = time.time
    callback_query_ttl: float = 15.0
    max_upload_bytes: int = 50 * MIB
    max_photo_bytes: int = 10 * MIB
    max_download_bytes: int = 20 * MIB
    # A getFile link lives this long (seconds of ``clock``); Telegram guarantees an hour, then
    # the bot must call getFile again. None: links never expire.
    file_link_ttl: float | None = 3600.0
    webhook_retry_initial: float = 0.05
    webhook_retry_max: float = 1.0
    log_requests: bool = True
    # The sandbox plays Telegram's test environment, whose Web App buttons may use http://;
    # False applies production's rule (https only).
    allow_http_web_apps: bool = True

    @property
    def bot_id(self) -> int:
        """Return the bot's user id: the numeric part of the token, as on Telegram."""
        head = self.token.split(":", 1)[0]
        return int(head) if head.isdigit() else 1
