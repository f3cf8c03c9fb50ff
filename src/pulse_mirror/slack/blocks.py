"""Pure Block Kit builders: a pulse message, the comment modal and the App Home; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulse_mirror.slack.texts import local_moment, slack_text
from pulse_mirror.surveys.callbacks import Choice, CommentRequest, Skip, encode
from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.employees import MAX_PAUSE_WEEKS, HomeState
from pulse_mirror.surveys.model import Item, PersonStatus
from pulse_mirror.surveys.texts import text

Block = dict[str, Any]

ANSWER_PREFIX = "pulse_answer_"  # + the value: action_ids must differ inside one block
ANSWER_PATTERN = r"^pulse_answer_\d+$"
SKIP = "pulse_skip"
COMMENT = "pulse_comment"
COMMENT_VIEW = "pulse_comment_view"
COMMENT_BLOCK = "comment"
COMMENT_INPUT = "text"
HOME_PAUSE = "home_pause"
HOME_RESUME = "home_resume"
HOME_OPT_OUT = "home_opt_out"
PAUSE_WEEKS = (1, 2, 4, 8)
_ROW = 6  # a 0-10 scale is shown as two rows: 0-5 and 6-10


@dataclass(frozen=True)
class Framing:
    """What a pulse message says around the questions: the organisation and k."""

    organisation: str = "Our company"
    min_respondents: int = 5


def _mrkdwn(body: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": body}}


def _context(body: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": body}]}


def _button(label: str, *, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
    }
    if style is not None:
        button["style"] = style
    return button


def scale_rows(state: PulseState, index: int) -> list[Block]:
    """The answer buttons of question ``index``: one actions block per row."""
    item = state.items[index]
    assert item.scale is not None
    values = item.scale.values
    rows = [values[:_ROW], values[_ROW:]] if len(values) > 7 else [values]
    return [
        {
            "type": "actions",
            "block_id": f"scale_{index}_{number}",
            "elements": [
                _button(
                    str(value),
                    action_id=f"{ANSWER_PREFIX}{value}",
                    value=encode(Choice(state.token, index, value)),
                )
                for value in row
            ],
        }
        for number, row in enumerate(rows)
        if row
    ]


def _ends(item: Item, lang: str) -> str:
    low, high = item.labels_in(lang)
    assert item.scale is not None
    return f"{item.scale.low} = {low}  ·  {item.scale.high} = {high}"


def _done_line(state: PulseState, index: int) -> str:
    question = state.items[index].text_in(state.lang)
    if index in state.answers:  # never the value: the DM outlives the answer window
        outcome = slack_text("answer.done", state.lang)
    else:
        outcome = text("answer.skipped", state.lang)
    return f":white_check_mark: {question} — *{outcome}*"


def pulse_blocks(state: PulseState, *, framing: Framing, reminder: bool = False) -> list[Block]:
    """The pulse as one message: what is recorded so far, then the next question or thanks."""
    lang = state.lang
    blocks: list[Block] = []
    if reminder:
        blocks.append(_mrkdwn(slack_text("reminder", lang)))
    if state.show_intro:
        blocks.append(
            _mrkdwn(
                text(
                    "intro.employee",
                    lang,
                    org=framing.organisation,
                    count=state.total,
                    k=framing.min_respondents,
                )
            )
        )
    done = [i for i in range(state.total) if i in state.answers or i in state.skipped]
    if done:
        blocks.append(_context("\n".join(_done_line(state, i) for i in done)))
    current = state.current
    if current is not None:
        item = state.items[current]
        header = text("question.header", lang, number=current + 1, total=state.total)
        blocks.append(_mrkdwn(f"*{header}*\n{item.text_in(lang)}"))
        blocks.extend(scale_rows(state, current))
        blocks.append(_context(_ends(item, lang)))
    else:
        blocks.append(_mrkdwn(text("thanks.employee", lang, k=framing.min_respondents)))
    extras: list[Block] = []
    if current is not None:
        extras.append(
            _button(
                text("button.skip", lang), action_id=SKIP, value=encode(Skip(state.token, current))
            )
        )
    if not state.commented:
        extras.append(
            _button(
                text("button.comment", lang),
                action_id=COMMENT,
                value=encode(CommentRequest(state.token)),
            )
        )
    if extras:
        blocks.append({"type": "actions", "block_id": "pulse_more", "elements": extras})
    return blocks


def fallback_text(state: PulseState, *, framing: Framing) -> str:
    """The plain text of a pulse message, for notifications and screen readers."""
    current = state.current
    if current is None:
        return text("thanks.employee", state.lang, k=framing.min_respondents)
    return state.items[current].text_in(state.lang)


def closed_blocks(state: PulseState | None, *, lang: str) -> list[Block]:
    """The message after its window closed: what was recorded, and no buttons."""
    blocks: list[Block] = []
    if state is not None:
        done = [i for i in range(state.total) if i in state.answers or i in state.skipped]
        if done:
            blocks.append(_context("\n".join(_done_line(state, i) for i in done)))
    blocks.append(_mrkdwn(text("closed", lang)))
    return blocks


def comment_modal(*, token: str, lang: str, limit: int) -> Block:
    """The modal a person writes a comment in; the token rides in ``private_metadata``."""
    return {
        "type": "modal",
        "callback_id": COMMENT_VIEW,
        "private_metadata": token,
        "title": {"type": "plain_text", "text": slack_text("modal.title", lang)},
        "submit": {"type": "plain_text", "text": slack_text("modal.submit", lang)},
        "close": {"type": "plain_text", "text": slack_text("modal.cancel", lang)},
        "blocks": [
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "label": {"type": "plain_text", "text": text("comment.prompt", lang, limit=limit)},
                "element": {
                    "type": "plain_text_input",
                    "action_id": COMMENT_INPUT,
                    "multiline": True,
                },
            },
            _context(slack_text("modal.anonymous", lang)),
        ],
    }


def home_view(home: HomeState, *, organisation: str) -> Block:
    """The App Home: what the bot is, the anonymity promise, the status and its controls."""
    lang = home.lang
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": slack_text("home.title", lang)}},
        _mrkdwn(slack_text("home.what", lang, org=organisation)),
        _mrkdwn(slack_text("home.anonymous", lang, k=home.min_respondents)),
        {"type": "divider"},
        _mrkdwn(_status_line(home)),
    ]
    controls = _controls(home)
    if controls:
        blocks.append({"type": "actions", "block_id": "home_controls", "elements": controls})
    return {"type": "home", "blocks": blocks}


def _status_line(home: HomeState) -> str:
    lang = home.lang
    if home.status is None:
        return slack_text("home.unknown", lang)
    when = (
        local_moment(home.next_pulse_at, tz=home.time_zone, lang=lang)
        if home.next_pulse_at is not None
        else "—"
    )
    if home.status is PersonStatus.PAUSED and home.paused_until is not None:
        until = local_moment(home.paused_until, tz=home.time_zone, lang=lang)
        return slack_text("home.paused", lang, until=until, when=when)
    if home.status is PersonStatus.ACTIVE:
        return slack_text("home.active", lang, when=when)
    if home.status is PersonStatus.OPTED_OUT:
        return slack_text("home.opted_out", lang)
    return slack_text("home.blocked", lang)


def _controls(home: HomeState) -> list[Block]:
    lang = home.lang
    pause: Block = {
        "type": "static_select",
        "action_id": HOME_PAUSE,
        "placeholder": {"type": "plain_text", "text": slack_text("home.pause", lang)},
        "options": [
            {
                "text": {"type": "plain_text", "text": slack_text("home.weeks", lang, n=weeks)},
                "value": str(weeks),
            }
            for weeks in PAUSE_WEEKS
            if weeks <= MAX_PAUSE_WEEKS
        ],
    }
    resume = _button(slack_text("home.resume", lang), action_id=HOME_RESUME, value="resume")
    opt_out = _button(
        slack_text("home.opt_out", lang), action_id=HOME_OPT_OUT, value="opt_out", style="danger"
    )
    opt_out["confirm"] = {
        "title": {"type": "plain_text", "text": slack_text("home.confirm.title", lang)},
        "text": {"type": "mrkdwn", "text": slack_text("home.opt_out.confirm", lang)},
        "confirm": {"type": "plain_text", "text": slack_text("home.confirm.yes", lang)},
        "deny": {"type": "plain_text", "text": slack_text("home.confirm.no", lang)},
        "style": "danger",
    }
    if home.status is PersonStatus.ACTIVE:
        return [pause, opt_out]
    if home.status is PersonStatus.PAUSED:
        return [resume, opt_out]
    if home.status is PersonStatus.OPTED_OUT:
        return [resume]
    return []
