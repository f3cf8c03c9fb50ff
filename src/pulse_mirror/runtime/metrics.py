"""``GET /metrics``: the bot in Prometheus' text format, from its own registry.

Counters live in the process (429s, answers, comments and skips, job runs); the outbox is
counted in the database at scrape time with one grouped query. A scrape never fails: when the
database cannot answer within ``timeout`` seconds the page still has the process metrics and
``pulse_database_up 0``. Each app has its own ``CollectorRegistry``, never the global one, so
tests and several apps in one process do not clash.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from importlib import metadata
from typing import Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Info,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from pulse_mirror.logs import error_text
from pulse_mirror.storage.deliveries.counts import DeliveryCount
from pulse_mirror.surveys.model import Platform, Side
from pulse_mirror.surveys.ports import Clock
from pulse_mirror.surveys.records import DeliveryStatus

log = logging.getLogger(__name__)

DATABASE_TIMEOUT = 5.0  # seconds; a scraper's own timeout is usually 10
PLATFORMS = tuple(platform.value for platform in Platform)
SIDES = tuple(side.value for side in Side)


class DeliverySource(Protocol):
    """The outbox's counts: the one read a scrape makes."""

    async def delivery_counts(self, *, now: dt.datetime) -> Sequence[DeliveryCount]:
        """Messages per (platform, status), with how many pending ones are due at ``now``."""
        ...


def version() -> str:
    """The installed package's version, or ``unknown`` when run from a bare source tree."""
    try:
        return metadata.version("pulse-mirror")
    except metadata.PackageNotFoundError:
        return "unknown"


class _Families(Collector):
    """Metric families computed for one scrape."""

    def __init__(self, families: Sequence[GaugeMetricFamily]) -> None:
        self._families = families

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The families, as they were computed."""
        return iter(self._families)


def outbox_families(
    counts: Iterable[DeliveryCount], *, platforms: Sequence[str]
) -> list[GaugeMetricFamily]:
    """``pulse_deliveries`` and ``pulse_queue_depth``, zero for every platform and state."""
    found: dict[tuple[str, DeliveryStatus], int] = {}
    due: dict[str, int] = dict.fromkeys(platforms, 0)
    for count in counts:
        found[(count.platform, count.status)] = count.count
        due[count.platform] = due.get(count.platform, 0) + count.due
    deliveries = GaugeMetricFamily(
        "pulse_deliveries", "Outbox messages by state and platform.", labels=["state", "platform"]
    )
    names = sorted({*platforms, *due})
    for platform in names:
        for status in DeliveryStatus:
            deliveries.add_metric([status.value, platform], found.get((platform, status), 0))
    depth = GaugeMetricFamily(
        "pulse_queue_depth", "Pending messages already due, by platform.", labels=["platform"]
    )
    for platform in names:
        depth.add_metric([platform], due[platform])
    return [deliveries, depth]


class Metrics:
    """The app's registry and the few things it counts itself."""

    def __init__(
        self,
        *,
        source: DeliverySource,
        clock: Clock,
        platforms: Sequence[str] = PLATFORMS,
        timeout: float = DATABASE_TIMEOUT,
        release: str | None = None,
    ) -> None:
        """Register the process, start-time and build metrics; counters start at zero."""
        self._source = source
        self._clock = clock
        self._platforms = tuple(platforms)
        self._timeout = timeout
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        Info("pulse_build", "The running bot's version.", registry=self.registry).info(
            {"version": release or version()}
        )
        Gauge(
            "pulse_start_time_seconds", "When the bot started, seconds since the epoch.",
            registry=self.registry,
        ).set(clock.now().timestamp())  # fmt: skip
        self._rate_limited = Counter(
            "pulse_rate_limited", "429 responses received, by platform.", ["platform"],
            registry=self.registry,
        )  # fmt: skip
        self._answers = Counter(
            "pulse_answers_recorded", "Answers stored: first answers and changes of mind.",
            ["outcome"], registry=self.registry,
        )  # fmt: skip
        self._comments = Counter(
            "pulse_comments_recorded", "Comments stored (new or rewritten), by side.", ["side"],
            registry=self.registry,
        )  # fmt: skip
        self._skips = Counter(
            "pulse_skips_recorded", "Questions skipped, by side.", ["side"],
            registry=self.registry,
        )  # fmt: skip
        self._job_runs = Counter(
            "pulse_job_runs", "Scheduled job runs, by job id.", ["job"], registry=self.registry
        )
        self._job_failures = Counter(
            "pulse_job_failures", "Scheduled job runs that failed, by job id.", ["job"],
            registry=self.registry,
        )  # fmt: skip
        for platform in self._platforms:
            self._rate_limited.labels(platform)
        for side in SIDES:
            self._comments.labels(side)
            self._skips.labels(side)

    def rate_limited(self, platform: str) -> None:
        """Count one 429 from ``platform``."""
        self._rate_limited.labels(platform).inc()

    def answer_recorded(self, outcome: str) -> None:
        """Count one stored answer (``recorded`` or ``changed``)."""
        self._answers.labels(outcome).inc()

    def comment_recorded(self, side: str) -> None:
        """Count one stored comment of ``side`` (``employee`` or ``customer``)."""
        self._comments.labels(side).inc()

    def skip_recorded(self, side: str) -> None:
        """Count one stored skip of ``side``."""
        self._skips.labels(side).inc()

    def job_known(self, job: str) -> None:
        """Show ``job`` with zero runs until it first runs."""
        self._job_runs.labels(job)
        self._job_failures.labels(job)

    def job_ran(self, job: str, *, ok: bool) -> None:
        """Count one run of ``job``, and a failure unless ``ok``."""
        self._job_runs.labels(job).inc()
        if not ok:
            self._job_failures.labels(job).inc()

    async def page(self) -> tuple[bytes, str]:
        """The scrape and its content type: this registry, the outbox counts read now (or
        ``pulse_database_up 0``)."""
        up = GaugeMetricFamily("pulse_database_up", "1 if the database answered this scrape.")
        families: list[GaugeMetricFamily] = [up]
        try:
            async with asyncio.timeout(self._timeout):
                counts = await self._source.delivery_counts(now=self._clock.now())
        except Exception as error:  # any failure is the page's news, never the server's
            log.warning("metrics: database not read", extra={"error": error_text(error)})
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            families += outbox_families(counts, platforms=self._platforms)
        scrape = CollectorRegistry()
        scrape.register(_Families(families))
        return generate_latest(self.registry) + generate_latest(scrape), CONTENT_TYPE_LATEST
