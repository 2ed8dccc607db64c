"""The layers point one way: the import graph between Accord's apps, read from the source.

The apps are floors (see the README's Layout): each may import those below it, never one above,
and `core` imports nothing of the project's. Two kinds of import are left out of the graph:
tests, which prove behaviour through the whole project, and imports under `TYPE_CHECKING`,
which only the type checker reads. Neither is left out of the rule on function-level imports.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCORD = Path(__file__).resolve().parent.parent / "accord"

# The apps from the bottom up, as the README's Layout lists them.
FLOORS = (
    "core",
    "organisations",
    "schemes",
    "accounts",
    "enrolments",
    "actions",
    "membership",
    "plans",
    "register",
    "notifications",
    "dashboards",
    "demo",
    "api",
)

# Function-level imports that are there on purpose, by module.
ALLOWED_FUNCTION_IMPORTS: dict[str, str] = {
    # Django imports an app's signal handlers or registrations once every app is loaded.
    "accord/membership/apps.py": "registers membership's part of the joining steps when ready",
    "accord/core/apps.py": "registers the system checks when ready",
    "accord/register/apps.py": (
        "connects the receivers that keep the register's rows up to date, and a new version "
        "on migrate"
    ),
    "accord/api/apps.py": "connects the receiver that revokes an erased person's tokens",
}


@dataclass(frozen=True)
class Import:
    path: str  # relative to the repository, e.g. accord/enrolments/views.py
    line: int
    module: str  # the absolute module imported, e.g. accord.membership.services
    in_function: bool
    type_checking: bool

    @property
    def source_app(self) -> str:
        return self.path.split("/")[1]

    @property
    def target_app(self) -> str | None:
        parts = self.module.split(".")
        return parts[1] if parts[0] == "accord" and len(parts) > 1 else None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports_of(path: Path, root: Path = ACCORD.parent) -> list[Import]:
    relative = path.relative_to(root)
    package = list(relative.with_suffix("").parts)[:-1]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                modules = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[: len(package) - child.level + 1]
                    modules = [".".join(base + ([child.module] if child.module else []))]
                else:
                    modules = [child.module or ""]
                # `from accord.x import y` may name a module y of the package accord.x.
                modules = sorted(
                    {
                        f"{m}.{alias.name}" if m.count(".") == 1 else m
                        for m in modules
                        for alias in child.names
                    }
                )
            else:
                modules = []
            # Every import is kept: the graph reads the project's own, the rule on
            # function-level imports reads them all.
            for module in modules:
                found.append(
                    Import(str(relative), child.lineno, module, in_function, type_checking)
                )
            visit(
                child,
                in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef),
                type_checking or (isinstance(child, ast.If) and _is_type_checking(child.test)),
            )

    visit(ast.parse(path.read_text(), str(relative)), False, False)
    return found


def _all_imports() -> list[Import]:
    return [
        found
        for path in sorted(ACCORD.glob("*/**/*.py"))
        if "migrations" not in path.parts
        for found in _imports_of(path)
    ]


def _is_test(found: Import) -> bool:
    return "/tests/" in found.path


def app_graph(imports: list[Import]) -> dict[str, dict[str, list[str]]]:
    """app -> app it imports -> where, for the code that ships (type-only imports aside)."""
    graph: dict[str, dict[str, list[str]]] = {}
    for found in imports:
        target = found.target_app
        if target is None or target == found.source_app or _is_test(found):
            continue
        if found.type_checking:
            continue  # read by the type checker only: never imported at run time
        graph.setdefault(found.source_app, {}).setdefault(target, []).append(
            f"{found.path}:{found.line}"
        )
    return graph


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Every strongly connected group of more than one app (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def connect(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        for other in graph.get(app, {}):
            if other not in index:
                connect(other)
                low[app] = min(low[app], low[other])
            elif other in stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == app:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for app in sorted(set(graph) | {t for targets in graph.values() for t in targets}):
        if app not in index:
            connect(app)
    return groups


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return _all_imports()


def test_no_two_apps_import_each_other(imports: list[Import]) -> None:
    graph = app_graph(imports)
    found = []
    for group in cycles(graph):
        edges = [
            f"  {a} -> {b}: {', '.join(graph[a][b][:3])}"
            for a in group
            for b in group
            if b in graph.get(a, {})
        ]
        found.append(" <-> ".join(group) + "\n" + "\n".join(edges))
    assert not found, "The apps import each other in a cycle:\n" + "\n".join(found)


def test_every_app_is_a_floor_and_imports_only_the_floors_below_it(
    imports: list[Import],
) -> None:
    apps = {path.parent.name for path in ACCORD.glob("*/apps.py")}
    assert apps == set(FLOORS), "Give each app its floor in FLOORS and in the README's Layout."
    upward = [
        f"{where}: {app} imports {other}, which is above it"
        for app, targets in app_graph(imports).items()
        for other, places in targets.items()
        if FLOORS.index(other) > FLOORS.index(app)
        for where in places
    ]
    assert not upward, "\n".join(upward)


def test_core_imports_nothing_of_the_project(imports: list[Import]) -> None:
    upward = [
        f"{found.path}:{found.line} imports {found.module}"
        for found in imports
        if found.source_app == "core"
        and found.target_app not in (None, "core")
        and not _is_test(found)
    ]
    assert not upward, "core is shared bits only:\n" + "\n".join(upward)


def test_nothing_is_imported_inside_a_function_without_a_reason(imports: list[Import]) -> None:
    hidden = [
        f"{found.path}:{found.line} imports {found.module}"
        for found in imports
        if found.in_function
        and not found.type_checking
        and found.path not in ALLOWED_FUNCTION_IMPORTS
    ]
    assert not hidden, "Import at the top of the module (or list it with its reason):\n" + (
        "\n".join(hidden)
    )


def test_the_graph_check_sees_a_cycle_and_a_function_level_import(tmp_path: Path) -> None:
    """The check itself can fail: a made-up pair of apps importing each other is caught."""
    for app, other in (("low", "high"), ("high", "low")):
        (tmp_path / "accord" / app).mkdir(parents=True)
        (tmp_path / "accord" / app / "views.py").write_text(
            f"from accord.{other} import models\n\ndef f():\n    from accord.{other} import x\n"
        )
    found = [
        i for p in sorted(tmp_path.glob("accord/*/views.py")) for i in _imports_of(p, tmp_path)
    ]
    assert cycles(app_graph(found)) == [["high", "low"]]
    assert [i.in_function for i in found] == [False, True, False, True]
