"""Updates of different chats run side by side; one chat's run one after the other, in order."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from pulse_mirror.telegram.ordering import ChatOrder, chat_of


def _update(update_id: int, chat_id: int) -> Update:
    message = {
        "message_id": update_id,
        "date": 0,
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Ada"},
        "text": f"#{update_id}",
    }
    return Update.de_json({"update_id": update_id, "message": message}, None)


async def test_one_chat_in_order_other_chats_alongside() -> None:
    order = ChatOrder(8)
    running: set[int] = set()
    overlapped: list[tuple[int, ...]] = []
    finished: list[int] = []

    async def handle(update: Update, pause: float) -> None:
        running.add(update.update_id)
        overlapped.append(tuple(sorted(running)))
        await asyncio.sleep(pause)
        running.discard(update.update_id)
        finished.append(update.update_id)

    jobs: list[Any] = []
    for update_id, chat_id, pause in ((1, 7, 0.05), (2, 7, 0.0), (3, 8, 0.01)):
        update = _update(update_id, chat_id)
        jobs.append(order.process_update(update, handle(update, pause)))
    await asyncio.gather(*jobs)

    # Chat 7's second update waited for its slow first one; chat 8's ran alongside.
    assert finished == [3, 1, 2]
    assert (1, 3) in overlapped and not any({1, 2} <= set(seen) for seen in overlapped)
    assert order.waiting_chats == 0


async def test_updates_without_a_chat_are_not_held() -> None:
    order = ChatOrder(2)
    done: list[str] = []

    async def handle() -> None:
        done.append("ok")

    await order.process_update(object(), handle())
    assert done == ["ok"] and chat_of(object()) is None
    assert chat_of(_update(1, 42)) == 42


async def test_a_flood_from_one_chat_holds_one_slot_not_all() -> None:
    order = ChatOrder(4)
    release = asyncio.Event()
    other_done = asyncio.Event()
    busiest: list[int] = []

    async def slow() -> None:
        busiest.append(order.running)
        await release.wait()

    async def other() -> None:
        other_done.set()

    flood = [asyncio.create_task(order.process_update(_update(n, 7), slow())) for n in range(1, 41)]
    await asyncio.sleep(0.01)
    assert order.running == 1  # one running, 39 waiting without a slot
    elsewhere = asyncio.create_task(order.process_update(_update(99, 8), other()))
    await asyncio.wait_for(other_done.wait(), timeout=1.0)  # another chat is not starved
    release.set()
    await asyncio.gather(*flood, elsewhere)
    assert max(busiest) <= 2 and len(busiest) == 40
    assert order.waiting_chats == 0
