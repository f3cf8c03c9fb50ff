"""The Repository port of surveys/ports.py, implemented on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.answers import DEFAULT_MIN_GROUP_SIZE, AnswerStore
from storage.clicks import ClickStore
from storage.comment_waits import CommentWaitStore
from storage.customers import CustomerStore
from storage.outbox import OutboxStore
from storage.people import PeopleStore, PulseStore
from storage.reports import ReportRunStore


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
