"""Items uploads: an items file, a zip archive or a project folder, validated all or nothing.

Columns (CSV header or JSONL keys, any case): ``id`` (default: the line number; unique),
``text`` (the text to label; a caption for media), ``image`` / ``audio`` / ``media`` (a path
relative to the items file; ``media`` takes its kind from the file), ``gold`` (the known
answer; multiple choice joined with ``|``), ``explanation`` (shown in training after a wrong
answer), ``training`` (true/false: a gold item kept for training). Nothing is returned unless
every row is good: ``ValidationFailed`` carries every problem, sorted by line.

Problem codes come from ``item_rows`` (``items.*`` reading), ``item_drafts`` (``items.*`` row
checks), ``media_sources`` (paths, ``archive.*``), ``media`` (``media.*``) and ``spec``
(``spec.*``). Added here: ``archive.no_items_file``, ``archive.several_items_files``
[names], ``archive.no_spec`` (no spec given and no ``project.toml``) and
``items.missing_file`` [file]. Problems from an upload of several files carry a ``file``
param naming the one they are in.

Every reader takes ``budget`` (the ``PixelBudget`` images are charged to: chat uploads get
the default ``MAX_UPLOAD_PIXELS``; ``load_from_paths``, the server admin's own files, no total
cap) and ``cancel`` (a ``CancelFlag`` checked between files).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path, PurePosixPath

from annotation.errors import Problem, ValidationFailed
from annotation.intake.item_drafts import (
    CAPTION_LIMIT,
    MAX_TEXT,
    ItemDraft,
    ProgressCallback,
    caption_room,
    draft_rows,
)
from annotation.intake.item_rows import MAX_FILE_BYTES, MAX_ITEMS, ItemProblem, read_rows
from annotation.intake.spec import parse_spec_bytes
from annotation.intake.workers import CancelFlag
from annotation.media.preparation import MediaRejected, PixelBudget
from annotation.media.sources import (
    DirectorySource,
    MediaSource,
    MediaUnavailable,
    SourceProblem,
    ZipSource,
)
from annotation.models import ProjectSpec

__all__ = [
    "CAPTION_LIMIT",
    "MAX_ITEMS",
    "MAX_TEXT",
    "SPEC_FILENAME",
    "ArchiveProblem",
    "DirectorySource",
    "ItemDraft",
    "ItemProblem",
    "MediaSource",
    "ProgressCallback",
    "ZipSource",
    "caption_room",
    "load_from_paths",
    "load_project_dir",
    "parse_items",
    "read_items_archive",
]

SPEC_FILENAME = "project.toml"
ITEMS_FILENAMES = ("items.csv", "items.tsv", "items.jsonl")
_FATAL = frozenset(
    {
        ItemProblem.FILE_TOO_LARGE,
        ItemProblem.ENCODING,
        ItemProblem.EMPTY,
        ItemProblem.NO_HEADER,
        ItemProblem.MISSING_COLUMN,
    }
)


class ArchiveProblem(StrEnum):
    """Why an archive or a project folder cannot be read as a whole."""

    NO_ITEMS_FILE = "archive.no_items_file"
    SEVERAL_ITEMS_FILES = "archive.several_items_files"
    NO_SPEC = "archive.no_spec"


def parse_items(
    data: bytes,
    filename: str,
    spec: ProjectSpec,
    media: MediaSource | None,
    *,
    on_progress: ProgressCallback | None = None,
    budget: PixelBudget | None = None,
    cancel: CancelFlag | None = None,
) -> list[ItemDraft]:
    """Validate an items file (CSV or JSONL) into drafts, or raise every problem found."""
    table = read_rows(data, filename)
    problems = list(table.problems)
    if any(problem.code in _FATAL for problem in problems):
        raise ValidationFailed(problems)
    drafts = draft_rows(table.rows, spec, media, problems, on_progress,
                        budget=budget, cancel=cancel)
    if problems:
        raise ValidationFailed(sorted(problems, key=lambda problem: problem.line or 0))
    return drafts


def read_items_archive(
    data: bytes,
    spec: ProjectSpec | None,
    *,
    on_progress: ProgressCallback | None = None,
    budget: PixelBudget | None = None,
    cancel: CancelFlag | None = None,
) -> tuple[ProjectSpec | None, list[ItemDraft]]:
    """Read a zip of an items file, media and maybe ``project.toml``.

    Returns the archive's own spec (None without ``project.toml``) and the drafts, validated
    against ``spec`` when given, else against the archive's spec. The items file may sit at
    the root or in one folder; media paths are relative to it.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ValidationFailed([Problem(SourceProblem.BAD_ZIP)]) from None
    with archive:
        source = ZipSource(archive)
        items_name = _find_items_file(source.names)
        parent = str(PurePosixPath(items_name).parent)
        base = "" if parent == "." else parent
        source = ZipSource(archive, base)
        problems: list[Problem] = []
        archive_spec = None
        spec_name = f"{base}/{SPEC_FILENAME}" if base else SPEC_FILENAME
        if source.exists(SPEC_FILENAME):
            try:
                archive_spec = parse_spec_bytes(_read(source, SPEC_FILENAME, spec_name))
            except ValidationFailed as exc:
                problems += _in_file(exc.problems, spec_name)
        use = spec if spec is not None else archive_spec
        if use is None:
            if not problems:
                problems.append(Problem(ArchiveProblem.NO_SPEC, params={"file": SPEC_FILENAME}))
            raise ValidationFailed(problems)
        name = PurePosixPath(items_name).name
        try:
            drafts = parse_items(
                _read(source, name, items_name), name, use, source, on_progress=on_progress,
                budget=budget, cancel=cancel,
            )
        except ValidationFailed as exc:
            problems += _in_file(exc.problems, items_name)
        if problems:
            raise ValidationFailed(problems)
    return archive_spec, drafts


def load_from_paths(
    spec_path: Path,
    items_path: Path,
    *,
    on_progress: ProgressCallback | None = None,
    budget: PixelBudget | None = None,
    cancel: CancelFlag | None = None,
) -> tuple[ProjectSpec, list[ItemDraft]]:
    """Load a spec file and an items file (.csv, .tsv, .jsonl or .zip) from disk.

    The files are the server admin's own: images have no total pixel cap unless ``budget``.
    """
    budget = budget or PixelBudget(None)
    try:
        spec = parse_spec_bytes(_read_path(spec_path))
    except ValidationFailed as exc:
        raise ValidationFailed(_in_file(exc.problems, spec_path.name)) from None
    data = _read_path(items_path)
    try:
        if items_path.suffix.lower() == ".zip":
            return spec, read_items_archive(data, spec, on_progress=on_progress,
                                            budget=budget, cancel=cancel)[1]
        source = DirectorySource(items_path.parent)
        drafts = parse_items(data, items_path.name, spec, source, on_progress=on_progress,
                             budget=budget, cancel=cancel)
    except ValidationFailed as exc:
        raise ValidationFailed(_in_file(exc.problems, items_path.name)) from None
    return spec, drafts


def load_project_dir(
    directory: Path, *, on_progress: ProgressCallback | None = None
) -> tuple[ProjectSpec, list[ItemDraft]]:
    """Load ``project.toml`` and the one ``items.csv``/``.tsv``/``.jsonl`` of a folder."""
    found = [directory / name for name in ITEMS_FILENAMES if (directory / name).is_file()]
    if len(found) != 1:
        raise ValidationFailed([_items_file_problem([path.name for path in found])])
    return load_from_paths(directory / SPEC_FILENAME, found[0], on_progress=on_progress)


def _find_items_file(names: Sequence[str]) -> str:
    """Return the one items file at the root or in one folder (macOS ``__MACOSX`` ignored)."""
    found = [
        name
        for name in names
        if PurePosixPath(name).name.lower() in ITEMS_FILENAMES
        and len(PurePosixPath(name).parts) <= 2
        and not name.startswith("__MACOSX/")
    ]
    at_root = [name for name in found if "/" not in name]
    if len(at_root) == 1:
        return at_root[0]
    if len(found) == 1:
        return found[0]
    raise ValidationFailed([_items_file_problem(found)])


def _items_file_problem(found: Sequence[str]) -> Problem:
    if not found:
        return Problem(ArchiveProblem.NO_ITEMS_FILE, params={"names": list(ITEMS_FILENAMES)})
    return Problem(ArchiveProblem.SEVERAL_ITEMS_FILES, params={"names": sorted(found)})


def _read(source: ZipSource, relative: str, shown_as: str) -> bytes:
    """Read a non-media member (items file, spec) with the items file size cap."""
    info = source.member(relative)
    if info is None:
        raise ValidationFailed([Problem(ItemProblem.MISSING_FILE, params={"file": shown_as})])
    try:
        return source.read_member(info, shown_as, MAX_FILE_BYTES)
    except MediaUnavailable as exc:
        raise ValidationFailed([Problem(exc.reason, params={"path": shown_as})]) from None
    except MediaRejected as exc:  # over the size cap
        params = {"file": shown_as, "size": exc.params.get("size"), "limit": MAX_FILE_BYTES}
        raise ValidationFailed([Problem(ItemProblem.FILE_TOO_LARGE, params=params)]) from None


def _read_path(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValidationFailed(
                [
                    Problem(
                        ItemProblem.FILE_TOO_LARGE,
                        params={"file": path.name, "size": size, "limit": MAX_FILE_BYTES},
                    )
                ]
            )
        return path.read_bytes()
    except OSError:
        raise ValidationFailed(
            [Problem(ItemProblem.MISSING_FILE, params={"file": str(path)})]
        ) from None


def _in_file(problems: Sequence[Problem], name: str) -> list[Problem]:
    """Return ``problems`` with a ``file`` param naming where they are."""
    return [
        problem
        if "file" in problem.params
        else Problem(problem.code, problem.line, problem.field, {**problem.params, "file": name})
        for problem in problems
    ]
