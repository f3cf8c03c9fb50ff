"""/mydata, /delete, and the awkward things people send: stickers, photos, edits, groups, blocks."""

from __future__ import annotations

import asyncio
import json

import httpx

from pulse_mirror.sandbox.faults import Fault
from pulse_mirror.surveys.model import PersonStatus, Platform, Side
from tests.reads import answer_histograms
from tests.telegram.world import WEEK, World


async def _download_document(world: World, message: dict[str, object]) -> dict[str, object]:
    """Fetch the document the bot sent, as the person's app would."""
    async with httpx.AsyncClient() as client:
        file_id = message["document"]["file_id"]  # type: ignore[index]
        meta = await client.post(f"{world.sandbox.api_url}{world.sandbox.token}/getFile",
                                 json={"file_id": file_id})  # fmt: skip
        path = meta.json()["result"]["file_path"]
        body = await client.get(f"{world.sandbox.file_url}{world.sandbox.token}/{path}")
    return json.loads(body.content)


async def test_mydata_sends_everything_stored_as_a_json_document(world: World) -> None:
    customer = await world.customer(31)
    await world.deliver(customer)
    world.sandbox.press_button(31, message_id=world.last(31)["message_id"], text="6")
    await world.settled(lambda: "Thank you" in world.last(31)["text"])

    world.sandbox.send_text(31, "/mydata")
    await world.settled(lambda: "document" in world.last(31))

    message = world.last(31)
    assert message["caption"] == "Everything we store about you."
    document = await _download_document(world, message)
    assert document["person"]["platform_user_id"] == "31"  # type: ignore[index]
    assert document["person"]["segment"] == "Retail"  # type: ignore[index]
    assert document["answers"] == [
        {"week": "2026-W48", "item": "recommend.customer", "value": 6, "group": "Retail"}
    ]


async def test_mydata_waits_out_429s_and_says_so_when_telegram_stays_busy(world: World) -> None:
    await world.customer(38)
    busy = Fault("status", status=429, retry_after=1)
    world.sandbox.inject_fault("sendDocument", busy, times=2)
    world.sandbox.send_text(38, "/mydata")
    await world.settled(lambda: "document" in world.last(38))  # the third try went through
    assert len(world.sandbox.received(38)) == 1

    world.sandbox.inject_fault("sendDocument", busy, times=5)  # busy on every try
    world.sandbox.send_text(38, "/mydata")
    await world.settled(lambda: "/mydata again" in world.last(38).get("text", ""))
    assert len(world.sandbox.received(38)) == 2  # the first document and the notice, once


async def test_mydata_from_a_stranger_says_nothing_is_stored(world: World) -> None:
    world.sandbox.add_user(32, first_name="New")
    world.sandbox.send_text(32, "/mydata")
    await world.settled(lambda: "nothing about you is stored" in world.last(32)["text"])


async def test_delete_asks_first_then_erases_the_customer_and_their_answers(world: World) -> None:
    customer = await world.customer(33)
    await world.deliver(customer)
    world.sandbox.press_button(33, message_id=world.last(33)["message_id"], text="2")
    await world.settled(lambda: "Thank you" in world.last(33)["text"])

    world.sandbox.send_text(33, "/delete")
    await world.settled(lambda: "Delete everything" in world.last(33)["text"])
    world.sandbox.press_button(33, message_id=world.last(33)["message_id"], text="No, keep it")
    await world.settled(lambda: world.last(33)["text"] == "Nothing was deleted.")
    assert await world.repository.get_person(customer.id) is not None

    world.sandbox.send_text(33, "/delete")
    await world.settled(lambda: "Delete everything" in world.last(33)["text"])
    world.sandbox.press_button(
        33, message_id=world.last(33)["message_id"], text="Yes, delete everything"
    )
    await world.settled(lambda: world.last(33)["text"].startswith("Deleted:"))

    assert await world.repository.get_person(customer.id) is None
    assert await world.repository.delivery_by_token(world.tokens[33]) is None
    assert await answer_histograms(world.repository, WEEK, Side.CUSTOMER) == {}


async def test_stickers_and_photos_get_a_polite_reply(world: World) -> None:
    world.sandbox.add_user(34, first_name="Emoji", language_code="de")
    world.sandbox.send_sticker(34)
    await world.settled(lambda: "nur Text lesen" in world.last(34)["text"])
    world.sandbox.send_photo(34, caption="look")
    await world.settled(lambda: len(world.sandbox.received(34)) == 2)
    assert all("nur Text lesen" in m["text"] for m in world.sandbox.received(34))


async def test_an_unknown_command_points_to_help(world: World) -> None:
    world.sandbox.add_user(37, first_name="Curious", language_code="de")
    world.sandbox.send_text(37, "/settings")
    await world.settled(lambda: len(world.sandbox.received(37)) == 1)
    assert "Diesen Befehl kenne ich nicht" in world.last(37)["text"]
    assert "/help" in world.last(37)["text"]
    found = await world.repository.find_person(platform=Platform.TELEGRAM, platform_user_id="37")
    assert found is None  # nothing stored about them


async def test_edits_and_group_chats_are_ignored(world: World) -> None:
    world.sandbox.add_user(35, first_name="Editor")
    world.sandbox.send_text(35, "/help")
    await world.settled(lambda: "/mydata" in world.last(35)["text"])
    mine = world.sandbox.runtime.state.messages[35][0]  # the person's own /help message

    world.sandbox.edit_text(35, message_id=mine.message_id, text="/stop")
    world.sandbox.send_group_message(-100, user_id=35, text="/start")
    world.sandbox.send_group_message(-100, user_id=35, text="hello bot")
    world.sandbox.send_text(35, "/help")  # a marker: handled after the ignored updates
    await world.settled(lambda: len(world.sandbox.received(35)) >= 2)
    assert len(world.sandbox.received(35)) == 2

    assert world.sandbox.received(-100) == []
    assert all("/mydata" in m["text"] for m in world.sandbox.received(35))


async def test_blocking_the_bot_marks_the_customer_blocked(world: World) -> None:
    customer = await world.customer(36)
    world.sandbox.block(36)
    await world.settled(lambda: not world.sandbox.pending_updates())
    for _ in range(3000):
        person = await world.repository.get_person(customer.id)
        if person is not None and person.status is PersonStatus.BLOCKED:
            break
        await asyncio.sleep(0.01)
    assert person is not None and person.status is PersonStatus.BLOCKED
