"""The Telegram stand-in: an aiohttp server for the Bot API plus its Python control API."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from pulse_mirror.sandbox.faults import Fault, apply_fault, require_loopback
from pulse_mirror.sandbox.telegram import chats, person
from pulse_mirror.sandbox.telegram.control import routes as control_routes
from pulse_mirror.sandbox.telegram.envelope import ApiError, error_response, ok_response
from pulse_mirror.sandbox.telegram.limits import Pace
from pulse_mirror.sandbox.telegram.methods import CANONICAL, METHODS
from pulse_mirror.sandbox.telegram.params import read_params
from pulse_mirror.sandbox.telegram.runtime import Runtime
from pulse_mirror.sandbox.telegram.state import SandboxState, User
from pulse_mirror.sandbox.telegram.webhook import WebhookDelivery

log = logging.getLogger(__name__)
NOT_FOUND = ApiError(404, "Not Found")


class TelegramSandbox:
    """A local Telegram Bot API that python-telegram-bot cannot tell from the real one."""

    def __init__(
        self,
        *,
        token: str = "123456:sandbox-token",
        bot_username: str = "pulse_mirror_sandbox_bot",
        bot_name: str = "Pulse Mirror",
        now: Callable[[], float] = time.monotonic,
        clock: Callable[[], float] = time.time,
        per_chat_per_second: float = 1,
        overall_per_second: float = 30,
        webhook_backoff_unit: float = 0.05,
        webhook_timeout: float = 5.0,
    ) -> None:
        """A stand-in; ``webhook_backoff_unit`` is the seconds that stand for one of Telegram's
        seconds between webhook retries, ``webhook_timeout`` how long a delivery may take."""
        self.token = token
        self._bot = User(id=int(token.split(":", 1)[0]), first_name=bot_name,
                         username=bot_username, is_bot=True)  # fmt: skip
        self._limits = {"per_chat_per_second": per_chat_per_second,
                        "overall_per_second": overall_per_second}  # fmt: skip
        self.runtime = Runtime(
            state=SandboxState(bot=self._bot),
            pace=Pace(now=now, **self._limits),
            clock=clock,
        )
        self._webhook = WebhookDelivery(
            self.runtime, backoff_unit=webhook_backoff_unit, timeout=webhook_timeout
        )
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (port 0 picks a free one) and start webhook delivery."""
        require_loopback(host)
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.add_routes(control_routes(self))
        app.add_routes(
            [
                web.route("*", "/bot{token}/{method}", self._api),
                web.get("/file/bot{token}/files/{file_id}", self._file),
            ]
        )
        self._runner = web.AppRunner(
            app, shutdown_timeout=0.1, handler_cancellation=True, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._host = host
        self._webhook.start()
        log.info("telegram sandbox listening", extra={"url": self.api_url})

    async def stop(self) -> None:
        """Release long polls, stop delivery and close the server."""
        self.runtime.queue.close()
        await self._webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        """The server's root URL."""
        return f"http://{self._host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The value for python-telegram-bot's ``base_url`` (the token is appended to it)."""
        return f"{self.url}/bot"

    @property
    def file_url(self) -> str:
        """The value for python-telegram-bot's ``base_file_url``."""
        return f"{self.url}/file/bot"

    @property
    def control_url(self) -> str:
        """The root of the control API."""
        return f"{self.url}/_sandbox"

    # -- the Bot API -------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        token, name = request.match_info["token"], request.match_info["method"]
        if ":" not in token:
            return error_response(NOT_FOUND)
        if token != self.token:
            return error_response(ApiError(401, "Unauthorized"))
        method = CANONICAL.get(name.lower())
        if method is None:
            return error_response(NOT_FOUND)
        fault = self.runtime.faults.take(method)
        if fault is not None:
            log.info("injected fault", extra={"method": method, "fault": fault.kind})
            return await apply_fault(request, fault)
        try:
            params = await read_params(request)
            result = await METHODS[method](self.runtime, params)
        except ApiError as error:
            log.debug("bot api error", extra={"method": method, "code": error.code})
            return error_response(error)
        return ok_response(result)

    async def _file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return error_response(ApiError(401, "Unauthorized"))
        stored = self.runtime.state.files.get(request.match_info["file_id"])
        if stored is None:
            return error_response(NOT_FOUND)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # -- acting as a person ------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        *,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
        started: bool = False,
    ) -> User:
        """Add a person with a private chat; ``started`` as if they had pressed Start before."""
        user = person.add_user(
            self.runtime,
            user_id=user_id,
            first_name=first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
        )
        self.runtime.state.chats[user_id].started = started
        return user

    def press_start(self, user_id: int, payload: str | None = None) -> dict[str, Any]:
        """Tap Start, optionally through a deep link with ``payload``; returns the Update."""
        return person.press_start(self.runtime, user_id=user_id, payload=payload)

    def send_text(self, user_id: int, text: str) -> dict[str, Any]:
        """Write ``text`` to the bot; returns the Update."""
        return person.send_text(self.runtime, user_id=user_id, text=text)

    def send_sticker(self, user_id: int, emoji: str = "👍") -> dict[str, Any]:
        """Send a sticker to the bot; returns the Update."""
        return person.send_sticker(self.runtime, user_id=user_id, emoji=emoji)

    def send_photo(self, user_id: int, caption: str | None = None) -> dict[str, Any]:
        """Send a photo to the bot; returns the Update."""
        return person.send_photo(self.runtime, user_id=user_id, caption=caption)

    def edit_text(self, user_id: int, *, message_id: int, text: str) -> dict[str, Any]:
        """Edit one of the person's own messages; returns the ``edited_message`` Update."""
        return person.edit_text(self.runtime, user_id=user_id, message_id=message_id, text=text)

    def send_group_message(
        self, chat_id: int, *, user_id: int, text: str, title: str = "Sandbox group"
    ) -> dict[str, Any]:
        """Write in a group chat with the bot; returns the Update."""
        return person.send_group_message(
            self.runtime, chat_id=chat_id, user_id=user_id, text=text, title=title
        )

    def send_supergroup_message(
        self,
        chat_id: int,
        *,
        user_id: int,
        text: str,
        title: str = "Sandbox supergroup",
        topic: int | None = None,
    ) -> dict[str, Any]:
        """Write in a supergroup (in forum topic ``topic`` if given); returns the Update."""
        return chats.supergroup_message(
            self.runtime, chat_id=chat_id, user_id=user_id, text=text, title=title, topic=topic
        )

    def post_in_channel(
        self, chat_id: int, *, text: str, title: str = "Sandbox channel"
    ) -> dict[str, Any]:
        """Post in a channel the bot is in; returns the ``channel_post`` Update."""
        return chats.channel_post(self.runtime, chat_id=chat_id, text=text, title=title)

    def age_message(self, chat_id: int, *, message_id: int, seconds: int) -> None:
        """Make a message older (a tap on it may then carry an InaccessibleMessage)."""
        chats.age_message(self.runtime, chat_id=chat_id, message_id=message_id, seconds=seconds)

    def press_button(
        self, user_id: int, *, message_id: int, data: str | None = None, text: str | None = None
    ) -> dict[str, Any]:
        """Tap an inline button by its callback data or label; returns the Update."""
        return person.press_button(
            self.runtime, user_id=user_id, message_id=message_id, data=data, text=text
        )

    def block(self, user_id: int) -> dict[str, Any]:
        """Block the bot; returns the ``my_chat_member`` Update."""
        return person.block(self.runtime, user_id=user_id)

    def unblock(self, user_id: int) -> dict[str, Any]:
        """Unblock the bot; returns the ``my_chat_member`` Update."""
        return person.unblock(self.runtime, user_id=user_id)

    # -- reading and steering ----------------------------------------------------------------

    def received(self, chat_id: int) -> list[dict[str, Any]]:
        """What the bot sent to ``chat_id``, as it looks now (after edits, without deletions)."""
        return [person.describe_message(m) for m in self.runtime.state.received(chat_id)]

    def callback_answers(self) -> list[dict[str, Any]]:
        """Every ``answerCallbackQuery`` the bot made, oldest first."""
        return list(self.runtime.state.callback_answers)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed or received by webhook yet."""
        return self.runtime.queue.peek(len(self.runtime.queue))

    def inject_fault(self, method: str, fault: Fault, *, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` (or ``*``) fail with ``fault``."""
        name = method if method == "*" else CANONICAL.get(method.lower(), method)
        self.runtime.faults.inject(name, fault, times=times)

    def set_limits(
        self, *, per_chat_per_second: float | None = None, overall_per_second: float | None = None
    ) -> None:
        """Change the message pace limits (0 switches a limit off)."""
        self.runtime.pace.configure(
            per_chat_per_second=per_chat_per_second, overall_per_second=overall_per_second
        )

    def reset(self) -> None:
        """Forget users, chats, messages, updates, faults and the webhook; restore limits."""
        rt = self.runtime
        rt.state = SandboxState(bot=self._bot)
        rt.queue.clear()
        rt.queue.allowed = None
        rt.faults.clear()
        rt.pace.configure(**self._limits)
        rt.webhook.url, rt.webhook.secret_token = "", None
        rt.webhook.last_error_date = rt.webhook.last_error_message = None
        rt.webhook.backoffs.clear()
