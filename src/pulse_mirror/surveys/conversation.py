"""One person's pulse as a small state machine: which question is next, what is recorded.

Both adapters render a ``PulseState`` (Slack as Block Kit, Telegram as an inline keyboard);
the service decides how a click changes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from pulse_mirror.surveys.model import Item, Side


@dataclass(frozen=True)
class PulseState:
    """What one person has done with one delivered pulse so far."""

    token: str
    side: Side
    lang: str
    items: tuple[Item, ...]
    closes_at: dt.datetime
    answers: Mapping[int, int] = field(default_factory=dict)
    skipped: frozenset[int] = frozenset()
    commented: bool = False
    show_intro: bool = False
    comment_item: Item | None = None

    @property
    def total(self) -> int:
        """How many rated questions the pulse has."""
        return len(self.items)

    @property
    def current(self) -> int | None:
        """The index of the next question neither answered nor skipped, or None when done."""
        for index in range(self.total):
            if index not in self.answers and index not in self.skipped:
                return index
        return None

    @property
    def complete(self) -> bool:
        """Whether every question was answered or skipped."""
        return self.current is None

    def is_open(self, now: dt.datetime) -> bool:
        """Whether answers are still taken at ``now``."""
        return now < self.closes_at

    def with_answer(self, index: int, value: int) -> PulseState:
        """The state after ``value`` was recorded for question ``index``."""
        return replace(
            self,
            answers={**self.answers, index: value},
            skipped=self.skipped - {index},
            show_intro=False,
        )

    def with_skip(self, index: int) -> PulseState:
        """The state after question ``index`` was skipped (an earlier answer stays)."""
        if index in self.answers:
            return self
        return replace(self, skipped=self.skipped | {index}, show_intro=False)


class ChoiceError(ValueError):
    """A click that does not fit the pulse: no such question or a value off the scale."""


def check_choice(state: PulseState, *, index: int, value: int) -> Item:
    """The item a click answers; raise ChoiceError if the index or value is not valid."""
    if not 0 <= index < state.total:
        raise ChoiceError(f"the pulse has {state.total} questions, not #{index + 1}")
    item = state.items[index]
    if item.scale is None or not item.scale.contains(value):
        raise ChoiceError(f"{value} is not on the scale of {item.key}")
    return item
