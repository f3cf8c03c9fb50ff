"""How the app is installed: on a plain workspace, or on a workspace of an Enterprise Grid org.

On a Grid org Slack adds the org to what it sends (see
https://api.slack.com/enterprise/apps/reference and tests/payloads/slack/*_grid.json):
``team`` carries ``enterprise_id``/``enterprise_name``, ``enterprise`` is
``{id, name}``, events carry ``enterprise_id`` and ``authorizations``
name the org. For an org-wide install (``is_enterprise_install``) the authorization has no
``team_id`` and an interaction's ``team`` may be null; ``user.team_id`` is always the
person's own workspace, which need not be the bot's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulse_mirror.sandbox.slack.ids import (
    BOT_USER_ID,
    ENTERPRISE_ID,
    ENTERPRISE_NAME,
    TEAM_DOMAIN,
    TEAM_ID,
)

JSON = dict[str, Any]


@dataclass(frozen=True)
class Org:
    """The installation the stand-in reports: ``grid`` on, and org-wide or not."""

    grid: bool = False
    org_install: bool = False  # installed on the whole org (is_enterprise_install)
    enterprise_id: str = ENTERPRISE_ID
    enterprise_name: str = ENTERPRISE_NAME

    def __post_init__(self) -> None:
        if self.org_install and not self.grid:
            raise ValueError("an org-wide install needs an Enterprise Grid org")

    @property
    def user_prefix(self) -> str:
        """Members of a Grid org have ids starting with W, others with U."""
        return "W" if self.grid else "U"

    def team(self) -> JSON | None:
        """An interaction payload's ``team``: null for an org-wide install."""
        if not self.grid:
            return {"id": TEAM_ID, "domain": TEAM_DOMAIN}
        if self.org_install:
            return None
        return {
            "id": TEAM_ID,
            "domain": TEAM_DOMAIN,
            "enterprise_id": self.enterprise_id,
            "enterprise_name": self.enterprise_name,
        }

    def enterprise(self) -> JSON | None:
        """An interaction payload's ``enterprise``: null outside Grid."""
        if not self.grid:
            return None
        return {"id": self.enterprise_id, "name": self.enterprise_name}

    def authorizations(self) -> list[JSON]:
        """An event's ``authorizations``: the installation the event is delivered for."""
        return [
            {
                "enterprise_id": self.enterprise_id if self.grid else None,
                "team_id": None if self.org_install else TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": self.org_install,
            }
        ]

    def event_ids(self) -> JSON:
        """The ids at the top of an event_callback: the workspace, and the org on Grid."""
        ids: JSON = {"team_id": TEAM_ID}
        if self.grid:
            ids["enterprise_id"] = self.enterprise_id
        return ids

    def auth_test(self) -> JSON:
        """What auth.test adds about the installation."""
        found: JSON = {"is_enterprise_install": self.org_install}
        if self.grid:
            found["enterprise_id"] = self.enterprise_id
        return found
