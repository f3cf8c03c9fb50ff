"""trigger_ids as Slack hands them out and checks them: real format, used once, within 3 s.

Slack refuses a malformed trigger_id with ``invalid_trigger_id``, one used before with
``exchanged_trigger_id`` and one older than three seconds with ``expired_trigger_id``. A
well-formed trigger_id the stand-in did not issue (one in a recorded payload replayed to the
bot) is taken as fresh: the stand-in cannot know its age, and Slack would not refuse it.
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
from collections.abc import Callable

from pulse_mirror.sandbox.slack.calls import SlackError

TRIGGER_LIFETIME = 3.0  # seconds; Slack: "trigger_id expires 3 seconds after it's generated"
# Slack's shape, e.g. "1388105719492.1379717998065.9bc163894734c1f415a2c504e81dec91"
TRIGGER_FORMAT = re.compile(r"[0-9]{1,20}\.[0-9]{1,20}\.[0-9a-f]{8,64}", re.ASCII)
_TEAM_NUMBER = 4242424242424  # the middle part: the same for every trigger of the workspace


class Triggers:
    """The trigger_ids issued (who for, when) and those already exchanged for a view."""

    def __init__(self, *, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._issued: dict[str, tuple[str, float]] = {}
        self._used: set[str] = set()
        self._count = itertools.count(1)

    def issue(self, user_id: str) -> str:
        """A fresh trigger_id in Slack's format for ``user_id``."""
        first = int(self._wall() * 1000) + next(self._count)
        trigger = f"{first}.{_TEAM_NUMBER}.{secrets.token_hex(16)}"
        self._issued[trigger] = (user_id, self._wall())
        return trigger

    def learn(self, trigger: str, user_id: str) -> None:
        """Take a trigger_id from a payload sent to the bot as issued now for ``user_id``."""
        if well_formed(trigger) and trigger not in self._used:
            self._issued.setdefault(trigger, (user_id, self._wall()))

    def redeem(self, trigger: str) -> str | None:
        """Use ``trigger`` once: the user it was issued for (None if not issued here).

        Raises:
            SlackError: ``invalid_trigger_id``, ``exchanged_trigger_id`` or
                ``expired_trigger_id``, as Slack answers views.open.
        """
        if not well_formed(trigger):
            raise SlackError("invalid_trigger_id")
        if trigger in self._used:
            raise SlackError("exchanged_trigger_id")
        self._used.add(trigger)
        issued = self._issued.pop(trigger, None)
        if issued is None:
            return None
        user_id, at = issued
        if self._wall() - at > TRIGGER_LIFETIME:
            raise SlackError("expired_trigger_id")
        return user_id


def well_formed(trigger: str) -> bool:
    """Whether ``trigger`` has the shape of a trigger_id Slack issues."""
    return TRIGGER_FORMAT.fullmatch(trigger) is not None
