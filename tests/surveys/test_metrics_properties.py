"""Properties of the metrics that must hold for every histogram."""

from __future__ import annotations

import dataclasses
import math

from hypothesis import example, given
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from pulse_mirror.surveys.anonymity import Anonymity, Suppressed
from pulse_mirror.surveys.model import Metric, Scale
from pulse_mirror.surveys.stats.gaps import Verdict, perception_gap
from pulse_mirror.surveys.stats.metrics import Summary, summarise

Z = float(stats.norm.ppf(0.975))

NPS = Scale(0, 10)
FIVE = Scale(1, 5)
SEVEN = Scale(1, 7)
CASES = [(Metric.NPS, NPS), (Metric.CSAT, FIVE), (Metric.AGREEMENT, FIVE), (Metric.MEAN, SEVEN)]

thresholds = st.builds(Anonymity, st.integers(min_value=3, max_value=12))


def histograms(scale: Scale, max_count: int = 400) -> st.SearchStrategy[dict[int, int]]:
    """Histograms on ``scale``, often sparse, sometimes huge."""
    counts = st.one_of(
        st.integers(min_value=0, max_value=max_count),
        st.integers(min_value=0, max_value=200_000),
    )
    return st.dictionaries(st.sampled_from(scale.values), counts)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Metric, Scale, dict[int, int]]:
    metric, scale = draw(st.sampled_from(CASES))
    return metric, scale, draw(histograms(scale))


@given(answers=histograms(NPS), anonymity=thresholds)
def test_nps_stays_within_minus_100_and_100(answers: dict[int, int], anonymity: Anonymity) -> None:
    result = summarise(answers, metric=Metric.NPS, scale=NPS, anonymity=anonymity)
    if isinstance(result, Summary):
        assert -100.0 <= result.value.low <= result.value.value <= result.value.high <= 100.0
        assert result.shares is not None
        total = result.shares.detractors + result.shares.passives + result.shares.promoters
        assert math.isclose(total, 100.0)
        assert math.isclose(result.value.value, result.shares.promoters - result.shares.detractors)


@given(case=cases(), anonymity=thresholds)
def test_every_interval_contains_its_estimate_and_normalised_is_in_0_100(
    case: tuple[Metric, Scale, dict[int, int]], anonymity: Anonymity
) -> None:
    metric, scale, answers = case
    result = summarise(answers, metric=metric, scale=scale, anonymity=anonymity)
    if isinstance(result, Suppressed):
        return
    assert result.n >= anonymity.min_respondents
    for estimate in (result.value, result.mean, result.normalised):
        assert estimate.contains(estimate.value)
    assert scale.low <= result.mean.low <= result.mean.high <= scale.high
    assert 0.0 <= result.normalised.low <= result.normalised.value
    assert result.normalised.value <= result.normalised.high <= 100.0
    assert result.normalised_se >= 0.0


@given(case=cases(), anonymity=thresholds)
def test_summarise_never_returns_a_number_below_the_threshold(
    case: tuple[Metric, Scale, dict[int, int]], anonymity: Anonymity
) -> None:
    metric, scale, answers = case
    result = summarise(answers, metric=metric, scale=scale, anonymity=anonymity)
    n = sum(answers.values())
    if n < anonymity.min_respondents:
        assert isinstance(result, Suppressed)
        assert result == Suppressed(n, anonymity.min_respondents)
        assert {f.name for f in dataclasses.fields(result)} == {"n", "k"}
    else:
        assert isinstance(result, Summary)
        assert result.n == n


# Small groups next to large ones: where Welch's df grows faster than the SE.
sides = st.one_of(histograms(SEVEN, 2), histograms(SEVEN, 60), histograms(SEVEN))


@given(inside=sides, outside=sides)
@example(inside={2: 1, 4: 1, 6: 1}, outside={2: 30, 4: 40, 6: 30})
def test_gap_interval_is_wider_than_either_sides(
    inside: dict[int, int], outside: dict[int, int]
) -> None:
    policy = Anonymity(3)
    first = summarise(inside, metric=Metric.MEAN, scale=SEVEN, anonymity=policy)
    second = summarise(outside, metric=Metric.MEAN, scale=SEVEN, anonymity=policy)
    gap = perception_gap(inside=first, outside=second)
    if not isinstance(first, Summary) or not isinstance(second, Summary):
        assert gap.verdict is Verdict.NOT_ENOUGH
        assert gap.estimate is None
        return
    assert gap.estimate is not None
    width = gap.estimate.high - gap.estimate.low
    for side in (first, second):
        # Wider than the interval shown for the side, and than its unclipped t interval.
        shown = side.normalised.high - side.normalised.low
        assert 2 * gap.estimate.half_width >= shown - 1e-9
        assert width >= shown - 1e-9 or gap.estimate.low == -100 or gap.estimate.high == 100
        own_half = float(stats.t.ppf(0.975, side.df)) * side.normalised_se
        assert gap.estimate.half_width >= own_half * (1 - 1e-9)
        assert gap.estimate.half_width >= Z * side.shown_se * (1 - 1e-9)
    assert gap.estimate.contains(gap.estimate.value)
    assert -100.0 <= gap.estimate.low <= gap.estimate.high <= 100.0
    assert (gap.verdict is Verdict.REAL) == (not gap.estimate.contains(0.0))


@given(answers=histograms(FIVE), anonymity=thresholds)
def test_csat_matches_the_share_of_fours_and_fives(
    answers: dict[int, int], anonymity: Anonymity
) -> None:
    result = summarise(answers, metric=Metric.CSAT, scale=FIVE, anonymity=anonymity)
    if isinstance(result, Summary):
        favourable = answers.get(4, 0) + answers.get(5, 0)
        assert math.isclose(result.value.value, 100.0 * favourable / result.n)
        assert 0.0 <= result.value.low <= result.value.high <= 100.0


def test_plain_adjusted_wald_interval_holds_the_nps_for_every_n_from_two() -> None:
    """The widening to include the plain NPS never changes anything from n = 2 on.

    Checked exhaustively over every split of promoters, passives and detractors; at n = 1
    the plain interval can miss the estimate, which the threshold (k >= 3) never shows.
    """
    z = float(stats.norm.ppf(0.975))

    def holds(promoters: int, detractors: int, n: int) -> bool:
        m = n + 3
        p, d = (promoters + 0.75) / m, (detractors + 0.75) / m
        half = z * math.sqrt((p + d - (p - d) ** 2) / m)
        nps = (promoters - detractors) / n
        return max(-1.0, p - d - half) <= nps <= min(1.0, p - d + half)

    assert not holds(1, 0, 1)
    for n in range(2, 121):
        for promoters in range(n + 1):
            for detractors in range(n + 1 - promoters):
                assert holds(promoters, detractors, n), (promoters, detractors, n)
