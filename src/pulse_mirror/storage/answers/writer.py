"""Group commit for inputs: many clicks, one transaction, each click its own outcome.

Under a burst every click would otherwise open its own writing transaction: on SQLite they
queue for the single write lock, on PostgreSQL each pays its own commit, and all of them
hold pool connections while they wait. The writer instead gathers the inputs that arrive
while it is busy (up to ``max_batch``) and records them in one transaction, in arrival
order, with the same per-input rules. A caller is answered only after that transaction
committed. If a batch fails, its inputs are recorded again one by one, so one bad input
fails alone and every other input still gets its own, true outcome.

The writer needs no start or stop: a flush task runs only while inputs are waiting.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from pulse_mirror.surveys.records import AnswerOutcome

log = logging.getLogger(__name__)

DEFAULT_MAX_BATCH = 100


@dataclass(frozen=True)
class Input:
    """One person's input: a value, a comment text, or None for a skip."""

    token: str
    item: str
    content: int | str | None
    now: dt.datetime
    acted_at: float | None = None  # when the person clicked, as the platform signed it


WriteBatch = Callable[[Sequence[Input]], Awaitable[list[AnswerOutcome]]]
WriteOne = Callable[[Input], Awaitable[AnswerOutcome]]
_Waiting = tuple[Input, "asyncio.Future[AnswerOutcome]"]


class AnswerWriter:
    """Records inputs in batches: one transaction per batch, one outcome per input."""

    def __init__(
        self,
        *,
        write_batch: WriteBatch,
        write_one: WriteOne,
        max_batch: int = DEFAULT_MAX_BATCH,
        linger: float = 0.0,
    ) -> None:
        """A writer; ``linger`` seconds are waited before a batch, to let more inputs join."""
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, not {max_batch}")
        self._write_batch = write_batch
        self._write_one = write_one
        self._max_batch = max_batch
        self._linger = linger
        self._waiting: list[_Waiting] = []
        self._flush: asyncio.Task[None] | None = None
        self.batches = 0  # how many transactions were committed, for tests and benchmarks

    async def submit(self, entry: Input) -> AnswerOutcome:
        """Record ``entry`` with the next batch; return its outcome once the batch committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AnswerOutcome] = loop.create_future()
        self._waiting.append((entry, future))
        flush = self._flush
        if flush is None or flush.done() or flush.get_loop() is not loop:
            self._flush = loop.create_task(self._drain(), name="answer-writer")
        # The input is written even if the caller stops waiting: the person clicked.
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        # The task first runs after every input submitted in the same instant was queued, so
        # those share a batch already; lingering longer trades latency for bigger batches.
        if self._linger > 0:
            await asyncio.sleep(self._linger)
        while self._waiting:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
            try:
                await self._write(batch)
            finally:
                for _, future in batch:
                    if not future.done():  # cancelled mid-write: never pretend it was stored
                        future.set_exception(ConnectionError("the answer writer was stopped"))

    async def _write(self, batch: list[_Waiting]) -> None:
        entries = [entry for entry, _ in batch]
        try:
            outcomes = await self._write_batch(entries)
        except Exception:
            log.warning(
                "a batch of inputs failed; recording them one by one",
                extra={"inputs": len(batch)},
                exc_info=True,
            )
        else:
            self.batches += 1
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                _resolve(future, outcome)
            return
        for entry, future in batch:
            try:
                outcome = await self._write_one(entry)
            except Exception as error:  # this input alone fails; the caller says try again
                if not future.done():
                    future.set_exception(error)
            else:
                _resolve(future, outcome)


def _resolve(future: asyncio.Future[AnswerOutcome], outcome: AnswerOutcome) -> None:
    if not future.done():
        future.set_result(outcome)
