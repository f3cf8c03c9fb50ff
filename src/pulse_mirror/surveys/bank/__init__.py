"""The question bank: the built-in dimensions (English and German) plus the operator's own.

The built-in data lives in ``builtin.yaml`` next to this module; its header documents the
format, which is the same for the config's ``dimensions:`` list. Files are read when
:func:`load_bank` is called, never at import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from pulse_mirror.surveys.bank.parsing import parse_dimensions
from pulse_mirror.surveys.model import Dimension, Item, Metric, Side

__all__ = ["BankError", "QuestionBank", "load_bank"]

BUILTIN_FILE = "builtin.yaml"
_SIDE_ORDER = {Side.CUSTOMER: 0, Side.EMPLOYEE: 1}


class BankError(ValueError):
    """The bank's data is invalid; ``problems`` has one line per mistake with its path."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class QuestionBank:
    """Every dimension and item the bot can ask, built-in ones first."""

    dimensions: tuple[Dimension, ...]
    items: tuple[Item, ...]

    def dimension(self, key: str) -> Dimension:
        """The dimension called ``key``; KeyError naming the known keys otherwise."""
        for dimension in self.dimensions:
            if dimension.key == key:
                return dimension
        known = ", ".join(d.key for d in self.dimensions)
        raise KeyError(f"no dimension {key!r} in the question bank; known: {known}")

    def item(self, key: str) -> Item:
        """The item called ``key`` (``<dimension>.<side>``); KeyError otherwise."""
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(
            f"no item {key!r} in the question bank; item keys look like 'effort.customer'"
        )

    def items_of(self, dimension_key: str) -> tuple[Item, ...]:
        """The items of one dimension, the customer's first; KeyError for an unknown key."""
        self.dimension(dimension_key)
        return tuple(item for item in self.items if item.dimension == dimension_key)

    def items_for(self, side: Side) -> tuple[Item, ...]:
        """Every item one side can be asked, rated and text, in bank order."""
        return tuple(item for item in self.items if item.side is side)

    def mirrored(self) -> tuple[Dimension, ...]:
        """The dimensions with a numeric item on both sides, in bank order."""
        return tuple(d for d in self.dimensions if d.mirrored)

    def one_sided(self, side: Side) -> tuple[Dimension, ...]:
        """The numeric dimensions only ``side`` is asked (e.g. eNPS for employees)."""
        return tuple(
            d
            for d in self.dimensions
            if d.metric is not Metric.TEXT
            and not d.mirrored
            and any(item.side is side for item in self.items_of(d.key))
        )

    def text_items(self, side: Side) -> tuple[Item, ...]:
        """The free-text items of one side (the open comment and any custom ones)."""
        return tuple(item for item in self.items_for(side) if item.is_text)


def load_bank(
    *, custom: Sequence[Mapping[str, Any]] = (), custom_path: str = "dimensions"
) -> QuestionBank:
    """Load the built-in bank and merge in ``custom`` dimensions; BankError if any is invalid."""
    text = resources.files(__name__).joinpath(BUILTIN_FILE).read_text(encoding="utf-8")
    builtin = parse_dimensions(yaml.safe_load(text), path=BUILTIN_FILE, custom=False)
    if builtin.problems:
        raise BankError(builtin.problems)
    reserved = [d.key for d in builtin.dimensions]
    own = parse_dimensions(custom, path=custom_path, custom=True, reserved=reserved)
    if own.problems:
        raise BankError(own.problems)
    items = sorted(builtin.items + own.items, key=_bank_order(builtin.dimensions + own.dimensions))
    return QuestionBank(
        dimensions=tuple(builtin.dimensions + own.dimensions),
        items=tuple(items),
    )


def _bank_order(dimensions: Sequence[Dimension]) -> Callable[[Item], tuple[int, int]]:
    position = {d.key: index for index, d in enumerate(dimensions)}

    def key(item: Item) -> tuple[int, int]:
        return position[item.dimension], _SIDE_ORDER[item.side]

    return key
