"""The ``annobot`` command: run, demo, import, export, sandbox.

Exit codes: 0 success, 1 a failure while working, 2 a bad or missing setting or input
(one line on stderr naming it).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, load_config, load_webapp
from bot.logs import configure_logging

logger = logging.getLogger(__name__)


TOKEN_ADVICE = ("Prefer the environment for the token (ANNOBOT_TOKEN, e.g. from a file "
                "readable only by the bot's account): a --token value is visible to every "
                "user of the machine in the process list (ps, /proc).")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="annobot", description="Crowd annotation on Telegram.")
    commands = parser.add_subparsers(dest="command")

    run = commands.add_parser(
        "run", help="run the bot (token from ANNOBOT_TOKEN)", epilog=TOKEN_ADVICE,
        description="Run the bot. Flags come first, then ANNOBOT_* environment variables.")
    run.add_argument("--token", help="bot token (default: $ANNOBOT_TOKEN, which is safer: "
                                     "see below)")
    run.add_argument("--admins", help="admin Telegram user ids (default: $ANNOBOT_ADMINS)")
    run.add_argument("--db", help="database file (default: ./annobot.db)")
    run.add_argument("--api-url", help="a self-hosted Bot API server, e.g. http://127.0.0.1:8081")
    run.add_argument("--webhook", metavar="URL", help="receive updates by webhook at URL")
    run.add_argument("--listen", help="webhook listen address (default 127.0.0.1)")
    run.add_argument("--port", type=int, help="webhook listen port (default 8443)")
    run.add_argument("--export-dir", help="where exports are written (default ./exports)")
    run.add_argument("--webapp-url", metavar="URL",
                     help="the Mini App's public https base URL (box and span tasks; "
                          "default: $ANNOBOT_WEBAPP_URL; none: no Mini App)")
    run.add_argument("--webapp-listen", help="Mini App listen address in polling mode "
                                             "(default 127.0.0.1)")
    run.add_argument("--webapp-port", type=int, help="Mini App listen port in polling mode "
                                                     "(default 8081)")
    run.add_argument("--webapp-max-age", type=int, metavar="SECONDS",
                     help="how long a Mini App page may send answers after Telegram opened "
                          "it (default 3600)")

    demo = commands.add_parser("demo", help="sandbox + bot + simulated annotators, no token")
    demo.add_argument("--annotators", type=int, default=30)
    demo.add_argument("--items", type=int, default=None,
                      help="items of the sample (default 100; speech: 30 sentences)")
    demo.add_argument("--overlap", type=int, default=None,
                      help="answers per item: with quality control the most, adaptive from 2 "
                           "(default 4); with --no-quality a fixed number (default 3)")
    demo.add_argument("--careless", type=float, default=0.1,
                      help="share of annotators who tap at random")
    demo.add_argument("--accuracy", default="0.85-0.95",
                      help="accuracy range of careful annotators, e.g. 0.8-0.95")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--out", default="annobot-demo", help="folder for the database and export")
    demo.add_argument("--no-quality", action="store_true",
                      help="turn quality control and adaptive overlap off, to compare")
    demo.add_argument("--quality", action="store_true",
                      help=argparse.SUPPRESS)  # the default now; kept for old scripts
    demo.add_argument("--sample", choices=("counting", "pairwise", "ratings", "ranking",
                                           "speech", "boxes"),
                      default="counting", help="the sample project: counting (default), "
                      "pairwise (comparisons of model responses), ratings (1-5), ranking "
                      "(four model responses, best first), speech (record, check and "
                      "transcribe) or boxes (draw boxes around shapes in the Mini App)")
    demo.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    imp = commands.add_parser("import", help="create a project from a spec and an items file")
    imp.add_argument("spec", type=Path)
    imp.add_argument("items", type=Path)
    imp.add_argument("--db", default="annobot.db")

    exp = commands.add_parser("export", help="write a project's dataset files")
    exp.add_argument("project", help="project id or name")
    exp.add_argument("--format", default="all",
                     help="comma-separated: tables (CSV and JSONL), hf, ls, or all; add "
                          "wav for recordings also as 16 kHz WAV (e.g. all,wav)")
    exp.add_argument("--ids", action="store_true",
                     help="name annotators by Telegram id instead of pseudonyms")
    exp.add_argument("--out", type=Path, default=Path("exports"))
    exp.add_argument("--db", default="annobot.db")

    commands.add_parser("sandbox", help="run the local Bot API server alone "
                                   "(annobot sandbox --help)", add_help=False)
    return parser


def _fail(message: str) -> int:
    print(f"annobot: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``annobot`` command line."""
    # PTB 22 reports periods (retry_after, timeouts) as timedelta when this is set, and
    # warns on every int access otherwise; the bot handles both.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sandbox"]:
        from bot.sandbox.cli import main_sandbox

        return main_sandbox(argv[1:])
    args = _parser().parse_args(argv)
    command = args.command or "demo"
    if args.command is None:
        args = _parser().parse_args(["demo", *(argv or [])])
    try:
        if command == "run":
            return _run(args)
        if command == "demo":
            from bot.demo import main_demo

            return main_demo(args)
        if command == "import":
            return _import(args)
        if command == "export":
            from bot.scripts import main_export

            return main_export(args)
        raise AssertionError(f"unhandled command {command}")
    except ConfigError as error:
        return _fail(str(error))


def _import(args: argparse.Namespace) -> int:
    from annotation.errors import StorageFull
    from bot.scripts import main_import
    from handlers.problems import DISK_FULL

    try:
        return main_import(args)
    except StorageFull:  # rolled back: nothing of the project was kept
        print(f"annobot: {DISK_FULL}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    settings = load_config(token=args.token, admins=args.admins, database=args.db,
                           api_url=args.api_url, webhook_url=args.webhook,
                           webhook_listen=args.listen, webhook_port=args.port,
                           export_dir=args.export_dir,
                           webapp=load_webapp(url=args.webapp_url, listen=args.webapp_listen,
                                              port=args.webapp_port,
                                              max_age=args.webapp_max_age))
    configure_logging(token=settings.token)
    from bot.runner import StartupError, run_forever

    try:
        run_forever(settings)
    except ConfigError as error:  # the server rejected the token: one line, without it
        return _fail(str(error))
    except StartupError as error:
        print(f"annobot: {error}", file=sys.stderr)
        return 1
    except Exception:  # a crash: its traceback goes through the token filter, never raw
        logger.exception("annobot run stopped")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
