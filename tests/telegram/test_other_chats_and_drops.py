"""Taps whose confirmation is lost on the way, old messages, region codes, groups and channels."""

from __future__ import annotations

import pytest

from pulse_mirror.sandbox.faults import Fault
from tests.telegram.hooks import captured_log, stored_rows
from tests.telegram.world import World

BOT = "pulse_mirror.telegram"


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageText"])
@pytest.mark.parametrize("fault", [Fault("drop"), Fault("status", status=502)])
async def test_a_dropped_confirmation_keeps_the_answer_and_logs_one_line(
    world: World, method: str, fault: Fault
) -> None:
    customer = await world.customer(81)
    await world.deliver(customer)
    world.sandbox.inject_fault(method, fault)
    with captured_log(only=BOT) as stream:  # the stand-in logs its own side of a drop
        world.sandbox.press_button(81, message_id=world.last(81)["message_id"], text="9")
        await world.settled(lambda: not world.sandbox.runtime.faults.pending())
        await world.settled(lambda: "Thank you" in world.last(81)["text"])  # edit retried
    assert await world.answers_of(81) == {"recommend.customer": 9}
    log = stream.getvalue()
    assert "handler failed" not in log and "Traceback" not in log
    assert log.count("\n") <= 1, log
    if method == "answerCallbackQuery":
        assert "could not answer a callback query" in log


async def test_a_confirmation_that_times_out_keeps_the_answer(world: World) -> None:
    customer = await world.customer(82)
    await world.deliver(customer)
    world.sandbox.inject_fault("answerCallbackQuery", Fault("timeout", delay=8))
    with captured_log(only=BOT) as stream:
        world.sandbox.press_button(82, message_id=world.last(82)["message_id"], text="3")
        await world.settled(lambda: "Thank you" in world.last(82)["text"])
        await world.settled(lambda: "could not answer" in stream.getvalue(), timeout=15)
    assert await world.answers_of(82) == {"recommend.customer": 3}
    assert stream.getvalue().count("\n") == 1 and "Timed out" in stream.getvalue()


async def test_a_tap_on_an_inaccessible_message_is_answered_and_recorded(world: World) -> None:
    customer = await world.customer(83)
    await world.deliver(customer)
    question = world.last(83)["message_id"]
    world.sandbox.age_message(83, message_id=question, seconds=3 * 24 * 3600)
    update = world.sandbox.press_button(83, message_id=question, text="7")
    assert update["callback_query"]["message"] == {
        "chat": {"id": 83, "first_name": "C83", "type": "private"},
        "message_id": question,
        "date": 0,
    }
    await world.settled(lambda: len(world.sandbox.callback_answers()) == 1)
    assert await world.answers_of(83) == {"recommend.customer": 7}
    await world.settled(lambda: "Thank you" in world.last(83)["text"])


@pytest.mark.parametrize(
    ("code", "greeting"),
    [("en-GB", "May we ask you?"), ("de-AT", "Dürfen wir Sie fragen?"),
     ("pt-br", "May we ask you?"), ("DE-ch", "Dürfen wir Sie fragen?")],
)  # fmt: skip
async def test_region_language_codes_map_to_a_supported_language(
    world: World, code: str, greeting: str
) -> None:
    world.sandbox.add_user(84, first_name="Region", language_code=code)
    update = world.sandbox.press_start(84)
    assert update["message"]["from"]["language_code"] == code
    await world.settled(lambda: len(world.sandbox.received(84)) == 1)
    assert greeting in world.last(84)["text"]


async def test_supergroups_forum_topics_and_channels_are_ignored(world: World) -> None:
    world.sandbox.runtime.queue.allowed = None  # also hear channel posts (not asked for)
    world.sandbox.add_user(85, first_name="Group", started=True)
    with captured_log() as stream:
        world.sandbox.send_supergroup_message(-1001, user_id=85, text="/start")
        world.sandbox.send_supergroup_message(-1002, user_id=85, text="/help", topic=5)
        world.sandbox.send_supergroup_message(-1002, user_id=85, text="hello", topic=5)
        world.sandbox.post_in_channel(-1003, text="/start")
        world.sandbox.send_text(85, "/help")  # a marker, handled after the others
        await world.settled(lambda: len(world.sandbox.received(85)) == 1)
    for chat in (-1001, -1002, -1003):
        assert world.sandbox.received(chat) == []
    assert "handler failed" not in stream.getvalue()
    assert await stored_rows(world.repository) == 0
