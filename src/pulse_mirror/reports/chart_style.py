"""What every chart of the report shares: the canvas, the muted grey, row labels, the footnote.

Figures are built with :class:`matplotlib.figure.Figure` and drawn by the Agg canvas, so
no global state or GUI backend is touched; :func:`render_png` is blocking and meant for
``asyncio.to_thread``. Every figure is 16 x 9 inches at 100 dpi: 1600 x 900 pixels, readable
on a phone.
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from pulse_mirror.surveys.report.text import text

if TYPE_CHECKING:
    from pulse_mirror.surveys.report.build import WeekReport

WIDTH_IN, HEIGHT_IN, DPI = 16.0, 9.0, 100
MUTED_COLOUR = "#666666"
GAP_COLOUR = "#000000"


def new_figure() -> Figure:
    """A blank 1600 x 900 px figure on the Agg canvas."""
    # A margin at the sides, so the longest right-hand label never touches the edge.
    layout = ConstrainedLayoutEngine(w_pad=0.2)
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout=layout)
    FigureCanvasAgg(figure)
    return figure


def render_png(figure: Figure) -> bytes:
    """Draw ``figure`` to PNG bytes (blocking: run it in ``asyncio.to_thread``)."""
    canvas = figure.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    canvas.print_png(buffer)  # type: ignore[no-untyped-call]
    return buffer.getvalue()


def right_labels(axes: Axes, positions: list[int], labels: list[tuple[str, bool]]) -> None:
    """Label each row on the right edge; muted when the row has no figure to show."""
    right = axes.twinx()
    right.set_ylim(axes.get_ylim())
    right.set_yticks(positions, [label for label, _ in labels], fontsize=13)
    right.tick_params(axis="y", length=0)
    for tick, (_, strong) in zip(right.get_yticklabels(), labels, strict=True):
        tick.set_color(GAP_COLOUR if strong else MUTED_COLOUR)


def footnote(figure: Figure, line: str, *, size: float = 10) -> None:
    """Small grey lines under the chart, wrapped to the figure's width, clear of the axes."""
    # About 0.55 em a character in the default sans-serif; 95% of the width, in points.
    chars = max(40, int(figure.get_figwidth() * 72 * 0.95 / (0.55 * size)))
    wrapped = textwrap.fill(line, width=chars)
    figure.supxlabel(wrapped, x=0.01, ha="left", fontsize=size, color=MUTED_COLOUR)


def threshold_line(report: WeekReport, lang: str) -> str:
    """The footnote's sentence on the anonymity thresholds the report was built with."""
    return text("footnote", lang, k=report.min_respondents, c=report.min_commenters)
