"""Confirmations and replies sent from handlers, in the background, at Telegram's pace.

A handler records the tap, answers the callback query and hands the edit here, so a burst of
taps never waits on the pace. Edits of the same message still queued are merged (only the
newest text matters); a 429 holds that chat for ``retry_after`` and the edit is tried again,
so nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from pulse_mirror.outbox.pacing import Pacer
from pulse_mirror.telegram.errors import is_not_modified, retry_seconds
from pulse_mirror.telegram.request import ConnectionLost

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
GoneCallback = Callable[[int], Awaitable[None]]


@dataclass
class _Job:
    chat_id: int
    message_id: int | None  # None: a new message
    text: str
    markup: InlineKeyboardMarkup | None
    attempts: int = 0


class RateLimitListeners:
    """Who is told of each 429 a reply got (the app's metrics); the dispatcher counts its own."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def listen(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` on every later 429."""
        self._listeners.append(listener)

    def __call__(self) -> None:
        """Tell every listener of one 429."""
        for listener in self._listeners:
            listener()


@dataclass
class OutboundStats:
    """What the sender did so far."""

    delivered: int = 0
    not_modified: int = 0
    rate_limited: int = 0
    failed: int = 0


class Outbound:
    """Sends and edits queued per chat, delivered by one worker at the pacer's pace.

    The pacer is Telegram's one pacer, shared with the dispatcher's pulses.
    """

    def __init__(
        self, *, bot: Bot, pacer: Pacer, on_gone: GoneCallback | None = None, parallel: int = 8
    ) -> None:
        self._bot = bot
        self._pacer = pacer
        self._on_gone = on_gone
        self._queues: dict[int, deque[_Job]] = {}
        self._busy: set[int] = set()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._slots = asyncio.Semaphore(parallel)
        self._tasks: set[asyncio.Task[None]] = set()
        self._worker: asyncio.Task[None] | None = None
        self.stats = OutboundStats()
        # Handlers that send directly (a /mydata document) report their 429s here too.
        self.rate_limited = RateLimitListeners()

    def send(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Queue a new message to ``chat_id``."""
        self._queue(_Job(chat_id, None, text, markup))

    def edit(
        self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        """Queue an edit; an edit of the same message still waiting is replaced by this one."""
        for job in self._queues.get(chat_id, ()):
            if job.message_id == message_id:
                job.text, job.markup = text, markup
                return
        self._queue(_Job(chat_id, message_id, text, markup))

    def _queue(self, job: _Job) -> None:
        self._queues.setdefault(job.chat_id, deque()).append(job)
        self._idle.clear()
        self._wake.set()

    def start(self) -> None:
        """Start the worker on the running loop."""
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name="telegram-outbound")

    async def stop(self, *, drain_timeout: float = 10.0) -> None:
        """Deliver what is queued (up to ``drain_timeout`` seconds), then stop the worker."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle(), timeout=drain_timeout)
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until nothing is queued or in flight."""
        await self._idle.wait()

    @property
    def pending(self) -> int:
        """How many sends and edits wait or are in flight."""
        return sum(len(q) for q in self._queues.values()) + len(self._busy)

    def _next_chat(self) -> int | None:
        ready = [chat for chat, jobs in self._queues.items() if jobs and chat not in self._busy]
        return min(ready, key=lambda chat: self._pacer.ready_at(str(chat))) if ready else None

    async def _run(self) -> None:
        while True:
            chat = self._next_chat()
            if chat is None:
                if not self._busy:
                    self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            await self._slots.acquire()
            self._busy.add(chat)
            await self._pacer.acquire(str(chat))
            job = self._queues[chat].popleft()
            if not self._queues[chat]:
                del self._queues[chat]
            task = asyncio.create_task(self._deliver(job))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, job: _Job) -> None:
        try:
            await self._call(job)
            self.stats.delivered += 1
        except RetryAfter as error:
            self.stats.rate_limited += 1
            self.rate_limited()
            self._pacer.hold(retry_seconds(error), chat=str(job.chat_id))
            self._again(job, force=True)
        except Forbidden:
            self.stats.failed += 1
            self._queues.pop(job.chat_id, None)
            log.info("chat blocked the bot", extra={"chat": job.chat_id})
            if self._on_gone is not None:
                await self._on_gone(job.chat_id)
        except BadRequest as error:
            if is_not_modified(error):
                self.stats.not_modified += 1
            else:
                self.stats.failed += 1
                log.warning("telegram refused a message: %s", error.message)
        except (TimedOut, ConnectionLost):
            # An edit is safe to repeat; a new message might arrive twice, so it is not resent.
            if job.message_id is not None:
                self._again(job)
            else:
                self.stats.failed += 1
                log.warning("a reply timed out; not resent", extra={"chat": job.chat_id})
        except NetworkError as error:
            self._pacer.hold(1.0, chat=str(job.chat_id))
            self._again(job)
            log.info("network error, will retry: %s", error.message)
        except Exception:
            self.stats.failed += 1
            log.exception("could not deliver a reply")
        finally:
            self._busy.discard(job.chat_id)
            self._slots.release()
            self._wake.set()

    def _again(self, job: _Job, *, force: bool = False) -> None:
        job.attempts += 1
        if not force and job.attempts >= MAX_ATTEMPTS:
            self.stats.failed += 1
            log.warning("gave up on a reply", extra={"chat": job.chat_id})
            return
        queue = self._queues.setdefault(job.chat_id, deque())
        if job.message_id is not None and any(j.message_id == job.message_id for j in queue):
            return  # a newer edit of the same message is already waiting
        queue.appendleft(job)

    async def _call(self, job: _Job) -> None:
        if job.message_id is None:
            await self._bot.send_message(job.chat_id, job.text, reply_markup=job.markup)
        else:
            await self._bot.edit_message_text(
                job.text, chat_id=job.chat_id, message_id=job.message_id, reply_markup=job.markup
            )
