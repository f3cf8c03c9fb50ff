"""Webhook delivery: POST each update to the bot in order, retrying until it answers 2xx."""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from bot.sandbox.telegram.runtime import Runtime

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
        while not queue.closed:
            pending = queue.peek(1)
            if not self._rt.webhook.url or not pending:
                await queue.wait(3600)
                continue
            update = pending[0]
            if await self._deliver(update):
                queue.drop(update["update_id"])
                self._rt.webhook.delivered += 1
            else:
                await asyncio.sleep(self.retry_delay)

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
