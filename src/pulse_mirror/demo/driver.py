"""The driver: steps virtual time from one event to the next and runs the real app's jobs.

Events are the scheduler's jobs (plan, close windows, the weekly report at the time its
cron trigger names), the roster sync, and what people do. Between events the driver asks the
database when the next message is due and runs the dispatcher then; every message that
reaches a person in a stand-in becomes a later event of that person (an answer, or nothing).
Time jumps straight to the next event, so eight weeks take seconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pulse_mirror.demo.clock import VirtualClock
from pulse_mirror.demo.company import Company, Customer, Employee, response
from pulse_mirror.demo.ledger import Ledger
from pulse_mirror.demo.reading import telegram_buttons
from pulse_mirror.storage.operations import OperationsStore
from pulse_mirror.surveys.model import IsoWeek, Side

if TYPE_CHECKING:
    from pulse_mirror.demo.output import Writer
    from pulse_mirror.demo.slack_people import SlackPeople
    from pulse_mirror.demo.stage import Stage
    from pulse_mirror.demo.telegram_people import TelegramPeople

log = logging.getLogger(__name__)

# The scheduler plans every 15 minutes and closes windows every 5 to catch changes at any
# time; in the demo nothing changes between these moments, so running the same idempotent
# jobs less often gives the same result in a fraction of the time.
PLAN_DAYS = (1, 3, 6)  # Monday, Wednesday and Saturday at midnight (Saturday plans ahead)
CLOSE_EVERY = dt.timedelta(hours=24)
ROSTER_DAY = 7  # the roster is synced every Sunday morning
BUCKET = dt.timedelta(minutes=5)  # people acting this close together act side by side
CROWD = 32  # at most this many people act at the same moment
# Only these jobs add pending messages or move them earlier; everything else people do can
# only cancel one, so after it the last known next due time is at worst early: a dispatch
# then finds nothing due and the next look asks the database again.
ADDS_MESSAGES = frozenset({"plan", "roster", "join", "report"})
Action = Callable[[], Awaitable[object]]


class DemoStopped(Exception):
    """The operator asked the demo to stop (Ctrl-C); it stops between two events."""


@dataclass(order=True)
class Event:
    """Something due at a virtual moment; events of different people may run side by side."""

    at: dt.datetime
    order: int
    name: str = field(compare=False)
    action: Action = field(compare=False)
    who: str | None = field(default=None, compare=False)  # the person acting, if any


@dataclass
class Progress:
    """What the driver reports after each weekly report."""

    week: IsoWeek
    index: int
    folder: str


class Driver:
    """Runs the simulated weeks against the running app."""

    def __init__(
        self,
        *,
        stage: Stage,
        company: Company,
        clock: VirtualClock,
        ledger: Ledger,
        writer: Writer,
        slack_people: SlackPeople,
        telegram_people: TelegramPeople,
        first_week: IsoWeek,
        weeks: int,
        on_week: Callable[[Progress], None] | None = None,
        stop: asyncio.Event | None = None,
    ) -> None:
        self.stage, self.company, self.clock, self.ledger = stage, company, clock, ledger
        self.writer = writer
        self.slack_people, self.telegram_people = slack_people, telegram_people
        self.first_week, self.weeks = first_week, weeks
        self.on_week = on_week
        self.stop = stop or asyncio.Event()
        self.tz = ZoneInfo(stage.config.organisation.timezone)
        self._events: list[Event] = []
        self._order = itertools.count()
        self._ops = OperationsStore(stage.app.engine)
        self._seen_slack = 0
        self._seen_telegram: dict[int, int] = {}
        self._employees = {e.user_id: e for e in company.employees}
        self._customers = {c.chat_id: c for c in company.customers}
        self._busy: set[tuple[str, str]] = set()  # (who, week) with an answer planned
        self._last_dispatch: dt.datetime | None = None
        self._due: dt.datetime | None = None
        self._due_known = False
        self.reports: list[IsoWeek] = []
        self.snapshots: dict[str, dict[tuple[str, Side, str], dict[int, int]]] = {}
        self.done = False

    # --- the calendar -----------------------------------------------------------------------

    def at(
        self,
        when: dt.datetime,
        name: str,
        action: Action,
        *,
        who: str | None = None,
    ) -> None:
        """Schedule ``action`` at ``when`` (``who``: the person who acts, if someone does)."""
        event = Event(when, next(self._order), name, action, who)
        heapq.heappush(self._events, event)

    def local(self, week: int, weekday: int, hour: int) -> dt.datetime:
        """A wall time in the organisation's zone in demo week ``week`` (0-based)."""
        day = self.first_week.shift(week).day(weekday)
        return dt.datetime.combine(day, dt.time(hour), tzinfo=self.tz)

    def week_of(self, moment: dt.datetime) -> tuple[IsoWeek, int]:
        """The ISO week of ``moment`` in the organisation's zone, and its demo index."""
        week = IsoWeek.of(moment.astimezone(self.tz).date())
        return week, week.index - self.first_week.index

    def schedule(self) -> dt.datetime:
        """Put the whole calendar in place; return when the demo ends."""
        start = self.clock.now()
        end = self.local(self.weeks, 1, 12)
        jobs = self.stage.app.jobs
        self.at(start, "roster", self.stage.slack_runtime.roster.run)
        joining: dict[int, list[Customer]] = {}
        for customer in self.company.customers:
            joining.setdefault(customer.joins_week, []).append(customer)
        for week, group in sorted(joining.items()):
            when = start if week == 0 else self.local(week, 1, 8)
            self.at(when, "join", functools.partial(self.telegram_people.join, group))
        for week in range(self.weeks + 1):
            for day in PLAN_DAYS:
                if self.local(week, day, 0) > start:
                    self.at(self.local(week, day, 0), "plan", jobs.plan)
            self.at(self.local(week, ROSTER_DAY, 6), "roster", self.stage.slack_runtime.roster.run)
        self.at(start, "plan", jobs.plan)
        for moment in _every(start, end, CLOSE_EVERY):
            self.at(moment, "close", jobs.close_windows)
        for employee in self.company.employees:
            if employee.pause_week is not None:
                pause = functools.partial(self.slack_people.pause, employee)
                when = self.local(employee.pause_week, 1, 11)
                self.at(when, "pause", pause, who=employee.user_id)
        for customer in self.company.customers:
            if customer.leaves is not None and customer.leaves_week is not None:
                leave = functools.partial(self.telegram_people.leave, customer)
                self.at(self.local(customer.leaves_week, 3, 19), "leave", leave,
                        who=str(customer.chat_id))  # fmt: skip
        trigger = self.stage.app.scheduler.get_job("report").trigger
        fire = trigger.get_next_fire_time(None, start)
        while fire is not None and fire <= end:
            self.at(fire.astimezone(dt.UTC), "report", self.report)
            fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(seconds=1))
        return end

    # --- running ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Run every event in order until the last week's report is out.

        Raises:
            DemoStopped: ``stop`` was set; the event under way was finished first.
        """
        self.schedule()
        while self._events and not self.done:
            if self.stop.is_set():
                raise DemoStopped
            head = self._events[0]
            due = await self._next_due()
            if (
                due is not None
                and due <= head.at
                and (self._last_dispatch is None or due > self._last_dispatch)
            ):
                await self._dispatch(due)
                continue
            batch = [heapq.heappop(self._events)]
            while self._joins(batch):
                batch.append(heapq.heappop(self._events))
            self.clock.advance_to(batch[0].at)
            if any(event.name in ADDS_MESSAGES for event in batch):
                self._due_known = False
            if len(batch) == 1:
                await self._safely(batch[0])
            else:
                await asyncio.gather(*(self._safely(event) for event in batch))

    async def _next_due(self) -> dt.datetime | None:
        """When the next pending message is due; the database is asked again only when it
        may have changed or the known time was already dispatched (held back, e.g. by a rate
        limit)."""
        done = (
            self._due is not None
            and self._last_dispatch is not None
            and self._due <= self._last_dispatch
        )
        if not self._due_known or done:
            self._due = await self._ops.next_due()
            self._due_known = True
        return self._due

    def _joins(self, batch: list[Event]) -> bool:
        """Whether the next event is another person's, close enough to act beside ``batch``.

        People in both stand-ins act side by side, as they do on the platforms: Telegram
        delivers different chats' updates over parallel connections, one chat's in order.
        What each person does is drawn from the seed, so the order in which their requests
        happen to interleave never changes an answer; one person never acts twice in a batch.
        """
        if not (batch[0].who is not None and self._events and len(batch) < CROWD):
            return False
        following = self._events[0]
        return (
            following.who is not None
            and following.at < batch[0].at + BUCKET
            and all(event.who != following.who for event in batch)
        )

    async def _safely(self, event: Event) -> None:
        try:
            await event.action()
        except Exception:
            log.exception("a demo event failed", extra={"event": event.name})

    async def _dispatch(self, moment: dt.datetime) -> None:
        # Arrivals count from the due time, not from the clock: waits for a rate limit move
        # the clock by amounts that depend on how tasks interleave, and a person's later
        # move must not.
        self.clock.advance_to(moment)
        self._last_dispatch = moment
        self._due_known = False
        await self.stage.app.jobs.dispatch()
        self._arrivals(moment)

    def _arrivals(self, moment: dt.datetime) -> None:
        """Turn each pulse that reached a person since the last look into their next move."""
        workspace = self.stage.slack.workspace
        messages = workspace.messages
        for message in messages[self._seen_slack :]:
            channel = workspace.channels.get(message.channel)
            employee = self._employees.get(channel.im_user or "") if channel else None
            if employee is not None and message.from_bot:
                self._arrived(employee, message, moment)
        self._seen_slack = len(messages)
        state = self.stage.telegram.runtime.state
        for chat_id, customer in self._customers.items():
            found = state.messages.get(chat_id)
            if not found or len(found) == self._seen_telegram.get(chat_id, 0):
                continue
            for post in found[self._seen_telegram.get(chat_id, 0) :]:
                if post.from_bot and any(
                    data.startswith("a:") for data in telegram_buttons(post.reply_markup)
                ):
                    self._arrived(customer, post, moment)
            self._seen_telegram[chat_id] = len(found)

    def _arrived(self, person: Employee | Customer, message: object, moment: dt.datetime) -> None:
        week, index = self.week_of(moment)
        who = person.user_id if isinstance(person, Employee) else str(person.chat_id)
        key = (who, str(week))
        self.ledger.received[key] += 1
        if key in self._busy:
            return
        reminded = self.ledger.received[key] > 1
        move = response(person.habits, seed=self.company.seed, who=who, week=index,
                        reminded=reminded)  # fmt: skip
        if not move.answers:
            return
        self._busy.add(key)
        when = moment + dt.timedelta(seconds=move.delay_seconds)
        people = self.slack_people if isinstance(person, Employee) else self.telegram_people

        async def act() -> None:
            await people.answer(person, message, week=str(week), index=index,  # type: ignore[arg-type]
                                comment=move.comments)  # fmt: skip

        self.at(when, "answer", act, who=who)

    async def report(self) -> None:
        """The report job at its cron time, then the week's files."""
        jobs = self.stage.app.jobs
        week = jobs.report_week(self.clock.now())
        index = week.index - self.first_week.index
        if index < 0:
            return
        await jobs.close_windows()
        await jobs.report()
        self.snapshots[str(week)] = self.ledger.histograms()
        folder = await self.writer.week(self.stage, week)
        self.reports.append(week)
        if self.on_week is not None:
            self.on_week(Progress(week=week, index=index, folder=str(folder)))
        if index >= self.weeks - 1:
            self.done = True


def _every(start: dt.datetime, end: dt.datetime, step: dt.timedelta) -> list[dt.datetime]:
    moments, moment = [], start
    while moment <= end:
        moments.append(moment)
        moment += step
    return moments
