"""The built distribution installs one package, ``pulse_mirror``, with its data files inside.

The wheel is built offline from a copy of the project (so no ``build/`` folder is left in
the tree and no stale file from an earlier build can slip in), with the ``setuptools`` and
``wheel`` that the ``test`` extra installs.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "pulse_mirror"
SOURCE = ROOT / "src" / PACKAGE


def _missing_build_tool() -> str | None:
    """Why a wheel cannot be built here, or None when it can."""
    for name in ("pip", "setuptools"):
        if importlib.util.find_spec(name) is None:
            return f"{name} is not installed in this environment"
    has_wheel = importlib.util.find_spec("wheel") is not None
    if not has_wheel and importlib.util.find_spec("setuptools.command.bdist_wheel") is None:
        return "neither 'wheel' nor a setuptools with bdist_wheel is installed (the test extra)"
    return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    """The project's wheel, built from a clean copy of its sources."""
    reason = _missing_build_tool()
    if reason is not None:
        pytest.skip(f"cannot build a wheel offline: {reason}")
    work = tmp_path_factory.mktemp("packaging")
    project = work / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(
        ROOT / "src",
        project / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
    )
    dist = work / "dist"
    command = [sys.executable, "-m", "pip", "wheel", str(project)]
    command += ["--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(dist)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = dist.glob("*.whl")
    with zipfile.ZipFile(built) as archive:
        assert archive.testzip() is None, f"{built.name} is corrupt"
        yield archive


def _names(wheel: zipfile.ZipFile) -> set[str]:
    return {info.filename for info in wheel.infolist() if not info.is_dir()}


def _metadata(wheel: zipfile.ZipFile, name: str) -> str:
    (path,) = [p for p in _names(wheel) if p.endswith(f".dist-info/{name}")]
    return wheel.read(path).decode("utf-8")


def test_the_wheel_installs_only_pulse_mirror(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/")[0] for name in _names(wheel)}
    assert {top for top in tops if not top.endswith((".dist-info", ".data"))} == {PACKAGE}
    assert not tops & {"bot", "storage", "surveys", "tests", "benchmarks"}
    assert _metadata(wheel, "top_level.txt").split() == [PACKAGE]


def test_every_module_of_the_package_is_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    # A folder without __init__.py is not found as a package and would be left out silently.
    modules = {
        path.relative_to(SOURCE.parent).as_posix()
        for path in SOURCE.rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert modules - _names(wheel) == set()


def test_the_package_data_is_inside_the_package(wheel: zipfile.ZipFile) -> None:
    names = _names(wheel)
    migrations = f"{PACKAGE}/storage/migrations"
    versions = {p.name for p in (SOURCE / "storage" / "migrations" / "versions").glob("*.py")}
    assert f"{PACKAGE}/surveys/bank/builtin.yaml" in names
    assert {f"{migrations}/env.py", f"{migrations}/script.py.mako"} <= names
    assert versions, "no migration found in the source tree"
    assert {f"{migrations}/versions/{name}" for name in versions} <= names


def test_the_console_script_is_pulse(wheel: zipfile.ZipFile) -> None:
    entry_points = _metadata(wheel, "entry_points.txt")
    assert "[console_scripts]" in entry_points
    assert "pulse = pulse_mirror.cli.main:main" in entry_points
