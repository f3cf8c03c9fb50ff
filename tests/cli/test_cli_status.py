"""``pulse status``: this week's counts, and any weekly report that did not get posted."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from pathlib import Path

from typer.testing import CliRunner

from pulse_mirror.cli.main import app
from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.migrate import upgrade
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.model import IsoWeek

runner = CliRunner()


async def _failed_report(url: str) -> IsoWeek:
    await upgrade(url)
    engine = create_engine(url)
    try:
        repository = SqlRepository(engine)
        now = dt.datetime.now(dt.UTC)
        week = IsoWeek.of(now.date()).shift(-1)
        run = await repository.claim_report_run(week=week, destination="slack", now=now)
        assert run is not None
        await repository.mark_report_failed(run.id, error="SlackApiError: channel_not_found")
        posted = await repository.claim_report_run(week=week, destination="telegram", now=now)
        assert posted is not None
        await repository.mark_report_posted(posted.id, platform_ref="1", now=now)
        maybe = await repository.claim_report_run(week=week, destination="email", now=now)
        assert maybe is not None
        await repository.mark_report_unknown(maybe.id, error="slack: internal_error")
        return week
    finally:
        await engine.dispose()


def test_status_shows_counts_and_a_report_that_was_not_posted(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("organisation:\n  name: Acme\n", encoding="utf-8")
    week = asyncio.run(_failed_report(f"sqlite+aiosqlite:///{tmp_path / 'pulse.db'}"))

    result = runner.invoke(app, ["status", "--config", str(config)], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "employee" in result.output and "customer" in result.output
    assert f"report {week} to slack NOT POSTED (failed, 1 attempts)" in result.output
    assert "channel_not_found" in result.output
    assert "to telegram" not in result.output  # the posted one is not listed
    assert f"report {week} to email MAY HAVE BEEN POSTED (unknown, 1 attempts)" in result.output
    assert f"pulse report --week {week} --post --again" in result.output


def test_again_goes_only_with_post(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("organisation:\n  name: Acme\n", encoding="utf-8")
    result = runner.invoke(app, ["report", "--again", "--config", str(config)])
    assert result.exit_code == 2
    assert "--again only goes with --post" in result.output


def test_how_many_answered_is_shown_only_from_the_anonymity_threshold() -> None:
    from pulse_mirror.cli.work.operating import _row
    from pulse_mirror.storage.operations import SideWeek
    from pulse_mirror.surveys.model import Side

    few = _row(SideWeek(Side.EMPLOYEE, planned=9, sent=9, answered=4), min_respondents=5)
    enough = _row(SideWeek(Side.EMPLOYEE, planned=9, sent=9, answered=6), min_respondents=5)
    assert few[3:5] == ["< 5", "—"]
    assert enough[3:5] == ["6", "67%"]


def test_status_with_the_database_gone_says_so_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"
    config.write_text(f"organisation: {{name: Example GmbH}}\ndatabase: {{url: '{url}'}}\n")
    result = runner.invoke(app, ["status", "--config", str(config)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("status: the database cannot be reached")
    assert "sqlalche.me" not in lines[0] and "SELECT" not in lines[0]
