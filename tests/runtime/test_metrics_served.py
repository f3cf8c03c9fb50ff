"""The running app serves /metrics next to /healthz, wired to its database and its jobs."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from pulse_mirror.config.settings import parse_config
from pulse_mirror.runtime.app import start_app
from pulse_mirror.storage.migrate import upgrade
from tests.fakes import FakeClock


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_app_serves_metrics_on_its_one_server(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'pulse.db'}"
    await upgrade(url)
    port = _free_port()
    config = parse_config(
        {
            "database": {"url": url},
            "server": {"port": port},
            "slack": {"enabled": False},
            "telegram": {"enabled": False},
        },
        tokens=False,
    )
    app = await start_app(config, clock=FakeClock(), factories={}, schedule=False)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                status, text = response.status, await response.text()
            async with session.get(f"http://127.0.0.1:{port}/healthz") as health:
                assert health.status == 503  # the scheduler was not started in this test
    finally:
        await app.stop()

    assert status == 200
    names = {family.name for family in text_string_to_metric_families(text)}
    expected = {"pulse_database_up", "pulse_deliveries", "pulse_queue_depth", "pulse_job_runs"}
    assert expected | {"pulse_job_failures", "pulse_rate_limited", "pulse_build_info"} <= names
    assert 'pulse_job_runs_total{job="plan"} 0.0' in text
    assert "pulse_database_up 1.0" in text
