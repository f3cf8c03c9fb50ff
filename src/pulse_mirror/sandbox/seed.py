"""The workspace ``pulse sandbox`` starts with, so ``pulse run`` has someone to ask at once.

Employees in two time zones and a leadership channel in Slack; customers in Telegram who
have not pressed Start yet, so that opting in is one control call each. The ids are fixed:
the README's walk-through and its test name them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.sandbox.telegram import TelegramSandbox

REPORT_CHANNEL_ID = "CLEADERS01"
REPORT_CHANNEL = "leadership-pulse"


@dataclass(frozen=True)
class Employee:
    """A seeded Slack member."""

    id: str
    name: str
    real_name: str
    tz: str


@dataclass(frozen=True)
class Customer:
    """A seeded Telegram account with a private chat, not opted in yet."""

    id: int
    first_name: str


EMPLOYEES = (
    Employee("UANNA00001", "anna", "Anna Berg", "Europe/Berlin"),
    Employee("UBEN000002", "ben", "Ben Krüger", "Europe/Berlin"),
    Employee("UCARA00003", "cara", "Cara Diaz", "America/New_York"),
    Employee("UDAN000004", "dan", "Dan Miller", "America/New_York"),
)
CUSTOMERS = (
    Customer(700000001, "Maya"),
    Customer(700000002, "Noah"),
    Customer(700000003, "Olga"),
)


def midday_zone(now: dt.datetime) -> tuple[str, int]:
    """A fixed-offset zone where it is about midday at ``now``, and its ISO weekday there.

    A late joiner is only asked in their local daytime (see the weekly plan): so that a first
    pulse arrives whenever the sandbox is tried, some seeded employees live where it is day.
    """
    offset = 12 - now.astimezone(dt.UTC).hour  # -11 .. +12, all real Etc/GMT zones
    name = "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
    local = now.astimezone(dt.timezone(dt.timedelta(hours=offset)))
    return name, local.isoweekday()


# As many as the sandbox config's anonymity threshold (``bot_config.MIN_RESPONDENTS``): when
# all of them answer, the week's report shows a figure whenever the sandbox is tried.
DAYTIME = (
    ("UEVE000005", "eve", "Eve Park"),
    ("UFINN00006", "finn", "Finn Ortega"),
    ("UGINA00007", "gina", "Gina Sato"),
)


def employees_now(now: dt.datetime) -> tuple[Employee, ...]:
    """The fixed employees, and those where it is day now (asked as soon as the bot runs)."""
    zone, _ = midday_zone(now)
    return (*EMPLOYEES, *daytime_employees(zone))


def daytime_employees(zone: str) -> tuple[Employee, ...]:
    """The seeded employees who live in ``zone`` (the midday zone of the start)."""
    return tuple(Employee(id, name, real_name, zone) for id, name, real_name in DAYTIME)


@dataclass(frozen=True)
class Seeded:
    """What was added, for the start-up message."""

    employees: tuple[Employee, ...]
    customers: tuple[Customer, ...]
    report_channel_id: str
    report_channel: str


def seed(
    *, slack: SlackSandbox, telegram: TelegramSandbox, now: dt.datetime | None = None
) -> Seeded:
    """Add the employees and the report channel to Slack and the customers to Telegram."""
    employees = employees_now(now or dt.datetime.now(dt.UTC))
    for employee in employees:
        slack.add_user(
            id=employee.id, name=employee.name, real_name=employee.real_name, tz=employee.tz
        )
    slack.add_channel(id=REPORT_CHANNEL_ID, name=REPORT_CHANNEL, bot_member=True)
    for customer in CUSTOMERS:
        telegram.add_user(customer.id, first_name=customer.first_name, started=False)
    return Seeded(
        employees=employees,
        customers=CUSTOMERS,
        report_channel_id=REPORT_CHANNEL_ID,
        report_channel=REPORT_CHANNEL,
    )
