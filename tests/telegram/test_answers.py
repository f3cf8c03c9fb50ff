"""Answering with one tap: the message is edited to show what was recorded, then the comment."""

from __future__ import annotations

import datetime as dt

from pulse_mirror.surveys.callbacks import Choice, encode
from pulse_mirror.surveys.model import Side
from tests.reads import answer_histograms, read_comments
from tests.telegram.world import COMMENT_LIMIT, WEEK, World

TWO = ("recommend.customer", "satisfaction.customer")


def _buttons(message: dict[str, object]) -> list[list[str]]:
    markup = message.get("reply_markup")
    assert isinstance(markup, dict)
    return [[b["text"] for b in row] for row in markup["inline_keyboard"]]


async def test_question_shows_the_scale_in_two_rows_with_labelled_ends(world: World) -> None:
    customer = await world.customer(21)
    await world.deliver(customer, items=TWO)

    question = world.last(21)
    assert "How likely are you to recommend us" in question["text"]
    assert "0 = Not at all likely · 10 = Extremely likely" in question["text"]
    assert "Question 1 of 2" in question["text"]
    assert _buttons(question) == [
        ["0", "1", "2", "3", "4", "5"],
        ["6", "7", "8", "9", "10"],
        ["Skip"],
    ]


async def test_a_tap_is_recorded_and_the_message_shows_the_next_question(world: World) -> None:
    customer = await world.customer(22)
    delivery = await world.deliver(customer, items=TWO)
    message_id = world.last(22)["message_id"]

    world.sandbox.press_button(22, message_id=message_id, data=encode(Choice(delivery.token, 0, 9)))
    await world.settled(lambda: "Question 2 of 2" in world.last(22)["text"])

    edited = world.last(22)
    assert edited["message_id"] == message_id  # the same message, edited
    assert "✓ How likely are you to recommend us to a friend or colleague? — 9" in edited["text"]
    assert _buttons(edited) == [["1", "2", "3", "4", "5"], ["Skip"]]
    assert world.sandbox.callback_answers()[-1]["text"] == "Recorded: 9"
    assert await world.answers_of(22) == {"recommend.customer": 9}

    world.sandbox.press_button(22, message_id=message_id, data=encode(Choice(delivery.token, 1, 4)))
    await world.settled(lambda: "Thank you, that helps us a lot!" in world.last(22)["text"])
    assert _buttons(world.last(22)) == [["Add a comment"]]
    assert await world.answers_of(22) == {"recommend.customer": 9, "satisfaction.customer": 4}


async def test_a_double_tap_records_one_answer(world: World) -> None:
    customer = await world.customer(23)
    delivery = await world.deliver(customer)
    message_id = world.last(23)["message_id"]
    data = encode(Choice(delivery.token, 0, 7))

    world.sandbox.press_button(23, message_id=message_id, data=data)
    world.forge_tap(23, message_id=message_id, data=data)  # the same button again, at once
    await world.settled(lambda: len(world.sandbox.callback_answers()) == 2)

    histogram = await answer_histograms(world.repository, WEEK, Side.CUSTOMER)
    assert histogram == {"recommend.customer": {7: 1}}
    assert [a["text"] for a in world.sandbox.callback_answers()] == ["Recorded: 7"] * 2


async def test_skip_moves_on_and_stores_no_value(world: World) -> None:
    customer = await world.customer(24)
    delivery = await world.deliver(customer, items=TWO)
    world.sandbox.press_button(24, message_id=world.last(24)["message_id"], text="Skip")
    await world.settled(lambda: "Question 2 of 2" in world.last(24)["text"])
    assert world.sandbox.callback_answers()[-1]["text"] == "Skipped"
    assert await world.answers_of(24) == {"recommend.customer": None}
    assert delivery.token in str(world.last(24)["reply_markup"])


async def test_forged_unknown_and_foreign_buttons_store_nothing(world: World) -> None:
    customer = await world.customer(25)
    other = await world.customer(26)
    await world.deliver(customer)
    foreign = await world.deliver(other)
    message_id = world.last(25)["message_id"]

    for data in (
        "a:../../etc:0:1",  # malformed
        encode(Choice("UnknownToken123", 0, 5)),  # well-formed, no such delivery
        encode(Choice(foreign.token, 0, 5)),  # someone else's delivery
        encode(Choice(world.tokens[25], 0, 11)),  # off the scale
        "x" * 64,
    ):
        world.forge_tap(25, message_id=message_id, data=data)
    await world.settled(lambda: len(world.sandbox.callback_answers()) == 5)

    notices = sorted(a["text"] for a in world.sandbox.callback_answers())  # handled concurrently
    assert notices == ["This button is no longer valid."] * 4 + [
        "This survey was sent to someone else."
    ]
    assert await world.answers_of(25) == {}
    assert await world.answers_of(26) == {}
    assert "✓" not in world.last(25)["text"]  # the question was not edited


async def test_a_tap_after_the_window_says_the_survey_has_closed(world: World) -> None:
    customer = await world.customer(27)
    delivery = await world.deliver(customer)
    world.clock.advance(dt.timedelta(days=8).total_seconds())

    message_id = world.last(27)["message_id"]
    world.sandbox.press_button(27, message_id=message_id, data=encode(Choice(delivery.token, 0, 3)))
    await world.settled(lambda: "This survey has closed" in world.last(27)["text"])

    assert world.sandbox.callback_answers()[-1]["text"].startswith("This survey has closed")
    assert world.last(27).get("reply_markup") is None
    assert await world.answers_of(27) == {}


async def test_the_comment_is_the_next_text_message_with_a_length_limit(world: World) -> None:
    customer = await world.customer(28)
    await world.deliver(customer)
    message_id = world.last(28)["message_id"]
    world.sandbox.press_button(28, message_id=message_id, text="8")
    await world.settled(lambda: "Add a comment" in str(world.last(28).get("reply_markup")))

    world.sandbox.press_button(28, message_id=message_id, text="Add a comment")
    await world.settled(lambda: f"up to {COMMENT_LIMIT} characters" in world.last(28)["text"])

    world.sandbox.send_text(28, "x" * (COMMENT_LIMIT + 5))
    await world.settled(lambda: "the limit is" in world.last(28)["text"])
    assert world.last(28)["text"] == (
        f"That is {COMMENT_LIMIT + 5} characters; the limit is {COMMENT_LIMIT}. Please shorten it."
    )

    world.sandbox.send_text(28, "Faster answers, please")
    await world.settled(lambda: world.last(28)["text"] == "Thanks, your comment is saved.")
    comments = await read_comments(world.repository, WEEK, Side.CUSTOMER)
    assert [c.text for c in comments] == ["Faster answers, please"]

    world.sandbox.send_text(28, "and another thing")  # no comment awaited any more
    await world.settled(lambda: "Please answer with the buttons" in world.last(28)["text"])
    assert len(await read_comments(world.repository,
        WEEK, Side.CUSTOMER
    )) == 1  # fmt: skip
