"""Measure what a tiny hostile zip costs to check: seconds and peak memory (issue 10, point 3).

    .venv/bin/python benchmarks/media_bomb.py [--variants 8] [--side 7000] [--distinct]
                                              [--code DIR]

The zip holds one ``side``×``side`` single-colour PNG (about a kilobyte once zipped) and an
items file naming it ``variants`` times, each spelled differently (``a.png``, ``./a.png``,
``././a.png``…); with ``--distinct``, ``variants`` different PNGs of that size instead (each
one colour, so still tiny), which the per-upload pixel budget stops.
The upload is checked as a chat upload is (``read_upload``), in a fresh
child process, which prints its wall time and peak RSS. ``--code DIR`` runs the child
against another checkout (e.g. a ``git worktree`` of the old code) to compare.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from PIL import Image

SPEC = b"""name = "Bomb"
question = "Which?"
answer_type = "single"
options = ["a", "b"]
"""

CHILD = r"""
import json, resource, sys, time
from annotation.errors import ValidationFailed
from annotation.intake.uploads import UploadKind, read_upload
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
try:
    upload = read_upload(UploadKind.ARCHIVE, data, "bomb.zip", None)
    outcome = f"accepted, {len(upload.drafts or ())} items"
except ValidationFailed as error:
    outcome = "refused: " + ", ".join(sorted({str(p.code) for p in error.problems}))
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": round(seconds, 2), "peak_rss_mb": round(peak), "outcome": outcome}))
"""


def variants(count: int) -> list[str]:
    """Return ``count`` spellings of ``a.png``."""
    return [("./" * n) + "a.png" for n in range(count)]


def png(side: int, shade: int) -> bytes:
    """Return a ``side``×``side`` PNG of one colour."""
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (shade, shade, shade)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def build_bomb(count: int, side: int, distinct: bool = False) -> bytes:
    """Return the zip: project.toml, items.csv naming ``count`` images, and the images."""
    paths = [f"{n}.png" for n in range(count)] if distinct else variants(count)
    items = "id,image\n" + "".join(f"{n},{path}\n" for n, path in enumerate(paths))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        bomb.writestr("project.toml", SPEC)
        bomb.writestr("items.csv", items)
        for n, path in enumerate(paths if distinct else ["a.png"]):
            bomb.writestr(path, png(side, 255 - n % 256))
    return archive.getvalue()


def measure(path: Path, code: Path) -> dict[str, object]:
    """Check the zip in a child process running ``code``; return its figures."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    result = subprocess.run([sys.executable, "-c", CHILD, str(path)], env=env, cwd=code,
                            capture_output=True, text=True, check=True)
    figures: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    """Build the bomb, measure it, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=8)
    parser.add_argument("--side", type=int, default=7000)
    parser.add_argument("--distinct", action="store_true",
                        help="different images instead of spellings of one")
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the checkout whose code checks the zip (default: this one)")
    args = parser.parse_args()
    bomb = build_bomb(args.variants, args.side, args.distinct)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bomb.zip"
        path.write_bytes(bomb)
        figures = measure(path, args.code.resolve())
    what = "different" if args.distinct else "spellings of one"
    print(f"zip: {len(bomb):,} bytes, {args.variants} {what} {args.side}×{args.side} "
          f"PNG; code: {args.code}")
    print(f"{figures['seconds']} s, peak RSS {figures['peak_rss_mb']} MB, {figures['outcome']}")


if __name__ == "__main__":
    main()
