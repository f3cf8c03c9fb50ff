"""Employee use cases and roster decisions: pauses, next pulse across DST, who is an employee."""

from __future__ import annotations

import datetime as dt

import pytest

from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.employees import (
    EmployeeAccounts,
    EmployeeSettings,
    Member,
    PulseSchedule,
    RosterRules,
    employees_of,
    language_of,
    left_the_roster,
    next_pulse_at,
    pause_end,
)
from pulse_mirror.surveys.model import IsoWeek, PersonStatus, Platform, Side
from pulse_mirror.surveys.records import DeliveryKind, DeliveryStatus, NewDelivery
from tests.fakes import FakeClock

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # Monday


TUESDAY_TEN = PulseSchedule(weekdays=(2,), send_time=dt.time(10, 0))


def test_the_next_pulse_is_at_local_time_across_a_dst_change() -> None:
    # Europe/Berlin leaves summer time on Sunday 25 October 2026.
    before = dt.datetime(2026, 10, 21, 12, 0, tzinfo=dt.UTC)  # Wednesday, after that week's send
    moment = next_pulse_at(
        now=before, time_zone="Europe/Berlin", schedule=TUESDAY_TEN, not_before=None
    )
    assert moment == dt.datetime(2026, 10, 27, 9, 0, tzinfo=dt.UTC)  # 10:00 CET = 09:00 UTC
    york = next_pulse_at(
        now=before, time_zone="America/New_York", schedule=TUESDAY_TEN, not_before=None
    )
    assert york == dt.datetime(2026, 10, 27, 14, 0, tzinfo=dt.UTC)  # still EDT: 10:00 = 14:00 UTC


def test_a_pause_moves_the_next_pulse_after_its_end_and_is_bounded() -> None:
    until = pause_end(NOW, 2)
    assert until == NOW + dt.timedelta(weeks=2)
    moment = next_pulse_at(
        now=NOW, time_zone="Europe/Berlin", schedule=TUESDAY_TEN, not_before=until
    )
    assert moment == dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
    for weeks in (0, 13):
        with pytest.raises(ValueError, match="1-12 weeks"):
            pause_end(NOW, weeks)


def test_who_the_roster_makes_an_employee() -> None:
    members = [
        Member("U1", time_zone="Asia/Tokyo", locale="de-DE", group="support"),
        Member("U2", is_bot=True),
        Member("U3", deleted=True),
        Member("U4", is_guest=True),
        Member("U5", email="Boss@Example.com"),
        Member("U6", time_zone="Mars/Olympus"),
        Member("U7"),
    ]
    rules = RosterRules(exclude=frozenset({"U7", "boss@example.com"}), default_time_zone="UTC")
    chosen = employees_of(members, rules)
    assert [(e.user_id, e.language, e.time_zone, e.group) for e in chosen] == [
        ("U1", "de", "Asia/Tokyo", "support"),
        ("U6", "en", "UTC", None),  # an unknown zone falls back to the default
    ]
    guests = employees_of(members, RosterRules(include_guests=True))
    assert "U4" in {e.user_id for e in guests}


@pytest.mark.parametrize(
    ("locale", "lang"),
    [("de-DE", "de"), ("de_AT", "de"), ("en-GB", "en"), ("fr-FR", "en"), (None, "en")],
)
def test_language_from_the_slack_locale(locale: str | None, lang: str) -> None:
    assert language_of(locale, "en") == lang


async def test_pause_resume_and_opt_out_are_stored_and_cancel_pending_messages(
    repository: SqlRepository,
) -> None:
    clock = FakeClock(NOW)
    accounts = EmployeeAccounts(
        repository=repository, clock=clock, settings=EmployeeSettings(schedule=TUESDAY_TEN)
    )
    person = await repository.upsert_person(
        side=Side.EMPLOYEE,
        platform=Platform.SLACK,
        platform_user_id="U1",
        language="de",
        time_zone="Europe/Berlin",
        group=None,
        now=NOW,
    )
    pulse = await repository.get_or_create_pulse(
        week=IsoWeek(2026, 48),
        side=Side.EMPLOYEE,
        items=["effort.employee"],
        opens_at=NOW,
        closes_at=NOW + dt.timedelta(days=3),
    )
    later = NOW + dt.timedelta(days=1)
    await repository.enqueue(
        [
            NewDelivery(
                pulse_id=pulse.id, person_id=person.id, kind=DeliveryKind.QUESTION, due_at=later
            )
        ]
    )

    home = await accounts.home("U1")
    assert (home.status, home.lang) == (PersonStatus.ACTIVE, "de")
    assert home.next_pulse_at == dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)

    paused = await accounts.pause(platform_user_id="U1", weeks=4)
    assert paused.status is PersonStatus.PAUSED and paused.paused_until == NOW + dt.timedelta(
        weeks=4
    )
    assert (await repository.count_by_status())[DeliveryStatus.CANCELLED] == 1
    assert await repository.active_people(Side.EMPLOYEE, now=NOW) == []

    clock.current = NOW + dt.timedelta(weeks=5)  # the pause is over by itself
    assert (await accounts.home("U1")).status is PersonStatus.ACTIVE

    assert (await accounts.opt_out("U1")).status is PersonStatus.OPTED_OUT
    assert (await accounts.home("U1")).next_pulse_at is None
    assert (await accounts.resume("U1")).status is PersonStatus.ACTIVE
    assert (await accounts.home("U404")).status is None


def test_people_who_left_the_roster() -> None:
    from pulse_mirror.surveys.records import PersonRecord

    def record(pid: int, user: str) -> PersonRecord:
        return PersonRecord(
            id=pid,
            side=Side.EMPLOYEE,
            platform=Platform.SLACK,
            platform_user_id=user,
            language="en",
            time_zone="UTC",
            group=None,
            status=PersonStatus.ACTIVE,
            paused_until=None,
            consent_at=None,
            last_asked_at=None,
            created_at=NOW,
        )

    assert left_the_roster([record(1, "U1"), record(2, "U2")], ["U2", "U3"]) == [1]
