"""Publish the weekly report once per destination.

Exactly one post per (week, destination), even across restarts and replicas: each
destination is first claimed as a report run; a claim that is already posted (or being
posted elsewhere) is skipped. A post the platform refused before it took effect (a 429, a
503, a connection refused) is retried a few times, then recorded as failed so that
``pulse status`` shows it and a later run may claim it again. A post that may have gone out
(a timeout after sending, Slack's ``internal_error``, a gateway 5xx) is recorded as unknown
and never posted again by itself: a second weekly post would be worse than a missing one,
and ``pulse report --post --again`` posts it once the operator has looked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol, runtime_checkable

from pulse_mirror.logs import error_text
from pulse_mirror.storage.persist import persist
from pulse_mirror.surveys.model import IsoWeek
from pulse_mirror.surveys.ports import (
    Clock,
    RateLimited,
    ReportRuns,
    SendOutcomeUnknown,
    TransientSendError,
)
from pulse_mirror.surveys.report.build import WeekReport
from pulse_mirror.surveys.report.windows import until_text

log = logging.getLogger(__name__)

Poster = Callable[[WeekReport, bytes], Awaitable[str]]
Send = Callable[[], Awaitable[str]]
INTRO = ":intro"  # a destination's intro run is recorded as "<destination>:intro"
MAX_RETRY_AFTER = 300.0  # a longer wait than this ends the run as failed; a later run retries
RECORD_ATTEMPTS = 5
IN_FLIGHT = "being posted; if this stays, the process stopped during the post"


@dataclass(frozen=True)
class Published:
    """What happened to one destination: posted, skipped (already done), failed or unknown."""

    destination: str
    outcome: str  # "posted", "skipped", "failed" or "unknown" (it may have gone out)
    platform_ref: str | None = None
    error: str | None = None


async def publish_week(
    *,
    report: WeekReport,
    runs: ReportRuns,
    posters: Mapping[str, Poster],
    clock: Clock,
    attempts: int = 3,
    retry_delay: float = 2.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> list[Published]:
    """Post ``report`` to every destination not yet posted this week; one post each.

    A report of a week whose window is still open has no figure to post: it is not posted
    and nothing is claimed, so the week's real post still goes out once the window closes.
    """
    week = IsoWeek.parse(report.week)
    if report.still_open:
        until = until_text(max(window.until for window in report.still_open))
        reason = f"week {report.week} is still open until {until}: not posted"
        log.warning("report of an open week not posted", extra={"week": report.week})
        return [Published(destination, "skipped", error=reason) for destination in posters]
    png: bytes | None = None
    results: list[Published] = []
    retry = Retry(attempts, retry_delay, sleep)
    for destination, post in posters.items():
        run = await runs.claim_report_run(week=week, destination=destination, now=clock.now())
        if run is None:
            log.info("report already posted", extra={"week": report.week, "to": destination})
            results.append(Published(destination, "skipped"))
            continue
        if png is None:
            png = await asyncio.to_thread(_mirror_png, report)
        claimed = Claimed(destination, run.id, partial(post, report, png))
        results.append(await _post_one(report.week, claimed, runs, clock, retry))
    return results


@runtime_checkable
class NotePoster(Protocol):
    """A destination that can post a short text without a chart (the intro)."""

    @property
    def destination(self) -> str:
        """The destination's name in the config and in the report runs."""
        ...

    async def post_note(self, text: str) -> str:
        """Post ``text``; return the platform's reference."""
        ...


class IntroRuns(ReportRuns, Protocol):
    """The report runs, and whether a destination ever got a post (report or intro)."""

    async def ever_posted(self, destinations: Sequence[str]) -> bool:
        """Whether a run to one of ``destinations`` went out or may have."""
        ...


async def publish_intro(
    *,
    week: IsoWeek,
    note: str,
    runs: IntroRuns,
    posters: Sequence[NotePoster],
    clock: Clock,
    attempts: int = 3,
    retry_delay: float = 2.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> list[Published]:
    """Post ``note`` (instead of an empty report of ``week``) where nothing was ever posted.

    Once per install and destination: it is claimed as the run "<destination>:intro" of
    ``week``, and skipped once that destination has a report or an intro that went out.
    """
    results: list[Published] = []
    retry = Retry(attempts, retry_delay, sleep)
    for poster in posters:
        name = poster.destination + INTRO
        if await runs.ever_posted([poster.destination, name]):
            results.append(Published(name, "skipped"))
            continue
        run = await runs.claim_report_run(week=week, destination=name, now=clock.now())
        if run is None:
            results.append(Published(name, "skipped"))
            continue
        claimed = Claimed(name, run.id, partial(poster.post_note, note))
        results.append(await _post_one(str(week), claimed, runs, clock, retry))
    return results


@dataclass(frozen=True)
class Claimed:
    """A destination whose report run this process holds."""

    destination: str
    run_id: int
    send: Send


@dataclass(frozen=True)
class Retry:
    """How often and how long to wait between tries of a refused post."""

    attempts: int
    delay: float
    sleep: Callable[[float], Awaitable[None]]


async def _post_one(
    week: str, claimed: Claimed, runs: ReportRuns, clock: Clock, retry: Retry
) -> Published:
    """Post to one claimed destination, retrying only what surely did not go out.

    Before the first try the run is written down as unknown: if this process dies during a
    platform call, or the database is gone when the outcome is recorded, the run stays
    unknown, and no later run posts it a second time.
    """
    destination, run_id = claimed.destination, claimed.run_id
    where = {"week": week, "to": destination}
    error = "not attempted"
    await runs.mark_report_unknown(run_id, error=IN_FLIGHT)  # stays so until the outcome is known
    for attempt in range(1, retry.attempts + 1):
        try:
            ref = await claimed.send()
        except SendOutcomeUnknown as exc:
            error = error_text(exc)
            log.error("report post may have gone out; not posted again", extra=where)
            await _recorded(partial(runs.mark_report_unknown, run_id, error=error), retry)
            return Published(destination, "unknown", error=error)
        except (RateLimited, TransientSendError) as exc:
            error = error_text(exc)
            wait = exc.retry_after if exc.retry_after is not None else retry.delay * attempt
            log.warning("report post refused", extra={**where, "attempt": attempt})
            if attempt == retry.attempts or wait > MAX_RETRY_AFTER:
                break
            await retry.sleep(wait)
            continue
        except Exception as exc:  # refused for good (bad channel, bot removed): no retry now
            error = error_text(exc)
            log.warning("report post failed", extra=where)
            break
        posted = partial(runs.mark_report_posted, run_id, platform_ref=ref, now=clock.now())
        await _recorded(posted, retry)
        return Published(destination, "posted", platform_ref=ref)
    await _recorded(partial(runs.mark_report_failed, run_id, error=error), retry)
    return Published(destination, "failed", error=error)


async def _recorded(write: Callable[[], Awaitable[None]], retry: Retry) -> None:
    """Store a post's outcome, retrying while the database is briefly gone.

    If it stays gone the run keeps the unknown written before the post: never posted twice.
    """
    await persist(write, attempts=RECORD_ATTEMPTS, delay=retry.delay, sleep=retry.sleep)


def _mirror_png(report: WeekReport) -> bytes:
    """The mirror chart as PNG (blocking: it runs in a worker thread)."""
    # heavy: matplotlib loads only when a chart is drawn, not with every command of the CLI
    from pulse_mirror.reports.charts import mirror_png

    return mirror_png(report)
