"""The import rules of ARCHITECTURE.md: imports point inward, nothing happens at import."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "surveys": {
        "bot",
        "storage",
        "slack_bolt",
        "slack_sdk",
        "telegram",
        "sqlmodel",
        "sqlalchemy",
        "apscheduler",
        "aiohttp",
        "matplotlib.pyplot",
    },
    "storage": {"bot", "slack_bolt", "slack_sdk", "telegram", "aiohttp"},
}


def _imports(path: Path, *, root: Path = ROOT) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            # A relative import resolves against the file's own package.
            package = path.relative_to(root).parent.parts
            base = package[: len(package) - (node.level - 1)]
            names.add(".".join([*base, *([node.module] if node.module else [])]))
    return names


def _violations(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in _imports(path):
            for banned in FORBIDDEN[package]:
                if name == banned or name.startswith(banned + "."):
                    found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_inward(package: str) -> None:
    assert (ROOT / package).is_dir()
    assert _violations(package) == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import bot.cli\nfrom storage.engine import x\n", encoding="utf-8")
    assert {"bot.cli", "storage.engine"} <= _imports(bad)


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    inner = tmp_path / "surveys" / "bank" / "probe.py"
    inner.parent.mkdir(parents=True)
    inner.write_text("from ...bot import cli\nfrom . import parsing\n", encoding="utf-8")
    assert _imports(inner, root=tmp_path) == {"bot", "surveys.bank"}


def test_importing_every_module_starts_nothing(tmp_path: Path) -> None:
    """Importing each module must not open files, sockets, threads or databases."""
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for pkg in ("surveys", "storage", "bot")
        for p in (ROOT / pkg).rglob("*.py")
        if "migrations" not in p.parts and p.name != "__main__.py"
    )
    code = (
        "import importlib, threading, sys\n"
        f"mods = {modules!r}\n"
        "before = threading.active_count()\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        "assert threading.active_count() == before, 'a thread was started at import'\n"
        "print(len(mods))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
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
