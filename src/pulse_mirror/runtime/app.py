"""The composition root: builds every part from a Config, starts them in order, stops them.

Start-up checks, each failing with one line (``StartupError``): the database is reachable
and migrated; on SQLite no other process uses the file; every enabled platform's token works.
Shutdown: stop scheduling, let in-flight sends finish (or record them unknown), hand back
what was claimed but not tried, disconnect the platforms, close the server and the database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import os
import random
import signal
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.config.settings import Config
from pulse_mirror.outbox.delivery_state import DeliveryContext
from pulse_mirror.outbox.dispatcher import Dispatcher
from pulse_mirror.platforms import PlatformRuntime, StartupError
from pulse_mirror.reports.job import ReportSettings, publish_report
from pulse_mirror.reports.ports import ReportPoster
from pulse_mirror.runtime.jobs import Jobs, PlanSettings
from pulse_mirror.runtime.metrics import Metrics
from pulse_mirror.runtime.observed import (
    CountedAnswers,
    CountedPace,
    count_job_runs,
    count_reply_rate_limits,
)
from pulse_mirror.runtime.scheduler import add_roster_jobs, build_scheduler
from pulse_mirror.runtime.server import HttpServer, build_web_app
from pulse_mirror.slack.report_post import slack_report_poster
from pulse_mirror.storage.deliveries.claims import DispatchStore
from pulse_mirror.storage.deliveries.counts import DeliveryCounts
from pulse_mirror.storage.engine import DatabaseUnavailable, check, create_engine
from pulse_mirror.storage.locks import (
    AlreadyRunning,
    FileLock,
    Leadership,
    PostgresLeader,
    SoleProcess,
    sqlite_file,
)
from pulse_mirror.storage.migrate import current_revision, head_revision
from pulse_mirror.storage.operations import OperationsStore
from pulse_mirror.storage.reports.aggregates import ReportAggregates
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.bank import BankError, QuestionBank, load_bank
from pulse_mirror.surveys.model import IsoWeek, Platform, Side
from pulse_mirror.surveys.planning.weekly import CustomerRules, EmployeeRules
from pulse_mirror.surveys.ports import Clock, SystemClock
from pulse_mirror.surveys.service import AnswerSettings, PulseAnswers
from pulse_mirror.telegram.report_post import telegram_report_poster

log = logging.getLogger(__name__)

RuntimeFactory = Callable[..., PlatformRuntime]
SHUTDOWN_GRACE = 10.0


def plan_settings(config: Config) -> PlanSettings:
    """What planning needs, read from the config."""
    employees, customers = config.surveys.employees, config.surveys.customers
    tz = config.organisation.timezone
    sides = {Side.EMPLOYEE} if config.slack.enabled else set()
    sides |= {Side.CUSTOMER} if config.telegram.enabled else set()
    return PlanSettings(
        employees=EmployeeRules(
            weekdays=tuple(employees.weekdays), send_time=employees.send_time,
            answer_window_days=employees.answer_window_days, reminders=employees.reminders,
            default_tz=tz,
        ),
        customers=CustomerRules(
            min_days_between=customers.min_days_between,
            answer_window_days=customers.answer_window_days,
            sample_size=customers.sample_size, sample_fraction=customers.sample_fraction,
            day_start=customers.daytime.start, day_end=customers.daytime.end, default_tz=tz,
        ),
        employee_questions=employees.questions_per_pulse,
        customer_questions=customers.questions_per_pulse,
        organisation_tz=tz,
        sides=frozenset(sides),
        report_at=(config.report.weekday, config.report.time),
    )  # fmt: skip


def default_factories() -> dict[Platform, RuntimeFactory]:
    """The real platform runtimes, imported only when the app starts."""
    # heavy: Bolt and PTB's Application (~0.6 s) load only for a running app, not for the
    # commands that merely build a report or read the database
    from pulse_mirror.slack.runtime import build_slack
    from pulse_mirror.telegram.runtime import build_telegram

    return {
        Platform.SLACK: build_slack,  # type: ignore[dict-item]
        Platform.TELEGRAM: build_telegram,  # type: ignore[dict-item]
    }


def report_posters(config: Config) -> list[ReportPoster]:
    """The report's posters, new each run: every destination with a token and a target."""
    found = (slack_report_poster(config), telegram_report_poster(config))
    return [poster for poster in found if poster is not None]


def worker_name() -> str:
    """A name unique to this process, for its claims."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass
class PulseApp:
    """Every running part; build and start it with :func:`start_app`."""

    config: Config
    engine: AsyncEngine
    repository: SqlRepository
    jobs: Jobs
    runtimes: list[PlatformRuntime]
    server: HttpServer
    leader: Leadership
    file_lock: FileLock | None = None
    scheduler: Any = None
    started: list[str] = field(default_factory=list)
    metrics: Metrics | None = None

    async def health(self) -> dict[str, object]:
        """What /healthz answers: the database and the scheduler."""
        try:
            await check(self.engine)
            database = "ok"
        except DatabaseUnavailable as error:
            database = error.reason
        running = self.scheduler is not None and self.scheduler.running
        return {"ok": database == "ok" and running, "database": database, "scheduler": running}

    async def stop(self) -> None:
        """Stop every part, in the reverse order of starting."""
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await asyncio.gather(*(d.stop(grace=SHUTDOWN_GRACE) for d in self.jobs.dispatchers))
        # No new requests first (Slack retries a click it could not deliver), then the
        # platforms finish what they acknowledged.
        await self.server.stop()
        for runtime in reversed(self.runtimes):
            try:
                await runtime.stop()
            except Exception:
                log.exception("a platform did not stop cleanly")
        await self.leader.release()
        if self.file_lock is not None:
            self.file_lock.release()
        await self.engine.dispose()
        log.info("stopped")


async def start_app(
    config: Config,
    *,
    clock: Clock | None = None,
    factories: Mapping[Platform, RuntimeFactory] | None = None,
    scheduler_options: Mapping[str, Any] | None = None,
    schedule: bool = True,
    serve: bool = True,
    rng: random.Random | None = None,
) -> PulseApp:
    """Build and start everything; raise StartupError with one line on any failure.

    ``rng`` draws the weekly customer sample (seed it for a reproducible run).
    """
    clock = clock or SystemClock()
    engine = await _database(config)
    file_lock: FileLock | None = None
    started: list[PlatformRuntime] = []
    try:
        path = sqlite_file(engine)
        if path is not None:
            file_lock = FileLock(path)
            file_lock.acquire()
        leader: Leadership = PostgresLeader(engine) if path is None else SoleProcess()
        repository = SqlRepository(engine, min_group_size=config.anonymity.min_respondents)
        bank = _bank(config)
        metrics = Metrics(source=DeliveryCounts(engine), clock=clock)
        answers = PulseAnswers(
            repository=CountedAnswers(repository, counts=metrics), bank=bank, clock=clock,
            settings=AnswerSettings(
                comment_max_chars=config.surveys.employees.comment_max_chars,
                default_language=config.organisation.language,
            ),
        )  # fmt: skip
        chosen = factories if factories is not None else default_factories()
        enabled = [p for p, on in ((Platform.SLACK, config.slack.enabled),
                                   (Platform.TELEGRAM, config.telegram.enabled)) if on]  # fmt: skip
        for platform in enabled:
            runtime = chosen[platform](config, answers=answers, repository=repository, clock=clock)
            await runtime.start()
            started.append(runtime)
        count_reply_rate_limits(started, metrics)
        jobs = _jobs(config, repository=repository, bank=bank, clock=clock, leader=leader,
                     runtimes=started, engine=engine, rng=rng, metrics=metrics)  # fmt: skip
        if path is not None:  # the only process: every claim left behind is from a crash
            await jobs.recover(older_than=dt.timedelta(0))
        routes = [route for runtime in started for route in runtime.routes()]
        server = HttpServer(
            build_web_app(routes, health=lambda: app.health(), metrics=metrics.page),
            host=config.server.host, port=config.server.port,
        )  # fmt: skip
        app = PulseApp(
            config=config, engine=engine, repository=repository, jobs=jobs,
            runtimes=started, server=server, leader=leader, file_lock=file_lock, metrics=metrics,
        )  # fmt: skip
        try:
            if serve:
                await server.start()
        except OSError as error:
            where = f"{config.server.host}:{config.server.port}"
            raise StartupError(f"server: cannot listen on {where} ({error.strerror})") from None
        app.scheduler = build_scheduler(
            jobs, organisation_tz=config.organisation.timezone,
            report_weekday=config.report.weekday, report_time=config.report.time,
            **dict(scheduler_options or {}),
        )  # fmt: skip
        add_roster_jobs(app.scheduler, started)
        count_job_runs(app.scheduler, metrics)
        if schedule:
            app.scheduler.start()
        log.info("started", extra={"platforms": [r.platform.value for r in started]})
        return app
    except BaseException as error:
        for runtime in reversed(started):
            await runtime.stop()
        if file_lock is not None:
            file_lock.release()
        await engine.dispose()
        if isinstance(error, AlreadyRunning):
            raise StartupError(str(error)) from None
        raise


async def _database(config: Config) -> AsyncEngine:
    try:
        engine = create_engine(config.database_url)
        await check(engine)
        revision = await current_revision(config.database_url)
    except DatabaseUnavailable as error:
        raise StartupError(str(error)) from None
    if revision != head_revision():
        await engine.dispose()
        found = "has no schema" if revision is None else f"is at revision {revision}"
        raise StartupError(
            f"database {config.database_display} {found}, not {head_revision()}; "
            "run: pulse db upgrade"
        )
    return engine


def _bank(config: Config) -> QuestionBank:
    try:
        return load_bank(custom=config.custom_dimensions())
    except BankError as error:
        raise StartupError(f"dimensions: {error.problems[0]}") from None


def _jobs(
    config: Config,
    *,
    repository: SqlRepository,
    bank: QuestionBank,
    clock: Clock,
    leader: Leadership,
    runtimes: list[PlatformRuntime],
    engine: AsyncEngine,
    rng: random.Random | None = None,
    metrics: Metrics,
) -> Jobs:
    store = DispatchStore(engine)
    context = DeliveryContext(
        repository=repository, bank=bank, default_language=config.organisation.language
    )
    worker = worker_name()
    dispatchers = [
        Dispatcher(
            store=store,
            repository=repository,
            context=context,
            messenger=runtime.messenger,
            pacer=CountedPace(runtime.pacer, platform=runtime.platform.value, counts=metrics),
            clock=clock,
            worker=f"{worker}-{runtime.platform.value}",
        )
        for runtime in runtimes
    ]

    async def publish(week: IsoWeek) -> object:
        return await publish_report(
            source=ReportAggregates(engine), settings=ReportSettings.from_config(config, bank),
            runs=repository, posters=report_posters(config), clock=clock, week=week,
        )  # fmt: skip

    return Jobs(
        repository=repository, operations=OperationsStore(engine), bank=bank,
        settings=plan_settings(config), clock=clock, leader=leader, dispatchers=dispatchers,
        publish=publish if config.report.destinations else None, dispatch_store=store, rng=rng,
    )  # fmt: skip


def settle_heap() -> None:
    """Keep what start-up built out of the garbage collector's full passes.

    It lives as long as the process; scanning it again and again is pure cost. Measured:
    a burst of 3,000 Telegram taps spent a quarter of its time in full collections of the
    start-up heap, a twentieth once it was frozen.
    """
    gc.collect()
    gc.freeze()


async def run(config: Config, *, stop: asyncio.Event | None = None, **options: Any) -> None:
    """Start, run until SIGINT/SIGTERM (or ``stop``), then stop cleanly."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        app = await start_app(config, **options)
        settle_heap()
        try:
            await stop.wait()
            log.info("stopping")
        finally:
            await app.stop()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
