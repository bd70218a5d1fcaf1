"""``annobot import`` and ``annobot export``: the same use cases as the chat, for scripts."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from annotation.access import AccessService
from annotation.datasets.service import (
    ALL_FORMATS,
    DatasetService,
    ExportRequest,
    ExportResult,
    Format,
)
from annotation.errors import DomainError, ValidationFailed
from annotation.intake.catalog import CatalogService
from annotation.intake.item_files import load_from_paths
from bot.i18n import Catalogs
from handlers.problems import describe_problem
from storage.database import Database
from storage.datasets import open_dataset_folder

# The command line acts as an admin of its own: whoever runs it owns the database file. No
# Telegram account has id 0, so no chat user ever holds this role (docs/SECURITY.md).
OPERATOR = 0


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
        project = await CatalogService(database, clock=_now).create(spec, drafts)
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


FORMAT_NAMES = {"tables": Format.TABLES, "csv": Format.TABLES, "jsonl": Format.TABLES,
                "hf": Format.HUGGINGFACE, "huggingface": Format.HUGGINGFACE,
                "ls": Format.LABEL_STUDIO, "label-studio": Format.LABEL_STUDIO,
                "wav": Format.WAV, "wav16k": Format.WAV}


async def _export(ref: str, formats: frozenset[Format], out: Path, db_path: Path,
                  reveal_ids: bool) -> ExportResult:
    async with Database(db_path) as database:
        project = await CatalogService(database, clock=_now).find(ref)
        folder = out / f"project{project.id}-{_now():%Y%m%dT%H%M%S}"
        access = AccessService(database, clock=_now, admins={OPERATOR})
        datasets = DatasetService(database, access, clock=_now, folders=open_dataset_folder)
        return await datasets.export(
            OPERATOR, ExportRequest(project.id, formats, reveal_ids), folder)


def main_export(args: argparse.Namespace) -> int:
    """Write a project's dataset (folder and zip parts) under ``--out``."""
    names = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    unknown = sorted(n for n in names if n not in FORMAT_NAMES and n != "all")
    if unknown or not names:
        print(f"annobot: --format: unknown format {', '.join(unknown) or '(none)'}; "
              f"choose from tables, hf, ls, wav, all", file=sys.stderr)
        return 2
    formats = (ALL_FORMATS if "all" in names else frozenset()) | frozenset(
        FORMAT_NAMES[n] for n in names if n != "all")
    if not Path(args.db).is_file():
        print(f"annobot: --db: {args.db}: no such database", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(_export(args.project, formats, args.out, Path(args.db),
                                     args.ids))
    except DomainError as error:
        print(f"annobot: project {args.project!r}: {error.code}", file=sys.stderr)
        return 2
    print(f"{result.items} items ({result.labelled} labelled, {result.method}), "
          f"{result.answers} answers ({result.excluded} excluded)")
    print(result.folder)
    for archive in result.archives:
        print(archive)
    return 0
