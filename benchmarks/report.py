"""How the benchmarks print their figures: percentiles in milliseconds, aligned rows."""

from __future__ import annotations

import statistics


def percentile_ms(seconds: list[float], q: float) -> float:
    """Return the ``q``-th percentile of ``seconds``, in milliseconds (0 for too few)."""
    if len(seconds) < 2:
        return 0.0
    return statistics.quantiles(seconds, n=100)[int(q) - 1] * 1000


def print_rows(rows: list[tuple[str, str]]) -> None:
    """Print label/value rows with the values aligned."""
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
