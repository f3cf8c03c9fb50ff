"""Bolt listeners: a click, a skip, a comment or a home action becomes one core call.

Every interactive listener acks first, then calls the core, then shows only what the core
says is stored: through the click's response_url, or chat.update when that fails. A failed
update is logged; the answer it would have shown stays.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from pulse_mirror.logs import failure
from pulse_mirror.proxies import proxy_for
from pulse_mirror.slack import blocks
from pulse_mirror.slack.home import publish_home
from pulse_mirror.slack.texts import slack_text
from pulse_mirror.surveys.callbacks import Choice, CommentRequest, InvalidCallback, Skip, parse
from pulse_mirror.surveys.employees import EmployeeAccounts
from pulse_mirror.surveys.service import Outcome, PulseAnswers, Reply
from pulse_mirror.surveys.texts import text

log = logging.getLogger(__name__)

Body = dict[str, Any]
_VALUE_SHOWN = (Outcome.RECORDED, Outcome.CHANGED, Outcome.UNCHANGED)
_UPDATE_ERRORS = (SlackApiError, OSError, TimeoutError)


@dataclass(frozen=True)
class ListenerSettings:
    """What the listeners show around the core's replies."""

    framing: blocks.Framing
    comment_max_chars: int = 1000
    default_language: str = "en"


class PulseListeners:
    """Translates Slack interactivity into PulseAnswers and EmployeeAccounts calls."""

    def __init__(
        self, *, answers: PulseAnswers, accounts: EmployeeAccounts, settings: ListenerSettings
    ) -> None:
        self.answers = answers
        self.accounts = accounts
        self.settings = settings

    async def click(self, body: Body, client: AsyncWebClient) -> None:
        """A scale button or Skip: store it, then update the message."""
        user, action = body["user"]["id"], body["actions"][0]
        try:
            callback = parse(str(action.get("value", "")))
        except InvalidCallback:
            callback = None
        if isinstance(callback, Choice) and action["action_id"].startswith(blocks.ANSWER_PREFIX):
            reply = await self.answers.choose(
                token=callback.token,
                index=callback.index,
                value=callback.value,
                platform_user_id=user,
                acted_at=_acted_at(action.get("action_ts")),
            )
        elif isinstance(callback, Skip) and action["action_id"] == blocks.SKIP:
            reply = await self.answers.skip(
                token=callback.token, index=callback.index, platform_user_id=user
            )
        else:
            reply = Reply(Outcome.INVALID, None, text("invalid", self.settings.default_language))
        await self.show(reply, body, client)

    async def show(self, reply: Reply, body: Body, client: AsyncWebClient) -> None:
        """Render a reply: the updated message when stored, else a note only the person sees."""
        container = body.get("container") or {}
        channel, ts = container.get("channel_id"), container.get("message_ts")
        response_url = body.get("response_url")
        if reply.outcome.stored and reply.state is not None:
            await self._replace(
                client,
                response_url=response_url,
                channel=channel,
                ts=ts,
                blocks=blocks.pulse_blocks(reply.state, framing=self.settings.framing),
                text=blocks.fallback_text(reply.state, framing=self.settings.framing),
            )
            if reply.outcome in _VALUE_SHOWN and reply.notice:
                note = slack_text("answer.private", reply.state.lang, recorded=reply.notice)
                user = body["user"]["id"]
                await self._private(client, response_url, channel=channel, user=user, note=note)
            return
        if reply.outcome is Outcome.CLOSED:
            lang = reply.state.lang if reply.state else self.settings.default_language
            await self._replace(
                client,
                response_url=response_url,
                channel=channel,
                ts=ts,
                blocks=blocks.closed_blocks(reply.state, lang=lang),
                text=reply.notice,
            )
            return
        await self._ephemeral(client, channel=channel, user=body["user"]["id"], note=reply.notice)

    async def open_comment(self, body: Body, client: AsyncWebClient) -> None:
        """The Add a comment button: open the modal (the core checks on submission)."""
        user, action = body["user"]["id"], body["actions"][0]
        container = body.get("container") or {}
        try:
            callback = parse(str(action.get("value", "")))
        except InvalidCallback:
            callback = None
        state = (
            await self.answers.state(callback.token)
            if isinstance(callback, CommentRequest)
            else None
        )
        if state is None or not isinstance(callback, CommentRequest):
            note = text("invalid", self.settings.default_language)
            await self._ephemeral(client, channel=container.get("channel_id"), user=user, note=note)
            return
        meta = {
            "t": callback.token,
            "c": container.get("channel_id"),
            "m": container.get("message_ts"),
        }
        view = blocks.comment_modal(
            token=callback.token, lang=state.lang, limit=self.settings.comment_max_chars
        )
        view["private_metadata"] = json.dumps(meta)
        try:
            await client.views_open(trigger_id=body["trigger_id"], view=view)
        except _UPDATE_ERRORS as error:
            log.warning("could not open the comment modal", extra={"error": failure(error)})

    async def submit_comment(self, ack: Any, body: Body, client: AsyncWebClient) -> None:
        """A submitted comment: stored, or refused inside the modal with the reason."""
        view = body["view"]
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            token = str(meta["t"])
            if not isinstance(parse(f"c:{token}"), CommentRequest):
                raise InvalidCallback(token)
        except (ValueError, KeyError, TypeError, InvalidCallback):
            note = text("invalid", self.settings.default_language)
            await ack(response_action="errors", errors={blocks.COMMENT_BLOCK: note})
            return
        field = view.get("state", {}).get("values", {}).get(blocks.COMMENT_BLOCK, {})
        written = str((field.get(blocks.COMMENT_INPUT) or {}).get("value") or "")
        reply = await self.answers.comment(
            token=token, body=written, platform_user_id=body["user"]["id"]
        )
        if reply.outcome is not Outcome.COMMENTED:
            await ack(response_action="errors", errors={blocks.COMMENT_BLOCK: reply.notice})
            return
        await ack()
        if reply.state is not None and meta.get("c") and meta.get("m"):
            await self._update(
                client,
                channel=meta["c"],
                ts=meta["m"],
                blocks=blocks.pulse_blocks(reply.state, framing=self.settings.framing),
                text=blocks.fallback_text(reply.state, framing=self.settings.framing),
            )

    async def home_action(self, body: Body, client: AsyncWebClient) -> None:
        """Pause, Resume or Opt out on the App Home, then show the new home."""
        user, action = body["user"]["id"], body["actions"][0]
        kind = action.get("action_id")
        if kind == blocks.HOME_PAUSE:
            weeks = int((action.get("selected_option") or {}).get("value") or 0)
            if weeks not in blocks.PAUSE_WEEKS:
                return
            home = await self.accounts.pause(platform_user_id=user, weeks=weeks)
        elif kind == blocks.HOME_RESUME:
            home = await self.accounts.resume(user)
        else:
            home = await self.accounts.opt_out(user)
        await publish_home(
            client, user_id=user, home=home, organisation=self.settings.framing.organisation
        )

    async def home_opened(self, event: Body, client: AsyncWebClient) -> None:
        """The person opened the App Home tab: publish it for them."""
        if event.get("tab", "home") != "home":
            return
        user = str(event["user"])
        home = await self.accounts.home(user)
        await publish_home(
            client, user_id=user, home=home, organisation=self.settings.framing.organisation
        )

    async def _replace(
        self,
        client: AsyncWebClient,
        *,
        response_url: Any,
        channel: Any,
        ts: Any,
        blocks: list[dict[str, Any]],
        text: str,
    ) -> None:
        """Show a click's result in place: through the click's response_url, else chat.update.

        A response_url is the click's own and is not held to chat.update's workspace-wide
        tier (about 50 a minute), so a Monday-morning burst of clicks is confirmed to everyone.
        """
        message = {"replace_original": True, "text": text, "blocks": blocks}
        if await _respond(client, response_url, message):
            return
        await self._update(client, channel=channel, ts=ts, blocks=blocks, text=text)

    async def _update(self, client: AsyncWebClient, *, channel: Any, ts: Any, **shown: Any) -> None:
        if not channel or not ts:
            return
        try:
            await client.chat_update(channel=channel, ts=ts, **shown)
        except _UPDATE_ERRORS as error:
            # The answer is stored; only the confirmation could not be shown.
            failed = {"error": failure(error)}
            log.warning("chat.update failed after the answer was stored", extra=failed)

    async def _private(
        self, client: AsyncWebClient, response_url: Any, *, channel: Any, user: str, note: str
    ) -> None:
        """A note only the person sees and Slack does not keep: through the response_url."""
        message = {"response_type": "ephemeral", "replace_original": False, "text": note}
        if await _respond(client, response_url, message):
            return
        await self._ephemeral(client, channel=channel, user=user, note=note)

    async def _ephemeral(
        self, client: AsyncWebClient, *, channel: Any, user: str, note: str
    ) -> None:
        if not channel or not note:
            return
        try:
            await client.chat_postEphemeral(channel=channel, user=user, text=note)
        except _UPDATE_ERRORS as error:
            log.warning("could not post a note to the person", extra={"error": failure(error)})


async def _respond(client: AsyncWebClient, response_url: Any, message: dict[str, Any]) -> bool:
    """Post ``message`` to a click's response_url; False when there is none or it failed.

    A response_url is the click's own and is not held to chat.update's workspace-wide tier
    (about 50 a minute), so a Monday-morning burst of clicks is confirmed to everyone.
    """
    if not isinstance(response_url, str) or not response_url.startswith(("https://", "http://")):
        return False
    hook = AsyncWebhookClient(url=response_url, session=client.session, timeout=10)
    hook.proxy = proxy_for(response_url)  # slack_sdk would ignore NO_PROXY
    try:
        sent = await hook.send_dict(message)
    except (*_UPDATE_ERRORS, aiohttp.ClientError) as error:
        log.warning("response_url failed", extra={"error": failure(error)})
        return False
    if sent.status_code != 200:
        log.warning("response_url refused", extra={"status": sent.status_code})
    return sent.status_code == 200


def _acted_at(action_ts: Any) -> float | None:
    """When a click was made: Slack's signed ``action_ts`` (``"1548426417.840180"``)."""
    try:
        acted = float(action_ts)
    except (TypeError, ValueError):
        return None
    return acted if math.isfinite(acted) else None


def register(app: AsyncApp, listeners: PulseListeners) -> None:
    """Add the pulse and App Home listeners to a Bolt app; each acks before any work."""

    @app.action(re.compile(blocks.ANSWER_PATTERN))
    async def on_answer(ack: Any, body: Body, client: AsyncWebClient) -> None:
        await ack()
        await listeners.click(body, client)

    @app.action(blocks.SKIP)
    async def on_skip(ack: Any, body: Body, client: AsyncWebClient) -> None:
        await ack()
        await listeners.click(body, client)

    @app.action(blocks.COMMENT)
    async def on_comment(ack: Any, body: Body, client: AsyncWebClient) -> None:
        await ack()
        await listeners.open_comment(body, client)

    @app.view(blocks.COMMENT_VIEW)
    async def on_comment_submitted(ack: Any, body: Body, client: AsyncWebClient) -> None:
        await listeners.submit_comment(ack, body, client)

    for action_id in (blocks.HOME_PAUSE, blocks.HOME_RESUME, blocks.HOME_OPT_OUT):

        @app.action(action_id)
        async def on_home_action(ack: Any, body: Body, client: AsyncWebClient) -> None:
            await ack()
            await listeners.home_action(body, client)

    @app.event("app_home_opened")
    async def on_home_opened(event: Body, client: AsyncWebClient) -> None:
        await listeners.home_opened(event, client)
