"""The Telegram side assembled for tests: stand-in, real PTB Application, real storage."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulse_mirror.config.settings import Config, parse_config
from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.sandbox.telegram import person as sandbox_person
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.bank import QuestionBank, load_bank
from pulse_mirror.surveys.model import IsoWeek, Platform, Side
from pulse_mirror.surveys.records import DeliveryKind, DeliveryRecord, NewDelivery, PersonRecord
from pulse_mirror.surveys.service import AnswerSettings, PulseAnswers
from pulse_mirror.telegram.runtime import TelegramRuntime, build_telegram
from tests.fakes import FakeClock
from tests.reads import claim_due

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # Monday of 2026-W48
WEEK = IsoWeek(2026, 48)
COMMENT_LIMIT = 40
SEGMENTS = {"retail": "Retail", "b2b": "Business"}


def telegram_config(
    sandbox: TelegramSandbox, *, token: str | None = None, **telegram: Any
) -> Config:
    """A config with Telegram enabled against the stand-in."""
    return parse_config(
        {
            "organisation": {"name": "Acme", "language": "en"},
            "telegram": {
                "enabled": True,
                "api_url": sandbox.api_url,
                "segments": SEGMENTS,
                "default_segment": "general",
                **telegram,
            },
            "surveys": {"customers": {"comment_max_chars": COMMENT_LIMIT}},
        },
        env={
            "TELEGRAM_BOT_TOKEN": token or sandbox.token,
            "TELEGRAM_WEBHOOK_SECRET": "hook-Secret_1",
        },
    )


@dataclass
class World:
    """Everything a Telegram test drives and inspects."""

    sandbox: TelegramSandbox
    repository: SqlRepository
    clock: FakeClock
    bank: QuestionBank
    answers: PulseAnswers
    runtime: TelegramRuntime
    tokens: dict[int, str] = field(default_factory=dict)

    async def customer(self, user_id: int, *, lang: str = "en") -> PersonRecord:
        """A customer who has opted in (stored directly, as after "Yes, ask me")."""
        if user_id not in self.sandbox.runtime.state.users:
            self.sandbox.add_user(user_id, first_name=f"C{user_id}", language_code=lang,
                                  started=True)  # fmt: skip
        return await self.repository.upsert_person(
            side=Side.CUSTOMER,
            platform=Platform.TELEGRAM,
            platform_user_id=str(user_id),
            language=lang,
            time_zone="UTC",
            group="Retail",
            now=self.clock.now(),
            consent_at=self.clock.now(),
        )

    async def deliver(
        self, person: PersonRecord, *, items: tuple[str, ...] = ("recommend.customer",)
    ) -> DeliveryRecord:
        """Send this week's customer pulse to ``person`` as the dispatcher does."""
        pulse = await self.repository.get_or_create_pulse(
            week=WEEK,
            side=Side.CUSTOMER,
            items=items,
            opens_at=NOW,
            closes_at=NOW + dt.timedelta(days=7),
        )
        new = NewDelivery(pulse.id, person.id, DeliveryKind.QUESTION, self.clock.now())
        await self.repository.enqueue([new])
        [claimed] = [
            d
            for d in await claim_due(self.repository, now=self.clock.now(), limit=100, worker="t")
            if d.key == new.key
        ]
        state = await self.answers.state(claimed.token)
        assert state is not None
        await self.runtime.pacer.acquire(person.platform_user_id)  # as the dispatcher does
        ref = await self.runtime.messenger.send_pulse(
            address=person.platform_user_id, state=state, kind=DeliveryKind.QUESTION
        )
        await self.repository.mark_sent(claimed.id, message_id=ref, now=self.clock.now())
        self.tokens[int(person.platform_user_id)] = claimed.token
        return claimed

    def last(self, chat_id: int) -> dict[str, Any]:
        """The newest message the bot sent to a chat, as the person sees it now."""
        received = self.sandbox.received(chat_id)
        return received[-1] if received else {"text": "", "message_id": 0}

    def forge_tap(self, user_id: int, *, message_id: int, data: str) -> None:
        """A callback query with data that no button of ours carries."""
        user, chat = sandbox_person._person(self.sandbox.runtime, user_id)
        message = self.sandbox.runtime.state.find_message(chat.id, message_id)
        assert message is not None
        sandbox_person._callback(self.sandbox.runtime, user=user, message=message, data=data)

    async def settled(self, check: Callable[[], bool], *, timeout: float = 30.0) -> None:
        """Wait until the bot has handled what the person did and ``check`` holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            quiet = not self.sandbox.pending_updates() and self.runtime.outbound.pending == 0
            if quiet and check():
                return
            if loop.time() > deadline:
                raise AssertionError("the bot did not reach the expected state in time")
            await asyncio.sleep(0.01)

    async def answers_of(self, user_id: int) -> dict[str, int | None]:
        """What one customer's delivery holds per item."""
        delivery = await self.repository.delivery_by_token(self.tokens[user_id])
        assert delivery is not None
        return await self.repository.ballot_values(delivery.id)


async def build_world(
    sandbox: TelegramSandbox,
    repository: SqlRepository,
    *,
    clock: FakeClock | None = None,
    **telegram: Any,
) -> World:
    """Build and start the Telegram runtime against the stand-in."""
    clock = clock or FakeClock()
    bank = load_bank()
    answers = PulseAnswers(
        repository=repository,
        bank=bank,
        clock=clock,
        settings=AnswerSettings(comment_max_chars=COMMENT_LIMIT),
    )
    runtime = build_telegram(
        telegram_config(sandbox, **telegram),
        answers=answers,
        repository=repository,
        clock=clock,
        poll_timeout=1,
        outbound_parallel=1,
    )
    await runtime.start()
    return World(sandbox, repository, clock, bank, answers, runtime)
