"""The layer rule, enforced by walking every module's imports with ``ast``.

annotation/ (the domain) imports only the standard library, numpy and Pillow; storage/
never imports telegram or handlers; handlers/ never imports storage or bot and holds no
SQL; only bot/ imports everything.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN: dict[str, set[str]] = {
    "annotation": {"telegram", "aiosqlite", "sqlite3", "bot", "handlers", "storage", "aiohttp",
                   "httpx"},
    "storage": {"telegram", "handlers", "bot"},
    "handlers": {"aiosqlite", "sqlite3", "storage", "bot"},
}
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b",
                 re.IGNORECASE)


def imported_roots(path: Path) -> set[str]:
    """Return the top-level packages a module imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_do_not_leak(package: str) -> None:
    leaks = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in modules(package)
    }
    assert {k: v for k, v in leaks.items() if v} == {}


@pytest.mark.parametrize("package", ["annotation", "handlers", "bot"])
def test_sql_lives_in_storage(package: str) -> None:
    offenders = []
    for path in modules(package):
        if "sandbox" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and SQL.search(node.value):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_the_checks_see_a_leak(tmp_path: Path) -> None:
    """The walker finds imports in every form (so the rule cannot pass vacuously)."""
    probe = tmp_path / "probe.py"
    probe.write_text("import telegram.ext\nfrom aiosqlite import connect\n"
                     "def f():\n    import storage.database\n", encoding="utf-8")
    assert imported_roots(probe) == {"telegram", "aiosqlite", "storage"}
    assert modules("annotation") and modules("handlers") and modules("storage")
