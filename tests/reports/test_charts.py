"""Golden structure of the charts: axes, labels, rows, titles; and the PNG's size."""

from __future__ import annotations

import io

import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

from pulse_mirror.reports.chart_style import render_png
from pulse_mirror.reports.charts import mirror_figure, render_all
from pulse_mirror.reports.charts_trend import nps_figure, trend_figure
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.report.build import ReportInput, WeekReport, build_report
from pulse_mirror.surveys.stats.metrics import histogram

WEEK = IsoWeek(2026, 47)


def _report(lang: str = "en") -> WeekReport:
    raw = {
        (WEEK, Side.EMPLOYEE, "effort.employee"): [6] * 10 + [7] * 6 + [5] * 4,
        (WEEK, Side.CUSTOMER, "effort.customer"): [3] * 8 + [4] * 6 + [5] * 4 + [2] * 3,
        (WEEK, Side.EMPLOYEE, "listening.employee"): [4] * 5 + [3] * 5,
        (WEEK, Side.CUSTOMER, "listening.customer"): [4] * 4 + [3] * 5 + [5],
        (WEEK, Side.CUSTOMER, "recommend.customer"): [10] * 6 + [8] * 4 + [3] * 5,
        (WEEK, Side.EMPLOYEE, "recommend.employee"): [9, 10],  # fewer than 5
        (WEEK, Side.EMPLOYEE, "enps.employee"): [10] * 3 + [7] * 3 + [5] * 2,
        (WEEK.shift(-1), Side.EMPLOYEE, "effort.employee"): [5] * 8,
        (WEEK.shift(-1), Side.CUSTOMER, "effort.customer"): [4] * 4 + [3] * 4,
    }
    data = ReportInput({key: histogram(v) for key, v in raw.items()})
    return build_report(
        week=WEEK, bank=load_bank(), data=data, anonymity=Anonymity(5), trend_weeks=4, lang=lang
    )


def _right_labels(figure: Figure) -> list[str]:
    right = figure.axes[1]
    return [t.get_text() for t in right.get_yticklabels()]


def test_mirror_has_one_row_per_dimension_sorted_by_gap() -> None:
    report = _report()
    figure = mirror_figure(report)
    figure.canvas.draw()
    axes = figure.axes[0]
    labels = [t.get_text() for t in axes.get_yticklabels()]
    assert len(labels) == len(report.mirrored) == 6
    # Rows are given top to bottom: the biggest gap first.
    top_down = labels
    assert top_down[0] == "Customer effort (CES)"
    assert top_down[1] == "Acting on feedback"
    right = _right_labels(figure)
    effort = next(d for d in report.mirrored if d.key == "effort").gap.estimate
    assert effort is not None
    assert right[0] == f"+{round(effort.value)} real"
    assert right[1].endswith("noise")
    assert right[2] == "Employees: fewer than 5 answers"  # recommend: one side too small
    assert right[3:] == ["fewer than 5 answers"] * 3
    points = round(effort.value)
    title = f"Employees rate Customer effort (CES) {points} points better than customers do"
    assert axes.get_title(loc="left") == title
    assert axes.get_xlim() == (0.0, 100.0)
    assert "95% interval" in axes.get_xlabel()


def test_mirror_in_german() -> None:
    figure = mirror_figure(_report("de"))
    axes = figure.axes[0]
    assert axes.get_title(loc="left").startswith("Mitarbeitende bewerten Kundenaufwand (CES) um ")
    assert "weniger als 5 Antworten" in _right_labels(figure)
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["Mitarbeitende", "Kundschaft"]


def test_trend_has_a_line_per_dimension_over_the_weeks() -> None:
    report = _report()
    figure = trend_figure(report)
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_xticklabels()] == list(report.trend_weeks)
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert len(legend) == 6
    assert "Customer effort (CES)" in legend
    assert "Customer satisfaction (CSAT): fewer than 5 answers" in legend
    assert axes.get_title(loc="left").startswith("Employees rate Customer effort")


def test_nps_bars_stack_to_100_and_label_small_groups() -> None:
    report = _report()
    figure = nps_figure(report)
    axes = figure.axes[0]
    labels = [t.get_text() for t in axes.get_yticklabels()]
    assert labels == ["Customers: NPS", "Employees' prediction of NPS", "Employees: eNPS"]
    widths = [patch.get_width() for patch in axes.patches]
    assert len(widths) == 6  # three segments for each of the two groups with enough answers
    assert sum(widths[:3]) == pytest.approx(100) and sum(widths[3:]) == pytest.approx(100)
    texts = [t.get_text() for t in axes.texts]
    assert "fewer than 5 answers" in texts
    assert (
        axes.get_title(loc="left") == "Customers' NPS +7, employees' eNPS +12"
    )  # 12.5 rounds half to even
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert legend == ["Detractors (0–6)", "Passives (7–8)", "Promoters (9–10)"]


def test_pngs_open_at_1600_by_900() -> None:
    pngs = render_all(_report())
    assert set(pngs) == {"report.png", "trend.png", "nps.png"}
    for data in pngs.values():
        image = imread(io.BytesIO(data), format="png")
        assert image.shape[:2] == (900, 1600)


def test_an_empty_report_still_draws_every_row() -> None:
    report = build_report(week=WEEK, bank=load_bank(), data=ReportInput({}), anonymity=Anonymity())
    figure = mirror_figure(report)
    assert len(figure.axes[0].get_yticklabels()) == len(report.mirrored)
    assert set(_right_labels(figure)) == {"fewer than 5 answers"}
    assert render_png(figure).startswith(b"\x89PNG")
