"""No output ever depends on a group of fewer than k people (property-based).

If a figure from fewer than k respondents leaked anywhere, changing that small group's
answers would change the output. So: build every output twice, once with the small groups
as generated and once with them replaced by other small groups, and require identical text.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.text import Text

from pulse_mirror.reports.charts import all_figures
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import QuestionBank, load_bank
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.records import CommentRecord
from pulse_mirror.surveys.report.build import ReportInput, build_report
from pulse_mirror.surveys.report.export import export_rows, rows_to_csv
from pulse_mirror.surveys.report.markdown import markdown
from pulse_mirror.surveys.report.text import summary

WEEK = IsoWeek(2026, 10)
WEEKS = (WEEK.shift(-2), WEEK.shift(-1), WEEK)
BANK = load_bank()
ITEMS = [(item.side, item) for item in BANK.items if not item.is_text]

Key = tuple[IsoWeek, Side, str]


def _histogram(item_values: tuple[int, ...], n: int, draw: st.DrawFn) -> dict[int, int]:
    values = draw(st.lists(st.sampled_from(item_values), min_size=n, max_size=n))
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


@st.composite
def two_worlds(
    draw: st.DrawFn,
) -> tuple[
    int,
    dict[Key, dict[int, int]],
    dict[Key, dict[int, int]],
    list[CommentRecord],
    list[CommentRecord],
]:
    k = draw(st.integers(3, 6))
    first: dict[Key, dict[int, int]] = {}
    second: dict[Key, dict[int, int]] = {}
    for week in WEEKS:
        for side, item in ITEMS:
            assert item.scale is not None
            if draw(st.booleans()):
                n = draw(st.integers(k, k + 12))
                counts = _histogram(item.scale.values, n, draw)
                first[(week, side, item.key)] = counts
                second[(week, side, item.key)] = counts
            else:  # a small group: its answers must not matter anywhere
                first[(week, side, item.key)] = _histogram(
                    item.scale.values, draw(st.integers(0, k - 1)), draw
                )
                second[(week, side, item.key)] = _histogram(
                    item.scale.values, draw(st.integers(0, k - 1)), draw
                )
    few = k + 2
    comments_a = [
        CommentRecord("comment.employee", Side.EMPLOYEE, WEEK, None, f"secret {i}")
        for i in range(draw(st.integers(0, few - 1)))
    ]
    comments_b = [
        CommentRecord("comment.employee", Side.EMPLOYEE, WEEK, None, f"other {i}")
        for i in range(draw(st.integers(0, few - 1)))
    ]
    return k, first, second, comments_a, comments_b


def _outputs(
    bank: QuestionBank,
    k: int,
    histograms: dict[Key, dict[int, int]],
    comments: list[CommentRecord],
    *,
    charts: bool,
) -> dict[str, str]:
    anonymity = Anonymity(min_respondents=k)
    report = build_report(
        week=WEEK,
        bank=bank,
        data=ReportInput(histograms, comments, {Side.EMPLOYEE: 50, Side.CUSTOMER: 50}),
        anonymity=anonymity,
        trend_weeks=3,
    )
    out = {
        "json": json.dumps(report.to_json(), sort_keys=True),
        "markdown": markdown(report) + markdown(report, "de"),
        "post": repr(summary(report)),
        "csv": rows_to_csv(
            export_rows(weeks=WEEKS, bank=bank, histograms=histograms, anonymity=anonymity)
        ),
    }
    if charts:
        for name, figure in all_figures(report).items():
            figure.canvas.draw()
            texts = [t.get_text() for t in figure.findobj(Text)]
            out[name] = "\n".join(texts)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_worlds())
def test_text_outputs_never_depend_on_small_groups(world: tuple) -> None:  # type: ignore[type-arg]
    k, first, second, comments_a, comments_b = world
    assert _outputs(BANK, k, first, comments_a, charts=False) == _outputs(
        BANK, k, second, comments_b, charts=False
    )


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_worlds())
def test_chart_labels_never_depend_on_small_groups(world: tuple) -> None:  # type: ignore[type-arg]
    k, first, second, comments_a, comments_b = world
    assert _outputs(BANK, k, first, comments_a, charts=True) == _outputs(
        BANK, k, second, comments_b, charts=True
    )


def test_the_check_would_see_a_leak() -> None:
    """Guard the guard: a group at k does change the output."""
    item = "effort.customer"
    at_k = {(WEEK, Side.CUSTOMER, item): {3: 5}}
    other = {(WEEK, Side.CUSTOMER, item): {6: 5}}
    assert _outputs(BANK, 5, at_k, [], charts=False) != _outputs(BANK, 5, other, [], charts=False)
