"""The roster: users.list paged and filtered, or a roster file; leaving and coming back."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.slack.roster import RosterFileError, parse_roster, sync_roster, workspace_members
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.employees import RosterRules
from pulse_mirror.surveys.model import PersonStatus, Platform, Side
from tests.slack.support import NOW


def _client(sandbox: SlackSandbox) -> AsyncWebClient:
    return AsyncWebClient(
        token=sandbox.bot_token,
        base_url=sandbox.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )


async def _person(repository: SqlRepository, user_id: str) -> object:
    return await repository.find_person(platform=Platform.SLACK, platform_user_id=user_id)


async def test_users_list_is_followed_to_the_last_page(slack_sandbox: SlackSandbox) -> None:
    for number in range(205):
        slack_sandbox.add_user(name=f"u{number}")
    members = await workspace_members(_client(slack_sandbox))
    assert len({m.user_id for m in members if not m.is_bot}) == 205
    assert len([c for c in slack_sandbox.calls if c.method == "users.list"]) == 2


async def test_the_workspace_roster_skips_bots_deleted_guests_and_exclusions(
    slack_sandbox: SlackSandbox, repository: SqlRepository
) -> None:
    ada = slack_sandbox.add_user(name="ada", tz="America/New_York", locale="de-DE")
    slack_sandbox.add_user(name="robot", is_bot=True)
    slack_sandbox.add_user(name="gone", deleted=True)
    guest = slack_sandbox.add_user(name="guest", is_restricted=True)
    slack_sandbox.add_user(name="ceo", email="ceo@example.com")
    boss = slack_sandbox.add_user(name="boss")
    rules = RosterRules(exclude=frozenset({boss.id, "CEO@example.com"}))

    result = await sync_roster(
        client=_client(slack_sandbox), repository=repository, rules=rules, now=NOW
    )

    employees = await repository.active_people(Side.EMPLOYEE, now=NOW)
    assert [p.platform_user_id for p in employees] == [ada.id]
    assert (employees[0].time_zone, employees[0].language) == ("America/New_York", "de")
    assert result.employees == 1
    with_guests = RosterRules(include_guests=True, exclude=rules.exclude)
    await sync_roster(
        client=_client(slack_sandbox), repository=repository, rules=with_guests, now=NOW
    )
    assert await _person(repository, guest.id) is not None


async def test_people_who_leave_are_no_longer_asked_and_come_back_when_they_return(
    slack_sandbox: SlackSandbox, repository: SqlRepository
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    bob = slack_sandbox.add_user(name="bob")
    rules = RosterRules()
    client = _client(slack_sandbox)
    await sync_roster(client=client, repository=repository, rules=rules, now=NOW)

    bob.deleted = True
    left = await sync_roster(client=client, repository=repository, rules=rules, now=NOW)
    assert left.left == 1
    record = await repository.find_person(platform=Platform.SLACK, platform_user_id=bob.id)
    assert record is not None and record.status is PersonStatus.BLOCKED

    bob.deleted = False
    back = await sync_roster(client=client, repository=repository, rules=rules, now=NOW)
    assert back.rejoined == 1
    active = await repository.active_people(Side.EMPLOYEE, now=NOW)
    assert {p.platform_user_id for p in active} == {ada.id, bob.id}


@pytest.mark.parametrize("suffix", [".csv", ".yaml"])
async def test_a_roster_file_gives_teams_and_time_zones_and_resolves_emails(
    slack_sandbox: SlackSandbox, repository: SqlRepository, tmp_path: Path, suffix: str
) -> None:
    ada = slack_sandbox.add_user(name="ada", tz="Europe/Berlin")
    slack_sandbox.add_user(name="bob", email="bob@example.com")
    slack_sandbox.add_user(name="not_listed")
    if suffix == ".csv":
        body = (
            "user,team,timezone\n"
            f"{ada.id},support,Asia/Tokyo\n"
            "bob@example.com,sales,\n"
            "nobody@example.com,sales,\n"
        )
    else:
        body = (
            "employees:\n"
            f"  - {{user: {ada.id}, team: support, timezone: Asia/Tokyo}}\n"
            "  - {user: bob@example.com, team: sales}\n"
            "  - {user: nobody@example.com, team: sales}\n"
        )
    roster = tmp_path / f"people{suffix}"
    roster.write_text(body)

    result = await sync_roster(
        client=_client(slack_sandbox),
        repository=repository,
        rules=RosterRules(),
        now=NOW,
        roster_file=roster,
    )

    people = await repository.active_people(Side.EMPLOYEE, now=NOW)
    assert sorted((p.group, p.time_zone) for p in people) == [
        ("sales", "Europe/Berlin"),
        ("support", "Asia/Tokyo"),
    ]
    assert result.unresolved == ["nobody@example.com"]


def test_a_broken_roster_file_names_the_problem() -> None:
    with pytest.raises(RosterFileError, match="entry 1 has no user"):
        parse_roster("user,team\n,sales\n", name="people.csv")
    with pytest.raises(RosterFileError, match=r"people\.yaml: expected a list"):
        parse_roster("just text", name="people.yaml")
    with pytest.raises(RosterFileError, match="entry 2 has a team name longer than 64"):
        parse_roster(f"user,team\nU1,sales\nU2,{'t' * 65}\n", name="people.csv")
