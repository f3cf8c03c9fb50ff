"""What the simulated people did, written down by the simulation itself.

The outputs are checked against it: every answer a person saw confirmed is here, with the
week of the pulse; a customer who deleted their data takes their answers with them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from pulse_mirror.surveys.model import Side


@dataclass(frozen=True)
class Given:
    """One confirmed answer."""

    who: str
    week: str
    side: Side
    item: str
    value: int
    at: dt.datetime


@dataclass
class Ledger:
    """Answers, comments, messages received and the people's other moves."""

    answers: list[Given] = field(default_factory=list)
    comments: Counter[tuple[str, Side]] = field(default_factory=Counter)
    received: Counter[tuple[str, str]] = field(default_factory=Counter)  # (who, week)
    moves: Counter[str] = field(default_factory=Counter)
    deleted: set[str] = field(default_factory=set)
    unconfirmed: int = 0

    def answer(self, given: Given) -> None:
        """A person saw their answer confirmed."""
        self.answers.append(given)

    def forget(self, who: str) -> None:
        """A customer deleted everything stored about them."""
        self.deleted.add(who)

    def histograms(self) -> dict[tuple[str, Side, str], dict[int, int]]:
        """Per (week, side, item): how many confirmed answers each value got."""
        counts: dict[tuple[str, Side, str], Counter[int]] = {}
        for given in self.answers:
            if given.who in self.deleted:
                continue
            counts.setdefault((given.week, given.side, given.item), Counter())[given.value] += 1
        return {key: dict(sorted(found.items())) for key, found in counts.items()}

    def respondents(self, week: str, side: Side) -> int:
        """How many different people answered at least one question of a week."""
        return len({g.who for g in self.answers if g.week == week and g.side is side
                    and g.who not in self.deleted})  # fmt: skip
