"""Answering in Slack end to end: signed clicks into the real Bolt app, stored once, confirmed."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from pulse_mirror.sandbox.faults import Fault
from pulse_mirror.sandbox.slack import Signing
from pulse_mirror.surveys.callbacks import Choice, Skip, encode
from pulse_mirror.surveys.model import Side
from tests.reads import answer_histograms
from tests.slack.conftest import SlackBot
from tests.slack.support import WEEK, eventually, rows


def _texts(message: dict[str, Any]) -> str:
    return str(message["blocks"])


def _buttons(message: dict[str, Any]) -> list[str]:
    return [
        element["action_id"]
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


async def _stored(bot: SlackBot) -> dict[str, dict[int, int]]:
    return await answer_histograms(bot.repository, WEEK, Side.EMPLOYEE)


async def test_a_click_is_acked_stored_and_the_message_shows_it_with_the_next_question(
    slack_bot: SlackBot,
) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    first = slack_bot.message(ada)
    assert "anonymous" in _texts(first) and "at least 5" in _texts(first)
    assert "Question 1 of 2" in _texts(first)

    reply = await slack_bot.sandbox.click(
        ada.id, action_id="pulse_answer_5", value=encode(Choice(sent.token, 0, 5))
    )

    assert reply.status == 200
    await eventually(lambda: _confirmed(slack_bot, ada, 5), what="the update")
    assert await _stored(slack_bot) == {"effort.employee": {5: 1}}
    updated = slack_bot.message(ada)
    assert "Question 2 of 2" in _texts(updated)
    assert "pulse_answer_10" in _buttons(updated)  # the 0-10 question is next


async def _has(bot: SlackBot, user: Any, snippet: str) -> bool:
    return snippet in _texts(bot.message(user))


_DONE = ":white_check_mark:"  # the DM's line for a question answered (never with the value)


async def _confirmed(bot: SlackBot, user: Any, value: int) -> bool:
    """The DM shows the question as answered, without the value; a private note shows it."""
    shown = _texts(bot.message(user))
    notes = [note["text"] for note in bot.sandbox.received(user.id)["ephemeral"]]
    assert "Recorded" not in shown, "the DM must never keep the value given"
    return _DONE in shown and any(f"Recorded: {value}." in note for note in notes)


async def test_answering_every_question_thanks_and_says_when_results_are_shared(
    slack_bot: SlackBot,
) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    await slack_bot.sandbox.click(ada.id, action_id="pulse_skip", value=encode(Skip(sent.token, 0)))
    await eventually(lambda: _has(slack_bot, ada, "Skipped"), what="the skip")
    await slack_bot.sandbox.click(
        ada.id, action_id="pulse_answer_9", value=encode(Choice(sent.token, 1, 9))
    )
    await eventually(lambda: _has(slack_bot, ada, "Thank you!"), what="the thanks")

    final = slack_bot.message(ada)
    assert "at least 5 people" in _texts(final)
    assert "pulse_skip" not in _buttons(final)
    assert not any(b.startswith("pulse_answer_") for b in _buttons(final))
    assert await _stored(slack_bot) == {"recommend.employee": {9: 1}}


async def test_double_clicks_retries_and_racing_clicks_store_exactly_one_answer(
    slack_bot: SlackBot,
) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    value = encode(Choice(sent.token, 0, 4))

    racing = await asyncio.gather(
        *(
            slack_bot.sandbox.click(ada.id, action_id="pulse_answer_4", value=value)
            for _ in range(4)
        )
    )
    await eventually(lambda: _confirmed(slack_bot, ada, 4), what="the update")
    # Slack's retries of a click already handled, and one that arrives late in between.
    retried = [await slack_bot.sandbox.replay(racing[0], retry_num=n) for n in (1, 2)]

    assert {r.status for r in [*racing, *retried]} == {200}
    await asyncio.sleep(0.2)  # let the redelivered requests' work after the ack finish
    assert await _stored(slack_bot) == {"effort.employee": {4: 1}}
    assert len(await rows(slack_bot.repository.engine, "answer")) == 1


async def test_a_forged_or_stale_signature_gets_401_and_changes_nothing(
    slack_bot: SlackBot,
) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    value = encode(Choice(sent.token, 0, 6))
    for signing in (Signing(secret="wrong"), Signing(age=600), Signing(tamper=True)):
        reply = await slack_bot.sandbox.click(
            ada.id, action_id="pulse_answer_6", value=value, signing=signing
        )
        assert reply.status == 401
    assert await _stored(slack_bot) == {}
    assert _DONE not in _texts(slack_bot.message(ada))


async def test_a_click_after_the_window_closed_is_refused_and_stores_nothing(
    slack_bot: SlackBot,
) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    slack_bot.clock.current += dt.timedelta(days=4)

    await slack_bot.sandbox.click(
        ada.id, action_id="pulse_answer_3", value=encode(Choice(sent.token, 0, 3))
    )

    await eventually(lambda: _has(slack_bot, ada, "has closed"), what="the closed note")
    assert _buttons(slack_bot.message(ada)) == []
    assert await _stored(slack_bot) == {}


def _button_message(action_id: str, value: str) -> list[dict[str, Any]]:
    button = {
        "type": "button",
        "action_id": action_id,
        "value": value,
        "text": {"type": "plain_text", "text": "x"},
    }
    return [{"type": "actions", "elements": [button]}]


async def test_tampered_buttons_and_someone_elses_buttons_are_refused_politely(
    slack_bot: SlackBot,
) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    bob = slack_bot.sandbox.add_user(name="bob")
    sent = await slack_bot.send(ada)
    client = slack_bot.runtime.app.client
    forged = [
        (bob, "pulse_answer_5", "a:notarealtoken1:0:5"),  # a token nobody was given
        (bob, "pulse_answer_5", "drop table answer"),  # not our payload at all
        (bob, "pulse_answer_3", encode(Choice(sent.token, 0, 3))),  # ada's button, clicked by bob
        (ada, "pulse_answer_99", encode(Choice(sent.token, 0, 99))),  # off the scale
    ]
    for user, action_id, value in forged:
        await client.chat_postMessage(
            channel=user.id, text="q", blocks=_button_message(action_id, value)
        )
        reply = await slack_bot.sandbox.click(user.id, action_id=action_id, value=value)
        assert reply.status == 200

    def said(user: Any) -> list[str]:
        return [m["text"] for m in slack_bot.sandbox.received(user.id)["ephemeral"]]

    async def notes() -> bool:
        return len(said(bob)) == 3 and len(said(ada)) == 1

    await eventually(notes, what="a note for each refused click")
    assert sorted(said(bob)) == [
        "This button is no longer valid.",
        "This button is no longer valid.",
        "This survey was sent to someone else.",
    ]
    assert said(ada) == ["This button is no longer valid."]
    assert await _stored(slack_bot) == {}


async def test_a_store_failure_asks_to_try_again_and_leaves_the_buttons(
    slack_bot: SlackBot, monkeypatch: Any
) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    before = slack_bot.message(ada)["blocks"]

    async def broken(**_: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(slack_bot.repository, "record_answer", broken)
    await slack_bot.sandbox.click(
        ada.id, action_id="pulse_answer_2", value=encode(Choice(sent.token, 0, 2))
    )

    async def told() -> bool:
        return bool(slack_bot.sandbox.received(ada.id)["ephemeral"])

    await eventually(told, what="the try-again note")
    [note] = slack_bot.sandbox.received(ada.id)["ephemeral"]
    assert "try again" in note["text"]
    assert slack_bot.message(ada)["blocks"] == before
    monkeypatch.undo()

    await slack_bot.sandbox.click(
        ada.id, action_id="pulse_answer_2", value=encode(Choice(sent.token, 0, 2))
    )
    await eventually(lambda: _confirmed(slack_bot, ada, 2), what="the second try")
    assert await _stored(slack_bot) == {"effort.employee": {2: 1}}


async def test_a_slack_error_on_the_update_never_loses_the_stored_answer(
    slack_bot: SlackBot,
) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    slack_bot.sandbox.inject_fault("response_url", Fault(kind="status", status=500))
    slack_bot.sandbox.inject_fault("chat.update", Fault(kind="status", status=500))

    reply = await slack_bot.sandbox.click(
        ada.id, action_id="pulse_answer_6", value=encode(Choice(sent.token, 0, 6))
    )

    async def update_failed() -> bool:
        return not slack_bot.sandbox.faults.pending()

    await eventually(update_failed, what="the failed chat.update")
    assert reply.status == 200
    assert await _stored(slack_bot) == {"effort.employee": {6: 1}}
    assert _DONE not in _texts(slack_bot.message(ada))
    # The buttons are still there: clicking again shows the answer and counts nothing twice.
    await slack_bot.sandbox.click(
        ada.id, action_id="pulse_answer_6", value=encode(Choice(sent.token, 0, 6))
    )
    await eventually(lambda: _confirmed(slack_bot, ada, 6), what="the update")
    assert await _stored(slack_bot) == {"effort.employee": {6: 1}}


async def test_a_click_is_confirmed_through_its_response_url_not_chat_update(
    slack_bot: SlackBot,
) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    await slack_bot.sandbox.click(
        ada.id, action_id="pulse_answer_5", value=encode(Choice(sent.token, 0, 5))
    )
    await eventually(lambda: _confirmed(slack_bot, ada, 5), what="the confirmation")
    assert "chat.update" not in [c.method for c in slack_bot.sandbox.calls]


async def test_a_refused_response_url_falls_back_to_chat_update(slack_bot: SlackBot) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    slack_bot.sandbox.inject_fault("response_url", Fault(kind="status", status=404))
    await slack_bot.sandbox.click(
        ada.id, action_id="pulse_answer_2", value=encode(Choice(sent.token, 0, 2))
    )
    await eventually(lambda: _confirmed(slack_bot, ada, 2), what="the confirmation")
    assert [c.method for c in slack_bot.sandbox.calls].count("chat.update") == 1
    assert await _stored(slack_bot) == {"effort.employee": {2: 1}}
