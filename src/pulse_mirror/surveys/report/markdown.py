"""The weekly report as a markdown document (``report.md``), English or German."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pulse_mirror.surveys.report.figures import TrendPoint
from pulse_mirror.surveys.report.text import (
    gap_label,
    mirror_label,
    side_cell,
    side_name,
    summary,
    text,
)
from pulse_mirror.surveys.report.windows import still_open_text

if TYPE_CHECKING:
    from pulse_mirror.surveys.report.build import WeekReport


def markdown(report: WeekReport, lang: str | None = None) -> str:
    """The whole report as markdown: finding, mirror table, employee-only items, comments."""
    lang = lang or report.language
    fewer = report.fewer_than(lang)
    lines = [
        f"# {text('title', lang, week=report.week)}",
        "",
        f"**{summary(report, lang).headline}**",
    ]
    lines += [
        "",
        f"| {text('dimension', lang)} | {text('employees', lang)} | "
        f"{text('customers', lang)} | {text('gap', lang)} |",
        "|---|---|---|---|",
    ]
    for dim in report.mirrored:
        gap = mirror_label(dim, lang=lang, fewer_than=fewer)
        shown = dim.gap if dim.latest is None else dim.latest.gap
        if shown.estimate is not None:
            low, high = shown.estimate.low, shown.estimate.high
            gap += f" [{low:.0f} to {high:.0f}{_level(shown.level, lang)}]"
        lines.append(
            f"| {dim.title} | {side_cell(dim.inside, dim.metric, lang)} | "
            f"{side_cell(dim.outside, dim.metric, lang)} | {gap} |"
        )
    if report.one_sided:
        lines += ["", f"## {text('employee_only', lang)}", ""]
        for one in report.one_sided:
            who = side_name(one.figures.side, lang)
            lines.append(f"- {one.title} ({who}): {side_cell(one.figures, one.metric, lang)}")
    brief = summary(report, lang)
    lines += ["", f"## {text('changed', lang)}", ""]
    lines += [f"- {line}" for line in brief.changes] or [f"- {text('nothing_changed', lang)}"]
    lines += ["", f"## {text('trend', lang, first=report.trend_weeks[0], last=report.week)}", ""]
    for dim in report.mirrored:
        points = ", ".join(
            f"{point.week}: {_trend_label(point, lang)}"
            for point in dim.trend
            if point.gap is not None
        )
        lines.append(f"- {dim.title}: {points}")
    lines += ["", f"## {text('rates', lang)}", ""]
    lines += [f"- {line}" for line in brief.rates]
    lines += ["", f"## {text('comments', lang)}", ""]
    for comments in report.comments:
        lines.append(f"**{side_name(comments.side, lang)}**")
        lines += [f"> {quote}" for quote in comments.shown] or [f"- {comments.hidden}"]
        lines.append("")
    lines += [f"## {text('method', lang)}", ""]
    lines += [f"- {method}" for method in report.methods.values()]
    lines += ["", f"_{brief.footnote}_", ""]
    return "\n".join(lines)


def _level(level: float | None, lang: str) -> str:
    """The interval's confidence when Holm's step made it wider than 95%: ", 99.2%"."""
    if level is None or level <= 0.95 + 1e-12:
        return ""
    figure = f"{100 * level:.1f}".rstrip("0").rstrip(".")
    return f", {figure.replace('.', ',')} %" if lang == "de" else f", {figure}%"


def _trend_label(point: TrendPoint, lang: str) -> str:
    if point.open_until is not None:
        return still_open_text(point.open_until, lang)
    assert point.gap is not None
    return gap_label(point.gap, lang=lang, fewer_than="–")
