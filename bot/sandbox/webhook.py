"""Webhook delivery: POST each update to the bot's URL with the secret-token header.

Updates are pushed one at a time, in order; a non-2xx answer or a connection error keeps the
update pending and retries it with exponential backoff (``webhook_retry_initial`` doubling up
to ``webhook_retry_max``), recording ``last_error_*`` for getWebhookInfo. Plain http is
accepted for loopback URLs, unlike Telegram, so tests need no TLS.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp

from bot.sandbox.state import SandboxState
from bot.sandbox.updates import PendingUpdate

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookPusher:
    """Background task pushing pending updates to the registered webhook."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def restart(self) -> None:
        """Start pushing to the current webhook URL (or stop if it is empty)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self.state.webhook.url:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop pushing and close the HTTP session."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        state = self.state
        queue = state.updates
        backoff = state.config.webhook_retry_initial
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        while not state.closing:
            if not queue.has_ready():
                await queue.signal.wait(None)
                continue
            update = queue.batch(1)[0]
            error = await self._post(update)
            if error is None and state.faults.drop_delivery("webhook"):
                state.stats.faults_injected += 1
                error = "response lost (injected fault)"
            if error is None:
                queue.acknowledge(update)
                state.stats.webhook_pushes += 1
                backoff = state.config.webhook_retry_initial
                continue
            if update.replayed:
                queue.requeue_replay(update)
            state.stats.webhook_failures += 1
            state.webhook.last_error_date = state.now()
            state.webhook.last_error_message = error
            logger.info("webhook push failed (%s); retrying in %.2fs", error, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, state.config.webhook_retry_max)

    async def _post(self, update: PendingUpdate) -> str | None:
        """POST one update; return an error description, or None on a 2xx answer."""
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if self.state.webhook.secret_token:
            headers[SECRET_HEADER] = self.state.webhook.secret_token
        try:
            async with self._session.post(self.state.webhook.url, data=update.encoded,
                                          headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"Connection failed: {exc.__class__.__name__}"
