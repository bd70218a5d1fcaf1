"""Observability: per-method call counts, upload counters and a log of every request."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One Bot API request as the server answered it."""

    method: str
    chat_id: int | None
    status: int
    time: float
    ok: bool
    params: str = ""
    description: str | None = None


@dataclass(slots=True)
class Stats:
    """Counters the tests and benchmarks assert on; ``reset()`` zeroes them."""

    calls: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    uploaded_bytes: int = 0
    uploads: int = 0
    downloads: int = 0
    expired_downloads: int = 0  # refused: no getFile issued the link, or it expired
    flood_refusals: int = 0
    faults_injected: int = 0
    dropped_responses: int = 0
    webhook_pushes: int = 0
    webhook_failures: int = 0
    web_app_launches: int = 0  # Mini Apps the simulated users opened
    log: list[RequestRecord] = field(default_factory=list)
    keep_log: bool = True

    def reset(self) -> None:
        """Zero every counter and clear the request log."""
        self.calls.clear()
        self.statuses.clear()
        self.uploaded_bytes = self.uploads = self.downloads = self.expired_downloads = 0
        self.flood_refusals = self.faults_injected = self.dropped_responses = 0
        self.webhook_pushes = self.webhook_failures = self.web_app_launches = 0
        self.log.clear()

    def record(
        self,
        method: str,
        chat_id: int | None,
        status: int,
        params: str = "",
        description: str | None = None,
    ) -> None:
        """Count one answered request and append it to the log."""
        self.calls[method] += 1
        self.statuses[status] += 1
        if status == 429:
            self.flood_refusals += 1
        if self.keep_log:
            self.log.append(
                RequestRecord(method, chat_id, status, time.time(), status == 200, params,
                              description)
            )

    def count(self, method: str, *, chat_id: int | None = None, ok: bool | None = None) -> int:
        """Count logged requests of ``method``, optionally for one chat or outcome."""
        return sum(
            1
            for r in self.log
            if r.method == method
            and (chat_id is None or r.chat_id == chat_id)
            and (ok is None or r.ok == ok)
        )

    def summary(self) -> str:
        """Describe the counters in one line, for failure messages and the CLI."""
        top = ", ".join(f"{m}={n}" for m, n in self.calls.most_common())
        return (
            f"calls: {top or 'none'}; uploads={self.uploads} ({self.uploaded_bytes} B); "
            f"429s={self.flood_refusals}; faults={self.faults_injected}"
        )
