"""The outbox worker: claim due messages of one platform, send them at its pace, record each.

Exactly once: a message is claimed atomically before it is sent and marked right after. What
the platform may have received but we could not record (a timeout after sending, a crash, a
cancelled send) becomes ``unknown`` and is never resent. Rows claimed but not yet tried when
the worker stops are handed back to pending. Only a bounded number of rows is claimed at a
time (about two seconds of sends at the platform's pace), so a crash leaves few unknowns.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from pulse_mirror.logs import error_text
from pulse_mirror.outbox.delivery_state import DeliveryContext, Verdict
from pulse_mirror.storage.persist import persist
from pulse_mirror.surveys.model import PersonStatus
from pulse_mirror.surveys.ports import (
    Clock,
    Messenger,
    Pace,
    PermanentSendError,
    RateLimited,
    RecipientGone,
    SendOutcomeUnknown,
    TransientSendError,
)
from pulse_mirror.surveys.records import DeliveryRecord, PersonRecord
from pulse_mirror.surveys.stores import Claims, SendRecords

log = logging.getLogger(__name__)


RECORD_ATTEMPTS = 3  # tries to store a send's outcome before leaving the row to recovery
RECORD_RETRY_DELAY = 1.0  # seconds, times the attempt number


class NotRecorded(Exception):
    """A platform call was made but its outcome could not be stored."""


@dataclass(frozen=True)
class RetryPolicy:
    """Transient errors: retried with exponential backoff until ``max_attempts``, then failed."""

    max_attempts: int = 5
    base_delay: float = 5.0
    max_delay: float = 900.0
    max_rate_limit_waits: int = 5  # 429s waited out in place before the row is handed back

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1 = the first)."""
        return float(min(self.max_delay, self.base_delay * 2 ** max(attempt - 1, 0)))


@dataclass
class DispatchStats:
    """What one dispatch run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0
    cancelled: int = 0
    handed_back: int = 0
    rate_limited: int = 0
    unrecorded: int = 0  # sent (or tried) but the outcome could not be stored; left claimed

    @property
    def handled(self) -> int:
        """Rows finished or handed back in this run."""
        return self.sent + self.retried + self.failed + self.unknown + self.cancelled


class Dispatcher:
    """Sends one platform's due messages through its ``Messenger``."""

    def __init__(
        self,
        *,
        store: Claims,
        repository: SendRecords,
        context: DeliveryContext,
        messenger: Messenger,
        pacer: Pace,
        clock: Clock,
        worker: str,
        concurrency: int = 64,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._store = store
        self._repo = repository
        self._context = context
        self._messenger = messenger
        self._pacer = pacer
        self._clock = clock
        self.worker = worker
        self._retry = retry or RetryPolicy()
        self._concurrency = concurrency
        self._stopping = False
        self._in_flight: set[asyncio.Task[None]] = set()
        self._run_lock = asyncio.Lock()

    @property
    def platform(self) -> str:
        """The platform this worker sends to."""
        return self._messenger.platform.value

    @property
    def claim_window(self) -> int:
        """Rows claimed at a time: about two seconds of sends at the pace now, at most
        ``concurrency``. Slack's pace adapts, so the window grows and shrinks with it."""
        rate = self._pacer.per_second
        if rate is None:
            return max(1, self._concurrency)
        return max(1, min(self._concurrency, math.ceil(2 * rate) + 1))

    async def dispatch_due(self) -> DispatchStats:
        """Send everything due now; return when nothing due is left or a stop is requested."""
        stats = DispatchStats()
        async with self._run_lock:
            exhausted = False
            while not self._stopping:
                window = self.claim_window
                room = window - len(self._in_flight)
                if (not exhausted and room >= max(1, window // 2)) or not self._in_flight:
                    rows = await self._store.claim_for_platform(
                        platform=self._messenger.platform,
                        now=self._clock.now(),
                        limit=room,
                        worker=self.worker,
                    )
                    exhausted = len(rows) < room
                    people = await self._store.people_by_id(row.person_id for row in rows)
                    for row in rows:
                        person = people.get(row.person_id)
                        task = asyncio.create_task(self._deliver(row, stats, person))
                        self._in_flight.add(task)
                        task.add_done_callback(self._in_flight.discard)
                    if not self._in_flight:
                        break
                await asyncio.wait(set(self._in_flight), return_when=asyncio.FIRST_COMPLETED)
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)
        return stats

    async def stop(self, *, grace: float = 10.0) -> None:
        """Stop claiming; let sends in progress finish for ``grace`` seconds, then cancel them.

        A cancelled send is recorded as unknown; a row never tried is handed back.
        """
        self._stopping = True
        pending = set(self._in_flight)
        if pending:
            _, late = await asyncio.wait(pending, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        released = await self._repo.release_claimed(self.worker)
        if released:
            log.info("handed back claimed messages", extra={"count": released})

    async def _deliver(
        self, row: DeliveryRecord, stats: DispatchStats, person: PersonRecord | None
    ) -> None:
        try:
            verdict = await self._context.prepare(row, now=self._clock.now(), person=person)
            if verdict.cancel is not None:
                await self._store.cancel_claimed(row.id, reason=verdict.cancel)
                stats.cancelled += 1
                return
            if verdict.defer_until is not None:
                await self._store.hand_back(row.id, due_at=verdict.defer_until, note=verdict.note)
                stats.handed_back += 1
                return
            await self._send(row, verdict, stats)
        except asyncio.CancelledError:
            raise
        except NotRecorded:
            # The platform was called; its outcome could not be stored. Left claimed, the row
            # is marked unknown by recover_stale and never sent again.
            log.exception("could not record a send; left for recovery", extra={"delivery": row.id})
            stats.unrecorded += 1
        except Exception:
            # A bug before the send: nothing was sent, the row goes back for a later try.
            log.exception("could not prepare a message", extra={"delivery": row.id})
            await self._store.hand_back(
                row.id, due_at=self._clock.now() + dt.timedelta(minutes=5), note="prepare failed"
            )
            stats.handed_back += 1

    async def _send(self, row: DeliveryRecord, verdict: Verdict, stats: DispatchStats) -> None:
        assert verdict.state is not None and verdict.address is not None
        waits = 0
        while True:
            await self._pacer.acquire(verdict.address)
            if self._stopping:
                await self._store.hand_back(row.id, due_at=row.due_at, note=None)
                stats.handed_back += 1
                return
            try:
                ref = await self._messenger.send_pulse(
                    address=verdict.address, state=verdict.state, kind=row.kind
                )
            except RateLimited as error:
                stats.rate_limited += 1
                waits += 1
                retry_after = error.retry_after if error.retry_after is not None else 1.0
                self._pacer.hold(retry_after)
                if waits <= self._retry.max_rate_limit_waits:
                    # The refused message waits Retry-After itself; how long the others wait
                    # is the pacer's call (all of them on Telegram, a slower pace on Slack).
                    await self._clock.sleep(retry_after)
                    continue
                await self._store.hand_back(
                    row.id,
                    due_at=self._clock.now() + dt.timedelta(seconds=retry_after),
                    note=f"rate limited: {error_text(error)}",
                )
                stats.handed_back += 1
            except asyncio.CancelledError:
                await asyncio.shield(
                    self._repo.mark_unknown(row.id, error="cancelled while sending")
                )
                stats.unknown += 1
                raise
            except Exception as error:  # every failure is recorded below
                await self._recorded(row, partial(self._record_failure, row, verdict, error, stats))
            else:
                sent = partial(self._repo.mark_sent, row.id, message_id=ref, now=self._clock.now())
                await self._recorded(row, sent)
                stats.sent += 1
            return

    async def _recorded(self, row: DeliveryRecord, write: Callable[[], Awaitable[object]]) -> None:
        """Store what a platform call did, retrying briefly; never hand the row back after it.

        If the database stays away, the row stays claimed: ``recover_stale`` later marks it
        unknown, so a message that may have reached the person is never sent again.
        """
        try:
            await persist(
                write, attempts=RECORD_ATTEMPTS, delay=RECORD_RETRY_DELAY, sleep=self._clock.sleep
            )
        except Exception as error:
            raise NotRecorded(row.id) from error

    async def _record_failure(
        self, row: DeliveryRecord, verdict: Verdict, error: Exception, stats: DispatchStats
    ) -> None:
        text = error_text(error)
        if isinstance(error, TransientSendError):
            if row.attempts < self._retry.max_attempts:
                retry_at = self._clock.now() + dt.timedelta(seconds=self._retry.delay(row.attempts))
                await self._repo.mark_failed(row.id, error=text, retry_at=retry_at)
                stats.retried += 1
            else:
                await self._repo.mark_failed(row.id, error=text)
                stats.failed += 1
        elif isinstance(error, RecipientGone):
            assert verdict.person is not None
            await self._repo.mark_failed(row.id, error=text)
            await self._repo.set_status(verdict.person.id, PersonStatus.BLOCKED)
            await self._repo.cancel_pending(verdict.person.id)
            stats.failed += 1
        elif isinstance(error, PermanentSendError):
            await self._repo.mark_failed(row.id, error=text)
            stats.failed += 1
        else:
            # SendOutcomeUnknown, or anything the messenger did not classify: it may have
            # reached the platform, so it is never sent again.
            if not isinstance(error, SendOutcomeUnknown):
                log.warning("unclassified send error; recorded as unknown", exc_info=error)
            await self._repo.mark_unknown(row.id, error=text)
            stats.unknown += 1
