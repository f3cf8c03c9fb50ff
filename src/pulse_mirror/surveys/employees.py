"""Employee use cases: pause, resume, opt out, what the App Home shows, and roster decisions.

The adapter turns a click into one of these calls and renders the ``HomeState`` it gets back;
which people a roster makes employees, who left and who came back are decided here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pulse_mirror.surveys.model import LANGUAGES, IsoWeek, PersonStatus, Platform, Side
from pulse_mirror.surveys.planning.schedule import local_send_times, zone
from pulse_mirror.surveys.ports import Clock
from pulse_mirror.surveys.records import PersonRecord
from pulse_mirror.surveys.stores import EmployeeChoices

log = logging.getLogger(__name__)

MAX_PAUSE_WEEKS = 12


@dataclass(frozen=True)
class PulseSchedule:
    """When employee pulses go out: weekdays (1 = Monday) at a local wall-clock time."""

    weekdays: tuple[int, ...] = (2,)
    send_time: dt.time = dt.time(10, 0)


@dataclass(frozen=True)
class EmployeeSettings:
    """What the employee use cases need from the config."""

    schedule: PulseSchedule = PulseSchedule()
    min_respondents: int = 5
    default_language: str = "en"
    default_time_zone: str = "UTC"


@dataclass(frozen=True)
class HomeState:
    """What the App Home shows one person; ``status`` None means not on the roster."""

    status: PersonStatus | None
    lang: str
    min_respondents: int
    paused_until: dt.datetime | None = None
    next_pulse_at: dt.datetime | None = None
    time_zone: str = "UTC"


def effective_status(person: PersonRecord, now: dt.datetime) -> PersonStatus:
    """A person's status now: a pause whose end has passed counts as active."""
    if person.status is PersonStatus.PAUSED and (
        person.paused_until is None or person.paused_until > now
    ):
        return PersonStatus.PAUSED
    if person.status is PersonStatus.PAUSED:
        return PersonStatus.ACTIVE
    return person.status


def next_pulse_at(
    *, now: dt.datetime, time_zone: str, schedule: PulseSchedule, not_before: dt.datetime | None
) -> dt.datetime:
    """The next send instant after ``now`` (and after ``not_before``) in the person's zone."""
    start = max(now, not_before) if not_before is not None else now
    week = IsoWeek.of(start.astimezone(zone(time_zone)).date())
    for offset in range(3):
        for moment in local_send_times(
            week.shift(offset), weekdays=schedule.weekdays, at=schedule.send_time, tz=time_zone
        ):
            if moment > start:
                return moment
    raise ValueError("a schedule needs at least one weekday")  # pragma: no cover


def pause_end(now: dt.datetime, weeks: int) -> dt.datetime:
    """When a pause of ``weeks`` (1 to MAX_PAUSE_WEEKS) starting ``now`` ends."""
    if not 1 <= weeks <= MAX_PAUSE_WEEKS:
        raise ValueError(f"a pause lasts 1-{MAX_PAUSE_WEEKS} weeks, not {weeks}")
    return now + dt.timedelta(weeks=weeks)


class EmployeeAccounts:
    """An employee's own choices: pause for some weeks, resume, opt out; and their home."""

    def __init__(
        self, *, repository: EmployeeChoices, clock: Clock, settings: EmployeeSettings | None = None
    ) -> None:
        self._repo = repository
        self._clock = clock
        self._settings = settings or EmployeeSettings()

    async def home(self, platform_user_id: str) -> HomeState:
        """What the App Home shows ``platform_user_id`` now."""
        person = await self._find(platform_user_id)
        return self._home(person)

    async def pause(self, *, platform_user_id: str, weeks: int) -> HomeState:
        """Ask nobody this person for ``weeks``; pending messages are cancelled."""
        person = await self._find(platform_user_id)
        if person is None:
            return self._home(None)
        until = pause_end(self._clock.now(), weeks)
        await self._repo.set_status(person.id, PersonStatus.PAUSED, paused_until=until)
        await self._repo.cancel_pending(person.id)
        log.info("employee paused", extra={"weeks": weeks})
        return await self.home(platform_user_id)

    async def resume(self, platform_user_id: str) -> HomeState:
        """Ask this person again from the next pulse on (after a pause or an opt-out)."""
        person = await self._find(platform_user_id)
        if person is not None and person.status in (PersonStatus.PAUSED, PersonStatus.OPTED_OUT):
            await self._repo.set_status(person.id, PersonStatus.ACTIVE)
            log.info("employee resumed")
        return await self.home(platform_user_id)

    async def opt_out(self, platform_user_id: str) -> HomeState:
        """Never ask this person again until they resume; pending messages are cancelled."""
        person = await self._find(platform_user_id)
        if person is not None and person.status is not PersonStatus.BLOCKED:
            await self._repo.set_status(person.id, PersonStatus.OPTED_OUT)
            await self._repo.cancel_pending(person.id)
            log.info("employee opted out")
        return await self.home(platform_user_id)

    async def _find(self, platform_user_id: str) -> PersonRecord | None:
        person = await self._repo.find_person(
            platform=Platform.SLACK, platform_user_id=platform_user_id
        )
        return person if person is not None and person.side is Side.EMPLOYEE else None

    def _home(self, person: PersonRecord | None) -> HomeState:
        settings = self._settings
        if person is None:
            return HomeState(
                status=None,
                lang=settings.default_language,
                min_respondents=settings.min_respondents,
            )
        now = self._clock.now()
        status = effective_status(person, now)
        paused_until = person.paused_until if status is PersonStatus.PAUSED else None
        upcoming = None
        if status in (PersonStatus.ACTIVE, PersonStatus.PAUSED):
            upcoming = next_pulse_at(
                now=now,
                time_zone=person.time_zone,
                schedule=settings.schedule,
                not_before=paused_until,
            )
        return HomeState(
            status=status,
            lang=person.language or settings.default_language,
            min_respondents=settings.min_respondents,
            paused_until=paused_until,
            next_pulse_at=upcoming,
            time_zone=person.time_zone,
        )


# --- the roster -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """Someone a roster source lists: a workspace member or a line of a roster file."""

    user_id: str
    time_zone: str | None = None
    locale: str | None = None
    group: str | None = None
    email: str | None = None
    is_bot: bool = False
    deleted: bool = False
    is_guest: bool = False


@dataclass(frozen=True)
class RosterRules:
    """Which members are employees to ask."""

    include_guests: bool = False
    exclude: frozenset[str] = frozenset()  # user ids or e-mail addresses, matched exactly
    default_language: str = "en"
    default_time_zone: str = "UTC"


@dataclass(frozen=True)
class Employee:
    """A member the roster makes an employee, with the profile to store."""

    user_id: str
    language: str
    time_zone: str
    group: str | None


def language_of(locale: str | None, default: str) -> str:
    """The product language for a platform locale such as ``de-DE``; ``default`` otherwise."""
    if locale:
        base = locale.replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return default


def employees_of(members: Iterable[Member], rules: RosterRules) -> list[Employee]:
    """The members to ask: no bots, no deleted users, guests only if allowed, none excluded."""
    chosen: dict[str, Employee] = {}
    for member in members:
        if member.is_bot or member.deleted or (member.is_guest and not rules.include_guests):
            continue
        if member.user_id in rules.exclude or (member.email or "").lower() in _lower(rules):
            continue
        time_zone = member.time_zone or rules.default_time_zone
        try:
            zone(time_zone)
        except ValueError:
            time_zone = rules.default_time_zone
        chosen[member.user_id] = Employee(
            user_id=member.user_id,
            language=language_of(member.locale, rules.default_language),
            time_zone=time_zone,
            group=member.group or None,
        )
    return list(chosen.values())


def _lower(rules: RosterRules) -> frozenset[str]:
    return frozenset(entry.lower() for entry in rules.exclude if "@" in entry)


def left_the_roster(active: Sequence[PersonRecord], present: Iterable[str]) -> list[int]:
    """Ids of employees who may be asked but are no longer on the roster."""
    here = set(present)
    return [p.id for p in active if p.platform is Platform.SLACK and p.platform_user_id not in here]
