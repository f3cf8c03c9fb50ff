"""The scheduler's jobs: each reads the database, does what is due, records it; safe to rerun.

* plan: this ISO week's pulses (and next week's, two days ahead, for zones east of ours);
  employees are enqueued idempotently by outbox key, customers sampled once per week.
* dispatch: every platform's due messages, reminders included (decided at send time).
* close windows: ends answer windows that are over; deletes expired comment waits.
* report: last week's report, once per destination (the report runs make it exactly once);
  a week before the first pulse or without any data gets no report, only a first intro.

Planning and the report run only on the leader; dispatch runs on every replica.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from pulse_mirror.outbox.dispatcher import Dispatcher, DispatchStats
from pulse_mirror.storage.locks import Leadership
from pulse_mirror.surveys.bank import QuestionBank
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.planning import plan_week
from pulse_mirror.surveys.planning.sampling import eligible_since
from pulse_mirror.surveys.planning.schedule import local_instant
from pulse_mirror.surveys.planning.weekly import (
    CustomerRules,
    EmployeeRules,
    asked_later,
    customer_deliveries,
    customer_window,
    employee_deliveries,
    employee_window,
    pick_for_week,
)
from pulse_mirror.surveys.ports import Clock
from pulse_mirror.surveys.records import DeliveryKind, NewDelivery, PulseRecord
from pulse_mirror.surveys.stores import Operations, StaleClaims, WeekStore

log = logging.getLogger(__name__)

PLAN_AHEAD = dt.timedelta(days=2)
# A claim is never held this long by a live worker: it claims about two seconds of sends.
STALE_AFTER = dt.timedelta(minutes=10)
Publish = Callable[[IsoWeek], Awaitable[object]]


@dataclass(frozen=True)
class PlanSettings:
    """What planning needs from the config."""

    employees: EmployeeRules
    customers: CustomerRules
    employee_questions: int
    customer_questions: int
    organisation_tz: str
    sides: frozenset[Side] = field(default_factory=lambda: frozenset(Side))
    # When a week's report is made: (weekday, time) of the week after, in the organisation's
    # zone. Every window of the week closes by then, so the post is the week's final figure:
    # an answer counted later would change a posted n by one and tell that person's answer.
    report_at: tuple[int, dt.time] | None = None

    def report_instant(self, week: IsoWeek) -> dt.datetime | None:
        """The UTC moment the report of ``week`` is made; None when not configured."""
        if self.report_at is None:
            return None
        weekday, at = self.report_at
        return local_instant(week.shift(1).day(weekday), at, tz=self.organisation_tz)

    def window(
        self, week: IsoWeek, window: tuple[dt.datetime, dt.datetime]
    ) -> tuple[dt.datetime, dt.datetime]:
        """A side's (opens, closes) for ``week``, closing no later than the week's report."""
        opens, closes = window
        report = self.report_instant(week)
        return opens, closes if report is None else min(closes, report)


@dataclass
class PlanResult:
    """What one planning run added: messages (questions and reminders) and people asked."""

    weeks: list[IsoWeek] = field(default_factory=list)
    employees: int = 0  # messages to employees
    customers: int = 0  # messages to customers
    employees_asked: int = 0  # employees newly given a question
    customers_asked: int = 0  # customers newly given a question

    def add(self, other: PlanResult) -> None:
        """Count ``other``'s additions in this result too."""
        self.employees += other.employees
        self.customers += other.customers
        self.employees_asked += other.employees_asked
        self.customers_asked += other.customers_asked


class Jobs:
    """The job functions the scheduler wakes up."""

    def __init__(
        self,
        *,
        repository: WeekStore,
        operations: Operations,
        bank: QuestionBank,
        settings: PlanSettings,
        clock: Clock,
        leader: Leadership,
        dispatchers: Sequence[Dispatcher] = (),
        publish: Publish | None = None,
        rng: random.Random | None = None,
        dispatch_store: StaleClaims | None = None,
        stale_after: dt.timedelta = STALE_AFTER,
    ) -> None:
        self._repo = repository
        self._ops = operations
        self._bank = bank
        self._settings = settings
        self._clock = clock
        self._leader = leader
        self.dispatchers = list(dispatchers)
        self._publish = publish
        self._rng = rng or random.Random()
        self._dispatch_store = dispatch_store
        self._stale_after = stale_after
        # The plan job and the plan after a roster sync may overlap: one plan at a time.
        self._planning = asyncio.Lock()
        self._told_later: set[tuple[IsoWeek, int]] = set()

    def now(self) -> dt.datetime:
        """The jobs' clock."""
        return self._clock.now()

    def weeks_to_plan(self, now: dt.datetime) -> list[IsoWeek]:
        """The current week in the organisation's zone, and the next one once it is near."""
        place = ZoneInfo(self._settings.organisation_tz)
        week = IsoWeek.of(now.astimezone(place).date())
        following = week.shift(1)
        starts = dt.datetime.combine(following.monday(), dt.time(0), tzinfo=place)
        return [week, following] if now >= starts - PLAN_AHEAD else [week]

    async def plan(self) -> PlanResult:
        """Plan every week that is due, if this replica leads and nothing is paused."""
        result = PlanResult()
        async with self._planning:
            if not await self._leader.is_leader() or await self._ops.is_paused():
                return result
            now = self._clock.now()
            for week in self.weeks_to_plan(now):
                result.add(await self.plan_week(week, now=now))
                result.weeks.append(week)
        return result

    async def plan_week(self, week: IsoWeek, *, now: dt.datetime) -> PlanResult:
        """Create the week's pulses and enqueue what is not there yet."""
        settings = self._settings
        length = max(settings.employee_questions, settings.customer_questions)
        chosen = plan_week(self._bank, week, questions_per_pulse=length)
        result = PlanResult(weeks=[week])
        if Side.EMPLOYEE in settings.sides:
            opens, closes = settings.window(week, employee_window(week, settings.employees))
            items = chosen.items(Side.EMPLOYEE)[: settings.employee_questions]
            pulse = await self._repo.get_or_create_pulse(
                week=week, side=Side.EMPLOYEE, items=[i.key for i in items],
                opens_at=opens, closes_at=closes,
            )  # fmt: skip
            # Only those without the week's question: a re-run reads a handful, not everyone.
            people = await self._ops.people_to_ask(Side.EMPLOYEE, now=now, pulse_id=pulse.id)
            rows = employee_deliveries(
                pulse=pulse, people=people, rules=settings.employees, now=now
            )
            # Reminders before questions: a person's question is stored last, so a run stopped
            # in between leaves them without one and the next run completes them. Counted
            # apart, so the log tells people from messages.
            reminders = [r for r in rows if r.kind is not DeliveryKind.QUESTION]
            reminded = await self._repo.enqueue(reminders)
            questions = [r for r in rows if r.kind is DeliveryKind.QUESTION]
            result.employees_asked = await self._repo.enqueue(questions)
            result.employees = result.employees_asked + reminded
            self._tell_asked_later(
                asked_later(pulse=pulse, people=people, rules=settings.employees, now=now)
            )
        if Side.CUSTOMER in settings.sides:
            opens, closes = settings.window(week, customer_window(week, settings.customers))
            items = chosen.items(Side.CUSTOMER)[: settings.customer_questions]
            pulse = await self._repo.get_or_create_pulse(
                week=week, side=Side.CUSTOMER, items=[i.key for i in items],
                opens_at=opens, closes_at=closes,
            )  # fmt: skip
            rows = await self._sample_rows(pulse, now=now)
            asked = {r.person_id: r.due_at for r in rows if r.kind is DeliveryKind.QUESTION}
            result.customers = await self._ops.enqueue_sample(
                pulse_id=pulse.id, deliveries=rows, asked=asked
            )
            result.customers_asked = len(asked) if result.customers else 0
        if result.employees or result.customers:
            log.info(
                "planned week",
                extra={"week": str(week),
                       "employees_asked": result.employees_asked,
                       "employee_messages": result.employees,
                       "customers_asked": result.customers_asked,
                       "customer_messages": result.customers},
            )  # fmt: skip
        return result

    async def _sample_rows(self, pulse: PulseRecord, *, now: dt.datetime) -> list[NewDelivery]:
        """The customer sample's messages; none once the week's sample is stored.

        The sample is drawn from ids alone (see ``PlanningStore.sample_base``) and only the
        customers picked are read in full, so a million customers cost megabytes, not a
        gigabyte; the same seed picks the same customers as ``sample_for_week``.
        """
        if await self._ops.has_questions(pulse.id):
            return []
        rules = self._settings.customers
        pool, eligible = await self._ops.sample_base(
            now=now, asked_before=eligible_since(now=now, min_days_between=rules.min_days_between)
        )
        picked = pick_for_week(pool=pool, eligible=eligible, rules=rules, now=now, rng=self._rng)
        sampled = await self._ops.people_by_id(picked)
        return customer_deliveries(
            pulse=pulse, sampled=sampled, rules=rules, now=now, rng=self._rng
        )

    def _tell_asked_later(self, later: dict[int, dt.datetime]) -> None:
        """Log once per person and week who this week's pulse misses, and when they are asked."""
        for person_id, at in sorted(later.items()):
            week = IsoWeek.of(at.date())
            if (week, person_id) in self._told_later:
                continue
            self._told_later.add((week, person_id))
            log.info(
                "employee joined too late for this week's pulse; asked next week",
                extra={"person": person_id, "week": str(week), "asked_at": at.isoformat()},
            )

    async def dispatch(self) -> DispatchStats:
        """Send every platform's due messages (nothing while the organisation is paused)."""
        total = DispatchStats()
        if await self._ops.is_paused() or not self.dispatchers:
            return total
        runs = await asyncio.gather(*(d.dispatch_due() for d in self.dispatchers))
        for stats in runs:
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(stats, name))
        return total

    async def close_windows(self) -> int:
        """End every answer window that is over; return the ballots deleted.

        Also marks claims left by a replica that died mid-send as unknown (never resent), and
        deletes the comment waits nobody came back for.
        """
        if self._dispatch_store is not None:
            await self.recover(older_than=self._stale_after)
        now = self._clock.now()
        closed = await self._repo.close_due_windows(now)
        expired = await self._repo.delete_expired_comment_waits(now)
        if expired:
            log.info("expired comment waits deleted", extra={"count": expired})
        return closed

    async def recover(self, *, older_than: dt.timedelta) -> int:
        """Mark claims older than ``older_than`` unknown: their worker may have sent them."""
        if self._dispatch_store is None:
            return 0
        found = await self._dispatch_store.recover_stale(
            now=self._clock.now(), older_than=older_than
        )
        if found:
            log.warning("claims left by a stopped worker marked unknown", extra={"count": found})
        return found

    def report_week(self, now: dt.datetime) -> IsoWeek:
        """The week a report run at ``now`` covers: the one before, in the organisation's zone."""
        place = ZoneInfo(self._settings.organisation_tz)
        return IsoWeek.of(now.astimezone(place).date()).shift(-1)

    async def report(self) -> object | None:
        """Publish last week's report on the leader; the report runs keep it to one post.

        The windows due by now are closed first, so the report counts what is final.
        """
        if self._publish is None or not await self._leader.is_leader():
            return None
        await self._repo.close_due_windows(self._clock.now())
        return await self._publish(self.report_week(self._clock.now()))
