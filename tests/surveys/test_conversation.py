"""A person's pulse: next question, answers, skips, the window and bad clicks."""

from __future__ import annotations

import datetime as dt

import pytest

from pulse_mirror.surveys.conversation import ChoiceError, PulseState, check_choice
from pulse_mirror.surveys.model import Item, Metric, Scale, Side
from pulse_mirror.surveys.texts import TEXTS, text

CLOSES = dt.datetime(2026, 11, 27, 17, tzinfo=dt.UTC)


def _item(key: str, scale: Scale) -> Item:
    return Item(
        key=key,
        dimension=key.split(".")[0],
        side=Side.EMPLOYEE,
        metric=Metric.MEAN,
        scale=scale,
        text={"en": key},
    )


def _state() -> PulseState:
    items = (_item("effort.employee", Scale(1, 7)), _item("recommend.employee", Scale(0, 10)))
    return PulseState(token="t" * 16, side=Side.EMPLOYEE, lang="en", items=items, closes_at=CLOSES)


def test_walks_through_questions_in_order() -> None:
    state = _state()
    assert state.current == 0 and not state.complete
    state = state.with_answer(0, 5)
    assert state.current == 1
    state = state.with_skip(1)
    assert state.complete and state.current is None
    assert state.answers == {0: 5} and state.skipped == {1}


def test_change_of_mind_replaces_and_unskips() -> None:
    state = _state().with_skip(0).with_answer(0, 3).with_answer(0, 6)
    assert state.answers == {0: 6}
    assert 0 not in state.skipped
    assert state.with_skip(0).answers == {0: 6}  # a skip after an answer keeps the answer


def test_window() -> None:
    state = _state()
    assert state.is_open(CLOSES - dt.timedelta(seconds=1))
    assert not state.is_open(CLOSES)


@pytest.mark.parametrize(("index", "value"), [(2, 3), (-1, 3), (0, 0), (0, 8), (1, 11)])
def test_bad_choices_are_refused(index: int, value: int) -> None:
    with pytest.raises(ChoiceError):
        check_choice(_state(), index=index, value=value)


def test_good_choice_names_the_item() -> None:
    assert check_choice(_state(), index=1, value=10).key == "recommend.employee"


def test_every_text_exists_in_both_languages_and_formats() -> None:
    values = {"org": "Acme", "count": 3, "k": 5, "days": 28, "number": 1, "total": 3,
              "value": 4, "limit": 1000, "length": 1200}
    for key in sorted(TEXTS.keys()):
        assert TEXTS.languages_of(key) == {"en", "de"}, key
        assert text(key, "de", **values) != text(key, "en", **values), key
    assert text("answer.recorded", "fr", value=4) == "Recorded: 4"
