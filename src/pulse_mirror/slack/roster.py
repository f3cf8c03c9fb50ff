"""The roster: employees from the workspace (``users.list``) or from a CSV/YAML file, synced.

Reading the sources is here; who counts as an employee, who left and who came back is
decided in ``pulse_mirror.surveys.employees``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.surveys.employees import Member, RosterRules, employees_of, left_the_roster
from pulse_mirror.surveys.model import PersonStatus, Platform, Side
from pulse_mirror.surveys.ports import Clock
from pulse_mirror.surveys.stores import RosterStore

log = logging.getLogger(__name__)

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
PAGE_SIZE = 200


class RosterFileError(ValueError):
    """A roster file that cannot be read: names the file, the line and the problem."""


@dataclass(frozen=True)
class SyncResult:
    """What one roster sync did."""

    employees: int = 0
    left: int = 0
    rejoined: int = 0
    unresolved: list[str] = field(default_factory=list)


def member_of(user: dict[str, Any]) -> Member:
    """A ``users.list`` member as the roster sees it."""
    profile = user.get("profile") or {}
    return Member(
        user_id=str(user["id"]),
        time_zone=user.get("tz") or None,
        locale=user.get("locale") or None,
        email=profile.get("email") or None,
        is_bot=bool(user.get("is_bot")) or user.get("id") == "USLACKBOT",
        deleted=bool(user.get("deleted")),
        is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
    )


async def workspace_members(client: AsyncWebClient) -> list[Member]:
    """Every member of the workspace, following ``users.list``'s cursor to the last page."""
    members: list[Member] = []
    cursor: str | None = None
    while True:
        page = await client.users_list(limit=PAGE_SIZE, include_locale=True, cursor=cursor)
        members.extend(member_of(user) for user in page.get("members") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return members


MAX_TEAM = 64  # a team is stored as the person's group, a column of 64 characters


def parse_roster(text: str, *, name: str) -> list[dict[str, str]]:
    """Rows of a roster file (``user``, ``team``, ``timezone``, ``language``) as plain dicts."""
    if name.lower().endswith((".yaml", ".yml")):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise RosterFileError(f"{name}: not valid YAML ({error})") from None
        if isinstance(data, dict):
            data = data.get("employees")
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise RosterFileError(f"{name}: expected a list of employees (user, team, timezone)")
        rows = [{str(k).lower(): str(v) for k, v in row.items() if v is not None} for row in data]
    else:
        reader = csv.DictReader(io.StringIO(text))
        rows = [
            {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k}
            for row in reader
        ]
    for number, row in enumerate(rows, start=1):
        if not (row.get("user") or row.get("email")):
            raise RosterFileError(f"{name}: entry {number} has no user (a user id or an e-mail)")
        if len(row.get("team") or "") > MAX_TEAM:
            raise RosterFileError(
                f"{name}: entry {number} has a team name longer than {MAX_TEAM} characters"
            )
    return rows


def file_members(
    rows: Iterable[dict[str, str]], known: Iterable[Member]
) -> tuple[list[Member], list[str]]:
    """Members for the file's rows (e-mails resolved through the workspace) and the unresolved."""
    by_id = {m.user_id: m for m in known}
    by_email = {m.email.lower(): m for m in by_id.values() if m.email}
    members: list[Member] = []
    unresolved: list[str] = []
    for row in rows:
        who = (row.get("user") or row.get("email") or "").strip()
        found = by_id.get(who) if _USER_ID.match(who) else by_email.get(who.lower())
        if found is None:
            unresolved.append(who)
            continue
        members.append(
            Member(
                user_id=found.user_id,
                time_zone=row.get("timezone") or found.time_zone,
                locale=row.get("language") or found.locale,
                group=row.get("team") or None,
                email=found.email,
                is_bot=found.is_bot,
                deleted=found.deleted,
                is_guest=found.is_guest,
            )
        )
    return members, unresolved


async def sync_roster(
    *,
    client: AsyncWebClient,
    repository: RosterStore,
    rules: RosterRules,
    now: dt.datetime,
    roster_file: Path | None = None,
) -> SyncResult:
    """Bring the stored employees in line with the workspace or the roster file."""
    members = await workspace_members(client)
    unresolved: list[str] = []
    if roster_file is not None:
        rows = parse_roster(roster_file.read_text(encoding="utf-8"), name=roster_file.name)
        members, unresolved = file_members(rows, members)
    employees = employees_of(members, rules)
    rejoined = 0
    for employee in employees:
        person = await repository.upsert_person(
            side=Side.EMPLOYEE,
            platform=Platform.SLACK,
            platform_user_id=employee.user_id,
            language=employee.language,
            time_zone=employee.time_zone,
            group=employee.group,
            now=now,
        )
        if person.status is PersonStatus.BLOCKED:  # left once, is back on the roster
            await repository.set_status(person.id, PersonStatus.ACTIVE)
            rejoined += 1
    active = await repository.active_people(Side.EMPLOYEE, now=now)
    gone = left_the_roster(active, (e.user_id for e in employees))
    for person_id in gone:
        await repository.set_status(person_id, PersonStatus.BLOCKED)
        await repository.cancel_pending(person_id)
    if unresolved:
        log.warning("roster entries not found in the workspace", extra={"count": len(unresolved)})
    log.info(
        "roster synced", extra={"employees": len(employees), "left": len(gone), "back": rejoined}
    )
    return SyncResult(
        employees=len(employees), left=len(gone), rejoined=rejoined, unresolved=unresolved
    )


class RosterSync:
    """Syncs the employees from the workspace or the roster file; run once a day."""

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        repository: RosterStore,
        clock: Clock,
        rules: RosterRules,
        roster_file: str | None,
    ) -> None:
        self._client = client
        self._repo = repository
        self._clock = clock
        self._rules = rules
        self._file = roster_file

    async def run(self) -> SyncResult:
        """Sync once now."""
        return await sync_roster(
            client=self._client,
            repository=self._repo,
            rules=self._rules,
            now=self._clock.now(),
            roster_file=Path(self._file) if self._file else None,
        )
