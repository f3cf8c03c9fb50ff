"""A captured click re-sent after a change (or a restart) does not bring back the old value."""

from __future__ import annotations

from pulse_mirror.sandbox.slack.delivery import Sent
from pulse_mirror.surveys.callbacks import Choice, encode
from pulse_mirror.surveys.model import Side
from tests.reads import answer_histograms
from tests.slack.conftest import SlackBot
from tests.slack.support import WEEK, eventually


async def _stored(bot: SlackBot) -> dict[str, dict[int, int]]:
    return await answer_histograms(bot.repository, WEEK, Side.EMPLOYEE)


async def test_a_replayed_click_is_not_applied_again(slack_bot: SlackBot) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    click = slack_bot.sandbox.click
    three = await click(ada.id, action_id="pulse_answer_3", value=encode(Choice(sent.token, 0, 3)))

    async def stored(expected: dict[str, dict[int, int]]) -> bool:
        return await _stored(slack_bot) == expected

    await eventually(lambda: stored({"effort.employee": {3: 1}}), what="the first click")
    # A change of mind: the same button row clicked again later (the message moved on to the
    # next question, so the click is sent as Slack would send it from the earlier view).
    action = three.sent.payload["actions"][0]
    later = {**action, "action_id": "pulse_answer_2", "value": encode(Choice(sent.token, 0, 2)),
             "action_ts": f"{float(action['action_ts']) + 1:.6f}"}  # fmt: skip
    change = Sent(kind=three.sent.kind, payload={**three.sent.payload, "actions": [later]})
    assert (await slack_bot.sandbox.deliverer.send(change)).status == 200
    await eventually(lambda: stored({"effort.employee": {2: 1}}), what="the change")

    # The same signed body again, as an attacker who captured it would send it: the process
    # keeps nothing in memory about it, so this is what a restarted bot or a replica sees.
    replayed = await slack_bot.sandbox.deliverer.send(three.sent)
    assert replayed.status == 200
    assert slack_bot.runtime.intake is not None
    await slack_bot.runtime.intake.drain()
    assert await _stored(slack_bot) == {"effort.employee": {2: 1}}
