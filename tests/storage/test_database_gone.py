"""A PostgreSQL that is briefly gone: killed connections, refused connections, then back.

The server itself drops the bot's pooled connections (as a restart or a failover does) and
refuses new ones for a while. A click in that time is refused with "try again" and stores
nothing; the same click once the database is back is stored exactly once, and the pool
recovers without a restart of the bot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.service import Outcome, PulseAnswers
from tests.fakes import FakeClock
from tests.reads import answer_histograms
from tests.storage.builders import NOW, WEEK, add_person, add_pulse, deliver

ITEMS = ("effort.employee", "recommend.employee")


def _admin(url: str) -> tuple[str, str]:
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    return admin.render_as_string(hide_password=False), str(parsed.database)


def _gone(url: str, *, refuse: bool) -> None:
    """Kill every connection to the database; with ``refuse``, refuse new ones too."""
    admin, name = _admin(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        if refuse:
            connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )


def _back(url: str) -> None:
    admin, name = _admin(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


@pytest.fixture
async def repository(
    postgres_repository: SqlRepository, postgres_url: str
) -> AsyncIterator[SqlRepository]:
    try:
        yield postgres_repository
    finally:
        _back(postgres_url)  # before the engine is disposed and the database dropped


async def _service(repository: SqlRepository, users: list[str]) -> tuple[PulseAnswers, list[str]]:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE, items=ITEMS)
    tokens = []
    for user in users:
        person = await add_person(repository, side=Side.EMPLOYEE, user=user)
        tokens.append((await deliver(repository, pulse=pulse, person=person)).token)
    clock = FakeClock(NOW + dt.timedelta(hours=1))
    return PulseAnswers(repository=repository, bank=load_bank(), clock=clock), tokens


async def test_connections_killed_by_the_server_are_replaced_and_no_click_is_lost(
    repository: SqlRepository, postgres_url: str
) -> None:
    service, tokens = await _service(repository, ["U1", "U2"])
    first = await service.choose(token=tokens[0], index=0, value=4, platform_user_id="U1")
    assert first.outcome is Outcome.RECORDED

    _gone(postgres_url, refuse=False)  # a restart or failover: every pooled connection dies

    second = await service.choose(token=tokens[1], index=0, value=6, platform_user_id="U2")
    assert second.outcome is Outcome.RECORDED
    histograms = await answer_histograms(repository, WEEK, Side.EMPLOYEE)
    assert histograms == {"effort.employee": {4: 1, 6: 1}}


async def test_a_click_while_the_database_is_gone_says_try_again_then_counts_once(
    repository: SqlRepository, postgres_url: str
) -> None:
    service, [token] = await _service(repository, ["U1"])

    _gone(postgres_url, refuse=True)
    refused = await service.choose(token=token, index=0, value=5, platform_user_id="U1")
    assert not refused.outcome.stored and "try again" in refused.notice.lower()

    _back(postgres_url)
    retried = await service.choose(token=token, index=0, value=5, platform_user_id="U1")
    again = await service.choose(token=token, index=0, value=5, platform_user_id="U1")
    assert retried.outcome is Outcome.RECORDED and again.outcome is Outcome.UNCHANGED
    assert await answer_histograms(repository, WEEK, Side.EMPLOYEE) == {"effort.employee": {5: 1}}
