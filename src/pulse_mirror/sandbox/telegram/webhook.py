"""Webhook delivery: POST updates to the bot, retrying each until it answers 2xx.

As Telegram's Bot API server does, updates go out over up to ``max_connections`` requests at
once, but one chat's updates strictly in order: the next waits until the bot acknowledged
the one before it (or it was retried until it was).
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from pulse_mirror.sandbox.telegram.runtime import Runtime

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDelivery:
    """A background task that empties the update queue into the webhook while one is set."""

    def __init__(self, rt: Runtime, *, retry_delay: float = 0.05, timeout: float = 5.0) -> None:
        self._rt = rt
        self.retry_delay = retry_delay
        self._timeout = timeout
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

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
        chats: set[object] = set()  # chats with an update in flight or waiting to retry
        try:
            while not queue.closed:
                if self._rt.webhook.url:
                    self._fill(flying, chats)
                await queue.wait(3600)
        finally:
            for task in flying.values():
                task.cancel()
            await asyncio.gather(*flying.values(), return_exceptions=True)

    def _fill(self, flying: dict[int, asyncio.Task[None]], chats: set[object]) -> None:
        """Start deliveries, oldest first, while connections are free; skip busy chats."""
        free = max(1, self._rt.webhook.max_connections) - len(flying)
        for update in self._rt.queue.pending():
            if free <= 0:
                return
            update_id = int(update["update_id"])
            chat = chat_of(update)
            if update_id in flying or chat in chats:
                continue
            chats.add(chat)
            flying[update_id] = asyncio.create_task(self._send(update, chat, flying, chats))
            free -= 1

    async def _send(
        self,
        update: dict[str, object],
        chat: object,
        flying: dict[int, asyncio.Task[None]],
        chats: set[object],
    ) -> None:
        update_id = int(str(update["update_id"]))
        try:
            if await self._deliver(update):
                self._rt.queue.drop(update_id)
                self._rt.webhook.delivered += 1
            else:
                await asyncio.sleep(self.retry_delay)
        finally:
            flying.pop(update_id, None)
            chats.discard(chat)
            self._rt.queue.wake()

    async def _deliver(self, update: dict[str, object]) -> bool:
        webhook = self._rt.webhook
        headers = {SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
        assert self._session is not None
        try:
            async with self._session.post(webhook.url, json=update, headers=headers) as response:
                if 200 <= response.status < 300:
                    return True
                error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {exc.__class__.__name__}"
        webhook.last_error_date = self._rt.date()
        webhook.last_error_message = error
        log.info("webhook delivery failed", extra={"update_id": update["update_id"]})
        return False


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
