"""Metrics against independently computed known values, and their edge cases."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from scipy import stats  # type: ignore[import-untyped]

from pulse_mirror.surveys.anonymity import Anonymity, Suppressed
from pulse_mirror.surveys.model import Metric, Scale
from pulse_mirror.surveys.stats.metrics import Summary, histogram, summarise
from tests.surveys.gap_reference import bounded_interval

K5 = Anonymity()
NPS = Scale(0, 10)
FIVE = Scale(1, 5)
SEVEN = Scale(1, 7)
Z = float(stats.norm.ppf(0.975))


def _summary(values: list[int], *, metric: Metric, scale: Scale) -> Summary:
    result = summarise(histogram(values), metric=metric, scale=scale, anonymity=K5)
    assert isinstance(result, Summary)
    return result


def _agresti_coull(successes: int, n: int) -> tuple[float, float]:
    """Agresti & Coull (1998): ñ = n + z², p̃ = (x + z²/2) / ñ, p̃ ± z√(p̃(1 − p̃)/ñ), on 0-1,
    clipped and widened to hold x / n."""
    n_adj = n + Z**2
    p = (successes + Z**2 / 2) / n_adj
    half = Z * math.sqrt(p * (1 - p) / n_adj)
    share = successes / n
    return max(0.0, min(p - half, share)), min(1.0, max(p + half, share))


def _percent(bounds: tuple[float, float]) -> tuple[float, float]:
    return 100 * bounds[0], 100 * bounds[1]


def _t_interval(values: list[float]) -> tuple[float, float]:
    low, high = stats.t.interval(
        0.95, len(values) - 1, loc=sum(values) / len(values), scale=stats.sem(values)
    )
    return float(low), float(high)


def test_histogram_counts_values() -> None:
    assert histogram([3, 1, 3, 5, 3]) == {3: 3, 1: 1, 5: 1}
    assert histogram([]) == {}


def test_nps_known_value_and_adjusted_wald_interval() -> None:
    values = [10] * 5 + [9] * 3 + [8] * 2 + [7] + [6] * 2 + [3, 0]  # 8 P, 3 passive, 4 D
    summary = _summary(values, metric=Metric.NPS, scale=NPS)
    assert summary.n == 15
    assert summary.value.value == pytest.approx((8 - 4) / 15 * 100)
    # Adjusted Wald written out: n' = n + 3, p' = (P + .75)/n', d' = (D + .75)/n'.
    n_adj, p_adj, d_adj = 18, 8.75 / 18, 4.75 / 18
    se = math.sqrt((p_adj + d_adj - (p_adj - d_adj) ** 2) / n_adj)
    assert summary.value.low == pytest.approx((p_adj - d_adj - Z * se) * 100)
    assert summary.value.high == pytest.approx((p_adj - d_adj + Z * se) * 100)
    # Worked by hand: centre 4/18 = 0.2222, SE 0.19729, so 22.22 -/+ 38.67 points.
    assert (summary.value.low, summary.value.high) == pytest.approx((-16.446, 60.891), abs=1e-3)
    assert summary.shares is not None
    assert summary.shares.promoters == pytest.approx(800 / 15)
    assert summary.shares.passives == pytest.approx(300 / 15)
    assert summary.shares.detractors == pytest.approx(400 / 15)
    assert (summary.mean.low, summary.mean.high) == pytest.approx(bounded_interval(values, 0, 10))


def test_all_promoters() -> None:
    summary = _summary([9, 10, 10, 9, 10], metric=Metric.NPS, scale=NPS)
    assert summary.value.value == 100.0
    assert summary.value.high == 100.0  # clipped
    p_adj, d_adj = 5.75 / 8, 0.75 / 8
    se = math.sqrt((p_adj + d_adj - (p_adj - d_adj) ** 2) / 8)
    assert summary.value.low == pytest.approx((p_adj - d_adj - Z * se) * 100)
    assert summary.shares is not None
    assert (summary.shares.detractors, summary.shares.passives) == (0.0, 0.0)
    assert summary.shares.promoters == 100.0


def test_all_detractors() -> None:
    summary = _summary([0, 6, 3, 5, 1, 2], metric=Metric.NPS, scale=NPS)
    assert summary.value.value == -100.0
    assert summary.value.low == -100.0
    assert -100.0 < summary.value.high < 0.0
    assert summary.shares is not None
    assert summary.shares.detractors == 100.0


def test_csat_is_top_two_box_with_agresti_coull_interval() -> None:
    values = [5, 5, 4, 4, 4, 3, 2, 1, 5, 4, 3, 5]  # 8 of 12 answered 4-5
    summary = _summary(values, metric=Metric.CSAT, scale=FIVE)
    assert summary.value.value == pytest.approx(800 / 12)
    assert (summary.value.low, summary.value.high) == pytest.approx(_percent(_agresti_coull(8, 12)))
    assert summary.mean.value == pytest.approx(sum(values) / 12)


def test_agresti_coull_reference_value_for_zero_successes() -> None:
    summary = _summary([1, 2, 3, 3, 2, 1, 1, 2, 3, 3], metric=Metric.CSAT, scale=FIVE)
    assert summary.value.value == 0.0
    assert summary.value.low == 0.0
    # Brown, Cai & DasGupta (2001), Agresti-Coull for 0 of 10: upper end 0.321.
    assert summary.value.high == pytest.approx(32.09, abs=0.01)


def test_ces_mean_with_bounded_interval_and_normalised_score() -> None:
    values = [1, 2, 2, 3, 5, 6, 7, 4, 4, 5, 6, 7, 7, 3]
    summary = _summary(values, metric=Metric.MEAN, scale=SEVEN)
    mean = sum(values) / len(values)
    low, high = bounded_interval(values, 1, 7)
    assert summary.value == summary.mean
    assert summary.mean.value == pytest.approx(mean)
    assert (summary.mean.low, summary.mean.high) == pytest.approx((low, high))
    assert summary.df == len(values) - 1
    assert summary.normalised.value == pytest.approx((mean - 1) / 6 * 100)
    assert summary.normalised.low == pytest.approx((low - 1) / 6 * 100)
    assert summary.normalised.high == pytest.approx((high - 1) / 6 * 100)
    assert summary.normalised_se == pytest.approx(float(stats.sem(values)) / 6 * 100)


def test_agreement_gives_percent_favourable_and_mean() -> None:
    values = [5, 4, 4, 2, 3, 1, 4, 5, 2]  # 5 of 9 favourable
    summary = _summary(values, metric=Metric.AGREEMENT, scale=FIVE)
    assert summary.value.value == pytest.approx(500 / 9)
    assert (summary.value.low, summary.value.high) == pytest.approx(_percent(_agresti_coull(5, 9)))
    assert (summary.mean.low, summary.mean.high) == pytest.approx(bounded_interval(values, 1, 5))
    assert summary.shares is None


def test_identical_answers_never_give_a_zero_width_interval() -> None:
    # Five identical answers do not prove that nobody thinks otherwise: a t interval of
    # them is "4 [4-4]"; this one leaves room on both sides, as far as the scale allows.
    summary = _summary([4] * 6, metric=Metric.AGREEMENT, scale=FIVE)
    assert summary.mean.value == 4.0
    assert summary.mean.low < 4.0 < summary.mean.high
    assert (summary.mean.low, summary.mean.high) == pytest.approx(bounded_interval([4] * 6, 1, 5))
    for value in (1, 5):  # at an end of the scale the interval reaches into it only
        ends = _summary([value] * 5, metric=Metric.MEAN, scale=FIVE).mean
        assert ends.high - ends.low > 0.5
        assert value in (ends.low, ends.high)
    assert summary.normalised.value == 75.0
    assert summary.normalised_se == 0.0
    assert summary.value.value == 100.0
    assert summary.value.low == pytest.approx(_percent(_agresti_coull(6, 6))[0])


def test_mean_interval_is_clipped_to_the_scale() -> None:
    summary = _summary([1, 1, 1, 1, 1], metric=Metric.MEAN, scale=SEVEN)
    unit = [0.0] * 5 + [0.0, 1.0]
    weights = [1.0] * 5 + [Z**2 / 2, Z**2 / 2]
    centre = sum(w * x for w, x in zip(weights, unit, strict=True)) / sum(weights)
    assert centre - Z * math.sqrt(centre * (1 - centre) / sum(weights)) < 0  # unclipped: off
    assert summary.mean.low == 1.0
    assert summary.normalised.low == 0.0
    assert summary.mean.high > 1.0


def test_answers_at_the_two_ends_give_agresti_coulls_interval() -> None:
    values = [1] * 4 + [5] * 7  # only the ends: the mean is 1 + 4 × the share of fives
    summary = _summary(values, metric=Metric.MEAN, scale=FIVE)
    low, high = _agresti_coull(7, 11)
    assert summary.mean.low == pytest.approx(1 + 4 * low)
    assert summary.mean.high == pytest.approx(1 + 4 * high)


def test_a_million_answers_from_a_histogram() -> None:
    counts = {0: 150_000, 5: 100_000, 7: 150_000, 8: 200_000, 9: 250_000, 10: 150_000}
    summary = summarise(counts, metric=Metric.NPS, scale=NPS, anonymity=K5)
    assert isinstance(summary, Summary)
    assert summary.n == 1_000_000
    assert summary.value.value == pytest.approx(40.0 - 25.0)
    assert summary.value.high - summary.value.low < 0.5


@pytest.mark.parametrize(
    ("answers", "n"),
    [({}, 0), ({3: 0}, 0), ({4: 1}, 1), ({1: 2, 5: 2}, 4)],
)
def test_too_few_answers_are_suppressed(answers: dict[int, int], n: int) -> None:
    for metric in (Metric.CSAT, Metric.AGREEMENT, Metric.MEAN):
        assert summarise(answers, metric=metric, scale=FIVE, anonymity=K5) == Suppressed(n, 5)


def test_a_single_respondent_is_suppressed_even_at_the_lowest_threshold() -> None:
    result = summarise({10: 1}, metric=Metric.NPS, scale=NPS, anonymity=Anonymity(3))
    assert result == Suppressed(1, 3)


def test_exactly_k_answers_are_shown() -> None:
    result = summarise({2: 3}, metric=Metric.MEAN, scale=FIVE, anonymity=Anonymity(3))
    assert isinstance(result, Summary)
    assert result.n == 3


def test_values_outside_the_scale_are_refused() -> None:
    with pytest.raises(ValueError, match="outside the 1-5 scale"):
        summarise({6: 5}, metric=Metric.CSAT, scale=FIVE, anonymity=K5)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative count"):
        summarise({3: -1, 4: 9}, metric=Metric.MEAN, scale=FIVE, anonymity=K5)


@pytest.mark.parametrize(
    ("metric", "scale"),
    [(Metric.NPS, Scale(1, 10)), (Metric.CSAT, Scale(1, 7)), (Metric.AGREEMENT, Scale(0, 4))],
)
def test_metrics_with_a_fixed_scale_refuse_another(metric: Metric, scale: Scale) -> None:
    with pytest.raises(ValueError, match="is defined on the"):
        summarise(Counter([2, 3, 3, 4, 4]), metric=metric, scale=scale, anonymity=K5)


def test_text_items_have_no_numbers() -> None:
    with pytest.raises(ValueError, match="free-text"):
        summarise({1: 9}, metric=Metric.TEXT, scale=FIVE, anonymity=K5)


def test_every_numeric_metric_names_its_formula_in_english_and_german() -> None:
    texts = {
        lang: {
            metric: _summary([1, 2, 3, 4, 5], metric=metric, scale=FIVE).method(lang)
            for metric in (Metric.CSAT, Metric.AGREEMENT, Metric.MEAN)
        }
        for lang in ("en", "de", "fr")
    }
    nps = _summary([0, 5, 9, 10, 7], metric=Metric.NPS, scale=NPS)
    assert "adjusted-Wald" in nps.method("en")
    assert "adjustiertem Wald" in nps.method("de")
    assert "Agresti–Coull" in texts["en"][Metric.CSAT]
    assert "Agresti-Coull" in texts["de"][Metric.MEAN]
    assert texts["fr"] == texts["en"]  # English fallback
    assert all(texts["en"][m] != texts["de"][m] for m in texts["en"])
