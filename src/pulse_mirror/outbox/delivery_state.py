"""What a claimed message becomes just before it is sent: the pulse as the person sees it.

Decided at send time, not at planning time: a reminder goes only to someone who has neither
answered nor skipped anything, and only if their question was sent; nothing goes out once the
window is over or to someone who may no longer be asked. A reminder carries the question's
token, so a click on it changes the person's one answer instead of adding a second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pulse_mirror.surveys.bank import QuestionBank
from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.planning.weekly import may_be_asked
from pulse_mirror.surveys.records import (
    DeliveryKind,
    DeliveryRecord,
    DeliveryStatus,
    PersonRecord,
    PulseRecord,
    delivery_key,
)
from pulse_mirror.surveys.stores import SendContext

REMINDER_WAIT = dt.timedelta(minutes=10)  # a reminder whose question is not out yet waits


@dataclass(frozen=True)
class Verdict:
    """Send ``state`` to ``address``, or cancel, or wait until ``defer_until``."""

    person: PersonRecord | None = None
    address: str | None = None
    state: PulseState | None = None
    cancel: str | None = None
    defer_until: dt.datetime | None = None
    note: str | None = None


class DeliveryContext:
    """Builds the ``PulseState`` of a claimed message and decides whether it still goes out."""

    def __init__(
        self,
        *,
        repository: SendContext,
        bank: QuestionBank,
        default_language: str = "en",
    ) -> None:
        self._repo = repository
        self._bank = bank
        self._default_language = default_language
        self._pulses: dict[int, PulseRecord] = {}

    async def prepare(
        self, row: DeliveryRecord, *, now: dt.datetime, person: PersonRecord | None = None
    ) -> Verdict:
        """The verdict on one claimed message at ``now`` (``person`` if already loaded)."""
        if row.kind is DeliveryKind.REPORT:
            return Verdict(cancel="reports are posted by the report job, not the dispatcher")
        pulse = await self._pulse(row.pulse_id)
        if person is None or person.id != row.person_id:
            person = await self._repo.get_person(row.person_id)
        if pulse is None or person is None:
            return Verdict(cancel="the pulse or the person no longer exists")
        if now >= pulse.closes_at:
            return Verdict(cancel="the answer window is over")
        if not may_be_asked(person, now=now):
            return Verdict(cancel=f"the person is {person.status.value}")
        try:
            items = tuple(self._bank.item(key) for key in pulse.items)
        except KeyError:
            return Verdict(cancel="the pulse asks an item the bank no longer has")
        token = row.token
        if row.kind is not DeliveryKind.QUESTION:
            question = await self._repo.delivery_by_key(
                delivery_key(pulse_id=pulse.id, person_id=person.id, kind=DeliveryKind.QUESTION)
            )
            if question is None:
                return Verdict(cancel="no question to remind of")
            if question.status in (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED):
                return Verdict(defer_until=now + REMINDER_WAIT, note="waiting for the question")
            if question.status is not DeliveryStatus.SENT:
                return Verdict(cancel=f"the question was {question.status.value}")
            if await self._repo.ballot_values(question.id):
                return Verdict(cancel="already answered")
            token = question.token
        state = PulseState(
            token=token,
            side=pulse.side,
            lang=person.language or self._default_language,
            items=items,
            closes_at=pulse.closes_at,
            show_intro=row.kind is DeliveryKind.QUESTION,
        )
        return Verdict(person=person, address=person.platform_user_id, state=state)

    async def _pulse(self, pulse_id: int) -> PulseRecord | None:
        found = self._pulses.get(pulse_id)
        if found is None:
            found = await self._repo.get_pulse(pulse_id)
            if found is not None:
                self._pulses[pulse_id] = found
        return found
