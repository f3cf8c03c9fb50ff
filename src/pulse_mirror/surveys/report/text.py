"""The report's words (English and German): the headline finding, the summary lines, markdown.

Every number printed here comes from a
:class:`~pulse_mirror.surveys.report.build.WeekReport`, which holds no number for a group below
the threshold; those rows print "fewer than k answers".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pulse_mirror.surveys.model import Metric, Side
from pulse_mirror.surveys.report.figures import (
    MirroredDimension,
    Score,
    Shift,
    SideFigures,
    not_asked_text,
)
from pulse_mirror.surveys.report.windows import still_open_text, until_text
from pulse_mirror.surveys.stats.methods import Verdict

if TYPE_CHECKING:
    from pulse_mirror.surveys.report.build import WeekReport
from pulse_mirror.surveys.texts import Table, Texts

_TABLE: Table = {
    "title": {"en": "Pulse Mirror · week {week}", "de": "Pulse Mirror · Woche {week}"},
    "intro": {
        "en": "Pulse Mirror is running; first results on {date}.",
        "de": "Pulse Mirror läuft; erste Ergebnisse am {date}.",
    },
    "finding_up": {
        "en": "Employees rate {dim} {points} points better than customers do",
        "de": "Mitarbeitende bewerten {dim} um {points} Punkte besser als die Kundschaft",
    },
    "finding_down": {
        "en": "Employees rate {dim} {points} points worse than customers do",
        "de": "Mitarbeitende bewerten {dim} um {points} Punkte schlechter als die Kundschaft",
    },
    "no_real_gap": {
        "en": "No real gap between employees and customers this week",
        "de": "Diese Woche keine echte Lücke zwischen Mitarbeitenden und Kundschaft",
    },
    "no_data": {
        "en": "Not enough answers this week to compare employees and customers",
        "de": "Diese Woche zu wenige Antworten für einen Vergleich",
    },
    "still_open": {
        "en": "Week {week} is still open until {until}: no figures yet",
        "de": "Woche {week} ist noch offen bis {until}: noch keine Zahlen",
    },
    "real": {"en": "real", "de": "echt"},
    "noise": {"en": "noise", "de": "Rauschen"},
    "employees": {"en": "Employees", "de": "Mitarbeitende"},
    "customers": {"en": "Customers", "de": "Kundschaft"},
    "employee_only": {"en": "Employees only", "de": "Nur Mitarbeitende"},
    "gaps": {"en": "Biggest real gaps", "de": "Größte echte Lücken"},
    "changed": {
        "en": "What changed since last week",
        "de": "Was sich seit letzter Woche geändert hat",
    },
    "nothing_changed": {
        "en": "No real change since last week",
        "de": "Keine echte Veränderung seit letzter Woche",
    },
    "rates": {"en": "Response rates", "de": "Rücklauf"},
    "latest": {"en": "latest {week}: {gap}", "de": "zuletzt {week}: {gap}"},
    "uncompared": {
        "en": "Figures without a comparison",
        "de": "Zahlen ohne Vergleich",
    },
    "uncompared_line": {"en": "{dim} ({side}): {cell}", "de": "{dim} ({side}): {cell}"},
    "comments": {"en": "Comments", "de": "Kommentare"},
    "rate": {
        "en": "{side}: {respondents} of {asked} answered ({rate})",
        "de": "{side}: {respondents} von {asked} haben geantwortet ({rate})",
    },
    "rate_no_asked": {
        "en": "{side}: {respondents} answered",
        "de": "{side}: {respondents} haben geantwortet",
    },
    "method": {"en": "Method", "de": "Methode"},
    "method_line": {
        "en": "Gap = employees − customers on 0–100. The week's gaps are tested together "
        '(Holm): at most a 5% chance that any "real" gap this week is a false alarm; the '
        "same holds for the changes. Intervals are at that family's level (95% or wider), "
        "so a real one always excludes 0.",
        "de": "Lücke = Mitarbeitende − Kundschaft auf 0–100. Die Lücken der Woche werden "
        "gemeinsam geprüft (Holm): höchstens 5 % Risiko, dass irgendeine „echte“ Lücke "
        "dieser Woche ein Fehlalarm ist; ebenso für die Veränderungen. Intervalle stehen auf "
        "der Stufe dieser Familie (95 % oder breiter), ein echtes schließt 0 also immer aus.",
    },
    "footnote": {
        "en": "No figure or comment from fewer than {k} people is ever shown (comments: {c}).",
        "de": "Keine Zahl und kein Kommentar von weniger als {k} Personen wird je gezeigt "
        "(Kommentare: {c}).",
    },
    "change_line": {
        "en": "{dim} ({side}): {delta} points, real",
        "de": "{dim} ({side}): {delta} Punkte, echt",
    },
    "dimension": {"en": "Dimension", "de": "Dimension"},
    "gap": {"en": "Gap", "de": "Lücke"},
    "favourable": {"en": "favourable", "de": "Zustimmung"},
    "trend": {
        "en": "Gap trend (weeks {first} to {last})",
        "de": "Verlauf der Lücke (Wochen {first} bis {last})",
    },
}

TEXTS = Texts(_TABLE)
"""The report's phrases."""

text = TEXTS.text


def signed(points: float) -> str:
    """Points with a sign, rounded to whole numbers: "+18", "−3", "0"."""
    rounded = round(points)
    if rounded > 0:
        return f"+{rounded}"
    return f"−{-rounded}" if rounded < 0 else "0"


def side_name(side: Side, lang: str) -> str:
    """ "Employees" or "Customers" in ``lang``."""
    return text("employees" if side is Side.EMPLOYEE else "customers", lang)


def gap_label(gap: Shift, *, lang: str, fewer_than: str) -> str:
    """The label next to a gap: "+18 real", "+3 noise", or "fewer than k answers"."""
    if gap.estimate is None:
        return fewer_than
    word = text("real" if gap.verdict is Verdict.REAL else "noise", lang)
    return f"{signed(gap.estimate.value)} {word}"


def mirror_label(dim: MirroredDimension, *, lang: str, fewer_than: str) -> str:
    """A mirrored row's label: the gap, or why there is none ("Customers: not asked this week").

    A side without figures says why: its answer window is still open, the week's pulses did
    not include it, or fewer than k answered. When both sides lack figures for the same
    reason, the reason is said once. The latest gap of the weeks before follows, with its
    week ("not asked this week; latest 2026-W09: +12 real").
    """
    if dim.gap.estimate is not None:
        return gap_label(dim.gap, lang=lang, fewer_than=fewer_than)
    missing = [f for f in (dim.inside, dim.outside) if f.score is None]
    reasons = [_missing_reason(f, lang=lang, fewer_than=fewer_than) for f in missing]
    if not missing or (len(missing) == 2 and reasons[0] == reasons[1]):
        why = reasons[0] if missing else fewer_than
    else:
        why = "; ".join(
            f"{side_name(f.side, lang)}: {why}" for f, why in zip(missing, reasons, strict=True)
        )
    if dim.latest is None:
        return why
    gap = gap_label(dim.latest.gap, lang=lang, fewer_than=fewer_than)
    return f"{why}; {text('latest', lang, week=dim.latest.week, gap=gap)}"


def _missing_reason(figures: SideFigures, *, lang: str, fewer_than: str) -> str:
    if figures.open_until is not None:
        return still_open_text(figures.open_until, lang)
    return fewer_than if figures.asked else not_asked_text(lang)


def native(score: Score, metric: Metric, lang: str) -> str:
    """A figure in its own unit: NPS "+12", CSAT "78%", a mean "5.2", "64% favourable"."""
    value = score.value.value
    if metric is Metric.NPS:
        return signed(value)
    if metric is Metric.CSAT:
        return f"{value:.0f}%"
    if metric is Metric.AGREEMENT:
        return f"{value:.0f}% {text('favourable', lang)}"
    return f"{value:.1f}"


def side_cell(figures: SideFigures, metric: Metric, lang: str) -> str:
    """One side's figures for a table cell, or the "fewer than k answers" text."""
    if figures.score is None:
        return figures.hidden or ""
    score = figures.score
    return (
        f"{native(score, metric, lang)} · {score.score.value:.0f}/100 "
        f"[{score.score.low:.0f}–{score.score.high:.0f}], n = {score.n}"
    )


def real_gaps(report: WeekReport) -> list[MirroredDimension]:
    """The mirrored dimensions with a real gap, biggest first."""
    real = [d for d in report.mirrored if d.gap.verdict is Verdict.REAL and d.gap.estimate]
    return sorted(real, key=lambda d: -abs(d.gap.estimate.value if d.gap.estimate else 0.0))


def headline(report: WeekReport, lang: str | None = None) -> str:
    """The finding of the week, e.g. "Employees rate X 18 points better than customers do".

    While a side's answer window of the week is open, there is no finding: it says until when.
    """
    lang = lang or report.language
    if report.still_open:
        until = max(window.until for window in report.still_open)
        return text("still_open", lang, week=report.week, until=until_text(until))
    gaps = real_gaps(report)
    if gaps:
        top = gaps[0]
        assert top.gap.estimate is not None
        value = top.gap.estimate.value
        key = "finding_up" if value > 0 else "finding_down"
        return text(key, lang, dim=top.title, points=round(abs(value)))
    if any(d.gap.estimate is not None for d in report.mirrored):
        return text("no_real_gap", lang)
    return text("no_data", lang)


@dataclass(frozen=True)
class Summary:
    """The few lines a post shows, already worded."""

    headline: str
    gaps: tuple[str, ...]
    changes: tuple[str, ...]
    rates: tuple[str, ...]
    method: str
    footnote: str
    # A side's figure with nothing to compare it with (the other side had fewer than k
    # answers, or the item is asked of employees only): without it, such a week's post
    # would say "not enough answers" while employees did answer.
    uncompared: tuple[str, ...] = ()


def summary(report: WeekReport, lang: str | None = None) -> Summary:
    """The three biggest real gaps, what changed, response rates, the method, the threshold."""
    lang = lang or report.language
    fewer = report.fewer_than(lang)
    gaps = tuple(
        f"{d.title}: {gap_label(d.gap, lang=lang, fewer_than=fewer)}" for d in real_gaps(report)[:3]
    )
    return Summary(
        headline=headline(report, lang),
        gaps=gaps,
        changes=_changes(report, lang),
        rates=tuple(_rate(rate.side, report, lang) for rate in report.response_rates),
        method=text("method_line", lang),
        footnote=text("footnote", lang, k=report.min_respondents, c=report.min_commenters),
        uncompared=_uncompared(report, lang),
    )


def _uncompared(report: WeekReport, lang: str) -> tuple[str, ...]:
    """Each side's figure that has no gap beside it, in the report's order."""
    rows: list[tuple[str, Metric, SideFigures]] = [
        (d.title, d.metric, f)
        for d in report.mirrored
        if d.gap.estimate is None
        for f in (d.inside, d.outside)
    ]
    rows += [(d.title, d.metric, d.figures) for d in report.one_sided]
    return tuple(
        text("uncompared_line", lang, dim=title, side=side_name(figures.side, lang),
             cell=side_cell(figures, metric, lang))
        for title, metric, figures in rows
        if figures.score is not None
    )  # fmt: skip


def _changes(report: WeekReport, lang: str) -> tuple[str, ...]:
    lines: list[tuple[float, str]] = []
    rows = [(d.title, f) for d in report.mirrored for f in (d.inside, d.outside)]
    rows += [(d.title, d.figures) for d in report.one_sided]
    for title, figures in rows:
        moved = figures.change
        if moved.verdict is Verdict.REAL and moved.estimate is not None:
            line = text(
                "change_line",
                lang,
                dim=title,
                side=side_name(figures.side, lang),
                delta=signed(moved.estimate.value),
            )
            lines.append((-abs(moved.estimate.value), line))
    return tuple(line for _, line in sorted(lines))


def _rate(side: Side, report: WeekReport, lang: str) -> str:
    rate = next(r for r in report.response_rates if r.side is side)
    name = side_name(side, lang)
    if rate.respondents is None:
        return f"{name}: {rate.hidden}"
    if rate.rate is None:
        return text("rate_no_asked", lang, side=name, respondents=rate.respondents)
    return text(
        "rate",
        lang,
        side=name,
        respondents=rate.respondents,
        asked=rate.asked,
        rate=f"{rate.rate * 100:.0f}%",
    )
