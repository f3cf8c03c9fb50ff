"""The perception gap and the weekly change: Welch intervals and verdicts."""

from __future__ import annotations

import math
import statistics

import pytest
from scipy import stats  # type: ignore[import-untyped]

from pulse_mirror.surveys.anonymity import Anonymity, Suppressed
from pulse_mirror.surveys.model import Metric, Scale
from pulse_mirror.surveys.stats.gaps import Verdict, change, difference, perception_gap
from pulse_mirror.surveys.stats.methods import Comparison
from pulse_mirror.surveys.stats.metrics import Summary, histogram, summarise

SEVEN = Scale(1, 7)
K5 = Anonymity()


def _ces(values: list[int], anonymity: Anonymity = K5) -> Summary:
    result = summarise(histogram(values), metric=Metric.MEAN, scale=SEVEN, anonymity=anonymity)
    assert isinstance(result, Summary)
    return result


def _normalised(values: list[int]) -> list[float]:
    return [(v - 1) / 6 * 100 for v in values]


INSIDE = [6, 7, 6, 5, 7, 6, 6, 5, 7, 6, 4, 6]
OUTSIDE = [3, 4, 2, 5, 4, 3, 6, 2, 4, 3, 5, 1, 4, 3, 2, 4, 5, 3]


def test_gap_matches_welchs_t_interval_from_scipy() -> None:
    gap = perception_gap(inside=_ces(INSIDE), outside=_ces(OUTSIDE))
    welch = stats.ttest_ind(_normalised(INSIDE), _normalised(OUTSIDE), equal_var=False)
    low, high = welch.confidence_interval(0.95)
    assert gap.comparison is Comparison.GAP
    assert gap.estimate is not None
    inside_mean = (sum(INSIDE) / len(INSIDE) - 1) / 6 * 100
    outside_mean = (sum(OUTSIDE) / len(OUTSIDE) - 1) / 6 * 100
    assert gap.estimate.value == pytest.approx(inside_mean - outside_mean)
    assert (gap.estimate.low, gap.estimate.high) == pytest.approx((low, high))
    assert gap.df == pytest.approx(float(welch.df))
    se = math.hypot(stats.sem(_normalised(INSIDE)), stats.sem(_normalised(OUTSIDE)))
    assert gap.se == pytest.approx(se)
    assert gap.verdict is Verdict.REAL


def test_a_gap_whose_interval_includes_zero_is_noise() -> None:
    gap = perception_gap(inside=_ces([3, 4, 5, 4, 3, 6]), outside=_ces([4, 3, 5, 4, 2, 5, 4]))
    assert gap.estimate is not None
    assert gap.estimate.low < 0 < gap.estimate.high
    assert gap.verdict is Verdict.NOISE


def test_a_suppressed_side_gives_not_enough_and_no_number() -> None:
    few = summarise({5: 4}, metric=Metric.MEAN, scale=SEVEN, anonymity=K5)
    assert few == Suppressed(4, 5)
    gap = perception_gap(inside=_ces(INSIDE), outside=few)
    assert gap.verdict is Verdict.NOT_ENOUGH
    assert gap.estimate is None and gap.se is None and gap.df is None
    assert gap.suppressed == (Suppressed(4, 5),)
    both = perception_gap(inside=Suppressed(0, 5), outside=Suppressed(2, 5))
    assert both.verdict is Verdict.NOT_ENOUGH
    assert both.suppressed == (Suppressed(0, 5), Suppressed(2, 5))


def test_change_from_last_week_is_the_same_difference() -> None:
    this_week, last_week = _ces(INSIDE), _ces(OUTSIDE)
    moved = change(current=this_week, previous=last_week)
    gap = difference(this_week, last_week, comparison=Comparison.GAP)
    assert moved.comparison is Comparison.CHANGE
    assert moved.estimate == gap.estimate
    assert moved.method("en").startswith("Change = this week − last week")
    assert gap.method("de").startswith("Lücke = Innen")
    assert moved.method("en") != gap.method("en")


def test_unanimous_sides_are_not_taken_as_certain() -> None:
    # Identical answers have a sample SE of 0; the gap uses the SE one dissenting answer
    # would give (step / n) instead, so a handful of unanimous people is not certainty.
    same = perception_gap(inside=_ces([5] * 6), outside=_ces([5] * 8))
    assert same.estimate is not None and same.se is not None
    step = 100 / 6
    assert same.se == pytest.approx(math.sqrt((step / 6) ** 2 + (step / 8) ** 2))
    assert same.estimate.low < 0 < same.estimate.high
    assert same.verdict is Verdict.NOISE
    tiny = perception_gap(inside=_ces([5] * 3, Anonymity(3)), outside=_ces([4] * 3, Anonymity(3)))
    assert tiny.verdict is Verdict.NOISE  # one step apart, three people each: not evidence
    apart = perception_gap(inside=_ces([7] * 6), outside=_ces([1] * 8))
    assert apart.estimate is not None
    assert apart.estimate.value == 100.0
    assert apart.verdict is Verdict.REAL


def test_a_unanimous_side_uses_the_one_dissent_floor_in_welch_df() -> None:
    varied = [2, 5, 3, 6, 4, 4, 7]
    gap = perception_gap(inside=_ces([4] * 9), outside=_ces(varied))
    se1 = (100 / 6) / 9
    se2 = statistics.stdev(varied) / math.sqrt(len(varied)) * 100 / 6
    expected = (se1**2 + se2**2) ** 2 / (se1**4 / 8 + se2**4 / 6)
    assert gap.df == pytest.approx(expected)


def test_gap_interval_is_never_narrower_than_a_tiny_sides_interval() -> None:
    # Three answers against a large, nearly unanimous group: here Welch's df outgrows
    # the SE and its plain interval would be narrower than the small side's own.
    small = _ces([2, 4, 6], Anonymity(3))
    large = _ces([4] * 990 + [3] * 5 + [5] * 5)
    se_small, se_large = small.normalised_se, large.normalised_se
    welch_df = (se_small**2 + se_large**2) ** 2 / (se_small**4 / 2 + se_large**4 / 999)
    plain = float(stats.t.ppf(0.975, welch_df)) * math.hypot(se_small, se_large)
    own = float(stats.t.ppf(0.975, 2)) * se_small
    assert plain < own
    gap = perception_gap(inside=small, outside=large)
    assert gap.estimate is not None
    assert gap.estimate.half_width == pytest.approx(own)
    assert gap.df == pytest.approx(welch_df)
