"""The awaited comment is stored: it outlives a restart, expires, ends with /stop and /delete."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.storage.tables import comment_wait
from pulse_mirror.surveys.callbacks import CommentRequest, encode
from pulse_mirror.surveys.model import Side
from tests.outbox.helpers import jobs
from tests.reads import read_comments
from tests.telegram.test_rights_and_awkward_input import _download_document
from tests.telegram.world import COMMENT_LIMIT, WEEK, World, build_world

PROMPT = f"up to {COMMENT_LIMIT} characters"
SAVED = "Thanks, your comment is saved."
TRY_AGAIN = "Please try again in a moment."
USE_BUTTONS = "Please answer with the buttons"


async def _ask_for_comment(world: World, user_id: int) -> int:
    """The customer answers the question, then taps "Add a comment"; returns the message id."""
    customer = await world.customer(user_id)
    await world.deliver(customer)
    message_id = int(world.last(user_id)["message_id"])
    world.sandbox.press_button(user_id, message_id=message_id, text="8")
    await world.settled(lambda: "Add a comment" in str(world.last(user_id).get("reply_markup")))
    world.sandbox.press_button(user_id, message_id=message_id, text="Add a comment")
    await world.settled(lambda: PROMPT in world.last(user_id)["text"])
    return message_id


async def _waits(world: World) -> list[dt.datetime]:
    async with world.repository.engine.connect() as connection:
        rows = await connection.execute(sa.select(comment_wait.c.expires_at))
        return [row.expires_at for row in rows]


async def _comments(world: World) -> list[str]:
    return [c.text for c in await read_comments(world.repository, WEEK, Side.CUSTOMER)]


def _answered(world: World, notice: str) -> bool:
    return any(notice in (a.get("text") or "") for a in world.sandbox.callback_answers())


async def test_a_comment_awaited_before_a_restart_is_stored_after_it(
    world: World, telegram_sandbox: TelegramSandbox
) -> None:
    await _ask_for_comment(world, 41)
    await world.runtime.stop()  # the bot restarts: a new Application, the same database

    restarted = await build_world(telegram_sandbox, world.repository, clock=world.clock)
    try:
        telegram_sandbox.send_text(41, "Written after the restart")
        await restarted.settled(lambda: restarted.last(41)["text"] == SAVED)
    finally:
        await restarted.runtime.stop()

    assert await _comments(world) == ["Written after the restart"]
    assert await _waits(world) == []


async def test_an_expired_wait_is_not_used_and_is_deleted(world: World) -> None:
    tapped = world.clock.now()  # the stand-in's pace moves the test clock on a little
    await _ask_for_comment(world, 42)
    [until] = await _waits(world)
    assert (
        tapped + dt.timedelta(minutes=30) <= until <= world.clock.now() + dt.timedelta(minutes=30)
    )

    world.clock.current = until
    world.sandbox.send_text(42, "Too late for a comment")
    await world.settled(lambda: USE_BUTTONS in world.last(42)["text"])

    assert await _comments(world) == []
    assert await _waits(world) == []


async def test_mydata_lists_the_awaited_comment(world: World) -> None:
    await _ask_for_comment(world, 43)

    world.sandbox.send_text(43, "/mydata")
    await world.settled(lambda: "document" in world.last(43))

    document = await _download_document(world, world.last(43))
    [until] = await _waits(world)
    assert document["comment_awaited"] == [
        {"week": str(WEEK), "kind": "question", "until": until.isoformat()}
    ]


async def test_delete_erases_the_awaited_comment(world: World) -> None:
    await _ask_for_comment(world, 44)

    world.sandbox.send_text(44, "/delete")
    await world.settled(lambda: "Delete everything" in world.last(44)["text"])
    world.sandbox.press_button(
        44, message_id=world.last(44)["message_id"], text="Yes, delete everything"
    )
    await world.settled(lambda: world.last(44)["text"].startswith("Deleted:"))
    assert await _waits(world) == []

    world.sandbox.send_text(44, "A comment after deleting")
    await world.settled(lambda: USE_BUTTONS in world.last(44)["text"])
    assert await _comments(world) == []


async def test_stop_ends_the_awaited_comment(world: World) -> None:
    await _ask_for_comment(world, 45)

    world.sandbox.send_text(45, "/stop")
    await world.settled(lambda: len(world.sandbox.received(45)) >= 3)
    assert await _waits(world) == []

    world.sandbox.send_text(45, "A comment after stopping")
    await world.settled(lambda: USE_BUTTONS in world.last(45)["text"])
    assert await _comments(world) == []


async def test_someone_elses_comment_button_awaits_nothing(world: World) -> None:
    await world.deliver(await world.customer(46))
    await world.deliver(await world.customer(47))
    theirs = encode(CommentRequest(world.tokens[47]))

    world.forge_tap(46, message_id=world.last(46)["message_id"], data=theirs)
    await world.settled(lambda: _answered(world, "This survey was sent to someone else."))
    assert await _waits(world) == []
    assert PROMPT not in world.last(46)["text"]


async def test_a_database_gone_while_recording_the_wait_says_try_again(world: World) -> None:
    customer = await world.customer(48)
    await world.deliver(customer)
    message_id = world.last(48)["message_id"]
    world.sandbox.press_button(48, message_id=message_id, text="8")
    await world.settled(lambda: "Add a comment" in str(world.last(48).get("reply_markup")))
    real = world.repository.set_comment_wait

    async def gone(**_: object) -> None:
        raise ConnectionError("the database went away")

    world.repository.set_comment_wait = gone  # type: ignore[method-assign]
    world.sandbox.press_button(48, message_id=message_id, text="Add a comment")
    await world.settled(lambda: _answered(world, TRY_AGAIN))
    assert PROMPT not in world.last(48)["text"]  # no prompt promises a wait not recorded
    assert await _waits(world) == []

    world.repository.set_comment_wait = real  # type: ignore[method-assign]
    world.sandbox.press_button(48, message_id=message_id, text="Add a comment")
    await world.settled(lambda: PROMPT in world.last(48)["text"])
    world.sandbox.send_text(48, "Now it works")
    await world.settled(lambda: world.last(48)["text"] == SAVED)
    assert await _comments(world) == ["Now it works"]


async def test_a_database_gone_while_reading_the_wait_says_try_again_and_keeps_it(
    world: World,
) -> None:
    await _ask_for_comment(world, 49)
    real_read, real_record = world.repository.comment_wait_token, world.repository.record_comment

    async def gone(*_: object, **__: object) -> None:
        raise ConnectionError("the database went away")

    world.repository.comment_wait_token = gone  # type: ignore[method-assign]
    world.sandbox.send_text(49, "First try")
    await world.settled(lambda: TRY_AGAIN in world.last(49)["text"])
    world.repository.comment_wait_token = real_read  # type: ignore[method-assign]

    world.repository.record_comment = gone  # type: ignore[method-assign, assignment]
    world.sandbox.send_text(49, "Second try")
    await world.settled(lambda: len(world.sandbox.received(49)) >= 4)
    assert TRY_AGAIN in world.last(49)["text"]
    world.repository.record_comment = real_record  # type: ignore[method-assign]

    assert len(await _waits(world)) == 1  # still awaited: nothing is lost
    world.sandbox.send_text(49, "Third try")
    await world.settled(lambda: world.last(49)["text"] == SAVED)
    assert await _comments(world) == ["Third try"]
    assert await _waits(world) == []


async def test_the_housekeeping_job_deletes_waits_nobody_came_back_for(world: World) -> None:
    await _ask_for_comment(world, 50)
    [expired] = await _waits(world)
    world.clock.current = expired - dt.timedelta(minutes=10)
    await _ask_for_comment(world, 51)
    housekeeping = jobs(world.repository, clock=world.clock, dispatchers=[])

    world.clock.current = expired
    await housekeeping.close_windows()

    [kept] = await _waits(world)  # customer 51's, which has 20 minutes to go
    assert kept > expired
    world.sandbox.send_text(50, "Gone by now")
    world.sandbox.send_text(51, "Still awaited")
    await world.settled(lambda: world.last(51)["text"] == SAVED)
    await world.settled(lambda: USE_BUTTONS in world.last(50)["text"])
    assert await _comments(world) == ["Still awaited"]
