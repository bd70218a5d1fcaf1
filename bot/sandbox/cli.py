"""``annobot sandbox``: run the local Bot API server until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import Sequence

from bot.sandbox.config import Faults, SandboxConfig
from bot.sandbox.server import SandboxServer

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``annobot sandbox``."""
    parser = argparse.ArgumentParser(prog="annobot sandbox",
                                     description="Run a local Telegram Bot API server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:sandbox-token-for-local-testing")
    parser.add_argument("--bot-username", default="annobot_sandbox_bot")
    parser.add_argument("--no-flood-control", action="store_true",
                        help="turn Telegram's rate limits off")
    parser.add_argument("--https-web-apps", action="store_true",
                        help="refuse http:// Web App buttons, as production Telegram does")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault injection")
    parser.add_argument("--error-rate", type=float, default=0.0,
                        help="fraction of requests answered 500/502")
    parser.add_argument("--drop-update-rate", type=float, default=0.0,
                        help="fraction of getUpdates answers lost after delivery")
    return parser


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    """Turn parsed arguments into a SandboxConfig."""
    return SandboxConfig(
        token=args.token, host=args.host, port=args.port, bot_username=args.bot_username,
        flood_control=not args.no_flood_control, seed=args.seed,
        allow_http_web_apps=not args.https_web_apps,
        faults=Faults(error_rate=args.error_rate, drop_update_rate=args.drop_update_rate))


async def serve_forever(config: SandboxConfig, ready: asyncio.Event | None = None) -> None:
    """Start the sandbox, print how to connect a bot, and serve until cancelled."""
    async with SandboxServer(config) as server:
        print(f"Sandbox Bot API server: {server.base_url}<token>/<method>")
        print(f"  token:         {server.token}")
        print(f"  file base URL: {server.base_file_url}")
        print(f"  flood control: {'on' if config.flood_control else 'off'}")
        print(f"  Web App URLs:  {'http or https' if config.allow_http_web_apps else 'https'}")
        root = server.base_url.removesuffix("/bot")
        print(f"  run a bot:     annobot run --api-url {root} --token {server.token}")
        if ready is not None:
            ready.set()
        try:
            await asyncio.Event().wait()
        finally:
            print(server.stats.summary())


def main_sandbox(argv: Sequence[str] | None = None) -> int:
    """Run ``annobot sandbox`` with ``argv``; return the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(config_from_args(args)))
    return 0
