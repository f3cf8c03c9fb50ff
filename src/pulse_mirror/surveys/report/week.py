"""The weekly report as frozen data: what :func:`~pulse_mirror.surveys.report.build.build_report`
returns, and its JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pulse_mirror.surveys.anonymity import Suppressed
from pulse_mirror.surveys.report.serialize import JsonValue, to_json

if TYPE_CHECKING:  # field types only: this module loads nothing that computes a figure
    from pulse_mirror.surveys.report.figures import MirroredDimension, OneSidedDimension
    from pulse_mirror.surveys.report.responses import Comments, ResponseRate
    from pulse_mirror.surveys.report.windows import OpenWindow


@dataclass(frozen=True)
class WeekReport:
    """The weekly report; :meth:`to_json` gives the same figures machine-readable."""

    week: str
    language: str
    min_respondents: int
    min_commenters: int
    mirrored: tuple[MirroredDimension, ...]
    one_sided: tuple[OneSidedDimension, ...]
    response_rates: tuple[ResponseRate, ...]
    comments: tuple[Comments, ...]
    trend_weeks: tuple[str, ...]
    methods: Mapping[str, str]
    open_windows: tuple[OpenWindow, ...] = ()

    @property
    def still_open(self) -> tuple[OpenWindow, ...]:
        """The report week's answer windows still open when the report was built."""
        return tuple(w for w in self.open_windows if w.week == self.week)

    def to_json(self) -> dict[str, JsonValue]:
        """The report as plain JSON types (dicts, lists, str, float, int, bool, None)."""
        data = to_json(self)
        assert isinstance(data, dict)
        return data

    def fewer_than(self, lang: str | None = None) -> str:
        """The text shown instead of a number, e.g. "fewer than 5 answers"."""
        return Suppressed(0, self.min_respondents).text_in(lang or self.language)
