"""Operators' own dimensions in the config, in the built-in question bank's format.

Only the structure is checked here; :func:`pulse_mirror.surveys.bank.load_bank` checks the rest
(for instance a key that clashes with a built-in dimension).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, model_validator

from pulse_mirror.config.sections import Language, Section, problem

MetricName = Literal["nps", "csat", "mean", "agreement", "text"]


def _texts(value: dict[Language, str]) -> dict[Language, str]:
    if "en" not in value:
        raise problem("needs an English text (en); other languages fall back to it")
    for lang, text in value.items():
        if not text.strip():
            raise problem(f"the {lang} text is empty")
    return value


def _key(value: str) -> str:
    if re.fullmatch(r"[a-z][a-z0-9_]{0,39}", value):
        return value
    raise problem(f"{value!r} is not a key; use lowercase letters, digits and underscore (max 40)")


Texts = Annotated[dict[Language, str], AfterValidator(_texts)]


class ItemSpec(Section):
    """One side's question, with optional labels for the scale's ends."""

    text: Texts
    low: Texts | None = None
    high: Texts | None = None


class ItemPair(Section):
    """The customer (outside) and employee (inside) item; either may be omitted."""

    customer: ItemSpec | None = None
    employee: ItemSpec | None = None

    @model_validator(mode="after")
    def _at_least_one_side(self) -> Self:
        if self.customer is None and self.employee is None:
            raise problem("needs a customer item, an employee item or both")
        return self


class DimensionSpec(Section):
    """A custom dimension: a theme asked of one or both sides on one scale."""

    key: Annotated[str, AfterValidator(_key)]
    metric: MetricName
    scale: tuple[int, int] | None = None
    title: Texts | None = None
    items: ItemPair

    @model_validator(mode="after")
    def _scale_fits_metric(self) -> Self:
        if self.metric == "text":
            if self.scale is not None:
                raise problem("is not allowed for metric text (free-text answers)", at="scale")
            for side in (self.items.customer, self.items.employee):
                if side is not None and (side.low is not None or side.high is not None):
                    raise problem("low/high labels are not allowed for metric text", at="items")
            return self
        if self.scale is None:
            if self.metric == "mean":
                raise problem("is required for metric mean, e.g. [1, 7]", at="scale")
            return self  # nps, csat and agreement have fixed scales
        low, high = self.scale
        if high <= low:
            raise problem(f"[{low}, {high}] is not allowed; high must be above low", at="scale")
        return self

    def as_bank_entry(self) -> dict[str, object]:
        """This dimension as a plain dict in the question bank's format."""
        return self.model_dump(mode="json", exclude_none=True)


def duplicate_keys(dimensions: list[DimensionSpec]) -> list[str]:
    """One problem line per dimension key used more than once."""
    seen: set[str] = set()
    problems: list[str] = []
    for index, dim in enumerate(dimensions):
        if dim.key in seen:
            problems.append(f"dimensions[{index}].key: {dim.key!r} is used more than once")
        seen.add(dim.key)
    return problems
