"""The Repository port of surveys/ports.py, implemented on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.answers.clicks import ClickStore
from pulse_mirror.storage.answers.comment_waits import CommentWaitStore
from pulse_mirror.storage.answers.recording import DEFAULT_MIN_GROUP_SIZE, AnswerStore
from pulse_mirror.storage.customers import CustomerStore
from pulse_mirror.storage.deliveries.outbox import OutboxStore
from pulse_mirror.storage.people import PeopleStore, PulseStore
from pulse_mirror.storage.reports.runs import ReportRunStore


class SqlRepository(
    PeopleStore,
    PulseStore,
    OutboxStore,
    AnswerStore,
    ClickStore,
    CustomerStore,
    CommentWaitStore,
    ReportRunStore,
):
    """Everything the core stores and reads, each part in its own module, on one engine."""

    def __init__(
        self, engine: AsyncEngine, *, min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    ) -> None:
        """A repository on ``engine``; employee rows name a team of ``min_group_size`` or more."""
        if min_group_size < 1:
            raise ValueError(f"min_group_size must be at least 1, not {min_group_size}")
        super().__init__(engine)
        self._min_group_size = min_group_size
