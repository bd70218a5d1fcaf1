"""How a value looks in a table cell: JSON for structures, ``true``/``false``, empty for
nothing, and never a formula.

CSV cells that a spreadsheet would run as a formula (text starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) get a leading ``'``; cells that are plain numbers are
left alone, so ``-3`` stays a number. The CSV writers in ``storage/datasets/`` and the
payout CSV both render cells here.
"""

from __future__ import annotations

import json

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: object) -> object:
    """Return a CSV cell that spreadsheets will not run as a formula."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def table_cell(value: object) -> object:
    """Return a row's value as a dataset CSV cell (structures as JSON, formulas neutralized)."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool):
        value = "true" if value else "false"
    elif value is None:
        value = ""
    return neutralize_cell(value)
