"""Pure Block Kit builders: scales as buttons, intro, progress, thanks, modal and App Home."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pulse_mirror.slack import texts as slack_texts
from pulse_mirror.slack.blocks import Framing, comment_modal, fallback_text, home_view, pulse_blocks
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.callbacks import Choice, parse
from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.employees import HomeState
from pulse_mirror.surveys.model import PersonStatus, Side

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def _state(*keys: str, lang: str = "en", **changes: Any) -> PulseState:
    bank = load_bank()
    return PulseState(
        token="tok_abcdefgh",
        side=Side.EMPLOYEE,
        lang=lang,
        items=tuple(bank.item(k) for k in keys),
        closes_at=NOW,
        **changes,
    )


def _rows(blocks: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [e["text"]["text"] for e in b["elements"]]
        for b in blocks
        if b["type"] == "actions" and b["block_id"].startswith("scale_")
    ]


@pytest.mark.parametrize(
    ("key", "rows"),
    [
        ("recommend.employee", [["0", "1", "2", "3", "4", "5"], ["6", "7", "8", "9", "10"]]),
        ("satisfaction.employee", [["1", "2", "3", "4", "5"]]),
        ("effort.employee", [["1", "2", "3", "4", "5", "6", "7"]]),
    ],
)
def test_each_scale_is_a_row_of_buttons_with_its_end_labels(key: str, rows: Any) -> None:
    blocks = pulse_blocks(_state(key), framing=Framing())
    assert _rows(blocks) == rows
    labels = load_bank().item(key).labels_in("en")
    assert all(label in str(blocks) for label in labels)
    for block in blocks:
        if block["type"] == "actions" and block["block_id"].startswith("scale_"):
            for element in block["elements"]:
                choice = parse(element["value"])
                assert choice == Choice("tok_abcdefgh", 0, int(element["text"]["text"]))


def test_the_intro_says_why_and_promises_anonymity_with_k() -> None:
    state = _state("effort.employee", show_intro=True)
    shown = str(
        pulse_blocks(state, framing=Framing(organisation="Example GmbH", min_respondents=7))
    )
    assert "Example GmbH" in shown and "anonymous" in shown and "at least 7 people" in shown
    assert "anonymous" not in str(pulse_blocks(_state("effort.employee"), framing=Framing()))


def test_progress_shows_what_is_recorded_and_the_end_thanks_without_answer_buttons() -> None:
    state = _state("effort.employee", "recommend.employee", answers={0: 6}, skipped=frozenset({1}))
    shown = str(pulse_blocks(state, framing=Framing(min_respondents=5)))
    assert "answered" in shown and "Skipped" in shown and "at least 5 people" in shown
    assert "Recorded" not in shown and "6" not in shown  # the DM outlives the window: no value
    assert _rows(pulse_blocks(state, framing=Framing())) == []
    assert "pulse_comment" in shown
    done = str(
        pulse_blocks(state.__class__(**{**state.__dict__, "commented": True}), framing=Framing())
    )
    assert "pulse_comment" not in done


def test_german_uses_du_and_the_german_question() -> None:
    shown = str(
        pulse_blocks(_state("effort.employee", lang="de", show_intro=True), framing=Framing())
    )
    assert "Deine Antworten sind anonym" in shown and "Frage 1 von 1" in shown
    assert load_bank().item("effort.employee").text_in("de") in shown


def test_the_modal_carries_the_token_and_fits_slacks_title_limit() -> None:
    for lang in ("en", "de"):
        modal = comment_modal(token="tok_abcdefgh", lang=lang, limit=500)
        assert len(modal["title"]["text"]) <= 24
        assert modal["private_metadata"] == "tok_abcdefgh"
        assert "500" in str(modal["blocks"])


@pytest.mark.parametrize(
    ("status", "controls"),
    [
        (PersonStatus.ACTIVE, ["home_pause", "home_opt_out"]),
        (PersonStatus.PAUSED, ["home_resume", "home_opt_out"]),
        (PersonStatus.OPTED_OUT, ["home_resume"]),
        (None, []),
    ],
)
def test_the_home_offers_what_fits_the_status(status: PersonStatus | None, controls: Any) -> None:
    home = HomeState(
        status=status,
        lang="en",
        min_respondents=5,
        paused_until=NOW if status is PersonStatus.PAUSED else None,
        next_pulse_at=NOW,
        time_zone="Europe/Berlin",
    )
    view = home_view(home, organisation="Example GmbH")
    found = [
        e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert found == controls
    assert "at least 5 people" in str(view["blocks"])


def test_every_slack_text_exists_in_english_and_german() -> None:
    for key in sorted(slack_texts.TEXTS.keys()):
        assert slack_texts.TEXTS.languages_of(key) == {"en", "de"}, key


def test_the_notification_text_of_the_thanks_names_the_threshold() -> None:
    state = _state("effort.employee", answers={0: 6})
    shown = fallback_text(state, framing=Framing(min_respondents=7))
    assert "at least 7 people" in shown and "at least  people" not in shown
