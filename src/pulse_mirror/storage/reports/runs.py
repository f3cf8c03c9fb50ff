"""Report runs: each weekly report is posted once per destination, even with several replicas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from pulse_mirror.storage.store import Store, utc, week_text
from pulse_mirror.storage.tables import report_run
from pulse_mirror.surveys.model import IsoWeek
from pulse_mirror.surveys.records import ReportRunRecord, ReportStatus

DEFAULT_LEASE = dt.timedelta(minutes=10)


def report_run_record(row: Any) -> ReportRunRecord:
    """A report_run row as a record."""
    return ReportRunRecord(
        id=row.id,
        week=IsoWeek.parse(row.week),
        destination=row.destination,
        status=ReportStatus(row.status),
        attempts=row.attempts,
        posted_at=row.posted_at,
        platform_ref=row.platform_ref,
        last_error=row.last_error,
    )


class ReportRunStore(Store):
    """Weekly report runs."""

    async def claim_report_run(
        self,
        *,
        week: IsoWeek,
        destination: str,
        now: dt.datetime,
        lease: dt.timedelta = DEFAULT_LEASE,
    ) -> ReportRunRecord | None:
        """Claim (week, destination) for posting; None if it is posted or claimed elsewhere.

        A run that failed may be claimed again, and so may a claim older than ``lease``: the
        process that took it stopped before it could record the outcome.
        """
        now = utc(now)
        where = (report_run.c.week == week_text(week), report_run.c.destination == destination)
        stale = sa.and_(
            report_run.c.status == ReportStatus.CLAIMED.value,
            sa.or_(report_run.c.claimed_at.is_(None), report_run.c.claimed_at <= now - lease),
        )
        first = (
            self._insert(report_run)
            .values(
                week=week_text(week),
                destination=destination,
                status=ReportStatus.CLAIMED.value,
                attempts=1,
                claimed_at=now,
            )
            .on_conflict_do_nothing(index_elements=[report_run.c.week, report_run.c.destination])
            .returning(*report_run.c)
        )
        retry = (
            sa.update(report_run)
            .where(*where, sa.or_(report_run.c.status == ReportStatus.FAILED.value, stale))
            .values(
                status=ReportStatus.CLAIMED.value,
                attempts=report_run.c.attempts + 1,
                claimed_at=now,
            )
            .returning(*report_run.c)
        )
        async with self._engine.begin() as connection:
            row = (await connection.execute(first)).first()
            if row is None:
                row = (await connection.execute(retry)).first()
        return None if row is None else report_run_record(row)

    async def mark_report_posted(
        self, run_id: int, *, platform_ref: str | None, now: dt.datetime
    ) -> None:
        """Record a report as posted."""
        await self._set(
            run_id,
            status=ReportStatus.POSTED.value,
            posted_at=now,
            platform_ref=platform_ref,
            last_error=None,
        )

    async def mark_report_failed(self, run_id: int, *, error: str) -> None:
        """Record a failed post; the next claim may try again."""
        await self._set(run_id, status=ReportStatus.FAILED.value, last_error=error)

    async def mark_report_unknown(self, run_id: int, *, error: str) -> None:
        """Record a post that may have gone out; no claim takes it again by itself."""
        await self._set(run_id, status=ReportStatus.UNKNOWN.value, last_error=error)

    async def allow_report_again(self, *, week: IsoWeek, destination: str) -> bool:
        """Let the next claim post (week, destination) again after an unknown outcome.

        False if that run is not unknown: posted, failed and claimed runs stay as they are.
        """
        statement = (
            sa.update(report_run)
            .where(
                report_run.c.week == week_text(week),
                report_run.c.destination == destination,
                report_run.c.status == ReportStatus.UNKNOWN.value,
            )
            .values(status=ReportStatus.FAILED.value)
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        return bool(result.rowcount)

    async def unposted_reports(self, *, since: IsoWeek) -> list[ReportRunRecord]:
        """Report runs from ``since`` on that are not posted (failed, or claimed and stuck)."""
        statement = (
            sa.select(report_run)
            .where(
                report_run.c.week >= week_text(since),
                report_run.c.status != ReportStatus.POSTED.value,
            )
            .order_by(report_run.c.week, report_run.c.destination)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [report_run_record(row) for row in rows]

    async def ever_posted(self, destinations: Sequence[str]) -> bool:
        """Whether any run to one of ``destinations`` went out or may have (all but failed)."""
        statement = sa.select(sa.func.count()).where(
            report_run.c.destination.in_(list(destinations)),
            report_run.c.status != ReportStatus.FAILED.value,
        )
        async with self._engine.connect() as connection:
            return bool((await connection.execute(statement)).scalar_one())

    async def _set(self, run_id: int, **values: Any) -> None:
        statement = sa.update(report_run).where(report_run.c.id == run_id).values(**values)
        async with self._engine.begin() as connection:
            await connection.execute(statement)
