"""A local Telegram Bot API server and simulated users, for tests, demos and benchmarks.

``SandboxServer`` speaks the Bot API over real HTTP (aiohttp) closely enough for an
unmodified python-telegram-bot ``Application``; ``SimUser`` plays an annotator, Mini Apps
included (``open_web_app`` signs initData as Telegram does).
"""

from bot.sandbox.config import Faults, FloodLimits, SandboxConfig
from bot.sandbox.driver import SimUser
from bot.sandbox.errors import (
    ApiError,
    ButtonNotFound,
    DriverError,
    MessageNotFound,
    SandboxError,
    UserBlockedBot,
)
from bot.sandbox.messages import CallbackAnswer, SimMessage
from bot.sandbox.server import SandboxServer
from bot.sandbox.stats import RequestRecord, Stats
from bot.sandbox.webapps import WebAppButton, WebAppLaunch

__all__ = [
    "ApiError",
    "ButtonNotFound",
    "CallbackAnswer",
    "DriverError",
    "Faults",
    "FloodLimits",
    "MessageNotFound",
    "RequestRecord",
    "SandboxConfig",
    "SandboxError",
    "SandboxServer",
    "SimMessage",
    "SimUser",
    "Stats",
    "UserBlockedBot",
    "WebAppButton",
    "WebAppLaunch",
]
