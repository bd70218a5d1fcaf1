"""Update delivery methods: getUpdates long polling and setWebhook/deleteWebhook/info."""

from __future__ import annotations

import asyncio
import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.methods.call import Call, DropResponse, RawResult
from bot.sandbox.state import SandboxState, WebhookSettings

MAX_POLL_TIMEOUT = 50
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _webhook_active() -> ApiError:
    return ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                         "use deleteWebhook to delete the webhook first")


def _conflict() -> ApiError:
    return ApiError(409, "Conflict: terminated by other getUpdates request; make sure that "
                         "only one bot instance is running")


async def get_updates(state: SandboxState, call: Call) -> Any:
    """Confirm ``offset``, then return pending updates, long-polling up to ``timeout``."""
    if state.webhook.url:
        raise _webhook_active()
    p = call.params
    queue = state.updates
    queue.set_allowed(p.get("allowed_updates"))
    if "offset" in p:
        queue.confirm(p["offset"])
    limit = min(max(p.get("limit") or 100, 1), 100)
    timeout = min(max(p.get("timeout") or 0, 0), MAX_POLL_TIMEOUT)
    state.poll_generation += 1
    generation = state.poll_generation
    queue.signal.notify()  # an older long poll ends with 409, as on Telegram
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if state.closing:
            return []
        if queue.has_ready():
            batch = queue.batch(limit)
            if state.faults.drop_delivery("getUpdates"):
                state.stats.faults_injected += 1
                raise DropResponse("getUpdates response lost after delivery")
            return RawResult(b'{"ok":true,"result":[' + b",".join(u.encoded for u in batch)
                             + b"]}")
        remaining = deadline - loop.time()
        if remaining <= 0:
            return []
        await queue.signal.wait(remaining)
        if generation != state.poll_generation:
            raise _conflict()


def _check_webhook_url(url: str) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme == "https" or (parts.scheme == "http" and loopback):
        if not loopback and parts.port not in (None, 80, 88, 443, 8443):
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 "
                              "or 8443")
        return
    raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")


async def set_webhook(state: SandboxState, call: Call) -> Any:
    """Register a webhook URL (http is accepted on loopback) and start pushing updates."""
    p = call.params
    url = p["url"]
    if url:
        _check_webhook_url(url)
    secret = p.get("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    if p.get("drop_pending_updates"):
        state.updates.drop_pending()
    state.updates.set_allowed(p.get("allowed_updates"))
    state.webhook = WebhookSettings(url=url, secret_token=secret,
                                    max_connections=p.get("max_connections") or 40,
                                    allowed_updates=p.get("allowed_updates"))
    if state.pusher is not None:
        state.pusher.restart()
    return True


async def delete_webhook(state: SandboxState, call: Call) -> Any:
    """Remove the webhook so getUpdates works again."""
    if call.params.get("drop_pending_updates"):
        state.updates.drop_pending()
    state.webhook = WebhookSettings()
    if state.pusher is not None:
        state.pusher.restart()
    return True


async def get_webhook_info(state: SandboxState, call: Call) -> Any:
    """Describe the webhook and the number of pending updates."""
    hook = state.webhook
    info: dict[str, Any] = {"url": hook.url, "has_custom_certificate": False,
                            "pending_update_count": len(state.updates)}
    if hook.url:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


HANDLERS = {
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
