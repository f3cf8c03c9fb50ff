"""The live parts every Bot API method works with, gathered in one place."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pulse_mirror.sandbox.faults import FaultPlan
from pulse_mirror.sandbox.telegram.limits import Pace
from pulse_mirror.sandbox.telegram.state import SandboxState
from pulse_mirror.sandbox.telegram.updates import UpdateQueue


@dataclass
class WebhookConfig:
    """The webhook the bot set, and how delivering to it went."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0
    backoffs: list[tuple[int, float]] = field(default_factory=list)  # (update_id, units)


@dataclass
class Runtime:
    """State, queue, limits, faults and clocks of one running stand-in."""

    state: SandboxState
    pace: Pace
    clock: Callable[[], float] = time.time
    queue: UpdateQueue = field(default_factory=UpdateQueue)
    faults: FaultPlan = field(default_factory=FaultPlan)
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    poll_generation: int = 0
    file_url: str = ""
    # A tap on a bot message older than this (or deleted) carries an InaccessibleMessage.
    # Telegram's documentation only says "too old"; 48 hours is when bots lose the right to
    # delete a message, the nearest documented age.
    inaccessible_after: int = 48 * 3600

    def date(self) -> int:
        """The current Unix time for ``date`` fields."""
        return int(self.clock())
