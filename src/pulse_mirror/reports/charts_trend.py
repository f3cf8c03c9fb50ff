"""The gap trend over the weeks and the NPS vs eNPS bars, as matplotlib Figures."""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from pulse_mirror.reports.chart_style import (
    MUTED_COLOUR,
    footnote,
    new_figure,
    right_labels,
    threshold_line,
)
from pulse_mirror.surveys.model import Metric, Side
from pulse_mirror.surveys.report.build import SideFigures, WeekReport
from pulse_mirror.surveys.report.text import headline, side_name, signed, text
from pulse_mirror.surveys.report.windows import still_open_text

# Okabe-Ito, in an order that keeps neighbouring lines apart.
LINE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DETRACTOR_COLOUR = "#D55E00"
PASSIVE_COLOUR = "#F0E442"
PROMOTER_COLOUR = "#009E73"

_WORDS = {
    "en": {
        "gap_axis": "Gap in points on 0–100 (employees − customers), bars = interval ≥ 95%",
        "share_axis": "% of answers",
        "detractors": "Detractors (0–6)",
        "passives": "Passives (7–8)",
        "promoters": "Promoters (9–10)",
        "nps": "NPS",
        "customers_nps": "Customers: NPS",
        "employees_nps": "Employees' prediction of NPS",
        "enps": "Employees: eNPS",
        "nps_title": "Customers' NPS {nps}, employees' eNPS {enps}",
        "nps_title_none": "NPS and eNPS: {fewer}",
        "open_week": "still open",
    },
    "de": {
        "gap_axis": "Lücke in Punkten auf 0–100 (Mitarbeitende − Kundschaft), "
        "Balken = Intervall ≥ 95 %",
        "share_axis": "% der Antworten",
        "detractors": "Kritiker (0–6)",
        "passives": "Passive (7–8)",
        "promoters": "Promotoren (9–10)",
        "nps": "NPS",
        "customers_nps": "Kundschaft: NPS",
        "employees_nps": "Schätzung der Mitarbeitenden (NPS)",
        "enps": "Mitarbeitende: eNPS",
        "nps_title": "NPS der Kundschaft {nps}, eNPS der Mitarbeitenden {enps}",
        "nps_title_none": "NPS und eNPS: {fewer}",
        "open_week": "noch offen",
    },
}


def _word(key: str, lang: str) -> str:
    return (_WORDS.get(lang) or _WORDS["en"])[key]


def trend_figure(report: WeekReport, lang: str | None = None) -> Figure:
    """The gap of every mirrored dimension over the trend's weeks, with 95% intervals."""
    lang = lang or report.language
    fewer = report.fewer_than(lang)
    figure = new_figure()
    axes = figure.add_subplot()
    weeks = list(report.trend_weeks)
    xs = list(range(len(weeks)))
    still_open = {window.week for window in report.open_windows}
    for index, dim in enumerate(report.mirrored):
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        values = [p.gap.estimate.value if p.gap and p.gap.estimate else math.nan for p in dim.trend]
        lows = [p.gap.estimate.low if p.gap and p.gap.estimate else math.nan for p in dim.trend]
        highs = [p.gap.estimate.high if p.gap and p.gap.estimate else math.nan for p in dim.trend]
        shown = sum(not math.isnan(v) for v in values)
        label = dim.title if shown else f"{dim.title}: {fewer}"
        errors = [
            [v - lo for v, lo in zip(values, lows, strict=True)],
            [hi - v for v, hi in zip(values, highs, strict=True)],
        ]
        offset = (index - len(report.mirrored) / 2) * 0.03
        axes.errorbar(
            [x + offset for x in xs],
            values,
            yerr=errors,
            label=label,
            color=colour,
            marker="o",
            capsize=3,
            linewidth=2,
        )
    axes.axhline(0.0, color=MUTED_COLOUR, linewidth=1)
    # A week whose window is open has no point; its tick says why.
    ticks = [f"{w}\n{_word('open_week', lang)}" if w in still_open else w for w in weeks]
    axes.set_xticks(xs, ticks, fontsize=11)
    axes.set_ylabel(_word("gap_axis", lang), fontsize=12)
    axes.set_title(headline(report, lang), fontsize=18, loc="left", pad=14)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=11, frameon=False)
    axes.grid(axis="y", color="#DDDDDD")
    footnote(
        figure,
        text("trend", lang, first=weeks[0], last=weeks[-1]) + ". " + threshold_line(report, lang),
    )
    return figure


def nps_rows(report: WeekReport, lang: str) -> list[tuple[str, SideFigures]]:
    """The NPS-type rows: customers' NPS, employees' prediction of it, eNPS (when in the bank)."""
    rows: list[tuple[str, SideFigures]] = []
    for dim in report.mirrored:
        if dim.metric is Metric.NPS:
            name = dim.title if dim.key != "recommend" else None
            rows.append(
                (
                    f"{name}: {side_name(Side.CUSTOMER, lang)}"
                    if name
                    else _word("customers_nps", lang),
                    dim.outside,
                )
            )
            rows.append(
                (
                    f"{name}: {side_name(Side.EMPLOYEE, lang)}"
                    if name
                    else _word("employees_nps", lang),
                    dim.inside,
                )
            )
    for one in report.one_sided:
        if one.metric is Metric.NPS:
            label = _word("enps", lang) if one.key == "enps" else one.title
            rows.append((label, one.figures))
    return rows


def nps_figure(report: WeekReport, lang: str | None = None) -> Figure:
    """NPS vs eNPS as stacked detractor / passive / promoter bars, one row per group."""
    lang = lang or report.language
    fewer = report.fewer_than(lang)
    figure = new_figure()
    axes = figure.add_subplot()
    rows = nps_rows(report, lang)
    positions = list(range(len(rows) - 1, -1, -1))
    right: list[tuple[str, bool]] = []
    for y, (_, figures) in zip(positions, rows, strict=True):
        shares = figures.score.shares if figures.score else None
        if figures.score is None or shares is None:
            axes.text(
                50,
                y,
                figures.hidden or fewer,
                ha="center",
                va="center",
                fontsize=14,
                color=MUTED_COLOUR,
            )
            right.append(("", False))
            continue
        left = 0.0
        for key, share, colour in (
            ("detractors", shares.detractors, DETRACTOR_COLOUR),
            ("passives", shares.passives, PASSIVE_COLOUR),
            ("promoters", shares.promoters, PROMOTER_COLOUR),
        ):
            axes.barh([y], [share], left=[left], color=colour, height=0.6, label=_word(key, lang))
            if share >= 6:
                axes.text(
                    left + share / 2, y, f"{share:.0f}%", ha="center", va="center", fontsize=12
                )
            left += share
        right.append((f"{_word('nps', lang)} {signed(figures.score.value.value)}", True))
    axes.set_yticks(positions, [label for label, _ in rows], fontsize=13)
    axes.set_xlim(0, 100)
    axes.set_ylim(-0.7, max(len(rows) - 0.3, 0.7))
    right_labels(axes, positions, right)
    axes.set_xlabel(_word("share_axis", lang), fontsize=12)
    axes.set_title(_nps_title(rows, lang, fewer), fontsize=18, loc="left", pad=14)
    handles, labels = axes.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    axes.legend(
        list(unique.values()),
        list(unique.keys()),
        loc="lower left",
        bbox_to_anchor=(0.0, 1.04),
        ncols=3,
        frameon=False,
        fontsize=12,
    )
    footnote(figure, threshold_line(report, lang))
    return figure


def _nps_title(rows: list[tuple[str, SideFigures]], lang: str, fewer: str) -> str:
    def figure_of(item: str) -> str | None:
        for _, figures in rows:
            if figures.item == item and figures.score is not None:
                return signed(figures.score.value.value)
        return None

    def missing(item: str) -> str:
        """Why ``item`` has no figure, in the report's own words ("not asked this week"...)."""
        for _, figures in rows:
            if figures.item == item and figures.open_until is not None:
                return still_open_text(figures.open_until, lang)
            if figures.item == item and figures.hidden:
                return figures.hidden
        return fewer

    nps, enps = figure_of("recommend.customer"), figure_of("enps.employee")
    why_nps, why_enps = missing("recommend.customer"), missing("enps.employee")
    if nps is None and enps is None and why_nps == why_enps:
        return _word("nps_title_none", lang).format(fewer=why_nps)
    return _word("nps_title", lang).format(nps=nps or why_nps, enps=enps or why_enps)
