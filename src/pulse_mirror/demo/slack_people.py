"""Employees acting in the Slack stand-in: click the buttons they received, comment, pause.

Everything goes through the stand-in, which signs each request as Slack does and posts it to
the bot; a person then waits to see the bot's answer in their DM before the next click.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from pulse_mirror.demo.clock import VirtualClock
from pulse_mirror.demo.company import Employee, skips
from pulse_mirror.demo.ledger import Given, Ledger
from pulse_mirror.demo.reading import Reader, slack_buttons, slack_context, slack_sections
from pulse_mirror.demo.story import Story
from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.sandbox.slack.delivery import Sent
from pulse_mirror.sandbox.slack.state import Message
from pulse_mirror.slack.blocks import (
    ANSWER_PREFIX,
    COMMENT,
    COMMENT_BLOCK,
    COMMENT_INPUT,
    HOME_PAUSE,
    SKIP,
)
from pulse_mirror.slack.texts import slack_text
from pulse_mirror.surveys.model import Side

log = logging.getLogger(__name__)

THINK_SECONDS = 4.0  # virtual time a person takes between two clicks
PATIENCE = 30.0  # real seconds to wait for the bot to show an answer (generous under load)
# Most of a run is one person waiting for the bot's reply at a time, so the look interval
# adds to every step; at 1 ms the run is a few percent faster than at 3 ms for the same CPU.
LOOK_EVERY = 0.001


async def until(check: Any, *, patience: float = PATIENCE) -> bool:
    """Wait (real time, briefly) until ``check()`` holds; False if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while not check():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(LOOK_EVERY)
    return True


class SlackPeople:
    """The employees' hands in the Slack stand-in."""

    def __init__(
        self,
        *,
        sandbox: SlackSandbox,
        clock: VirtualClock,
        reader: Reader,
        story: Story,
        ledger: Ledger,
        seed: int,
    ) -> None:
        self._sandbox = sandbox
        self._clock = clock
        self._reader = reader
        self._story = story
        self._ledger = ledger
        self._seed = seed

    async def answer(
        self, employee: Employee, message: Message, *, week: str, index: int, comment: bool
    ) -> None:
        """Answer every open question of a pulse message, then maybe write a comment."""
        lang = self._reader.lang
        for _ in range(5):
            item = self._reader.question(slack_sections(message.blocks))
            buttons = slack_buttons(message.blocks)
            if item is None or not any(b.startswith(ANSWER_PREFIX) for b in buttons):
                break
            before = [dict(b) for b in message.blocks]
            if skips(employee.habits, seed=self._seed, who=employee.user_id, week=index,
                     item=item.key):  # fmt: skip
                await self._sandbox.click(employee.user_id, action_id=SKIP, ts=message.ts)
                if not await until(lambda b=before: message.blocks != b):
                    self._ledger.unconfirmed += 1
                    return
                continue
            rng = random.Random(f"value:{self._seed}:{employee.user_id}:{week}:{item.key}")
            value = self._story.value(item, week=index, offset=employee.offset, rng=rng)
            await self._sandbox.click(
                employee.user_id, action_id=f"{ANSWER_PREFIX}{value}", ts=message.ts
            )
            if not await until(lambda b=before: message.blocks != b):
                self._ledger.unconfirmed += 1
                return
            shown = f"{item.text_in(lang)} — *{slack_text('answer.done', lang)}*"  # no value
            if shown not in slack_context(message.blocks):
                return  # refused, e.g. the window had closed: the message says so
            self._ledger.answer(
                Given(employee.user_id, week, Side.EMPLOYEE, item.key, value, self._clock.now())
            )
            await self._clock.sleep(THINK_SECONDS)
        if comment and COMMENT in slack_buttons(message.blocks):
            await self._comment(employee, message, index=index)

    async def _comment(self, employee: Employee, message: Message, *, index: int) -> None:
        user = employee.user_id
        known = {view["id"] for view in self._sandbox.received(user)["views"]}
        await self._sandbox.click(user, action_id=COMMENT, ts=message.ts)

        def opened() -> dict[str, Any] | None:
            for view in self._sandbox.received(user)["views"]:
                if view["id"] not in known and not view["closed"]:
                    return dict(view)
            return None

        if not await until(lambda: opened() is not None):
            return
        view = opened()
        assert view is not None
        rng = random.Random(f"comment:{self._seed}:{user}:{index}")
        body = self._story.comment(Side.EMPLOYEE, lang=self._reader.lang, rng=rng)
        reply = await self._sandbox.submit_view(
            user, view["id"], {COMMENT_BLOCK: {COMMENT_INPUT: body}}
        )
        answer = reply.json() if reply.status == 200 else None
        if reply.status == 200 and not (isinstance(answer, dict) and answer.get("errors")):
            self._ledger.comments[(user, Side.EMPLOYEE)] += 1

    async def pause(self, employee: Employee, *, weeks: int = 1) -> bool:
        """Open the App Home and pause the pulses for ``weeks`` weeks."""
        user = employee.user_id
        await self._sandbox.open_home(user)
        if not await until(lambda: self._home(user) is not None):
            return False
        home = self._home(user)
        assert home is not None
        select = next(
            (e for b in home["blocks"] if b.get("type") == "actions"
             for e in b.get("elements") or [] if e.get("action_id") == HOME_PAUSE),
            None,
        )  # fmt: skip
        if select is None:
            return False
        option = next(o for o in select["options"] if o["value"] == str(weeks))
        before = str(home["blocks"])
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": "T0SANDBOX"},
            "api_app_id": "A0SANDBOX",
            "container": {"type": "view", "view_id": home.get("id", "")},
            "trigger_id": self._sandbox.workspace.issue_trigger(user),
            "team": {"id": "T0SANDBOX", "domain": "sandbox"},
            "view": {"id": home.get("id", ""), "type": "home"},
            "actions": [
                {"action_id": HOME_PAUSE, "block_id": "home_controls", "type": "static_select",
                 "selected_option": option, "action_ts": f"{self._clock.seconds():.6f}"},
            ],
        }  # fmt: skip
        reply = await self._sandbox.deliverer.send(Sent(kind="interactive", payload=payload))
        changed = await until(lambda: str((self._home(user) or {}).get("blocks")) != before)
        if reply.status == 200 and changed:
            self._ledger.moves["paused"] += 1
            return True
        return False

    def _home(self, user: str) -> dict[str, Any] | None:
        home = self._sandbox.received(user)["home"]
        return dict(home) if home else None
