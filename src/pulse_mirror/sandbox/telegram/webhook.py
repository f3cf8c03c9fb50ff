"""Webhook delivery: POST updates to the bot; a failed delivery is retried with back-off.

As Telegram's Bot API server does, updates go out over up to ``max_connections`` requests at
once, but one chat's updates strictly in order: the next waits until the bot acknowledged
the one before it. A delivery fails on an answer other than 2xx, a broken connection or no
answer within ``timeout``. Then, like the Bot API server: the first failure is retried at
once; each further one waits twice as long as the one before (2, 4, 8, ... units), never
more than a cap drawn between 60 and 120 units; a ``Retry-After`` header is obeyed instead
(up to 3,600 units). A unit is a second at Telegram and ``backoff_unit`` seconds here (0.05
by default, so tests stay fast). While an update waits, its chat's later updates wait too;
other chats go on. Each wait is recorded in ``webhook.backoffs`` as (update_id, units).
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass

import aiohttp

from pulse_mirror.sandbox.telegram.runtime import Runtime

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_RESEND_UNITS = 60  # the cap is drawn between this and twice this, per failure
MAX_RETRY_AFTER_UNITS = 3600


@dataclass
class _Retry:
    fails: int = 0
    delay: float = 1.0  # units; doubles from the second failure on
    wakeup: float = 0.0  # loop time of the next attempt


class WebhookDelivery:
    """A background task that empties the update queue into the webhook while one is set."""

    def __init__(self, rt: Runtime, *, backoff_unit: float = 0.05, timeout: float = 5.0) -> None:
        self._rt = rt
        self.backoff_unit = backoff_unit
        self._timeout = timeout
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._retries: dict[int, _Retry] = {}
        self._random = random.Random(0)

    def start(self) -> None:
        """Begin delivering in the background."""
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout))
        self._task = asyncio.create_task(self._run(), name="telegram-sandbox-webhook")

    async def stop(self) -> None:
        """Stop delivering; undelivered updates stay queued."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        queue = self._rt.queue
        flying: dict[int, asyncio.Task[None]] = {}  # update_id -> its delivery
        chats: set[object] = set()  # chats with an update in flight
        try:
            while not queue.closed:
                if self._rt.webhook.url:
                    self._fill(flying, chats)
                await queue.wait(self._next_wait())
        finally:
            for task in flying.values():
                task.cancel()
            await asyncio.gather(*flying.values(), return_exceptions=True)

    def _fill(self, flying: dict[int, asyncio.Task[None]], chats: set[object]) -> None:
        """Start due deliveries, oldest first, while connections are free; skip busy chats."""
        free = max(1, self._rt.webhook.max_connections) - len(flying)
        now = asyncio.get_running_loop().time()
        waiting: set[object] = set()  # chats whose oldest update waits out a back-off
        for update in self._rt.queue.pending():
            if free <= 0:
                return
            update_id = int(update["update_id"])
            chat = chat_of(update)
            if update_id in flying or chat in chats or chat in waiting:
                continue
            retry = self._retries.get(update_id)
            if retry is not None and retry.wakeup > now:
                waiting.add(chat)
                continue
            chats.add(chat)
            flying[update_id] = asyncio.create_task(self._send(update, chat, flying, chats))
            free -= 1

    def _next_wait(self) -> float:
        """Seconds until the next back-off ends (an hour when nothing waits)."""
        if not self._retries:
            return 3600.0
        pending = {int(u["update_id"]) for u in self._rt.queue.pending()}
        for gone in [i for i in self._retries if i not in pending]:  # dropped meanwhile
            del self._retries[gone]
        if not self._retries:
            return 3600.0
        now = asyncio.get_running_loop().time()
        return max(0.0, min(r.wakeup for r in self._retries.values()) - now)

    async def _send(
        self,
        update: dict[str, object],
        chat: object,
        flying: dict[int, asyncio.Task[None]],
        chats: set[object],
    ) -> None:
        update_id = int(str(update["update_id"]))
        try:
            retry_after = await self._deliver(update)
            if retry_after is None:
                self._rt.queue.drop(update_id)
                self._retries.pop(update_id, None)
                self._rt.webhook.delivered += 1
            else:
                self._back_off(update_id, retry_after)
        finally:
            flying.pop(update_id, None)
            chats.discard(chat)
            self._rt.queue.wake()

    def _back_off(self, update_id: int, retry_after: int) -> None:
        """Schedule the next attempt the way the Bot API server does."""
        retry = self._retries.setdefault(update_id, _Retry())
        wait = float(min(max(retry_after, 0), MAX_RETRY_AFTER_UNITS))
        if wait == 0 and retry.fails > 0:
            cap = self._random.uniform(MAX_RESEND_UNITS, 2 * MAX_RESEND_UNITS)
            retry.delay = min(cap, retry.delay * 2)
            wait = retry.delay
        retry.fails += 1
        retry.wakeup = asyncio.get_running_loop().time() + wait * self.backoff_unit
        self._rt.webhook.backoffs.append((update_id, wait))

    async def _deliver(self, update: dict[str, object]) -> int | None:
        """None when the bot acknowledged the update, else the Retry-After it asked for (0)."""
        webhook = self._rt.webhook
        headers = {SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
        assert self._session is not None
        retry_after = 0
        try:
            async with self._session.post(webhook.url, json=update, headers=headers) as response:
                if 200 <= response.status < 300:
                    return None
                error = f"Wrong response from the webhook: {response.status} {response.reason}"
                retry_after = _seconds(response.headers.get("Retry-After"))
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {exc.__class__.__name__}"
        webhook.last_error_date = self._rt.date()
        webhook.last_error_message = error
        log.info("webhook delivery failed", extra={"update_id": update["update_id"]})
        return retry_after


def _seconds(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def chat_of(update: dict[str, object]) -> object:
    """The chat an update belongs to (its delivery order is kept per chat)."""
    payload = next((value for key, value in update.items() if key != "update_id"), None)
    if isinstance(payload, dict):
        chat = payload.get("chat")
        message = payload.get("message")
        if chat is None and isinstance(message, dict):
            chat = message.get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return chat["id"]
        sender = payload.get("from")
        if isinstance(sender, dict) and "id" in sender:
            return sender["id"]
    return ("update", update["update_id"])
