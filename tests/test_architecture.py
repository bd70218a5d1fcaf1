"""The layer rule, enforced by walking every module's imports with ``ast``.

annotation/ (the domain) imports only the standard library, numpy, Pillow and soundfile;
storage/ never imports telegram or handlers; handlers/ never imports storage or bot and
holds no SQL; only bot/ imports everything.

Inside annotation/, modules live in rooms (docs/ARCHITECTURE.md): a module may import its
own room and the rooms listed before it, plus the value modules that carry data across
rooms; no two modules import each other, however indirectly (type-checking imports count).
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


# Rooms of annotation/, in dependency order: each may import itself and the ones before it.
ROOMS: tuple[tuple[str, str], ...] = (
    ("kernel", "models, errors, flat records, canonical answer values"),
    ("aggregation", "crowd algorithms on encoded votes (Dawid-Skene, one-coin, majority...)"),
    ("quality", "gold scores, qualification, rules: pure quality-control policy"),
    ("kinds", "task kinds: how each is shown, answered and checked against gold"),
    ("ports", "what the use cases need from storage, as Protocols"),
    ("access", "who may do what, and the audit log"),
    ("media", "untrusted image and audio bytes made safe, and where they come from"),
    ("intake", "project specs and items files, validated all or nothing; the catalog"),
    ("datasets", "labels from votes, and the export use case"),
    ("loop", "the annotator's loop: joining, assignment, answers, live labels"),
    ("console", "the coordinator's console: lifecycle, broadcasts, earnings, stats"),
)
KERNEL = {"models", "errors", "records", "answers"}
ACCESS = {"access"}
# Modules holding only values that cross rooms: importable from any room.
VALUES = {"annotation.quality.settings", "annotation.console.records",
          "annotation.datasets.records"}


def module_name(path: Path) -> str:
    """Return the dotted name of a module under ROOT."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def room_of(module: str) -> str:
    """Return the room of an annotation module (a top-level module is kernel or access)."""
    parts = module.split(".")
    if len(parts) == 1:
        return "kernel"
    if parts[1] in KERNEL:
        return "kernel"
    if parts[1] in ACCESS:
        return "access"
    return parts[1]


def annotation_imports(path: Path) -> set[str]:
    """Return the annotation modules a module imports (at any depth, in any form)."""
    known = {module_name(p) for p in modules("annotation")}
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "annotation":
                continue
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "annotation")
    return {name for name in found if name in known}


def test_every_module_is_in_a_room() -> None:
    rooms = {name for name, _ in ROOMS}
    strays = [module_name(p) for p in modules("annotation")
              if room_of(module_name(p)) not in rooms and module_name(p) != "annotation"]
    assert strays == []


def test_rooms_import_only_rooms_before_them() -> None:
    order = {name: index for index, (name, _) in enumerate(ROOMS)}
    offenders = []
    for path in modules("annotation"):
        here = module_name(path)
        for target in annotation_imports(path):
            if target in VALUES or target == "annotation":
                continue
            if order[room_of(target)] > order[room_of(here)]:
                offenders.append(f"{here} -> {target}")
    assert offenders == []


def test_value_modules_import_only_the_kernel() -> None:
    for name in VALUES:
        path = ROOT / (name.replace(".", "/") + ".py")
        assert {room_of(t) for t in annotation_imports(path)} <= {"kernel"}, name


def test_no_import_cycles() -> None:
    graph = {module_name(p): annotation_imports(p) - {module_name(p), "annotation"}
             for p in modules("annotation")}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []


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


def test_the_room_checks_see_a_cycle_and_a_backward_import(tmp_path: Path) -> None:
    """The room walker reads imports in every form (so the room rules cannot pass vacuously)."""
    probe = tmp_path / "probe.py"
    probe.write_text("from annotation.loop import tasks\nimport annotation.console.stats\n"
                     "def f():\n    from annotation.models import Item\n", encoding="utf-8")
    assert annotation_imports(probe) == {"annotation.loop.tasks", "annotation.console.stats",
                                         "annotation.models"}
    assert room_of("annotation.console.stats") == "console" and room_of("annotation.errors") \
        == "kernel"
