"""Forged and stale consent taps store nothing; a genuine one within seven days opts in."""

from __future__ import annotations

import datetime as dt

import pytest

from pulse_mirror.surveys.customers import Customers
from pulse_mirror.surveys.model import Platform
from pulse_mirror.telegram.consent import ConsentSeal, consent_key
from tests.telegram.hooks import stored_rows
from tests.telegram.world import World

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
REF = Customers.segment_ref("Retail")
SEAL = ConsentSeal(consent_key("123456:sandbox-token"))


def test_a_genuine_seal_names_its_segment_for_seven_days_in_that_chat_only() -> None:
    data = SEAL.issue(chat_id=42, segment_ref=REF, now=NOW)
    assert data.startswith("o:") and len(data.encode()) <= 64
    assert SEAL.check(data, chat_id=42, now=NOW) == REF
    assert SEAL.check(data, chat_id=42, now=NOW + dt.timedelta(days=7, hours=14)) == REF
    assert SEAL.check(data, chat_id=42, now=NOW + dt.timedelta(days=8, hours=15)) is None
    assert SEAL.check(data, chat_id=43, now=NOW) is None  # another person's prompt
    other = ConsentSeal(consent_key("654321:another-bot-token"))
    assert other.check(data, chat_id=42, now=NOW) is None  # another bot's prompt


@pytest.mark.parametrize(
    "forged",
    [
        f"o:{REF}",  # the old, unsealed form
        "o:" + "0" * 12 + ":20415:AAAAAAAAAAAAAAAA",
        "o::::",
        "o:" + "f" * 40,
        "o:\u00e9:1:" + "A" * 16,
    ],
)
def test_forged_payloads_are_refused(forged: str) -> None:
    assert SEAL.check(forged, chat_id=42, now=NOW) is None


def test_a_seal_with_another_segment_or_day_is_refused() -> None:
    data = SEAL.issue(chat_id=42, segment_ref=REF, now=NOW)
    _, ref, day, mac = data.split(":")
    other_ref = Customers.segment_ref("Business")
    assert SEAL.check(f"o:{other_ref}:{day}:{mac}", chat_id=42, now=NOW) is None
    assert SEAL.check(f"o:{ref}:{int(day) + 1}:{mac}", chat_id=42, now=NOW) is None


async def test_a_forged_consent_tap_asks_to_start_again_and_stores_nothing(world: World) -> None:
    world.sandbox.add_user(71, first_name="Eve")
    world.sandbox.press_start(71, payload="retail")
    await world.settled(lambda: len(world.sandbox.received(71)) == 1)
    prompt = world.last(71)
    for data in (f"o:{REF}", "o:" + "0" * 12 + ":20415:AAAAAAAAAAAAAAAA"):
        world.forge_tap(71, message_id=prompt["message_id"], data=data)
    await world.settled(lambda: len(world.sandbox.callback_answers()) == 2)
    assert all("send /start again" in a["text"] for a in world.sandbox.callback_answers())
    assert await stored_rows(world.repository) == 0
    assert world.last(71)["text"] == prompt["text"]  # the genuine buttons are still there

    world.sandbox.press_button(71, message_id=prompt["message_id"], text="Yes, ask me")
    await world.settled(lambda: "Thank you!" in world.last(71)["text"])
    person = await world.repository.find_person(platform=Platform.TELEGRAM, platform_user_id="71")
    assert person is not None and person.group == "Retail"


async def test_a_consent_button_older_than_seven_days_stores_nothing(world: World) -> None:
    world.sandbox.add_user(72, first_name="Late")
    world.sandbox.press_start(72)
    await world.settled(lambda: len(world.sandbox.received(72)) == 1)
    world.clock.advance(dt.timedelta(days=9))
    world.sandbox.press_button(72, message_id=world.last(72)["message_id"], text="Yes, ask me")
    await world.settled(lambda: len(world.sandbox.callback_answers()) == 1)
    assert "send /start again" in world.sandbox.callback_answers()[0]["text"]
    assert await stored_rows(world.repository) == 0


async def test_someone_elses_consent_button_does_not_opt_in_the_tapper(world: World) -> None:
    world.sandbox.add_user(73, first_name="Ann")
    world.sandbox.add_user(74, first_name="Bob", started=True)
    world.sandbox.press_start(73)
    await world.settled(lambda: len(world.sandbox.received(73)) == 1)
    anns = world.last(73)["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    world.sandbox.send_text(74, "/help")  # Bob needs a bot message to tap on
    await world.settled(lambda: len(world.sandbox.received(74)) == 1)
    world.forge_tap(74, message_id=world.last(74)["message_id"], data=anns)
    await world.settled(lambda: len(world.sandbox.callback_answers()) == 1)
    assert "send /start again" in world.sandbox.callback_answers()[0]["text"]
    assert await stored_rows(world.repository) == 0
