"""What a click needs to be decided, read in one round trip.

A click names a message by its token; the core needs the message, its pulse, its recipient
and what the recipient already gave. One joined query reads them all (LEFT JOIN ballot and
answer), so a click costs one read instead of four; clicks that arrive while a read is
running wait for the next one, which reads all their messages at once.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from pulse_mirror.storage.deliveries.outbox import delivery_record
from pulse_mirror.storage.people import person_record, pulse_record
from pulse_mirror.storage.store import Store
from pulse_mirror.storage.tables import answer, ballot, delivery, person, pulse
from pulse_mirror.surveys.stores import ClickContext

_PARTS = {"d_": delivery, "p_": pulse, "e_": person}


def _statement() -> sa.Select[Any]:
    labelled = [
        column.label(prefix + column.name) for prefix, table in _PARTS.items() for column in table.c
    ]
    return (
        sa.select(*labelled, ballot.c.item.label("b_item"), answer.c.value.label("b_value"))
        .select_from(delivery)
        .join(pulse, pulse.c.id == delivery.c.pulse_id)
        .join(person, person.c.id == delivery.c.person_id)
        .outerjoin(ballot, ballot.c.delivery_id == delivery.c.id)
        .outerjoin(answer, answer.c.id == ballot.c.answer_id)
        .where(delivery.c.token.in_(sa.bindparam("tokens", expanding=True)))
    )


# Built once: a read only binds its tokens (the compiled form is cached by SQLAlchemy too).
_CONTEXTS = _statement()
_MAX_TOKENS = 200


def _part(mapping: Any, prefix: str) -> SimpleNamespace:
    values = {key[len(prefix) :]: value for key, value in mapping.items() if key.startswith(prefix)}
    return SimpleNamespace(_mapping=values, **values)


class ClickStore(Store):
    """The context of a click, in one query; clicks arriving together share that query."""

    _click_waiting: dict[str, list[asyncio.Future[ClickContext | None]]] | None = None
    _click_reader: asyncio.Task[None] | None = None

    async def click_context(self, token: str) -> ClickContext | None:
        """The message behind ``token``, its pulse, recipient and given values; None if unknown."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[ClickContext | None] = loop.create_future()
        if self._click_waiting is None:
            self._click_waiting = {}
        self._click_waiting.setdefault(token, []).append(future)
        reader = self._click_reader
        if reader is None or reader.done() or reader.get_loop() is not loop:
            self._click_reader = loop.create_task(self._read_clicks(), name="click-reader")
        return await future

    async def _read_clicks(self) -> None:
        waiting = self._click_waiting
        while waiting:
            tokens = list(waiting)[:_MAX_TOKENS]
            futures = {token: waiting.pop(token) for token in tokens}
            try:
                found = await self._contexts(tokens)
            except Exception as error:
                for each in futures.values():
                    _settle(each, error=error)
                continue
            for token, each in futures.items():
                _settle(each, result=found.get(token))

    async def _contexts(self, tokens: list[str]) -> dict[str, ClickContext]:
        async with self._engine.connect() as connection:
            rows = (await connection.execute(_CONTEXTS, {"tokens": tokens})).mappings().all()
        by_token: dict[str, list[Any]] = {}
        for row in rows:
            by_token.setdefault(row["d_token"], []).append(row)
        return {token: _context(found) for token, found in by_token.items()}


def _context(rows: list[Any]) -> ClickContext:
    first = rows[0]
    given = {row["b_item"]: row["b_value"] for row in rows if row["b_item"] is not None}
    return ClickContext(
        delivery=delivery_record(_part(first, "d_")),
        pulse=pulse_record(_part(first, "p_")),
        person=person_record(_part(first, "e_")),
        given=given,
    )


def _settle(
    futures: list[asyncio.Future[ClickContext | None]],
    *,
    result: ClickContext | None = None,
    error: Exception | None = None,
) -> None:
    for future in futures:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)
