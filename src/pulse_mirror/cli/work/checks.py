"""The work behind ``pulse check-config``, ``pulse questions`` and ``pulse db upgrade``."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from rich.table import Table

from pulse_mirror.cli.support import default_config_path, fail, load, out
from pulse_mirror.config.summary import describe
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import Side


def _connect() -> ModuleType:
    # heavy: alembic and aiohttp (~0.4 s); offline check-config stays quick
    import pulse_mirror.cli.work.connect as connect

    return connect


def check_config(path: Path | None, *, online: bool) -> None:
    """Validate the config and print its summary; with ``online``, check each connection."""
    chosen = path or default_config_path()
    config = load(chosen, tokens=True)
    out.print(f"[green]OK[/green] {chosen}")
    for line in describe(config):
        out.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
    if online:
        _connect().check_online(config)


def questions(config: Path | None, *, lang: str) -> None:
    """Print the question bank as a table."""
    if lang not in ("en", "de"):
        raise fail([f"--lang: {lang!r} is not supported; use en or de"])
    custom: list[dict[str, object]] = []
    chosen = config or default_config_path()
    if config is not None or chosen.exists():
        custom = load(chosen).custom_dimensions()
    bank = load_bank(custom=custom)
    table = Table(title="Pulse Mirror question bank", show_lines=True)
    for column in ("dimension", "metric", "scale", "customers (outside)", "employees (inside)"):
        table.add_column(column)
    for dim in bank.dimensions:
        texts = {item.side: item.text_in(lang) for item in bank.items_of(dim.key)}
        table.add_row(
            dim.title_in(lang) + (" (custom)" if dim.custom else ""),
            dim.metric.value,
            str(dim.scale) if dim.scale else "text",
            texts.get(Side.CUSTOMER, "—"),
            texts.get(Side.EMPLOYEE, "—"),
        )
    out.print(table)


def db_upgrade(config: Path | None) -> None:
    """Create or upgrade the schema and say which of the two happened."""
    _connect().db_upgrade(load(config))
