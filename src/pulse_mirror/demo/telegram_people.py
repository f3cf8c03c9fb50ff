"""Customers acting in the Telegram stand-in: join by deep link, tap answers, leave.

Each action is an update the stand-in hands to the bot (by webhook, one at a time and in
order); the person then waits to see the bot's reply in their chat.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence

from pulse_mirror.demo.clock import VirtualClock
from pulse_mirror.demo.company import Customer, skips
from pulse_mirror.demo.ledger import Given, Ledger
from pulse_mirror.demo.reading import Reader, telegram_buttons, telegram_open_lines
from pulse_mirror.demo.slack_people import THINK_SECONDS, until
from pulse_mirror.demo.story import Story
from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.sandbox.telegram.state import Message
from pulse_mirror.surveys.callbacks import Choice, CommentRequest, Skip, parse_or_none
from pulse_mirror.surveys.model import Side
from pulse_mirror.telegram.keyboards import DELETE_YES, OPT_IN

log = logging.getLogger(__name__)


class TelegramPeople:
    """The customers' hands in the Telegram stand-in."""

    def __init__(
        self,
        *,
        sandbox: TelegramSandbox,
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

    def _messages(self, chat_id: int) -> list[Message]:
        return self._sandbox.runtime.state.received(chat_id)

    async def join(self, customers: Sequence[Customer]) -> int:
        """Each presses Start through their deep link, then "Yes, ask me"; in this order."""
        for customer in customers:
            if customer.chat_id not in self._sandbox.runtime.state.users:
                self._sandbox.add_user(customer.chat_id, first_name=customer.name,
                                       language_code=customer.language)  # fmt: skip
            self._sandbox.press_start(customer.chat_id, customer.payload)

        def consent(customer: Customer) -> Message | None:
            for message in reversed(self._messages(customer.chat_id)):
                if any(d.startswith(f"{OPT_IN}:") for d in telegram_buttons(message.reply_markup)):
                    return message
            return None

        asked: dict[int, Message] = {}
        waiting = list(customers)

        def all_asked() -> bool:
            for customer in list(waiting):
                found = consent(customer)
                if found is None:
                    return False
                asked[customer.chat_id] = found
                waiting.remove(customer)
            return True

        await until(all_asked, patience=600.0)
        # One at a time: the order of "Yes" decides the order in which customers are stored,
        # and with it whom the seeded weekly sample picks.
        for customer in customers:
            message = asked.get(customer.chat_id)
            if message is None:
                continue
            data = next(d for d in telegram_buttons(message.reply_markup) if d.startswith("o:"))
            self._sandbox.press_button(customer.chat_id, message_id=message.message_id, data=data)
            await until(lambda m=message: m.reply_markup is None)
        joined = sum(1 for m in asked.values() if m.reply_markup is None)
        self._ledger.moves["joined"] += joined
        return joined

    async def answer(
        self, customer: Customer, message: Message, *, week: str, index: int, comment: bool
    ) -> None:
        """Tap an answer for every open question of a pulse, then maybe comment."""
        who = str(customer.chat_id)
        for _ in range(5):
            buttons = telegram_buttons(message.reply_markup)
            item = self._reader.question(telegram_open_lines(message.text or ""))
            choices = [c for c in map(parse_or_none, buttons) if isinstance(c, Choice)]
            if item is None or not choices:
                break
            before = message.text
            skip = next((d for d in buttons if isinstance(parse_or_none(d), Skip)), None)
            if skip and skips(customer.habits, seed=self._seed, who=who, week=index,
                              item=item.key):  # fmt: skip
                self._sandbox.press_button(customer.chat_id, message_id=message.message_id,
                                           data=skip)  # fmt: skip
                if not await until(lambda b=before: message.text != b):
                    self._ledger.unconfirmed += 1
                    return
                continue
            rng = random.Random(f"value:{self._seed}:{who}:{week}:{item.key}")
            value = self._story.value(item, week=index, offset=customer.offset, rng=rng)
            data = next(d for d in buttons if (c := parse_or_none(d)) and
                        isinstance(c, Choice) and c.value == value)  # fmt: skip
            self._sandbox.press_button(customer.chat_id, message_id=message.message_id, data=data)
            if not await until(lambda b=before: message.text != b):
                self._ledger.unconfirmed += 1
                return
            if f"✓ {item.text_in(self._reader.lang)} — {value}" not in (message.text or ""):
                return  # refused: the window had closed
            self._ledger.answer(Given(who, week, Side.CUSTOMER, item.key, value, self._clock.now()))
            await self._clock.sleep(THINK_SECONDS)
        request = next((d for d in telegram_buttons(message.reply_markup)
                        if isinstance(parse_or_none(d), CommentRequest)), None)  # fmt: skip
        if comment and request is not None:
            await self._comment(customer, message, request=request, index=index)

    async def _comment(
        self, customer: Customer, message: Message, *, request: str, index: int
    ) -> None:
        chat = customer.chat_id
        count = len(self._messages(chat))
        self._sandbox.press_button(chat, message_id=message.message_id, data=request)
        if not await until(lambda: len(self._messages(chat)) > count):
            return
        rng = random.Random(f"comment:{self._seed}:{chat}:{index}")
        self._sandbox.send_text(chat, self._story.comment(Side.CUSTOMER, lang=customer.language,
                                                          rng=rng))  # fmt: skip
        if await until(lambda: len(self._messages(chat)) > count + 1):
            self._ledger.comments[(str(chat), Side.CUSTOMER)] += 1

    async def leave(self, customer: Customer) -> bool:
        """The customer's way out: /stop, /delete (confirmed) or blocking the bot."""
        chat = customer.chat_id
        count = len(self._messages(chat))
        if customer.leaves == "block":
            self._sandbox.block(chat)
            done = await until(lambda: not self._sandbox.pending_updates())
        elif customer.leaves == "stop":
            self._sandbox.send_text(chat, "/stop")
            done = await until(lambda: len(self._messages(chat)) > count)
        else:
            self._sandbox.send_text(chat, "/delete")
            if not await until(lambda: len(self._messages(chat)) > count):
                return False
            confirm = self._messages(chat)[-1]
            if DELETE_YES not in telegram_buttons(confirm.reply_markup):
                return False
            self._sandbox.press_button(chat, message_id=confirm.message_id, data=DELETE_YES)
            done = await until(lambda: confirm.reply_markup is None)
            if done:
                self._ledger.forget(str(chat))
        if done and customer.leaves is not None:
            self._ledger.moves[customer.leaves] += 1
        return done
