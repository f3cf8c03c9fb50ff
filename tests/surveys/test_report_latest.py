"""A dimension the report week did not compare shows its latest gap of the weeks before."""

from __future__ import annotations

import json

from pulse_mirror.reports.charts import mirror_figure
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.report.build import MirroredDimension, ReportInput, build_report
from pulse_mirror.surveys.report.markdown import markdown
from pulse_mirror.surveys.report.week import WeekReport
from pulse_mirror.surveys.stats.metrics import histogram

WEEK = IsoWeek(2026, 12)
EFFORT_IN, EFFORT_OUT = [6] * 10 + [7] * 6, [3] * 8 + [4] * 6 + [2] * 3


def _report(*, latest_weeks: int = 4, lang: str = "en") -> WeekReport:
    raw = {
        # This week: only effort asked, and its customers are too few.
        (WEEK, Side.EMPLOYEE, "effort.employee"): [6, 7, 6, 5, 6, 6],
        (WEEK, Side.CUSTOMER, "effort.customer"): [3, 4],
        # Two weeks ago effort had both sides; three weeks ago listening had.
        (WEEK.shift(-2), Side.EMPLOYEE, "effort.employee"): EFFORT_IN,
        (WEEK.shift(-2), Side.CUSTOMER, "effort.customer"): EFFORT_OUT,
        (WEEK.shift(-3), Side.EMPLOYEE, "listening.employee"): [4] * 6 + [5] * 4,
        (WEEK.shift(-3), Side.CUSTOMER, "listening.customer"): [2] * 5 + [4] * 5,
        # Six weeks ago: outside the default window of four weeks.
        (WEEK.shift(-6), Side.EMPLOYEE, "personal.employee"): [5] * 8,
        (WEEK.shift(-6), Side.CUSTOMER, "personal.customer"): [2] * 8,
    }
    data = ReportInput(
        {key: histogram(values) for key, values in raw.items()},
        asked={Side.EMPLOYEE: 20, Side.CUSTOMER: 40},
        pulsed={Side.EMPLOYEE: frozenset({"effort.employee"}),
                Side.CUSTOMER: frozenset({"effort.customer"})},
    )  # fmt: skip
    return build_report(
        week=WEEK, bank=load_bank(), data=data, anonymity=Anonymity(5), trend_weeks=8,
        lang=lang, latest_weeks=latest_weeks,
    )  # fmt: skip


def _dim(report: WeekReport, key: str) -> MirroredDimension:
    return next(d for d in report.mirrored if d.key == key)


def test_the_latest_gap_is_that_weeks_own_with_its_week() -> None:
    report = _report()
    effort = _dim(report, "effort")
    assert effort.gap.estimate is None  # customers too few this week
    assert effort.latest is not None and effort.latest.week == str(WEEK.shift(-2))
    then = next(p for p in effort.trend if p.week == str(WEEK.shift(-2)))
    assert effort.latest.gap == then.gap  # exactly as that week's report showed it
    assert effort.latest.inside.n == len(EFFORT_IN) and effort.latest.outside.n == len(EFFORT_OUT)
    listening = _dim(report, "listening")
    assert listening.latest is not None and listening.latest.week == str(WEEK.shift(-3))
    assert _dim(report, "personal").latest is None  # six weeks back: outside the window
    assert _dim(_report(latest_weeks=8), "personal").latest is not None
    assert _dim(_report(latest_weeks=1), "effort").latest is None


def test_a_week_with_its_own_gap_has_no_latest() -> None:
    report = _report()
    for dim in report.mirrored:
        if dim.gap.estimate is not None:
            assert dim.latest is None


def test_label_markdown_json_and_chart_name_the_week() -> None:
    report = _report()
    page = markdown(report)
    row = next(line for line in page.splitlines() if line.startswith("| Customer effort"))
    assert f"latest {WEEK.shift(-2)}: +" in row and " real [" in row
    german = markdown(_report(lang="de"))
    assert f"zuletzt {WEEK.shift(-2)}:" in german
    data = json.loads(json.dumps(report.to_json()))
    effort = next(d for d in data["mirrored"] if d["key"] == "effort")
    assert effort["latest"]["week"] == str(WEEK.shift(-2))
    assert effort["latest"]["gap"]["verdict"] == "real"
    figure = mirror_figure(report)
    figure.canvas.draw()
    labels = [t.get_text() for t in figure.axes[1].get_yticklabels()]
    assert any(f"latest {WEEK.shift(-2)}" in label for label in labels)
    hollow = [
        line
        for line in figure.axes[0].lines
        if line.get_markerfacecolor() in ("white", (1.0, 1.0, 1.0, 1.0))
    ]
    assert len(hollow) == 4  # effort and listening, both sides each
    assert "hollow = the latest earlier week" in figure.axes[0].get_xlabel()
