"""Opt-in: /start greets, nothing is stored before "Yes, ask me"; /stop and /start again."""

from __future__ import annotations

import datetime as dt

from telegram import Bot, BotCommandScopeDefault

from pulse_mirror.surveys.model import PersonStatus, Platform, Side
from pulse_mirror.surveys.records import DeliveryKind, DeliveryStatus, NewDelivery
from tests.fixtures.telegram_sandbox import bot_for
from tests.telegram.world import NOW, WEEK, World


async def _person(world: World, user_id: int):  # type: ignore[no-untyped-def]
    return await world.repository.find_person(
        platform=Platform.TELEGRAM, platform_user_id=str(user_id)
    )


async def test_start_greets_in_german_and_stores_nothing_before_consent(world: World) -> None:
    world.sandbox.add_user(7, first_name="Grete", language_code="de")
    world.sandbox.press_start(7, payload="retail")
    await world.settled(lambda: len(world.sandbox.received(7)) == 1)

    greeting = world.last(7)
    assert "Dürfen wir Sie fragen?" in greeting["text"]
    assert "höchstens alle 28 Tage" in greeting["text"]
    buttons = [b["text"] for b in greeting["reply_markup"]["inline_keyboard"][0]]
    assert buttons == ["Ja, fragen Sie mich", "Nein, danke"]
    assert await _person(world, 7) is None

    world.sandbox.press_button(7, message_id=greeting["message_id"], text="Ja, fragen Sie mich")
    await world.settled(lambda: "Vielen Dank" in world.last(7)["text"])

    person = await _person(world, 7)
    assert person is not None
    assert person.side is Side.CUSTOMER
    assert person.group == "Retail"
    assert person.language == "de"
    assert person.consent_at == NOW
    assert person.status is PersonStatus.ACTIVE
    assert world.last(7).get("reply_markup") is None


async def test_unknown_payload_falls_back_to_the_default_segment(world: World) -> None:
    world.sandbox.add_user(8, first_name="Max", language_code="fr")
    world.sandbox.press_start(8, payload="no-such-segment")
    await world.settled(lambda: len(world.sandbox.received(8)) == 1)
    greeting = world.last(8)
    assert "May we ask you?" in greeting["text"]  # fr falls back to the config's language

    world.sandbox.press_button(8, message_id=greeting["message_id"], text="Yes, ask me")
    await world.settled(lambda: "Thank you!" in world.last(8)["text"])
    person = await _person(world, 8)
    assert person is not None and person.group == "general" and person.language == "en"


async def test_declining_stores_nothing(world: World) -> None:
    world.sandbox.add_user(9, first_name="No")
    world.sandbox.press_start(9)
    await world.settled(lambda: len(world.sandbox.received(9)) == 1)
    world.sandbox.press_button(9, message_id=world.last(9)["message_id"], text="No, thanks")
    await world.settled(lambda: "Nothing about you is stored" in world.last(9)["text"])
    assert await _person(world, 9) is None


async def test_stop_cancels_pending_questions_and_start_resumes(world: World) -> None:
    customer = await world.customer(11)
    pulse = await world.repository.get_or_create_pulse(
        week=WEEK, side=Side.CUSTOMER, items=("recommend.customer",), opens_at=NOW,
        closes_at=NOW + dt.timedelta(days=7),
    )  # fmt: skip
    await world.repository.enqueue(
        [NewDelivery(pulse.id, customer.id, DeliveryKind.QUESTION, NOW + dt.timedelta(hours=1))]
    )

    world.sandbox.send_text(11, "/stop")
    await world.settled(lambda: "will not ask you anything more" in world.last(11)["text"])
    person = await _person(world, 11)
    assert person is not None and person.status is PersonStatus.OPTED_OUT
    counts = await world.repository.count_by_status()
    assert counts[DeliveryStatus.CANCELLED] == 1 and counts[DeliveryStatus.PENDING] == 0
    assert await world.repository.active_people(Side.CUSTOMER, now=NOW) == []

    world.sandbox.press_start(11)
    await world.settled(lambda: "Welcome back" in world.last(11)["text"])
    person = await _person(world, 11)
    assert person is not None and person.status is PersonStatus.ACTIVE

    world.sandbox.press_start(11)
    await world.settled(lambda: "already signed up" in world.last(11)["text"])


async def test_stop_from_a_stranger_says_nothing_is_stored(world: World) -> None:
    world.sandbox.add_user(12, first_name="Stranger")
    world.sandbox.send_text(12, "/stop")
    await world.settled(lambda: "not signed up" in world.last(12)["text"])
    assert await _person(world, 12) is None


async def test_commands_are_registered_in_english_and_german(world: World) -> None:
    async with bot_for(world.sandbox) as bot:
        assert isinstance(bot, Bot)
        english = await bot.get_my_commands(scope=BotCommandScopeDefault())
        german = await bot.get_my_commands(language_code="de")
    assert [c.command for c in english] == ["start", "stop", "delete", "mydata", "help"]
    assert [c.command for c in german] == ["start", "stop", "delete", "mydata", "help"]
    assert english[1].description == "No more questions"
    assert german[1].description == "Keine Fragen mehr"


async def test_a_database_failure_at_opt_in_says_try_again_and_loses_nothing(
    world: World,
) -> None:
    world.sandbox.add_user(12, first_name="Ida")
    world.sandbox.press_start(12)
    await world.settled(lambda: len(world.sandbox.received(12)) == 1)
    greeting = world.last(12)
    real = world.repository.upsert_person

    async def gone(**_: object) -> None:
        raise ConnectionError("the database went away")

    world.repository.upsert_person = gone  # type: ignore[method-assign]
    world.sandbox.press_button(12, message_id=greeting["message_id"], text="Yes, ask me")
    await world.settled(
        lambda: any("try again" in (a.get("text") or "") for a in world.sandbox.callback_answers())
    )
    assert await _person(world, 12) is None
    assert world.last(12)["text"] == greeting["text"]  # the buttons are still there

    world.repository.upsert_person = real  # type: ignore[method-assign]
    world.sandbox.press_button(12, message_id=greeting["message_id"], text="Yes, ask me")
    await world.settled(lambda: "Thank you!" in world.last(12)["text"])
    assert await _person(world, 12) is not None
