"""GET /metrics: the outbox counted in the database at scrape time, and never a failed scrape."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.runtime.metrics import Metrics
from pulse_mirror.runtime.server import build_web_app
from pulse_mirror.storage.deliveries.claims import DispatchStore
from pulse_mirror.storage.deliveries.counts import DeliveryCounts
from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.model import Platform, Side
from pulse_mirror.surveys.records import DeliveryKind, NewDelivery
from tests.fakes import FakeClock
from tests.storage.builders import NOW, add_person, add_pulse

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(metrics: Metrics) -> tuple[int, str, Samples]:
    """GET /metrics from a real server: the status, the content type and every sample."""
    app = build_web_app([], health=_healthy, metrics=metrics.page)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/metrics")
        text = await response.text()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return response.status, response.headers["Content-Type"], samples


async def _healthy() -> dict[str, object]:
    return {"ok": True}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


async def _outbox(repository: SqlRepository) -> None:
    """Slack: three questions (two due now, one in an hour), one of them then sent.
    Telegram: one question due now."""
    employees = await add_pulse(repository, side=Side.EMPLOYEE)
    customers = await add_pulse(repository, side=Side.CUSTOMER)
    news = []
    for index, later in enumerate((0, 0, 3600)):
        person = await add_person(repository, side=Side.EMPLOYEE, user=f"U{index}")
        news.append(
            NewDelivery(
                pulse_id=employees.id, person_id=person.id, kind=DeliveryKind.QUESTION,
                due_at=NOW + dt.timedelta(seconds=later),
            )
        )  # fmt: skip
    customer = await add_person(repository, side=Side.CUSTOMER, user="42")
    news.append(
        NewDelivery(
            pulse_id=customers.id, person_id=customer.id, kind=DeliveryKind.QUESTION, due_at=NOW
        )
    )
    assert await repository.enqueue(news) == 4
    claimed = await DispatchStore(repository.engine).claim_for_platform(
        platform=Platform.SLACK, now=NOW, limit=1, worker="test"
    )
    assert await repository.mark_sent(claimed[0].id, message_id="m-1", now=NOW)


async def test_metrics_count_the_outbox_by_state_and_platform(
    engine: AsyncEngine, repository: SqlRepository
) -> None:
    await _outbox(repository)
    metrics = Metrics(source=DeliveryCounts(engine), clock=FakeClock(NOW), release="9.9.9")

    status, content_type, samples = await scrape(metrics)

    assert status == 200
    assert content_type.startswith("text/plain")
    assert value(samples, "pulse_database_up") == 1
    assert value(samples, "pulse_deliveries", state="sent", platform="slack") == 1
    assert value(samples, "pulse_deliveries", state="pending", platform="slack") == 2
    assert value(samples, "pulse_deliveries", state="pending", platform="telegram") == 1
    assert value(samples, "pulse_deliveries", state="failed", platform="telegram") == 0
    assert value(samples, "pulse_queue_depth", platform="slack") == 1  # the other is due later
    assert value(samples, "pulse_queue_depth", platform="telegram") == 1
    assert value(samples, "pulse_build_info", version="9.9.9") == 1
    assert value(samples, "pulse_start_time_seconds") == NOW.timestamp()
    assert value(samples, "pulse_rate_limited_total", platform="telegram") == 0
    assert any(name.startswith("process_") for name, _ in samples)


async def test_a_database_error_still_answers_200_with_database_up_0(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}")
    try:
        metrics = Metrics(source=DeliveryCounts(engine), clock=FakeClock(NOW))
        status, _, samples = await scrape(metrics)
    finally:
        await engine.dispose()

    assert status == 200
    assert value(samples, "pulse_database_up") == 0
    assert not any(name == "pulse_deliveries" for name, _ in samples)
    assert any(name.startswith("process_") for name, _ in samples)
    assert value(samples, "pulse_build_info", version=metrics_version(samples)) == 1


def metrics_version(samples: Samples) -> str:
    (labels,) = [dict(labels) for name, labels in samples if name == "pulse_build_info"]
    return labels["version"]


class Unreachable:
    async def delivery_counts(self, *, now: dt.datetime) -> list[object]:
        raise ConnectionRefusedError("the database went away")


async def test_two_apps_in_one_process_keep_their_own_counts() -> None:
    first = Metrics(source=Unreachable(), clock=FakeClock(NOW))  # type: ignore[arg-type]
    second = Metrics(source=Unreachable(), clock=FakeClock(NOW))  # type: ignore[arg-type]

    first.rate_limited("slack")
    first.rate_limited("slack")
    second.answer_recorded("recorded")

    _, _, one = await scrape(first)
    _, _, two = await scrape(second)
    assert value(one, "pulse_rate_limited_total", platform="slack") == 2
    assert value(two, "pulse_rate_limited_total", platform="slack") == 0
    assert value(two, "pulse_answers_recorded_total", outcome="recorded") == 1
    assert ("pulse_answers_recorded_total", frozenset({("outcome", "recorded")})) not in one
    assert value(one, "pulse_database_up") == 0
