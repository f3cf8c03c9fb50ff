"""A side whose answer window is still open shows "window still open until ...", no figure.

Two reports of an open week taken some time apart must not differ, or subtracting them
would tell what the few people who answered in between said.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from matplotlib.lines import Line2D
from matplotlib.text import Text

from pulse_mirror.reports.charts import (
    CUSTOMER_COLOUR,
    EMPLOYEE_COLOUR,
    all_figures,
    mirror_figure,
    render_all,
)
from pulse_mirror.reports.charts_trend import nps_figure, trend_figure
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.records import CommentRecord
from pulse_mirror.surveys.report.build import (
    MirroredDimension,
    OpenWindow,
    ReportInput,
    ResponseRate,
    Shift,
    WeekReport,
    build_report,
)
from pulse_mirror.surveys.report.export import export_rows, rows_to_csv
from pulse_mirror.surveys.report.markdown import markdown
from pulse_mirror.surveys.report.text import headline, summary
from pulse_mirror.surveys.stats.gaps import Verdict
from pulse_mirror.surveys.stats.metrics import histogram

WEEK = IsoWeek(2026, 12)
LAST = WEEK.shift(-1)
UTC = dt.UTC
EMPLOYEES_CLOSE = dt.datetime(2026, 3, 20, 17, 0, tzinfo=UTC)  # Friday of 2026-W12
CUSTOMERS_CLOSE = dt.datetime(2026, 3, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin, W13
CLOSES = {
    (WEEK, Side.EMPLOYEE): EMPLOYEES_CLOSE,
    (WEEK, Side.CUSTOMER): CUSTOMERS_CLOSE,
    (LAST, Side.EMPLOYEE): EMPLOYEES_CLOSE - dt.timedelta(days=7),
    (LAST, Side.CUSTOMER): CUSTOMERS_CLOSE - dt.timedelta(days=7),
}
CUSTOMERS_OPEN = dt.datetime(2026, 3, 21, 12, 0, tzinfo=UTC)  # employees closed, customers not
BOTH_OPEN = dt.datetime(2026, 3, 19, 12, 0, tzinfo=UTC)
OPEN_TEXT = "window still open until 2026-03-23 08:00 UTC"
EMPLOYEES_OPEN_TEXT = "window still open until 2026-03-20 17:00 UTC"

FEW_CUSTOMERS = {"effort.customer": [3] * 3 + [4] * 2, "recommend.customer": [10] * 4 + [3]}
MORE_CUSTOMERS = {
    "effort.customer": [3] * 3 + [4] * 2 + [7] * 6,
    "recommend.customer": [10] * 4 + [3] + [0] * 5,
}


def _data(customers: dict[str, list[int]], *, comments: int = 8) -> ReportInput:
    raw = {
        (WEEK, Side.EMPLOYEE, "effort.employee"): [6] * 10 + [7] * 6 + [5] * 4,
        (WEEK, Side.EMPLOYEE, "recommend.employee"): [9] * 6 + [7] * 2,
        (WEEK, Side.EMPLOYEE, "enps.employee"): [10] * 5 + [6] * 3,
        (LAST, Side.EMPLOYEE, "effort.employee"): [4] * 8,
        (LAST, Side.CUSTOMER, "effort.customer"): [3] * 6,
        (LAST, Side.EMPLOYEE, "enps.employee"): [9] * 6,
    }
    raw.update({(WEEK, Side.CUSTOMER, key): values for key, values in customers.items()})
    said = [
        CommentRecord("comment.employee", Side.EMPLOYEE, WEEK, None, f"employee said {i}")
        for i in range(8)
    ]
    said += [
        CommentRecord("comment.customer", Side.CUSTOMER, WEEK, None, f"customer said {i}")
        for i in range(comments)
    ]
    return ReportInput(
        {key: histogram(values) for key, values in raw.items()},
        comments=said,
        asked={Side.EMPLOYEE: 30, Side.CUSTOMER: 40},
        closes_at=CLOSES,
    )


def _report(
    *,
    now: dt.datetime = CUSTOMERS_OPEN,
    customers: dict[str, list[int]] = FEW_CUSTOMERS,
    comments: int = 8,
    lang: str = "en",
    windows: bool = True,
) -> WeekReport:
    data = _data(customers, comments=comments)
    if not windows:
        data = ReportInput(data.histograms, data.comments, data.asked)
    return build_report(
        week=WEEK, bank=load_bank(), data=data, anonymity=Anonymity(5), trend_weeks=3,
        lang=lang, now=now,
    )  # fmt: skip


def _dim(report: WeekReport, key: str) -> MirroredDimension:
    return next(d for d in report.mirrored if d.key == key)


def test_an_open_side_says_so_and_carries_no_figure() -> None:
    report = _report()
    effort = _dim(report, "effort")
    assert effort.outside.score is None and effort.outside.hidden == OPEN_TEXT
    assert effort.outside.open_until == CUSTOMERS_CLOSE and effort.outside.asked
    assert effort.outside.change == Shift(Verdict.NOT_ENOUGH, None)
    assert effort.still_open == (Side.CUSTOMER,)
    # The closed side is unaffected: 20 answers, mean 6.1, and its change from last week.
    assert effort.inside.score is not None and effort.inside.score.n == 20
    assert effort.inside.score.value.value == pytest.approx(6.1)
    assert effort.inside.open_until is None and effort.inside.change.estimate is not None
    assert effort.inside.change.estimate.value == pytest.approx((6.1 - 4) / 6 * 100)
    # No gap this week; last week (both windows closed) keeps its gap in the trend.
    assert effort.gap == Shift(Verdict.NOT_ENOUGH, None)
    this_week, last_week = effort.trend[-1], effort.trend[-2]
    assert this_week.gap == Shift(Verdict.NOT_ENOUGH, None)
    assert this_week.open_until == CUSTOMERS_CLOSE
    assert last_week.open_until is None and last_week.gap is not None
    assert last_week.gap.estimate is not None
    assert last_week.gap.estimate.value == pytest.approx((4 - 3) / 6 * 100)
    rates = {rate.side: rate for rate in report.response_rates}
    assert rates[Side.CUSTOMER] == ResponseRate(Side.CUSTOMER, None, None, None, OPEN_TEXT)
    assert rates[Side.EMPLOYEE] == ResponseRate(Side.EMPLOYEE, 30, 20, 20 / 30, None)
    comments = {c.side: c for c in report.comments}
    assert comments[Side.CUSTOMER].shown == () and comments[Side.CUSTOMER].hidden == OPEN_TEXT
    assert len(comments[Side.EMPLOYEE].shown) == 3
    assert report.open_windows == (OpenWindow("2026-W12", Side.CUSTOMER, CUSTOMERS_CLOSE),)
    assert report.still_open == report.open_windows
    assert (
        headline(report) == "Week 2026-W12 is still open until 2026-03-23 08:00 UTC: no figures yet"
    )
    enps = next(d for d in report.one_sided if d.key == "enps")
    assert enps.figures.score is not None and enps.figures.score.n == 8


def test_both_sides_open() -> None:
    report = _report(now=BOTH_OPEN)
    effort = _dim(report, "effort")
    assert effort.still_open == (Side.EMPLOYEE, Side.CUSTOMER)
    assert effort.inside.hidden == EMPLOYEES_OPEN_TEXT and effort.inside.score is None
    enps = next(d for d in report.one_sided if d.key == "enps")
    assert enps.figures.score is None and enps.figures.hidden == EMPLOYEES_OPEN_TEXT
    assert enps.trend[-1].score is None and enps.trend[-1].open_until == EMPLOYEES_CLOSE
    assert enps.trend[-2].score is not None  # last week's eNPS, closed
    assert all(rate.respondents is None and rate.asked is None for rate in report.response_rates)
    assert all(not c.shown for c in report.comments)
    row = next(line for line in markdown(report).splitlines() if line.startswith("| Customer eff"))
    assert row == (
        f"| Customer effort (CES) | {EMPLOYEES_OPEN_TEXT} | {OPEN_TEXT} | "
        f"Employees: {EMPLOYEES_OPEN_TEXT}; Customers: {OPEN_TEXT} |"
    )
    assert summary(report).changes == () and summary(report).gaps == ()
    figure = mirror_figure(report)
    figure.canvas.draw()
    right = [t.get_text() for t in figure.axes[1].get_yticklabels()]
    assert f"Employees: {EMPLOYEES_OPEN_TEXT}\nCustomers: {OPEN_TEXT}" in right
    assert _customer_points(figure.axes[0].get_lines(), EMPLOYEE_COLOUR) == 0


def test_the_open_side_never_depends_on_its_answers() -> None:
    """Taken a day apart, with six more answers and other comments: nothing differs."""
    early = _report(now=CUSTOMERS_OPEN)
    late = _report(now=CUSTOMERS_OPEN + dt.timedelta(days=1), customers=MORE_CUSTOMERS, comments=20)
    assert early == late
    assert json.dumps(early.to_json()) == json.dumps(late.to_json())
    for lang in ("en", "de"):
        assert markdown(early, lang) == markdown(late, lang)
        assert summary(early, lang) == summary(late, lang)
    assert render_all(early) == render_all(late)  # the PNGs, byte for byte


def test_after_the_close_every_figure_is_back_as_before() -> None:
    closed = _report(now=CUSTOMERS_CLOSE, customers=MORE_CUSTOMERS)
    assert closed == _report(customers=MORE_CUSTOMERS, windows=False)
    effort = _dim(closed, "effort")
    assert effort.outside.score is not None and effort.outside.score.n == 11
    assert effort.outside.open_until is None and effort.gap.estimate is not None
    assert closed.open_windows == () and not closed.still_open
    rates = {rate.side: rate for rate in closed.response_rates}
    assert rates[Side.CUSTOMER] == ResponseRate(Side.CUSTOMER, 40, 11, 11 / 40, None)
    assert "still open" not in markdown(closed)
    # A moment before the close it was still open.
    before = _report(now=CUSTOMERS_CLOSE - dt.timedelta(seconds=1), customers=MORE_CUSTOMERS)
    assert _dim(before, "effort").outside.score is None


def test_text_markdown_and_json_say_still_open() -> None:
    report = _report()
    page = markdown(report)
    row = next(line for line in page.splitlines() if line.startswith("| Customer effort"))
    assert row.endswith(f"| {OPEN_TEXT} | Customers: {OPEN_TEXT} |")
    assert "n = 20" in row  # the employees' closed side
    assert f"2026-W12: {OPEN_TEXT}" in page  # the gap trend
    assert f"- Customers: {OPEN_TEXT}" in page  # response rate
    assert f"**Customers**\n- {OPEN_TEXT}" in page  # comments
    assert "customer said" not in page and "employee said" in page
    assert f"Customers: {OPEN_TEXT}" in summary(report).rates
    data = json.loads(json.dumps(report.to_json()))
    assert data["open_windows"] == [
        {"week": "2026-W12", "side": "customer", "until": "2026-03-23T08:00:00+00:00"}
    ]
    effort = next(d for d in data["mirrored"] if d["key"] == "effort")
    assert effort["outside"]["score"] is None and effort["outside"]["hidden"] == OPEN_TEXT
    assert effort["outside"]["open_until"] == "2026-03-23T08:00:00+00:00"
    # No number, so no level and no adjusted p either (fields added with Holm's verdicts).
    assert effort["gap"] == {
        "verdict": "not_enough",
        "estimate": None,
        "level": None,
        "p_adjusted": None,
    }
    customers = next(r for r in data["response_rates"] if r["side"] == "customer")
    assert customers == {
        "side": "customer", "asked": None, "respondents": None, "rate": None, "hidden": OPEN_TEXT,
    }  # fmt: skip


def test_german() -> None:
    report = _report(lang="de")
    effort = _dim(report, "effort")
    assert effort.outside.hidden == "Antwortfenster noch offen bis 2026-03-23 08:00 UTC"
    assert headline(report) == (
        "Woche 2026-W12 ist noch offen bis 2026-03-23 08:00 UTC: noch keine Zahlen"
    )
    assert "Kundschaft: Antwortfenster noch offen bis 2026-03-23 08:00 UTC" in markdown(report)


def _customer_points(figure_lines: list[Line2D], colour: str) -> int:
    return sum(len(line.get_xdata()) for line in figure_lines if line.get_color() == colour)  # type: ignore[arg-type]


def test_charts_show_the_open_state_and_no_customer_figure() -> None:
    report = _report()
    mirror = mirror_figure(report)
    mirror.canvas.draw()
    titles = [t.get_text() for t in mirror.axes[0].get_yticklabels()]
    labels = dict(
        zip(titles, (t.get_text() for t in mirror.axes[1].get_yticklabels()), strict=True)
    )
    assert labels["Customer effort (CES)"] == f"Customers: {OPEN_TEXT}"
    assert mirror.axes[0].get_title(loc="left").startswith("Week 2026-W12 is still open")
    lines = mirror.axes[0].get_lines()
    assert _customer_points(lines, CUSTOMER_COLOUR) == 0  # not one customer dot
    assert _customer_points(lines, EMPLOYEE_COLOUR) > 0

    trend = trend_figure(report)
    trend.canvas.draw()
    ticks = [t.get_text() for t in trend.axes[0].get_xticklabels()]
    assert ticks == ["2026-W10", "2026-W11", "2026-W12\nstill open"]
    effort_line = next(
        bars.lines[0]
        for bars in trend.axes[0].containers
        if bars.get_label() == "Customer effort (CES)"
    )
    ys = list(effort_line.get_ydata())  # type: ignore[arg-type,union-attr]
    assert math.isnan(ys[2]) and ys[1] == pytest.approx((4 - 3) / 6 * 100)

    nps = nps_figure(report)
    nps.canvas.draw()
    texts = [t.get_text() for t in nps.axes[0].texts]
    assert OPEN_TEXT in texts  # the customers' NPS row
    assert nps.axes[0].get_title(loc="left") == (f"Customers' NPS {OPEN_TEXT}, employees' eNPS +25")


def test_chart_texts_hold_no_customer_number() -> None:
    """Every text drawn in the charts is the same whatever the open side's answers."""

    def texts(report: WeekReport) -> list[str]:
        found = []
        for figure in all_figures(report).values():
            figure.canvas.draw()
            found += [t.get_text() for t in figure.findobj(Text)]
        return found

    assert texts(_report()) == texts(_report(customers=MORE_CUSTOMERS))
    # ... while the same answers after the close do change them (the check can see).
    assert texts(_report(now=CUSTOMERS_CLOSE)) != texts(
        _report(now=CUSTOMERS_CLOSE, customers=MORE_CUSTOMERS)
    )


def test_now_is_needed_once_windows_are_known() -> None:
    with pytest.raises(ValueError, match="now is needed"):
        build_report(week=WEEK, bank=load_bank(), data=_data(FEW_CUSTOMERS), anonymity=Anonymity())
    with pytest.raises(ValueError, match="now is needed"):
        export_rows(
            weeks=[WEEK], bank=load_bank(), histograms={}, anonymity=Anonymity(), closes_at=CLOSES
        )


def _export(now: dt.datetime, customers: dict[str, list[int]]) -> list[dict[str, object]]:
    data = _data(customers)
    return export_rows(
        weeks=[LAST, WEEK], bank=load_bank(), histograms=data.histograms,
        anonymity=Anonymity(5), closes_at=CLOSES, now=now,
    )  # fmt: skip


def test_export_rows_of_an_open_side_say_so_and_never_differ() -> None:
    early = _export(CUSTOMERS_OPEN, FEW_CUSTOMERS)
    late = _export(CUSTOMERS_OPEN + dt.timedelta(days=1), MORE_CUSTOMERS)
    assert rows_to_csv(early) == rows_to_csv(late)
    rows = {(r["week"], r["item"]): r for r in early}
    effort = rows[("2026-W12", "effort.customer")]
    assert effort["note"] == OPEN_TEXT
    assert all(effort[name] is None for name in ("n", "value", "value_low", "score", "score_high"))
    assert rows[("2026-W12", "recommend.customer")]["note"] == OPEN_TEXT
    assert rows[("2026-W12", "effort.employee")]["n"] == 20  # employees' window has closed
    assert rows[("2026-W11", "effort.customer")]["n"] == 6  # last week is final
    after = {(r["week"], r["item"]): r for r in _export(CUSTOMERS_CLOSE, MORE_CUSTOMERS)}
    assert after[("2026-W12", "effort.customer")]["n"] == 11
    assert after[("2026-W12", "effort.customer")]["value"] == pytest.approx(59 / 11)
    assert after[("2026-W12", "effort.customer")]["note"] is None
