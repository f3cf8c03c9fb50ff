"""Acting as a person: click a button, submit a modal, open the App Home, answer response_urls."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pulse_mirror.sandbox.slack import payloads
from pulse_mirror.sandbox.slack.blocks import buttons, interactive, with_block_ids
from pulse_mirror.sandbox.slack.delivery import BotReply, Deliverer, Sent, Signing, Via
from pulse_mirror.sandbox.slack.events import (
    EVENT_TIMEOUT,
    EventDelivery,
    Pause,
    deliver_event,
    no_pause,
)
from pulse_mirror.sandbox.slack.state import BOT_USER_ID, Message, User, View, Workspace

JSON = dict[str, Any]


RESPONSE_URL_USES = 5  # Slack: a response_url may be used up to five times
RESPONSE_URL_LIFETIME = 30 * 60.0  # within thirty minutes of the click


@dataclass
class _ResponseUrl:
    channel: str
    ts: str
    user: str
    expires: float
    uses: int = 0


class Person:
    """What people do in the stand-in's workspace, delivered to the bot as Slack would."""

    def __init__(
        self,
        *,
        workspace: Workspace,
        deliverer: Deliverer,
        base_url: Callable[[], str],
        now: Callable[[], float] = time.monotonic,
        event_timeout: float = EVENT_TIMEOUT,
        pause: Pause = no_pause,
    ) -> None:
        self.ws = workspace
        self.deliverer = deliverer
        self._base_url = base_url
        self.now = now  # the clock response_urls expire by
        self.event_timeout = event_timeout  # Slack waits 3 s for an event's answer
        self.pause = pause  # how the waits between an event's retries are spent
        self.events: list[EventDelivery] = []  # every event delivered over HTTP, with retries
        self._responses: dict[str, _ResponseUrl] = {}

    def _user(self, user_id: str) -> User:
        user = self.ws.user_by_id(user_id)
        if user is None:
            raise LookupError(f"no user {user_id}")
        return user

    def _received(self, user: User, ts: str | None, action_id: str, value: str | None) -> Message:
        candidates = [
            m
            for m in reversed(self.ws.messages)
            if (ts is None or m.ts == ts)
            and self.ws.channels[m.channel].has_member(user.id)
            and (m.ephemeral_for in (None, user.id))
        ]
        for message in candidates:
            if self._button(message, action_id, value) is not None:
                return message
        raise LookupError(f"{user.id} received no message with button {action_id!r}")

    @staticmethod
    def _button(message: Message, action_id: str, value: str | None) -> tuple[str, JSON] | None:
        for block_id, element in buttons(message.blocks):
            if element.get("action_id") == action_id and (
                value is None or element.get("value") == value
            ):
                return block_id, element
        return None

    async def click(
        self,
        user_id: str,
        *,
        action_id: str,
        value: str | None = None,
        ts: str | None = None,
        via: Via | None = None,
        signing: Signing | None = None,
    ) -> BotReply:
        """Click the button ``action_id`` (and ``value``) on a message ``user_id`` received."""
        user = self._user(user_id)
        message = self._received(user, ts, action_id, value)
        found = self._button(message, action_id, value)
        assert found is not None
        block_id, button = found
        payload = payloads.block_actions(
            org=self.ws.org,
            user=user,
            channel=self.ws.channels[message.channel],
            message=message,
            block_id=block_id,
            button=button,
            trigger_id=self.ws.issue_trigger(user.id),
            response_url=self.response_url(user.id, channel=message.channel, ts=message.ts),
            action_ts=self.ws.new_ts(),
        )
        return await self.deliverer.send(
            Sent(kind="interactive", payload=payload), via=via, signing=signing
        )

    def response_url(self, user_id: str, *, channel: str, ts: str) -> str:
        """A fresh response_url for ``user_id``'s click on the message ``channel``/``ts``."""
        token = secrets.token_hex(12)
        expires = self.now() + RESPONSE_URL_LIFETIME
        self._responses[token] = _ResponseUrl(channel, ts, user_id, expires=expires)
        return f"{self._base_url().rstrip('/')}/_sandbox/respond/{token}"

    async def act_on_home(
        self,
        user_id: str,
        *,
        action_id: str,
        value: str | None = None,
        via: Via | None = None,
        signing: Signing | None = None,
    ) -> BotReply:
        """Act on ``action_id`` in the App Home ``user_id`` sees (``value``: the option picked)."""
        user = self._user(user_id)
        home = self._home(user.id)
        if home is None:
            raise LookupError(f"{user_id} has no App Home published")
        blocks = home.view.get("blocks", [])
        found = [(b, e) for b, e in interactive(blocks) if e.get("action_id") == action_id]
        if not found:
            raise LookupError(f"{user_id}'s App Home has no element {action_id!r}")
        block_id, element = found[0]
        payload = payloads.home_action(
            org=self.ws.org,
            user=user,
            home=home,
            block_id=block_id,
            element=element,
            chosen=value,
            trigger_id=self.ws.issue_trigger(user.id),
            action_ts=self.ws.new_ts(),
        )
        return await self.deliverer.send(
            Sent(kind="interactive", payload=payload), via=via, signing=signing
        )

    def _home(self, user_id: str) -> View | None:
        views = self.ws.views.values()
        return next((v for v in views if v.user == user_id and v.type == "home"), None)

    async def submit_view(
        self,
        user_id: str,
        view_id: str,
        values: dict[str, dict[str, Any]],
        *,
        via: Via | None = None,
        signing: Signing | None = None,
    ) -> BotReply:
        """Submit the modal ``view_id`` with ``{block_id: {action_id: value}}``."""
        user = self._user(user_id)
        view = self.ws.views.get(view_id)
        if view is None or view.user != user.id or view.type != "modal" or view.closed:
            raise LookupError(f"{user_id} has no open modal {view_id}")
        payload = payloads.view_submission(
            org=self.ws.org,
            user=user,
            view=view,
            values=payloads.state_values(view, values),
            trigger_id=self.ws.issue_trigger(user.id),
        )
        reply = await self.deliverer.send(
            Sent(kind="interactive", payload=payload), via=via, signing=signing
        )
        if 200 <= reply.status < 300:
            self._after_submission(view, reply.json())
        return reply

    def _after_submission(self, view: View, answer: Any) -> None:
        action = answer.get("response_action") if isinstance(answer, dict) else None
        if action == "errors":
            return
        if action in ("update", "push") and isinstance(answer.get("view"), dict):
            view.view = {
                **answer["view"],
                "blocks": with_block_ids(answer["view"].get("blocks", [])),
            }
            return
        view.closed = True

    async def open_home(
        self, user_id: str, *, via: Via | None = None, signing: Signing | None = None
    ) -> BotReply:
        """Open the App Home tab: the ``app_home_opened`` event.

        Over HTTP it is delivered as Slack delivers events: retried up to three times while the
        bot answers late or with a non-2xx (see :attr:`events`); the last answer is returned,
        with status 0 if the bot never answered at all.
        """
        user = self._user(user_id)
        payload = payloads.app_home_opened(
            org=self.ws.org,
            user=user,
            channel=self.ws.im_of(user.id),
            home=self._home(user.id),
            event_ts=self.ws.new_ts(),
        )
        sent = Sent(kind="events_api", payload=payload)
        if (via or ("socket" if self.deliverer.hub.connected else "http")) == "socket":
            return await self.deliverer.send(sent, via="socket")
        delivery = await deliver_event(
            self.deliverer, sent, signing=signing, timeout=self.event_timeout, pause=self.pause
        )
        self.events.append(delivery)
        if delivery.reply is not None:
            return delivery.reply
        return BotReply(status=0, body="", via="http", sent=sent)

    async def replay(
        self,
        reply: BotReply,
        *,
        retry_num: int = 1,
        reason: str = "http_timeout",
        via: Via | None = None,
    ) -> BotReply:
        """Send the same payload again, marked as Slack's retry number ``retry_num``."""
        return await self.deliverer.send(
            reply.sent, via=via, retry_num=retry_num, retry_reason=reason
        )

    def respond(self, token: str, body: JSON) -> bool:
        """A POST to a response_url: replace, delete, or add a message.

        False if the URL is unknown, used ``RESPONSE_URL_USES`` times already or older than
        ``RESPONSE_URL_LIFETIME`` seconds, as Slack allows.
        """
        target = self._responses.get(token)
        if target is None or target.uses >= RESPONSE_URL_USES or self.now() > target.expires:
            return False
        target.uses += 1
        channel, ts, user_id = target.channel, target.ts, target.user
        original = self.ws.find_message(channel, ts)
        blocks = with_block_ids(body.get("blocks") or [])
        if body.get("delete_original") and original is not None:
            self.ws.messages.remove(original)
        elif body.get("replace_original") and original is not None:
            original.text = str(body.get("text", original.text))
            original.blocks = blocks
            original.edited = True
        else:
            self.ws.messages.append(
                Message(
                    channel=channel,
                    ts=self.ws.new_ts(),
                    user=BOT_USER_ID,
                    text=str(body.get("text", "")),
                    blocks=blocks,
                    ephemeral_for=None if body.get("response_type") == "in_channel" else user_id,
                )
            )
        return True
