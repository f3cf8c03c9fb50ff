"""The house rules of ARCHITECTURE.md, checked on the import graph of ``src/pulse_mirror``.

Imports point inward (a folder imports only folders below it), the core imports no framework,
a platform folder never imports the other platform, only the command line and the demo use
the sandbox, there are no import circles, at most ten floors of imports, no folder root with
more than twelve modules and no module over 350 lines. Nothing happens at import.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = "pulse_mirror"

# Each area's floor: an import may stay in its area or go down, never up. The root modules
# (``logs``, ``proxies``, ``platforms``) are areas of their own.
FLOORS = {
    "surveys": 0,
    "logs": 0,
    "proxies": 0,
    "storage": 1,
    "config": 1,
    "platforms": 1,
    "doors": 1,
    "outbox": 2,
    "reports": 2,
    "slack": 3,
    "telegram": 3,
    "sandbox": 3,
    "runtime": 4,
    "demo": 5,
    "cli": 6,
    "__main__": 7,
}
FRAMEWORKS = {
    "slack_bolt", "slack_sdk", "telegram", "sqlmodel", "sqlalchemy", "apscheduler", "aiohttp",
    "matplotlib", "typer", "rich", "alembic", "pydantic",
}  # fmt: skip
PLATFORM_LIBRARIES = {"slack": {"slack_bolt", "slack_sdk"}, "telegram": {"telegram"}}
SANDBOX_USERS = {"cli", "demo", "sandbox"}
DEMO_USERS = {"cli", "demo"}
MAX_FLOORS = 10
MAX_INNER_IMPORTS = 15
MAX_MODULES_PER_FOLDER = 12
MAX_LINES = 350


@dataclass
class Module:
    """One module of the package: its file and what it imports."""

    name: str
    path: Path
    imports: set[str] = field(default_factory=set)  # every imported name, dotted
    at_import: set[str] = field(default_factory=set)  # those imported when the module loads
    inner: list[tuple[int, str]] = field(default_factory=list)  # (line, project module)

    @property
    def area(self) -> str:
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else parts[0]


def module_name(path: Path, *, src: Path = SRC) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = name.split(".") if is_package else name.split(".")[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden |= {id(inner) for inner in ast.walk(node)}
    return hidden


def read_module(path: Path, *, src: Path = SRC) -> Module:
    """Parse one file: every import, and which of them sit inside a function."""
    name = module_name(path, src=src)
    module = Module(name=name, path=path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    in_function = {
        id(inner)
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(fn)
    }
    hidden = _type_checking_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, name, path.name == "__init__.py")
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        if id(node) in hidden:
            continue
        module.imports.update(targets)
        if id(node) not in in_function:
            module.at_import.update(targets)
        if id(node) in in_function and any(t.startswith(PACKAGE + ".") for t in targets):
            module.inner.append((node.lineno, targets[0]))
    return module


@cache
def package_modules() -> dict[str, Module]:
    found = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        if "migrations" not in path.parts:
            module = read_module(path)
            found[module.name] = module
    return found


def project_edges(modules: dict[str, Module], *, at_import: bool = False) -> dict[str, set[str]]:
    """Module -> the project modules it imports (a name resolves to its longest module).

    ``at_import``: only the imports that run when the module itself is imported.
    """

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    return {
        name: {
            o
            for t in (m.at_import if at_import else m.imports)
            if (o := owner(t)) is not None and o != name
        }
        for name, m in modules.items()
    }


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def floors(edges: dict[str, set[str]]) -> tuple[int, list[str]]:
    """The longest chain of imports, in modules, and one such chain.

    A circle counts as one floor (it is a failure of its own, see ``test_no_import_circles``).
    """
    group = {node: node for node in edges}
    for component in circles(edges):
        for node in component:
            group[node] = component[0]
    down: dict[str, set[str]] = {}
    for node, children in edges.items():
        down.setdefault(group[node], set()).update(group[c] for c in children)
    for node, children in down.items():
        children.discard(node)
    depth: dict[str, tuple[int, list[str]]] = {}
    for node in _bottom_up(down):
        deepest = max((depth[c] for c in sorted(down[node])), default=(0, []))
        depth[node] = (deepest[0] + 1, [node, *deepest[1]])
    return max(depth.values(), default=(0, []))


def _bottom_up(down: dict[str, set[str]]) -> list[str]:
    """The nodes of an acyclic graph, each after everything it imports."""
    order: list[str] = []
    seen: set[str] = set()
    for start in sorted(down):
        stack = [(start, iter(sorted(down[start])))]
        if start in seen:
            continue
        seen.add(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                order.append(node)
            elif child not in seen:
                seen.add(child)
                stack.append((child, iter(sorted(down[child]))))
    return order


def _starts(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _project_area(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == PACKAGE and len(parts) > 1 else None


def test_the_package_is_one_top_level_name() -> None:
    tops = sorted(p.name for p in SRC.iterdir() if (p / "__init__.py").exists())
    assert tops == [PACKAGE]
    assert not any((ROOT / old / "__init__.py").exists() for old in ("bot", "storage", "surveys"))


def test_every_area_has_a_floor() -> None:
    areas = {m.area for m in package_modules().values() if m.name != PACKAGE}
    assert areas <= set(FLOORS), f"areas without a floor: {sorted(areas - set(FLOORS))}"


def test_imports_point_inward() -> None:
    wrong = []
    for module in package_modules().values():
        if module.name == PACKAGE:
            continue
        for name in module.imports:
            area = _project_area(name)
            if area is not None and area in FLOORS and FLOORS[area] > FLOORS[module.area]:
                wrong.append(f"{module.name} imports {name} (floor {FLOORS[area]} above)")
    assert wrong == []


def test_the_core_imports_no_framework_and_nothing_of_ours_outside_it() -> None:
    wrong = [
        f"{m.name} imports {name}"
        for m in package_modules().values()
        if m.area == "surveys"
        for name in m.imports
        if _starts(name, FRAMEWORKS)
        or (_project_area(name) not in (None, "surveys") and name != PACKAGE)
    ]
    assert wrong == []


def test_storage_imports_no_platform() -> None:
    banned = {"slack_bolt", "slack_sdk", "telegram", "aiohttp"}
    wrong = [
        f"{m.name} imports {name}"
        for m in package_modules().values()
        if m.area == "storage"
        for name in m.imports
        if _starts(name, banned) or _project_area(name) in {"slack", "telegram", "outbox"}
    ]
    assert wrong == []


@pytest.mark.parametrize(("platform", "other"), [("slack", "telegram"), ("telegram", "slack")])
def test_a_platform_folder_never_imports_the_other_platform(platform: str, other: str) -> None:
    wrong = [
        f"{m.name} imports {name}"
        for m in package_modules().values()
        if m.area == platform
        for name in m.imports
        if _starts(name, PLATFORM_LIBRARIES[other]) or _project_area(name) == other
    ]
    assert wrong == []


@pytest.mark.parametrize(("area", "users"), [("sandbox", SANDBOX_USERS), ("demo", DEMO_USERS)])
def test_only_the_command_line_and_the_demo_use_the_sandbox_and_the_demo(
    area: str, users: set[str]
) -> None:
    wrong = [
        f"{m.name} imports {name}"
        for m in package_modules().values()
        if m.area not in users
        for name in m.imports
        if _project_area(name) == area
    ]
    assert wrong == []


def test_no_import_circles_outside_the_sandbox() -> None:
    edges = project_edges(package_modules())
    found = [c for c in circles(edges) if not all(".sandbox." in m for m in c)]
    assert found == []


def test_at_most_ten_floors_of_imports() -> None:
    """Counted in modules along the longest chain of imports that run when a module loads."""
    count, chain = floors(project_edges(package_modules(), at_import=True))
    assert count <= MAX_FLOORS, " -> ".join(chain)


def test_imports_inside_functions_are_few_and_say_why() -> None:
    """A project import inside a function is for a heavy dependency, with a comment saying so."""
    inner = [m for module in package_modules().values() for m in module.inner]
    assert len(inner) <= MAX_INNER_IMPORTS
    silent = []
    for module in package_modules().values():
        lines = module.path.read_text(encoding="utf-8").splitlines()
        for lineno, target in module.inner:
            above = lineno - 2  # a comment may head a group of such imports
            while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
                above -= 1
            said = above >= 0 and lines[above].strip().startswith("#")
            if "#" not in lines[lineno - 1] and not said:
                silent.append(f"{module.name}:{lineno} imports {target}")
    assert silent == []


def test_no_folder_root_has_more_than_twelve_modules() -> None:
    folders: dict[Path, int] = {}
    for module in package_modules().values():
        if module.path.name != "__init__.py" and "sandbox" not in module.path.parts:
            folders[module.path.parent] = folders.get(module.path.parent, 0) + 1
    wide = {str(d.relative_to(SRC)): n for d, n in folders.items() if n > MAX_MODULES_PER_FOLDER}
    assert wide == {}


def test_no_module_is_over_350_lines_without_a_reason_at_its_top() -> None:
    long = []
    for module in package_modules().values():
        lines = module.path.read_text(encoding="utf-8").splitlines()
        if len(lines) > MAX_LINES and not lines[0].startswith("# long:"):
            long.append(f"{module.name} ({len(lines)})")
    assert long == []


def test_the_checks_see_a_circle_a_deep_chain_and_an_upward_import(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for rel, text in {
        "pulse_mirror/__init__.py": "",
        "pulse_mirror/surveys/__init__.py": "",
        "pulse_mirror/surveys/a.py": "from pulse_mirror.surveys import b\n",
        "pulse_mirror/surveys/b.py": "def f():\n    from . import a\n",
        "pulse_mirror/surveys/c.py": "from ..storage.x import y\nimport slack_sdk\n",
    }.items():
        path = src / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    modules = {m.name: m for m in (read_module(p, src=src) for p in sorted(src.rglob("*.py")))}
    assert modules["pulse_mirror.surveys.b"].inner == [(2, "pulse_mirror.surveys")]
    assert "pulse_mirror.storage.x" in modules["pulse_mirror.surveys.c"].imports
    edges = project_edges(modules)
    assert circles(edges) == [["pulse_mirror.surveys.a", "pulse_mirror.surveys.b"]]
    chain = {str(i): {str(i + 1)} for i in range(11)} | {"11": set()}
    assert floors(chain)[0] == 12
    assert floors({"a": {"b"}, "b": {"a", "c"}, "c": set()}) == (2, ["a", "c"])


def test_importing_every_module_starts_nothing(tmp_path: Path) -> None:
    """Importing each module must not open files, sockets, threads or databases."""
    modules = sorted(name for name, m in package_modules().items() if m.path.name != "__main__.py")
    code = (
        "import importlib, threading, sys\n"
        f"mods = {modules!r}\n"
        "before = threading.active_count()\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        "assert threading.active_count() == before, 'a thread was started at import'\n"
        "print(len(mods))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) == len(modules)
    assert list(tmp_path.iterdir()) == [], "importing a module wrote a file"
