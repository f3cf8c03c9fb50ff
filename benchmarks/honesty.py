"""Benchmark: how honest the weekly verdicts are, simulated through the product's own code.

Seeded null weeks (no true difference anywhere: each item's answers on both sides and in both
weeks come from one skewed distribution) go through ``build_report`` with the built-in bank;
a week counts as a false alarm when any gap (or any change) comes out "real". Targets: at
most 5% of null weeks for each family. Single gaps with no true difference at 10 vs 100 and
5 vs 200 answers on skewed 1-5 and 0-10 answers: at most 5.5% called real. Power: the share
of weeks whose 15-point true gap at 30 employees vs 300 customers is called real, alone and
inside the week's family. Coverage: how often each 95% interval the report shows (the mean,
top-2-box, NPS) holds the true value, on skewed, near-unanimous and uniform answers at
n = 5 (k), 10, 30 and 100 (target 94-96% from 30 on, at least 90% below; near-unanimous
answers are necessarily covered more often by any interval that never has zero width).
Prints one JSON line last. Run: python benchmarks/honesty.py
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import QuestionBank, load_bank
from pulse_mirror.surveys.model import IsoWeek, Item, Metric, Scale, Side
from pulse_mirror.surveys.report.build import ReportInput, build_report
from pulse_mirror.surveys.stats.gaps import Verdict, perception_gap
from pulse_mirror.surveys.stats.metrics import Histogram, Summary, summarise

WEEK = IsoWeek(2026, 47)
SEED = 20261203
NULL_WEEKS = int(os.environ.get("PULSE_BENCH_WEEKS", "1500"))
SINGLE_REPS = int(os.environ.get("PULSE_BENCH_SINGLE", "8000"))
POWER_REPS = int(os.environ.get("PULSE_BENCH_POWER", "1000"))
COVER_REPS = int(os.environ.get("PULSE_BENCH_COVER", "2000"))
COVER_SIZES = (5, 10, 30, 100)  # 5 is the default anonymity threshold k
EMPLOYEES, CUSTOMERS = 25, 120  # a null week's answers per item
K = Anonymity()

# Skewed answer distributions, most answers near the top of the scale, by number of points.
SKEWED: dict[int, Sequence[Sequence[float]]] = {
    5: ([0.03, 0.05, 0.12, 0.40, 0.40], [0.01, 0.02, 0.05, 0.22, 0.70]),
    7: ([0.02, 0.03, 0.05, 0.10, 0.20, 0.30, 0.30], [0.01] * 4 + [0.06, 0.20, 0.70]),
    11: (
        [0.02, 0.01, 0.01, 0.02, 0.03, 0.05, 0.06, 0.15, 0.20, 0.20, 0.25],
        [0.01] * 6 + [0.04, 0.06, 0.14, 0.20, 0.50],
    ),
}


def _draw(rng: np.random.Generator, item: Item, n: int, shape: Sequence[float]) -> Histogram:
    assert item.scale is not None
    counts = rng.multinomial(n, shape)
    return {item.scale.low + i: int(c) for i, c in enumerate(counts) if c}


def _items(bank: QuestionBank) -> list[Item]:
    return [item for item in bank.items if not item.is_text and item.scale is not None]


def _null_week(rng: np.random.Generator, bank: QuestionBank) -> tuple[bool, bool]:
    histograms = {}
    for item in _items(bank):
        assert item.scale is not None
        shape = SKEWED[len(item.scale.values)][0]
        n = EMPLOYEES if item.side is Side.EMPLOYEE else CUSTOMERS
        for when in (WEEK.shift(-1), WEEK):
            histograms[(when, item.side, item.key)] = _draw(rng, item, n, shape)
    report = build_report(
        week=WEEK, bank=bank, data=ReportInput(histograms), anonymity=K, trend_weeks=1
    )
    gap = any(d.gap.verdict is Verdict.REAL for d in report.mirrored)
    moved = [f.change for d in report.mirrored for f in (d.inside, d.outside)]
    moved += [d.figures.change for d in report.one_sided]
    return gap, any(m.verdict is Verdict.REAL for m in moved)


def _rate(hits: int, reps: int) -> dict[str, float]:
    ci = stats.binomtest(hits, reps).proportion_ci(0.95, method="wilson")
    return {"rate": round(hits / reps, 4), "low": round(ci.low, 4), "high": round(ci.high, 4)}


def _summary(item: Item, counts: Histogram) -> Summary:
    assert item.scale is not None
    result = summarise(counts, metric=item.metric, scale=item.scale, anonymity=K)
    assert isinstance(result, Summary)
    return result


def _single(rng: np.random.Generator, item: Item, shape: Sequence[float], n1: int, n2: int) -> int:
    hits = 0
    for _ in range(SINGLE_REPS):
        first = _summary(item, _draw(rng, item, n1, shape))
        second = _summary(item, _draw(rng, item, n2, shape))
        hits += perception_gap(inside=first, outside=second).verdict is Verdict.REAL
    return hits


def _power(rng: np.random.Generator, bank: QuestionBank) -> dict[str, dict[str, float]]:
    """A 15-point true gap on a 1-5 agreement dimension, 30 employees vs 300 customers."""
    outside = np.array([0.10, 0.15, 0.25, 0.30, 0.20])
    mean = float(outside @ np.arange(5))  # on 0..4 steps
    weight = 0.6 / (4 - mean)  # mix in answers of 5: +0.6 steps = +15 points on 0-100
    inside = (1 - weight) * outside + weight * np.eye(5)[4]
    dim = next(d for d in bank.mirrored() if d.scale is not None and len(d.scale.values) == 5)
    items = {i.side: i for i in bank.items_of(dim.key) if not i.is_text}
    alone = in_family = 0
    for _ in range(POWER_REPS):
        histograms = {}
        for item in _items(bank):
            assert item.scale is not None
            shape = SKEWED[len(item.scale.values)][0]
            n = 30 if item.side is Side.EMPLOYEE else 300
            if item.key == items[Side.EMPLOYEE].key:
                shape = list(inside)
            elif item.key == items[Side.CUSTOMER].key:
                shape = list(outside)
            histograms[(WEEK, item.side, item.key)] = _draw(rng, item, n, shape)
        inside_s = _summary(
            items[Side.EMPLOYEE], histograms[(WEEK, Side.EMPLOYEE, items[Side.EMPLOYEE].key)]
        )
        outside_s = _summary(
            items[Side.CUSTOMER], histograms[(WEEK, Side.CUSTOMER, items[Side.CUSTOMER].key)]
        )
        alone += perception_gap(inside=inside_s, outside=outside_s).verdict is Verdict.REAL
        report = build_report(
            week=WEEK, bank=bank, data=ReportInput(histograms), anonymity=K, trend_weeks=1
        )
        gap = next(d.gap for d in report.mirrored if d.key == dim.key)
        in_family += gap.verdict is Verdict.REAL
    return {"alone": _rate(alone, POWER_REPS), "in_family": _rate(in_family, POWER_REPS)}


# Shapes for coverage, by number of points: skewed, near-unanimous (the few others next to the
# many, or at the far end) and uniform.
COVER_SHAPES: dict[int, dict[str, Sequence[float]]] = {
    5: {"skew1": SKEWED[5][0], "skew2": SKEWED[5][1], "unanimous_next": [0, 0, 0, 0.05, 0.95],
        "unanimous_far": [0.05, 0, 0, 0, 0.95], "uniform": [0.2] * 5},
    7: {"skew1": SKEWED[7][0], "skew2": SKEWED[7][1], "unanimous_next": [0] * 5 + [0.05, 0.95]},
    11: {"skew1": SKEWED[11][0], "skew2": SKEWED[11][1],
         "unanimous_next": [0] * 9 + [0.05, 0.95], "unanimous_far": [0.05] + [0] * 9 + [0.95]},
}  # fmt: skip
COVERED = {  # interval type -> (metric, scale, which estimate)
    "mean_1_5": (Metric.MEAN, Scale(1, 5), "mean"),
    "mean_1_7": (Metric.MEAN, Scale(1, 7), "mean"),
    "mean_0_10": (Metric.MEAN, Scale(0, 10), "mean"),
    "top2box_agresti_coull": (Metric.CSAT, Scale(1, 5), "value"),
    "nps_adjusted_wald": (Metric.NPS, Scale(0, 10), "value"),
}


def _truth(metric: Metric, scale: Scale, shape: np.ndarray, which: str) -> float:
    values = np.arange(scale.low, scale.high + 1)
    if which == "mean":
        return float(shape @ values)
    if metric is Metric.NPS:
        return 100.0 * float(shape[values >= 9].sum() - shape[values <= 6].sum())
    return 100.0 * float(shape[values >= 4].sum())


def _coverage(rng: np.random.Generator) -> dict[str, object]:
    """How often each shown 95% interval holds the true value, by shape and n."""
    table: dict[str, dict[str, float]] = {}
    worst: dict[str, dict[str, float]] = {}
    for name, (metric, scale, which) in COVERED.items():
        points = len(scale.values)
        shapes = COVER_SHAPES[points]
        cells: dict[str, float] = {}
        for label, raw in shapes.items():
            shape = np.asarray(raw, float) / float(np.sum(raw))
            truth = _truth(metric, scale, shape, which)
            for n in COVER_SIZES:
                hits = 0
                for counts in rng.multinomial(n, shape, size=COVER_REPS):
                    histogram = {scale.low + i: int(c) for i, c in enumerate(counts) if c}
                    result = summarise(histogram, metric=metric, scale=scale, anonymity=K)
                    assert isinstance(result, Summary)
                    shown = result.mean if which == "mean" else result.value
                    hits += shown.low - 1e-9 <= truth <= shown.high + 1e-9
                cells[f"{label}_n{n}"] = round(hits / COVER_REPS, 3)
        table[name] = cells
        small = [v for k, v in cells.items() if int(k.rsplit("_n", 1)[1]) < 30]
        large = [v for k, v in cells.items() if int(k.rsplit("_n", 1)[1]) >= 30]
        spread = [v for k, v in cells.items()
                  if int(k.rsplit("_n", 1)[1]) >= 30 and "unanimous" not in k]  # fmt: skip
        worst[name] = {"min_below_30": min(small), "min_from_30": min(large),
                       "max_from_30_not_unanimous": max(spread)}  # fmt: skip
    return {"reps": COVER_REPS, "sizes": list(COVER_SIZES), "worst": worst, "cells": table}


def main() -> None:
    """Run the simulation and print its JSON line."""
    start = time.perf_counter()
    rng = np.random.default_rng(SEED)
    bank = load_bank()
    gaps = changes = 0
    for _ in range(NULL_WEEKS):
        gap, moved = _null_week(rng, bank)
        gaps += gap
        changes += moved
    single: dict[str, dict[str, float]] = {}
    by_points = {len(i.scale.values): i for i in _items(bank) if i.scale is not None}
    for points in (5, 11):
        for which, shape in enumerate(SKEWED[points]):
            for n1, n2 in ((10, 100), (5, 200)):
                hits = _single(rng, by_points[points], shape, n1, n2)
                single[f"scale_{points}pt_skew{which + 1}_{n1}_vs_{n2}"] = _rate(hits, SINGLE_REPS)
    figures = {
        "null_weeks": NULL_WEEKS,
        "answers_per_item": {"employees": EMPLOYEES, "customers": CUSTOMERS},
        "familywise_real_rate_gaps": _rate(gaps, NULL_WEEKS),
        "familywise_real_rate_changes": _rate(changes, NULL_WEEKS),
        "single_test_reps": SINGLE_REPS,
        "single_test_null_real_rate": single,
        "single_test_null_real_rate_max": max(v["rate"] for v in single.values()),
        "power_15_points_30_vs_300": _power(rng, bank),
        "interval_coverage": _coverage(rng),
        "seconds": 0.0,
    }
    figures["seconds"] = round(time.perf_counter() - start, 1)
    machine = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps({"benchmark": "honesty", "figures": figures, "machine": machine}))


if __name__ == "__main__":
    main()
