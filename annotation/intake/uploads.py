"""Project files sent in the chat: a TOML spec, an items file (CSV, TSV, JSONL) or a zip.

A coordinator sends the spec, then the items (or a zip holding both, ``project.toml``
inside). :func:`read_upload` is blocking (parsing, media preparation): run it on the
uploads' own pool (``annotation.intake.workers.prepare_off_loop``), which also makes it
cancellable; its images may decode ``MAX_UPLOAD_PIXELS`` in all.
It returns the spec and, once items came, the validated drafts; or raises
``ValidationFailed`` with every problem, each naming its file. Nothing is stored here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from annotation.errors import Problem, ValidationFailed
from annotation.intake.item_drafts import ItemDraft, ProgressCallback
from annotation.intake.item_files import (
    SPEC_FILENAME,
    ArchiveProblem,
    parse_items,
    read_items_archive,
)
from annotation.intake.item_rows import ItemProblem
from annotation.intake.spec import parse_spec_bytes
from annotation.intake.workers import CancelFlag
from annotation.media.preparation import MAX_UPLOAD_PIXELS, PixelBudget
from annotation.models import ProjectSpec

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API's getFile limit


class UploadKind(StrEnum):
    """What a sent document is, by its name."""

    SPEC = "spec"
    ITEMS = "items"
    ARCHIVE = "archive"
    UNKNOWN = "unknown"


_SUFFIXES = {".toml": UploadKind.SPEC, ".csv": UploadKind.ITEMS, ".tsv": UploadKind.ITEMS,
             ".txt": UploadKind.ITEMS, ".jsonl": UploadKind.ITEMS, ".zip": UploadKind.ARCHIVE}


@dataclass(frozen=True, slots=True)
class Upload:
    """What a document gave: the spec to use and, for items, the drafts."""

    spec: ProjectSpec
    drafts: tuple[ItemDraft, ...] | None  # None: a spec alone, items still to come


def upload_kind(filename: str) -> UploadKind:
    """Classify a document by its file name."""
    return _SUFFIXES.get(PurePosixPath(filename.lower()).suffix, UploadKind.UNKNOWN)


def check_size(filename: str, size: int | None) -> None:
    """Refuse a document too large for a bot to download."""
    if size is not None and size > MAX_DOWNLOAD_BYTES:
        raise ValidationFailed([Problem(ItemProblem.FILE_TOO_LARGE, params={
            "file": filename, "size": size, "limit": MAX_DOWNLOAD_BYTES})])


def _in_file(problems: Sequence[Problem], name: str) -> list[Problem]:
    return [p if "file" in p.params
            else Problem(p.code, p.line, p.field, {**p.params, "file": name})
            for p in problems]


def read_upload(kind: UploadKind, data: bytes, filename: str, pending: ProjectSpec | None,
                on_progress: ProgressCallback | None = None, *,
                cancel: CancelFlag | None = None,
                pixel_limit: int = MAX_UPLOAD_PIXELS) -> Upload:
    """Validate one sent document against the pending spec (blocking)."""
    budget = PixelBudget(pixel_limit)
    try:
        if kind is UploadKind.SPEC:
            return Upload(parse_spec_bytes(data), None)
        if kind is UploadKind.ARCHIVE:
            own, drafts = read_items_archive(data, pending, on_progress=on_progress,
                                             budget=budget, cancel=cancel)
            spec = pending or own
            assert spec is not None  # read_items_archive raises NO_SPEC otherwise
            return Upload(spec, tuple(drafts))
        if pending is None:
            raise ValidationFailed([Problem(ArchiveProblem.NO_SPEC,
                                            params={"file": SPEC_FILENAME})])
        drafts = parse_items(data, filename, pending, None, on_progress=on_progress,
                             budget=budget, cancel=cancel)
        return Upload(pending, tuple(drafts))
    except ValidationFailed as exc:
        raise ValidationFailed(_in_file(exc.problems, filename)) from None
