"""What the weekly report needs from outside: aggregates to read, and a poster per destination.

Storage implements :class:`ReportSource` (see ``storage.reports.aggregates``); each platform
implements :class:`ReportPoster` (``slack.report_post``, ``telegram.report_post``). The report
job decides what is posted where and when; a poster only posts.
"""

from __future__ import annotations

from typing import Protocol

from pulse_mirror.surveys.model import IsoWeek
from pulse_mirror.surveys.report.build import ReportInput, WeekReport


class ReportSource(Protocol):
    """The aggregates a week's report is built from; never an answer row."""

    async def report_input(self, *, week: IsoWeek, trend_weeks: int) -> ReportInput:
        """Everything the report of ``week`` and its trend of ``trend_weeks`` weeks need;
        a week whose report was posted as it was posted."""
        ...

    async def freeze(self, *, week: IsoWeek, min_respondents: int) -> bool:
        """Keep ``week``'s figures as posted (its closed windows' answers), once; False when
        they were kept before."""
        ...


class ReportPoster(Protocol):
    """Posts the weekly report to one destination (a Slack channel, a Telegram chat).

    ``post`` raises the send errors of :mod:`pulse_mirror.surveys.ports` (``RateLimited``,
    ``TransientSendError``, ``SendOutcomeUnknown``, ...) for what the platform said; any
    other error counts as refused for good.
    """

    @property
    def destination(self) -> str:
        """The destination's name in the config and in the report runs: "slack", "telegram"."""
        ...

    async def open(self) -> None:
        """Get ready to post (connect the client); called once before a run's posts."""
        ...

    async def post(self, report: WeekReport, png: bytes) -> str:
        """Post ``report`` with its mirror chart ``png``; return the platform's reference."""
        ...

    async def close(self) -> None:
        """Release what ``open`` took; called once after a run's posts."""
        ...
