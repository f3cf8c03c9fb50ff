"""The perception gap and the weekly change: Welch intervals and verdicts."""

from __future__ import annotations

import math

import pytest
from scipy import stats  # type: ignore[import-untyped]

from pulse_mirror.surveys.anonymity import Anonymity, Suppressed
from pulse_mirror.surveys.model import Metric, Scale
from pulse_mirror.surveys.stats import gaps
from pulse_mirror.surveys.stats.gaps import Verdict, change, difference, perception_gap
from pulse_mirror.surveys.stats.methods import Comparison
from pulse_mirror.surveys.stats.metrics import Summary, histogram, summarise
from tests.surveys.gap_reference import half_width, honest_se, welch_df

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


def test_without_pseudo_answers_the_gap_is_welchs_t_interval_from_scipy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The Welch machinery itself, checked against scipy with the pseudo answers switched off.
    monkeypatch.setattr(gaps, "PSEUDO_PER_ROOT_N", 0.0)
    monkeypatch.setattr(gaps, "_shown", lambda *sides: ())
    gap = perception_gap(inside=_ces(INSIDE), outside=_ces(OUTSIDE))
    welch = stats.ttest_ind(_normalised(INSIDE), _normalised(OUTSIDE), equal_var=False)
    low, high = welch.confidence_interval(0.95)
    assert gap.comparison is Comparison.GAP
    assert gap.estimate is not None
    assert (gap.estimate.low, gap.estimate.high) == pytest.approx((low, high))
    assert gap.df == pytest.approx(float(welch.df))
    se = math.hypot(stats.sem(_normalised(INSIDE)), stats.sem(_normalised(OUTSIDE)))
    assert gap.se == pytest.approx(se)
    assert gap.p_value == pytest.approx(float(welch.pvalue))
    assert gap.verdict is Verdict.REAL


def test_gap_is_welch_with_pseudo_answers_in_each_sides_se() -> None:
    # Changed with the pseudo answers: each side's SE is the reference's honest SE (here the
    # one with sqrt(n) / 4 answers spread over 1-7), so the interval is a little wider than
    # scipy's plain Welch interval, and the p-value inverts that same interval.
    gap = perception_gap(inside=_ces(INSIDE), outside=_ces(OUTSIDE))
    se1, se2 = honest_se(INSIDE, 1, 7), honest_se(OUTSIDE, 1, 7)
    assert se1 > stats.sem(_normalised(INSIDE)) and se2 > stats.sem(_normalised(OUTSIDE))
    assert gap.estimate is not None and gap.se is not None and gap.df is not None
    inside_mean = (sum(INSIDE) / len(INSIDE) - 1) / 6 * 100
    outside_mean = (sum(OUTSIDE) / len(OUTSIDE) - 1) / 6 * 100
    assert gap.estimate.value == pytest.approx(inside_mean - outside_mean)
    assert gap.se == pytest.approx(math.hypot(se1, se2))
    assert gap.df == pytest.approx(welch_df(se1, len(INSIDE), se2, len(OUTSIDE)))
    assert gap.estimate.half_width == pytest.approx(half_width(INSIDE, OUTSIDE, 1, 7))
    t = gap.estimate.value / gap.se
    assert gap.p_value == pytest.approx(2 * float(stats.t.sf(abs(t), gap.df)))
    assert gap.level == pytest.approx(0.95) and gap.p_adjusted is None
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
    # Identical answers have a sample SE of 0. Changed with the pseudo answers: the SE is now
    # the one with sqrt(n) / 4 answers spread over the scale, which on 1-7 is larger than the
    # one-dissent floor (step / n) it replaced here; a handful of unanimous people is still
    # not certainty.
    same = perception_gap(inside=_ces([5] * 6), outside=_ces([5] * 8))
    assert same.estimate is not None and same.se is not None
    step = 100 / 6
    expected = math.hypot(honest_se([5] * 6, 1, 7), honest_se([5] * 8, 1, 7))
    assert same.se == pytest.approx(expected)
    assert same.se > math.sqrt((step / 6) ** 2 + (step / 8) ** 2)
    assert same.estimate.low < 0 < same.estimate.high
    assert same.verdict is Verdict.NOISE
    tiny = perception_gap(inside=_ces([5] * 3, Anonymity(3)), outside=_ces([4] * 3, Anonymity(3)))
    assert tiny.verdict is Verdict.NOISE  # one step apart, three people each: not evidence
    apart = perception_gap(inside=_ces([7] * 6), outside=_ces([1] * 8))
    assert apart.estimate is not None
    assert apart.estimate.value == 100.0
    assert apart.verdict is Verdict.REAL


def test_the_one_dissent_floor_still_holds_on_a_short_scale() -> None:
    # On a 1-3 scale the pseudo answers add less spread than one dissent: the floor binds.
    three = Scale(1, 3)
    one = summarise({2: 9}, metric=Metric.MEAN, scale=three, anonymity=K5)
    other = summarise({1: 3, 2: 3, 3: 3}, metric=Metric.MEAN, scale=three, anonymity=K5)
    assert isinstance(one, Summary) and isinstance(other, Summary)
    assert honest_se([2] * 9, 1, 3) == pytest.approx(50 / 9)
    gap = perception_gap(inside=one, outside=other)
    expected = math.hypot(50 / 9, honest_se([1, 2, 3] * 3, 1, 3))
    assert gap.se == pytest.approx(expected)


def test_a_unanimous_side_uses_its_honest_se_in_welch_df() -> None:
    varied = [2, 5, 3, 6, 4, 4, 7]
    gap = perception_gap(inside=_ces([4] * 9), outside=_ces(varied))
    se1, se2 = honest_se([4] * 9, 1, 7), honest_se(varied, 1, 7)
    assert se1 > (100 / 6) / 9  # above the one-dissent floor on 1-7
    assert gap.df == pytest.approx(welch_df(se1, 9, se2, len(varied)))


def test_gap_interval_is_never_narrower_than_a_tiny_sides_interval() -> None:
    # Three answers against a large, nearly unanimous group: here Welch's df outgrows
    # the SE and its plain interval would be narrower than the small side's own.
    small_values, large_values = [2, 4, 6], [4] * 990 + [3] * 5 + [5] * 5
    small = _ces(small_values, Anonymity(3))
    large = _ces(large_values)
    se_small, se_large = honest_se(small_values, 1, 7), honest_se(large_values, 1, 7)
    plain = float(stats.t.ppf(0.975, welch_df(se_small, 3, se_large, 1000))) * math.hypot(
        se_small, se_large
    )
    own = float(stats.t.ppf(0.975, 2)) * se_small
    assert plain < own
    gap = perception_gap(inside=small, outside=large)
    assert gap.estimate is not None
    assert gap.estimate.half_width == pytest.approx(own)
    assert gap.estimate.half_width >= float(stats.t.ppf(0.975, 2)) * small.normalised_se
    # The p-value inverts the interval: the side's term is the one that decides.
    t_side = gap.estimate.value / se_small
    assert gap.p_value == pytest.approx(2 * float(stats.t.sf(abs(t_side), 2)))


def test_a_gap_at_the_edge_is_clipped_to_what_a_difference_can_be() -> None:
    # Everyone inside at the top, everyone outside at the bottom: the gap is +100 and its
    # interval used to reach past +100; clipped, it ends at 100 and the verdict stays real.
    gap = perception_gap(inside=_ces([7] * 6), outside=_ces([1] * 6))
    assert gap.estimate is not None
    assert gap.estimate.value == 100.0
    assert gap.estimate.high == 100.0
    assert 0.0 < gap.estimate.low < 100.0
    assert gap.verdict is Verdict.REAL
    assert "±100" in gap.method("en") and "±100" in gap.method("de")
