"""A workspace member as Slack describes one (``users.list``, ``users.info``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pulse_mirror.sandbox.slack.ids import TEAM_ID

JSON = dict[str, Any]


@dataclass
class User:
    """A workspace member as ``users.list`` describes one."""

    id: str
    name: str
    real_name: str = ""
    tz: str = "Europe/Berlin"
    locale: str = "en-US"
    is_bot: bool = False
    deleted: bool = False
    is_restricted: bool = False
    email: str | None = None
    team_id: str = TEAM_ID  # on a Grid org, a member's own workspace may differ from the bot's

    def to_api(self, *, include_locale: bool = False) -> JSON:
        """The user object in Slack's shape."""
        offset, label = _tz_offset(self.tz)
        real = self.real_name or self.name
        profile: JSON = {
            "real_name": real,
            "real_name_normalized": real,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "team": self.team_id,
            "image_48": f"https://avatars.sandbox.invalid/{self.id}_48.png",
        }
        if self.email is not None:
            profile["email"] = self.email
        body: JSON = {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": real,
            "tz": self.tz,
            "tz_label": label,
            "tz_offset": offset,
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
        }
        if include_locale:
            body["locale"] = self.locale
        return body


def _tz_offset(tz: str) -> tuple[int, str]:
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return 0, "Coordinated Universal Time"
    now = dt.datetime.now(zone)
    offset = now.utcoffset() or dt.timedelta(0)
    return int(offset.total_seconds()), now.tzname() or tz
