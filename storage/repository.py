"""The Repository port of surveys/ports.py, implemented on SQLite and PostgreSQL."""

from __future__ import annotations

from storage.answers import AnswerStore
from storage.customers import CustomerStore
from storage.outbox import OutboxStore
from storage.people import PeopleStore, PulseStore
from storage.reports import ReportRunStore


class SqlRepository(
    PeopleStore, PulseStore, OutboxStore, AnswerStore, CustomerStore, ReportRunStore
):
    """Everything the core stores and reads, each part in its own module, on one engine."""
