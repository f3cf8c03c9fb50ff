"""People and pulses: upsert by platform id, status and pauses, one pulse per week and side."""

from __future__ import annotations

import datetime as dt

from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.model import IsoWeek, PersonStatus, Platform, Side
from tests.storage.builders import NOW, WEEK, add_person, add_pulse


async def test_upsert_creates_once_and_updates_the_profile(repository: SqlRepository) -> None:
    first = await add_person(repository, side=Side.CUSTOMER, user="tg-1", group="smb")
    assert first.status is PersonStatus.ACTIVE
    assert first.created_at == NOW
    assert first.consent_at == NOW
    await repository.set_status(first.id, PersonStatus.OPTED_OUT)

    later = NOW + dt.timedelta(days=1)
    again = await repository.upsert_person(
        side=Side.CUSTOMER,
        platform=Platform.TELEGRAM,
        platform_user_id="tg-1",
        language="de",
        time_zone="Europe/Vienna",
        group="enterprise",
        now=later,
    )

    assert again.id == first.id
    assert (again.language, again.time_zone, again.group) == ("de", "Europe/Vienna", "enterprise")
    assert again.status is PersonStatus.OPTED_OUT  # the profile changed, the choice did not
    assert again.consent_at == NOW  # no new consent given: the old one stays
    assert again.created_at == NOW


async def test_the_same_user_id_on_another_platform_is_another_person(
    repository: SqlRepository,
) -> None:
    slack = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    telegram = await add_person(repository, side=Side.CUSTOMER, user="U1")

    assert slack.id != telegram.id
    found = await repository.find_person(platform=Platform.SLACK, platform_user_id="U1")
    assert found == slack
    assert await repository.find_person(platform=Platform.SLACK, platform_user_id="U2") is None
    assert await repository.get_person(telegram.id) == telegram
    assert await repository.get_person(telegram.id + 1000) is None


async def test_datetimes_come_back_in_utc(repository: SqlRepository) -> None:
    berlin = dt.timezone(dt.timedelta(hours=1))
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    until = dt.datetime(2026, 11, 23, 10, 30, tzinfo=berlin)
    await repository.set_status(person.id, PersonStatus.PAUSED, paused_until=until)

    stored = await repository.get_person(person.id)

    assert stored is not None
    assert stored.paused_until == dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
    assert stored.paused_until.utcoffset() == dt.timedelta(0)


async def test_active_people_of_a_side_include_pauses_that_are_over(
    repository: SqlRepository,
) -> None:
    active = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    paused = await add_person(repository, side=Side.EMPLOYEE, user="U2")
    resumed = await add_person(repository, side=Side.EMPLOYEE, user="U3")
    opted_out = await add_person(repository, side=Side.EMPLOYEE, user="U4")
    await add_person(repository, side=Side.CUSTOMER, user="C1")
    tomorrow = NOW + dt.timedelta(days=1)
    assert await repository.set_status(paused.id, PersonStatus.PAUSED, paused_until=tomorrow)
    assert await repository.set_status(resumed.id, PersonStatus.PAUSED, paused_until=NOW)
    assert await repository.set_status(opted_out.id, PersonStatus.OPTED_OUT)
    assert not await repository.set_status(9999, PersonStatus.BLOCKED)

    asked_now = await repository.active_people(Side.EMPLOYEE, now=NOW)
    asked_tomorrow = await repository.active_people(Side.EMPLOYEE, now=tomorrow)

    assert [p.id for p in asked_now] == [active.id, resumed.id]
    assert [p.id for p in asked_tomorrow] == [active.id, paused.id, resumed.id]


async def test_a_status_other_than_paused_clears_the_pause_end(repository: SqlRepository) -> None:
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    await repository.set_status(person.id, PersonStatus.PAUSED, paused_until=NOW)
    await repository.set_status(person.id, PersonStatus.ACTIVE, paused_until=NOW)

    stored = await repository.get_person(person.id)

    assert stored is not None
    assert (stored.status, stored.paused_until) == (PersonStatus.ACTIVE, None)


async def test_one_pulse_per_week_and_side(repository: SqlRepository) -> None:
    first = await add_pulse(repository, side=Side.EMPLOYEE, items=("a", "b"))
    again = await add_pulse(repository, side=Side.EMPLOYEE, items=("c",))
    other_side = await add_pulse(repository, side=Side.CUSTOMER, items=("a", "b"))
    next_week = await repository.get_or_create_pulse(
        week=WEEK.shift(1),
        side=Side.EMPLOYEE,
        items=["a"],
        opens_at=NOW + dt.timedelta(weeks=1),
        closes_at=NOW + dt.timedelta(weeks=1, days=3),
    )

    assert again == first  # the existing pulse wins; its items are not overwritten
    assert first.items == ("a", "b")
    assert first.week == IsoWeek(2026, 48)
    assert len({first.id, other_side.id, next_week.id}) == 3
    assert await repository.get_pulse(first.id) == first
    assert await repository.get_pulse(first.id + 1000) is None
