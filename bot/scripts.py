"""``annobot import`` and ``annobot export``: the same use cases as the chat, for scripts."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from handlers.problems import describe_problem

from annotation.errors import DomainError, ValidationFailed
from annotation.export import write_export
from annotation.item_files import load_from_paths
from annotation.projects import ProjectService
from bot.i18n import Catalogs
from storage.database import Database

EXPORT_FORMATS = frozenset({"csv", "jsonl"})


def _now() -> datetime:
    return datetime.now(UTC)


def _report(error: ValidationFailed) -> None:
    translations = Catalogs().get("en")
    print(f"annobot: {len(error.problems)} problem(s), nothing was imported:", file=sys.stderr)
    for problem in error.problems:
        print(f"  {describe_problem(problem, translations)}", file=sys.stderr)


async def _import(spec_path: Path, items_path: Path, db_path: Path) -> int:
    spec, drafts = await asyncio.to_thread(load_from_paths, spec_path, items_path)
    async with Database(db_path) as database:
        project = await ProjectService(database, clock=_now).create(spec, drafts)
    print(f"project {project.id} '{spec.name}': {len(drafts)} items, "
          f"invite code {project.invite_code} (deep link: https://t.me/<bot>?start="
          f"{project.invite_code})")
    return 0


def main_import(args: argparse.Namespace) -> int:
    """Validate a spec and an items file, then create the project (all or nothing)."""
    for path in (args.spec, args.items):
        if not path.is_file():
            print(f"annobot: {path}: no such file", file=sys.stderr)
            return 2
    try:
        return asyncio.run(_import(args.spec, args.items, Path(args.db)))
    except ValidationFailed as error:
        _report(error)
        return 2


async def _export(ref: str, formats: frozenset[str], out: Path, db_path: Path) -> list[Path]:
    async with Database(db_path) as database:
        projects = ProjectService(database, clock=_now)
        project = await projects.find(ref)
        snapshot = await projects.snapshot(project.id)
    paths = await asyncio.to_thread(write_export, snapshot, out)
    keep = [p for p in paths if p.suffix.lstrip(".") in formats]
    for path in paths:
        if path not in keep:
            path.unlink()
    return keep


def main_export(args: argparse.Namespace) -> int:
    """Write a project's labels and raw answers into a folder."""
    formats = frozenset(f.strip() for f in args.format.split(",") if f.strip())
    unknown = formats - EXPORT_FORMATS
    if unknown or not formats:
        print(f"annobot: --format: unknown format {', '.join(sorted(unknown)) or '(none)'}; "
              f"choose from {', '.join(sorted(EXPORT_FORMATS))}", file=sys.stderr)
        return 2
    if not Path(args.db).is_file():
        print(f"annobot: --db: {args.db}: no such database", file=sys.stderr)
        return 2
    try:
        paths = asyncio.run(_export(args.project, formats, args.out, Path(args.db)))
    except DomainError as error:
        print(f"annobot: project {args.project!r}: {error.code}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0
