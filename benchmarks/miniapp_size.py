"""Measure the Mini App page's own code: each static file gzipped at level 9, and the total,
against the 60 KB budget of issue 15 (``docs/PERFORMANCE.md``).

Usage::

    .venv/bin/python benchmarks/miniapp_size.py

Sizes are in bytes (1 KB = 1,024 bytes), as the server sends them to a browser that accepts
gzip (``handlers/miniapp/server.py`` compresses each file once at level 9).
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "handlers" / "miniapp" / "static"
BUDGET = 60 * 1024


def sizes(folder: Path = STATIC) -> dict[str, tuple[int, int]]:
    """Return each file's size, raw and gzipped (-9), by name."""
    return {path.name: (len(body), len(gzip.compress(body, 9, mtime=0)))
            for path in sorted(folder.iterdir()) if path.is_file()
            for body in [path.read_bytes()]}


def main() -> int:
    """Print the table; exit 1 over the budget."""
    measured = sizes()
    print(f"{'file':<12} {'bytes':>8} {'gzip -9':>8}")
    for name, (raw, packed) in measured.items():
        print(f"{name:<12} {raw:>8,} {packed:>8,}")
    raw_total = sum(raw for raw, _ in measured.values())
    total = sum(packed for _, packed in measured.values())
    print(f"{'total':<12} {raw_total:>8,} {total:>8,}  ({total / 1024:.1f} KB of "
          f"{BUDGET / 1024:.0f} KB, {100 * total / BUDGET:.0f}%)")
    return 0 if total <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
