"""The report's charts as matplotlib Figures (never pyplot): the mirror, and all three at once.

Colours are the Okabe-Ito palette, safe for colour-blind readers. What every chart shares
(the canvas, labels, the footnote, rendering to PNG) is in :mod:`reports.chart_style`; the
trend and NPS charts are in :mod:`reports.charts_trend`.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from pulse_mirror.reports.chart_style import (
    footnote,
    new_figure,
    render_png,
    right_labels,
    threshold_line,
)
from pulse_mirror.reports.charts_trend import nps_figure, trend_figure
from pulse_mirror.surveys.report.build import MirroredDimension, Score, WeekReport
from pulse_mirror.surveys.report.text import headline, mirror_label, text

EMPLOYEE_COLOUR = "#0072B2"  # Okabe-Ito blue
CUSTOMER_COLOUR = "#D55E00"  # Okabe-Ito vermillion

_AXIS = {
    "en": "Score 0–100, dot = estimate, whiskers = 95% interval",
    "de": "Wert 0–100, Punkt = Schätzung, Linie = 95-%-Intervall",
}
_HOLLOW = {
    "en": "; hollow = the latest earlier week",
    "de": "; hohl = die letzte frühere Woche",
}


def sorted_by_gap(report: WeekReport) -> list[MirroredDimension]:
    """Mirrored dimensions, largest gap first; then those without a gap, in bank order,
    the ones the week's pulses did not ask last."""
    known = [d for d in report.mirrored if d.gap.estimate is not None]
    unknown = [d for d in report.mirrored if d.gap.estimate is None]
    known.sort(key=lambda d: -(d.gap.estimate.value if d.gap.estimate else 0.0))
    unknown.sort(key=lambda d: len(d.not_asked))
    return known + unknown


def mirror_figure(report: WeekReport, lang: str | None = None) -> Figure:
    """The mirror: per dimension the employee and customer score with intervals and the gap."""
    lang = lang or report.language
    fewer = report.fewer_than(lang)
    figure = new_figure()
    axes = figure.add_subplot()
    rows = sorted_by_gap(report)
    # The first row is drawn at the top.
    positions = list(range(len(rows) - 1, -1, -1))
    labels: list[tuple[str, bool]] = []
    for y, dim in zip(positions, rows, strict=True):
        latest = dim.latest
        # Without a gap this week the row shows the latest week's pair, hollow, so it is never
        # taken for this week's (a lone side of this week is in the post's text instead).
        inside = latest.inside if latest is not None else dim.inside.score
        outside = latest.outside if latest is not None else dim.outside.score
        hollow = latest is not None
        _draw_side(axes, inside, y=y + 0.12, colour=EMPLOYEE_COLOUR, marker="o", hollow=hollow)
        _draw_side(axes, outside, y=y - 0.12, colour=CUSTOMER_COLOUR, marker="s", hollow=hollow)
        label = mirror_label(dim, lang=lang, fewer_than=fewer)
        if dim.still_open or latest is not None:  # long reasons: one line each
            label = label.replace("; ", "\n")
        labels.append((label, dim.gap.estimate is not None))
    axes.set_yticks(positions, [d.title for d in rows], fontsize=13)
    axes.set_xlim(0, 100)
    axes.set_ylim(-0.7, max(len(rows) - 0.3, 0.7))
    right_labels(axes, positions, labels)
    axis = _AXIS.get(lang) or _AXIS["en"]
    if any(d.latest is not None for d in rows):
        axis += _HOLLOW.get(lang) or _HOLLOW["en"]
    axes.set_xlabel(axis, fontsize=12)
    axes.grid(axis="x", color="#DDDDDD")
    axes.set_title(headline(report, lang), fontsize=18, loc="left", pad=14)
    handles = [
        axes.errorbar([], [], xerr=[], fmt="o", color=EMPLOYEE_COLOUR)[0],
        axes.errorbar([], [], xerr=[], fmt="s", color=CUSTOMER_COLOUR)[0],
    ]
    axes.legend(
        handles,
        [text("employees", lang), text("customers", lang)],
        loc="lower left",
        bbox_to_anchor=(0.0, 1.04),
        ncols=2,
        frameon=False,
        fontsize=12,
    )
    footnote(figure, _footnote(report, lang))
    return figure


def _draw_side(
    axes: Axes, score: Score | None, *, y: float, colour: str, marker: str, hollow: bool = False
) -> None:
    if score is None:
        return
    estimate = score.score
    axes.errorbar(
        [estimate.value],
        [y],
        xerr=[[estimate.value - estimate.low], [estimate.high - estimate.value]],
        fmt=marker,
        color=colour,
        markersize=10,
        capsize=5,
        elinewidth=1 if hollow else 2,
        markerfacecolor="white" if hollow else colour,
        linestyle="none",
        alpha=0.8 if hollow else 1.0,
    )


def _footnote(report: WeekReport, lang: str) -> str:
    return f"{text('method_line', lang)} " + threshold_line(report, lang)


def all_figures(report: WeekReport, lang: str | None = None) -> dict[str, Figure]:
    """Every chart of the report by file name: report.png, trend.png, nps.png."""
    return {
        "report.png": mirror_figure(report, lang),
        "trend.png": trend_figure(report, lang),
        "nps.png": nps_figure(report, lang),
    }


def mirror_png(report: WeekReport) -> bytes:
    """The mirror chart as PNG bytes (blocking: run it in ``asyncio.to_thread``)."""
    return render_png(mirror_figure(report))


def render_all(report: WeekReport, lang: str | None = None) -> dict[str, bytes]:
    """Every chart rendered to PNG bytes (blocking: run it in ``asyncio.to_thread``)."""
    return {name: render_png(fig) for name, fig in all_figures(report, lang).items()}
