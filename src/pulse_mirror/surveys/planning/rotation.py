"""Which items an ISO week asks: a rotation both sides, every replica and every restart agree on.

The plan depends on the bank and the week alone. Mirrored dimensions are taken in bank order
as a ring; week ``w`` asks the ``k`` dimensions starting at position ``w * k``, so consecutive
weeks walk the ring without gaps and any ``ceil(M / k)`` consecutive weeks ask every one of
the ``M`` mirrored dimensions. When a pulse has room for two or three rated questions and the
bank has one-sided dimensions (eNPS, internal service, ...), one slot is kept for them and
they walk their own ring the same way. The open comment is offered beside the rated
questions, not as one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from pulse_mirror.surveys.bank import QuestionBank
from pulse_mirror.surveys.model import Dimension, IsoWeek, Item, Side

MIN_QUESTIONS = 1
MAX_QUESTIONS = 3

T = TypeVar("T")


@dataclass(frozen=True)
class WeekPlan:
    """What one ISO week asks of each side."""

    week: IsoWeek
    mirrored: tuple[str, ...]
    employee_items: tuple[Item, ...]
    customer_items: tuple[Item, ...]
    employee_comment: Item | None = None
    customer_comment: Item | None = None

    def items(self, side: Side) -> tuple[Item, ...]:
        """The rated items ``side`` is asked this week, mirrored ones first."""
        return self.employee_items if side is Side.EMPLOYEE else self.customer_items

    def comment(self, side: Side) -> Item | None:
        """The free-text item offered to ``side`` beside the rated ones, if the bank has one."""
        return self.employee_comment if side is Side.EMPLOYEE else self.customer_comment


def mirrored_slots(bank: QuestionBank, *, questions_per_pulse: int) -> int:
    """How many mirrored dimensions each week asks with this pulse length."""
    _check_length(questions_per_pulse)
    mirrored = len(bank.mirrored())
    has_one_sided = any(bank.one_sided(side) for side in Side)
    reserve = 1 if questions_per_pulse >= 2 and has_one_sided else 0
    return min(questions_per_pulse - reserve, mirrored)


def plan_week(
    bank: QuestionBank,
    week: IsoWeek,
    *,
    questions_per_pulse: int,
    customer_questions: int | None = None,
) -> WeekPlan:
    """The items ``week`` asks: the same mirrored dimensions of both sides, 1-3 rated each.

    ``questions_per_pulse`` is the employees' pulse length and, unless
    ``customer_questions`` is given, the customers' too. Both sides always get the SAME
    mirrored dimensions, as many as the shorter pulse holds, so the week compares like
    for like; the longer pulse fills its other slots with one-sided dimensions. With a
    length of 1 every week asks one mirrored dimension and one-sided dimensions are not
    asked; from 2 on, one slot rotates through the one-sided dimensions.
    """
    lengths = {
        Side.EMPLOYEE: questions_per_pulse,
        Side.CUSTOMER: questions_per_pulse if customer_questions is None else customer_questions,
    }
    for length in lengths.values():
        _check_length(length)
    slots = min(
        mirrored_slots(bank, questions_per_pulse=questions_per_pulse),
        lengths[Side.CUSTOMER],
    )
    index = week.index
    mirrored = _window(bank.mirrored(), index=index, size=slots)
    rated: dict[Side, tuple[Item, ...]] = {}
    comments: dict[Side, Item | None] = {}
    for side in Side:
        one_sided = bank.one_sided(side)
        extra = _window(one_sided, index=index, size=min(lengths[side] - slots, len(one_sided)))
        chosen = [*mirrored, *extra]
        rated[side] = tuple(_item(bank, dimension, side) for dimension in chosen)
        texts = bank.text_items(side)
        comments[side] = texts[index % len(texts)] if texts else None
    return WeekPlan(
        week=week,
        mirrored=tuple(d.key for d in mirrored),
        employee_items=rated[Side.EMPLOYEE],
        customer_items=rated[Side.CUSTOMER],
        employee_comment=comments[Side.EMPLOYEE],
        customer_comment=comments[Side.CUSTOMER],
    )


def _window(ring: Sequence[T], *, index: int, size: int) -> list[T]:
    """``size`` consecutive members of ``ring`` starting where week ``index`` is due."""
    if size <= 0 or not ring:
        return []
    start = index * size
    return [ring[(start + offset) % len(ring)] for offset in range(size)]


def _item(bank: QuestionBank, dimension: Dimension, side: Side) -> Item:
    return bank.item(f"{dimension.key}.{side.value}")


def _check_length(questions_per_pulse: int) -> None:
    if not MIN_QUESTIONS <= questions_per_pulse <= MAX_QUESTIONS:
        raise ValueError(
            f"questions_per_pulse must be {MIN_QUESTIONS}-{MAX_QUESTIONS},"
            f" not {questions_per_pulse}"
        )
