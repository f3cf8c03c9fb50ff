"""Items the week's pulses did not include say "not asked this week", not "fewer than k"."""

from __future__ import annotations

import json

from pulse_mirror.reports.charts import mirror_figure
from pulse_mirror.reports.charts_trend import nps_figure
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.report.build import (
    MirroredDimension,
    ReportInput,
    WeekReport,
    build_report,
)
from pulse_mirror.surveys.report.markdown import markdown
from pulse_mirror.surveys.stats.metrics import histogram

WEEK = IsoWeek(2026, 12)
EMPLOYEE_ITEMS = frozenset({"effort.employee", "listening.employee", "understanding.employee"})
CUSTOMER_ITEMS = frozenset({"effort.customer", "listening.customer"})


def _report(*, pulsed: bool = True, lang: str = "en") -> WeekReport:
    raw = {
        (WEEK, Side.EMPLOYEE, "effort.employee"): [6] * 10 + [7] * 6 + [5] * 4,
        (WEEK, Side.CUSTOMER, "effort.customer"): [3] * 8 + [4] * 6 + [5] * 4,
        (WEEK, Side.EMPLOYEE, "listening.employee"): [4] * 6 + [5] * 4,
        (WEEK, Side.CUSTOMER, "listening.customer"): [4, 2],  # asked, fewer than 5 answered
        # Not in this week's pulses, but answered (e.g. imported): asked from k answers on;
        # a few stray answers read "not asked" like none, so 1-4 cannot be told from 0.
        (WEEK, Side.CUSTOMER, "personal.customer"): [5, 5, 4],
        (WEEK, Side.EMPLOYEE, "personal.employee"): [5, 4, 4, 5, 3],
        (WEEK.shift(-1), Side.EMPLOYEE, "recommend.employee"): [9] * 8,
    }
    data = ReportInput(
        {key: histogram(values) for key, values in raw.items()},
        asked={Side.EMPLOYEE: 30, Side.CUSTOMER: 40},
        pulsed={Side.EMPLOYEE: EMPLOYEE_ITEMS, Side.CUSTOMER: CUSTOMER_ITEMS} if pulsed else None,
    )
    return build_report(
        week=WEEK, bank=load_bank(), data=data, anonymity=Anonymity(5), trend_weeks=3, lang=lang
    )


def _dim(report: WeekReport, key: str) -> MirroredDimension:
    return next(d for d in report.mirrored if d.key == key)


def test_sides_the_pulses_did_not_include_are_not_asked() -> None:
    report = _report()
    recommend = _dim(report, "recommend")
    for figures in (recommend.inside, recommend.outside):
        assert not figures.asked and figures.score is None
        assert figures.hidden == "not asked this week"
    assert recommend.not_asked == (Side.EMPLOYEE, Side.CUSTOMER)
    assert recommend.gap.estimate is None
    listening = _dim(report, "listening")
    assert listening.inside.asked and listening.inside.score is not None
    assert listening.outside.asked and listening.outside.hidden == "fewer than 5 answers"
    assert listening.not_asked == ()
    # Answered although no pulse of the week included it: 3 answers read like none, 5 count.
    personal = _dim(report, "personal")
    assert not personal.outside.asked and personal.outside.hidden == "not asked this week"
    assert personal.inside.asked and personal.inside.score is not None
    enps = next(d for d in report.one_sided if d.key == "enps")
    assert not enps.figures.asked and enps.figures.hidden == "not asked this week"
    understanding = next(d for d in report.one_sided if d.key == "understanding")
    assert understanding.figures.asked and understanding.figures.hidden == "fewer than 5 answers"


def test_without_the_plan_every_item_counts_as_asked() -> None:
    report = _report(pulsed=False)
    assert all(d.inside.asked and d.outside.asked for d in report.mirrored)
    assert _dim(report, "recommend").inside.hidden == "fewer than 5 answers"


def test_json_markdown_and_chart_say_not_asked() -> None:
    report = _report()
    data = json.loads(json.dumps(report.to_json()))
    recommend = next(d for d in data["mirrored"] if d["key"] == "recommend")
    assert recommend["inside"]["asked"] is False and recommend["inside"]["score"] is None
    page = markdown(report)
    row = next(line for line in page.splitlines() if line.startswith("| Recommendation"))
    assert row.count("not asked this week") == 3  # both sides and the gap column
    personal = next(line for line in page.splitlines() if line.startswith("| Treated as"))
    assert "Customers: not asked this week" in personal
    assert "fewer than 5" not in personal
    figure = mirror_figure(report)
    figure.canvas.draw()
    titles = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    labels = dict(
        zip(titles, (t.get_text() for t in figure.axes[1].get_yticklabels()), strict=True)
    )
    assert labels["Customer effort (CES)"].endswith("real")
    assert labels["Acting on feedback"] == "Customers: fewer than 5 answers"
    assert labels[_dim(report, "recommend").title] == "not asked this week"
    # Rows the week did not ask come last (the first title is drawn at the top).
    assert titles[-1] in {d.title for d in report.mirrored if len(d.not_asked) == 2}
    nps = nps_figure(report)
    nps.canvas.draw()
    assert "not asked this week" in [t.get_text() for t in nps.axes[0].texts]
    # The title says why as the report does, not "fewer than 5 answers".
    assert nps.axes[0].get_title(loc="left") == "NPS and eNPS: not asked this week"


def test_german_and_no_number_from_fewer_than_k_anywhere() -> None:
    report = _report(lang="de")
    assert _dim(report, "recommend").inside.hidden == "diese Woche nicht gefragt"
    listening = _dim(report, "listening")
    assert listening.outside.score is None and listening.gap.estimate is None
    assert "diese Woche nicht gefragt" in markdown(report)
