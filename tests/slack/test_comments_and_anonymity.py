"""Comments through the modal, and anonymity in storage once the window has closed."""

from __future__ import annotations

from typing import Any

from pulse_mirror.slack.blocks import COMMENT_BLOCK, COMMENT_INPUT
from pulse_mirror.storage.tables import answer, comment
from pulse_mirror.surveys.callbacks import Choice, CommentRequest, encode
from pulse_mirror.surveys.model import Side
from tests.reads import close_window, read_comments
from tests.slack.conftest import SlackBot
from tests.slack.support import WEEK, eventually, rows


async def _open_modal(bot: SlackBot, user: Any, token: str) -> str:
    await bot.sandbox.click(user.id, action_id="pulse_comment", value=encode(CommentRequest(token)))

    async def opened() -> bool:
        return bool(bot.sandbox.received(user.id)["views"])

    await eventually(opened, what="the comment modal")
    [view] = bot.sandbox.received(user.id)["views"]
    return str(view["id"])


async def test_an_empty_or_too_long_comment_is_refused_inside_the_modal(
    slack_bot: SlackBot,
) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    view_id = await _open_modal(slack_bot, ada, sent.token)

    for written, reason in (("   ", "empty"), ("x" * 41, "41 characters; the limit is 40")):
        reply = await slack_bot.sandbox.submit_view(
            ada.id, view_id, {COMMENT_BLOCK: {COMMENT_INPUT: written}}
        )
        answer = reply.json()
        assert answer["response_action"] == "errors"
        assert reason in answer["errors"][COMMENT_BLOCK]
    assert await rows(slack_bot.repository.engine, "comment") == []
    assert slack_bot.sandbox.received(ada.id)["views"][0]["closed"] is False


async def test_a_comment_is_stored_and_the_message_no_longer_offers_one(
    slack_bot: SlackBot,
) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    view_id = await _open_modal(slack_bot, ada, sent.token)

    reply = await slack_bot.sandbox.submit_view(
        ada.id, view_id, {COMMENT_BLOCK: {COMMENT_INPUT: "Answer tickets faster"}}
    )

    assert reply.status == 200 and reply.json() is None  # a plain ack closes the modal
    [stored] = await read_comments(slack_bot.repository, WEEK, Side.EMPLOYEE)
    assert stored.text == "Answer tickets faster"

    async def updated() -> bool:
        return "pulse_comment" not in str(slack_bot.message(ada)["blocks"])

    await eventually(updated, what="the message without the comment button")


async def test_after_the_window_closes_no_answer_can_be_traced_to_a_person(
    slack_bot: SlackBot,
) -> None:
    people = [slack_bot.sandbox.add_user(name=f"p{n}") for n in range(3)]
    for number, user in enumerate(people):
        sent = await slack_bot.send(user)
        await slack_bot.sandbox.click(
            user.id,
            action_id=f"pulse_answer_{number + 1}",
            value=encode(Choice(sent.token, 0, number + 1)),
        )
        view_id = await _open_modal(slack_bot, user, sent.token)
        await slack_bot.sandbox.submit_view(
            user.id, view_id, {COMMENT_BLOCK: {COMMENT_INPUT: f"idea {number}"}}
        )
    engine = slack_bot.repository.engine

    async def all_stored() -> bool:
        return len(await rows(engine, "answer")) == 3

    await eventually(all_stored, what="three answers")
    assert len(await rows(engine, "ballot")) == 6  # the short-lived links exist while open

    await close_window(slack_bot.repository, sent.pulse.id)

    assert await rows(engine, "ballot") == []
    answers, comments = await rows(engine, "answer"), await rows(engine, "comment")
    for row in [*answers, *comments]:
        assert row["respondent_id"] is None
        assert row["week"] == str(WEEK)  # the week, never the exact time
        assert set(row) <= {"id", "item", "side", "week", "value", "group", "text", "respondent_id"}
    # The only way from an answer to anyone is respondent_id (always empty for employees);
    # nothing points from an answer to a message, and the ids are random, not a sequence.
    for table in (answer, comment):
        assert {fk.column.table.name for fk in table.foreign_keys} == {"person"}
    assert all(len(row["id"]) == 32 for row in answers)
    assert sorted(r["value"] for r in answers) == [1, 2, 3]
