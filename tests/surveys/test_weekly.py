"""The week's messages: local send times across DST, reminders inside the window, the sample."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from zoneinfo import ZoneInfo

import pytest

from pulse_mirror.surveys.model import IsoWeek, PersonStatus, Platform, Side
from pulse_mirror.surveys.planning.weekly import (
    CustomerRules,
    EmployeeRules,
    customer_deliveries,
    customer_window,
    employee_deliveries,
    employee_window,
    sample_for_week,
)
from pulse_mirror.surveys.records import DeliveryKind, PersonRecord, PulseRecord

CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
RULES = EmployeeRules(
    weekdays=(2,), send_time=dt.time(10), answer_window_days=5, reminders=2, default_tz="UTC"
)


def person(
    pid: int,
    tz: str,
    *,
    side: Side = Side.EMPLOYEE,
    status: PersonStatus = PersonStatus.ACTIVE,
    last_asked: dt.datetime | None = None,
    consent: bool = True,
) -> PersonRecord:
    return PersonRecord(
        id=pid,
        side=side,
        platform=Platform.SLACK if side is Side.EMPLOYEE else Platform.TELEGRAM,
        platform_user_id=f"U{pid}",
        language="en",
        time_zone=tz,
        group=None,
        status=status,
        paused_until=None,
        consent_at=CREATED if consent else None,
        last_asked_at=last_asked,
        created_at=CREATED,
    )


def pulse_for(week: IsoWeek, window: tuple[dt.datetime, dt.datetime], side: Side) -> PulseRecord:
    return PulseRecord(
        id=7, week=week, side=side, items=("a", "b"), opens_at=window[0], closes_at=window[1]
    )


def local(moment: dt.datetime, tz: str) -> dt.datetime:
    return moment.astimezone(ZoneInfo(tz))


# 2026-W13: Europe switched to summer time on Sunday 29 March, the US already on 8 March.
# 2026-W44: Europe back to winter time on 25 October, the US not until 1 November.
@pytest.mark.parametrize("week", [IsoWeek(2026, 10), IsoWeek(2026, 13), IsoWeek(2026, 44)])
def test_every_employee_gets_the_question_at_ten_on_tuesday_in_their_own_zone(
    week: IsoWeek,
) -> None:
    zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo"]
    people = [person(i, tz) for i, tz in enumerate(zones, start=1)]
    pulse = pulse_for(week, employee_window(week, RULES), Side.EMPLOYEE)
    now = dt.datetime.combine(week.monday(), dt.time(0), tzinfo=dt.UTC) - dt.timedelta(days=1)

    rows = employee_deliveries(pulse=pulse, people=people, rules=RULES, now=now)

    questions = {r.person_id: r.due_at for r in rows if r.kind is DeliveryKind.QUESTION}
    assert set(questions) == {1, 2, 3}
    for pid, tz in enumerate(zones, start=1):
        wall = local(questions[pid], tz)
        assert (wall.date(), wall.time()) == (week.day(2), dt.time(10))
    # The same wall time is a different UTC instant in each zone.
    assert len(set(questions.values())) == 3


def test_the_utc_instant_moves_with_daylight_saving() -> None:
    people = [person(1, "Europe/Berlin")]
    winter, summer = IsoWeek(2026, 12), IsoWeek(2026, 14)
    due = {}
    for week in (winter, summer):
        pulse = pulse_for(week, employee_window(week, RULES), Side.EMPLOYEE)
        now = dt.datetime.combine(week.monday(), dt.time(0), tzinfo=dt.UTC)
        (question,) = [
            r
            for r in employee_deliveries(pulse=pulse, people=people, rules=RULES, now=now)
            if r.kind is DeliveryKind.QUESTION
        ]
        due[week] = question.due_at
    assert due[winter].time() == dt.time(9)  # 10:00 CET
    assert due[summer].time() == dt.time(8)  # 10:00 CEST


def test_reminders_fall_at_the_same_local_time_inside_the_window() -> None:
    week = IsoWeek(2026, 44)  # Europe changes clocks on the Sunday inside the window
    people = [person(1, "Europe/Berlin"), person(2, "Pacific/Auckland")]
    pulse = pulse_for(week, employee_window(week, RULES), Side.EMPLOYEE)
    now = dt.datetime(2026, 10, 20, tzinfo=dt.UTC)

    rows = employee_deliveries(pulse=pulse, people=people, rules=RULES, now=now)

    for pid, tz in ((1, "Europe/Berlin"), (2, "Pacific/Auckland")):
        mine = sorted((r for r in rows if r.person_id == pid), key=lambda r: r.due_at)
        kinds = [r.kind for r in mine]
        assert kinds == [DeliveryKind.QUESTION, DeliveryKind.REMINDER_1, DeliveryKind.REMINDER_2]
        walls = [local(r.due_at, tz) for r in mine]
        assert {w.time() for w in walls} == {dt.time(10)}
        assert [w.date() - walls[0].date() for w in walls] == [
            dt.timedelta(0),
            dt.timedelta(days=2),
            dt.timedelta(days=3),
        ]
        assert all(r.due_at < pulse.closes_at for r in mine)


def test_the_window_gives_every_zone_at_least_its_days() -> None:
    week = IsoWeek(2026, 20)
    opens, closes = employee_window(week, RULES)
    for tz in ("Pacific/Kiritimati", "Europe/Berlin", "Pacific/Pago_Pago"):
        send = dt.datetime.combine(week.day(2), dt.time(10), tzinfo=ZoneInfo(tz))
        assert opens <= send
        assert closes - send >= dt.timedelta(days=5)


def test_nothing_is_planned_at_or_after_the_close() -> None:
    week = IsoWeek(2026, 20)
    pulse = pulse_for(week, employee_window(week, RULES), Side.EMPLOYEE)
    people = [person(1, "Europe/Berlin")]

    # An hour before the close it is 22:00 in Berlin: the next morning is after the close.
    late = pulse.closes_at - dt.timedelta(hours=1)
    assert employee_deliveries(pulse=pulse, people=people, rules=RULES, now=late) == []

    # Friday afternoon in Berlin, three days before the close: asked at once, no reminder left.
    friday = dt.datetime.combine(week.day(5), dt.time(15), tzinfo=ZoneInfo("Europe/Berlin"))
    rows = employee_deliveries(pulse=pulse, people=people, rules=RULES, now=friday)
    assert rows[0].kind is DeliveryKind.QUESTION
    assert rows[0].due_at == friday
    assert all(friday <= r.due_at < pulse.closes_at for r in rows)

    assert employee_deliveries(pulse=pulse, people=people, rules=RULES, now=pulse.closes_at) == []


def test_paused_opted_out_and_blocked_people_are_never_planned() -> None:
    week = IsoWeek(2026, 20)
    pulse = pulse_for(week, employee_window(week, RULES), Side.EMPLOYEE)
    people = [
        person(1, "UTC"),
        person(2, "UTC", status=PersonStatus.PAUSED),
        person(3, "UTC", status=PersonStatus.OPTED_OUT),
        person(4, "UTC", status=PersonStatus.BLOCKED),
        person(5, "UTC", side=Side.CUSTOMER),
    ]
    now = dt.datetime.combine(week.monday(), dt.time(0), tzinfo=dt.UTC)
    rows = employee_deliveries(pulse=pulse, people=people, rules=RULES, now=now)
    assert {r.person_id for r in rows} == {1}


def test_several_weekdays_spread_people_over_them_one_question_each() -> None:
    rules = EmployeeRules(weekdays=(2, 4), send_time=dt.time(9), answer_window_days=3, reminders=0)
    week = IsoWeek(2026, 20)
    pulse = pulse_for(week, employee_window(week, rules), Side.EMPLOYEE)
    people = [person(i, "UTC") for i in range(1, 11)]
    now = dt.datetime.combine(week.monday(), dt.time(0), tzinfo=dt.UTC)
    rows = employee_deliveries(pulse=pulse, people=people, rules=rules, now=now)
    assert len(rows) == 10
    assert {r.due_at.date() for r in rows} == {week.day(2), week.day(4)}


def test_an_unknown_time_zone_falls_back_to_the_organisation_zone() -> None:
    rules = EmployeeRules(
        weekdays=(2,), send_time=dt.time(10), answer_window_days=5, reminders=0,
        default_tz="Asia/Tokyo",
    )  # fmt: skip
    week = IsoWeek(2026, 20)
    pulse = pulse_for(week, employee_window(week, rules), Side.EMPLOYEE)
    now = dt.datetime.combine(week.monday(), dt.time(0), tzinfo=dt.UTC)
    (row,) = employee_deliveries(
        pulse=pulse, people=[person(1, "Mars/Olympus")], rules=rules, now=now
    )
    assert local(row.due_at, "Asia/Tokyo").time() == dt.time(10)


CUSTOMERS = CustomerRules(
    min_days_between=28, answer_window_days=7, sample_size=10, default_tz="Europe/Berlin"
)


def test_over_many_weeks_no_customer_is_asked_twice_within_min_days_between() -> None:
    rng = random.Random(7)
    people = {i: person(i, "Europe/Berlin", side=Side.CUSTOMER) for i in range(1, 41)}
    asked: dict[int, list[dt.datetime]] = {i: [] for i in people}
    for offset in range(16):
        week = IsoWeek(2026, 2).shift(offset)
        now = dt.datetime.combine(week.monday(), dt.time(0), tzinfo=dt.UTC)
        sampled = sample_for_week(people=list(people.values()), rules=CUSTOMERS, now=now, rng=rng)
        pulse = pulse_for(week, customer_window(week, CUSTOMERS), Side.CUSTOMER)
        rows = customer_deliveries(pulse=pulse, sampled=sampled, rules=CUSTOMERS, now=now, rng=rng)
        assert len(rows) == len(sampled) <= 10
        for row in rows:
            asked[row.person_id].append(row.due_at)
            people[row.person_id] = _asked(people[row.person_id], row.due_at)
            wall = local(row.due_at, "Europe/Berlin")
            assert dt.time(9) <= wall.time() < dt.time(18)
            assert 1 <= wall.isoweekday() <= 5
    gaps = [b - a for times in asked.values() for a, b in itertools.pairwise(times)]
    assert gaps and min(gaps) >= dt.timedelta(days=28)
    assert sum(len(times) for times in asked.values()) >= 16 * 8  # the trickle keeps coming


def test_only_consented_active_customers_are_sampled() -> None:
    people = [
        person(1, "UTC", side=Side.CUSTOMER),
        person(2, "UTC", side=Side.CUSTOMER, consent=False),
        person(3, "UTC", side=Side.CUSTOMER, status=PersonStatus.OPTED_OUT),
        person(4, "UTC", side=Side.CUSTOMER, status=PersonStatus.BLOCKED),
        person(5, "UTC"),
    ]
    now = dt.datetime(2026, 5, 4, tzinfo=dt.UTC)
    sampled = sample_for_week(people=people, rules=CUSTOMERS, now=now, rng=random.Random(1))
    assert [p.id for p in sampled] == [1]


def _asked(record: PersonRecord, at: dt.datetime) -> PersonRecord:
    from dataclasses import replace

    return replace(record, last_asked_at=at)
