"""The report's figures against independently computed values (scipy)."""

from __future__ import annotations

import json
import math
import re

import pytest
from scipy import stats

from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.records import CommentRecord
from pulse_mirror.surveys.report.build import ReportInput, build_report
from pulse_mirror.surveys.report.markdown import markdown
from pulse_mirror.surveys.report.text import headline, summary
from pulse_mirror.surveys.stats.gaps import Verdict
from pulse_mirror.surveys.stats.metrics import histogram
from tests.surveys.gap_reference import (
    bounded_interval,
    half_width,
    holm_adjusted,
    holm_levels,
    p_value,
)

WEEK = IsoWeek(2026, 47)
# A difference without a number: no interval, no level, no adjusted p.
NOT_ENOUGH = {"verdict": "not_enough", "estimate": None, "level": None, "p_adjusted": None}
LAST = WEEK.shift(-1)
Z = stats.norm.ppf(0.975)

EFFORT_EMPLOYEE = [6] * 10 + [7] * 6 + [5] * 4 + [4] * 2
EFFORT_CUSTOMER = [3] * 8 + [4] * 6 + [5] * 4 + [2] * 3 + [6] * 2
EFFORT_CUSTOMER_LAST = [4] * 5 + [5] * 6 + [6] * 4
CSAT_CUSTOMER = [5] * 7 + [4] * 5 + [3] * 3 + [2] * 2 + [1] * 1
CSAT_EMPLOYEE = [5] * 9 + [4] * 4 + [3] * 1
NPS_CUSTOMER = [10] * 6 + [9] * 3 + [8] * 4 + [7] * 2 + [5] * 3 + [2] * 2
ENPS = [10] * 4 + [9] * 2 + [8] * 5 + [6] * 3 + [3] * 1

CUSTOM = [
    {
        "key": "onboarding",
        "metric": "mean",
        "scale": [1, 7],
        "title": {"en": "Onboarding"},
        "items": {
            "customer": {"text": {"en": "How smooth was your onboarding?"}},
            "employee": {"text": {"en": "How smooth do you think onboarding is for customers?"}},
        },
    }
]
ONBOARD_EMPLOYEE = [6] * 5 + [7] * 3
ONBOARD_CUSTOMER = [2] * 4 + [3] * 3 + [4] * 2


def _data() -> ReportInput:
    raw = {
        (WEEK, Side.EMPLOYEE, "effort.employee"): EFFORT_EMPLOYEE,
        (WEEK, Side.CUSTOMER, "effort.customer"): EFFORT_CUSTOMER,
        (LAST, Side.CUSTOMER, "effort.customer"): EFFORT_CUSTOMER_LAST,
        (WEEK, Side.CUSTOMER, "satisfaction.customer"): CSAT_CUSTOMER,
        (WEEK, Side.EMPLOYEE, "satisfaction.employee"): CSAT_EMPLOYEE,
        (WEEK, Side.CUSTOMER, "recommend.customer"): NPS_CUSTOMER,
        (WEEK, Side.EMPLOYEE, "recommend.employee"): [9, 10, 8],  # below k = 5
        (WEEK, Side.EMPLOYEE, "enps.employee"): ENPS,
        (WEEK, Side.EMPLOYEE, "onboarding.employee"): ONBOARD_EMPLOYEE,
        (WEEK, Side.CUSTOMER, "onboarding.customer"): ONBOARD_CUSTOMER,
    }
    comments = [
        CommentRecord("comment.customer", Side.CUSTOMER, WEEK, None, f"customer idea {i}")
        for i in range(8)
    ] + [CommentRecord("comment.employee", Side.EMPLOYEE, WEEK, None, "only one")]
    return ReportInput(
        histograms={key: histogram(values) for key, values in raw.items()},
        comments=comments,
        asked={Side.EMPLOYEE: 40, Side.CUSTOMER: 100},
    )


@pytest.fixture
def report() -> dict[str, object]:
    built = build_report(
        week=WEEK,
        bank=load_bank(custom=CUSTOM),
        data=_data(),
        anonymity=Anonymity(min_respondents=5, min_commenters=7),
        trend_weeks=4,
    )
    # Through real JSON text, as a BI tool would read report.json.
    return json.loads(json.dumps(built.to_json()))


def _dimension(report: dict[str, object], key: str) -> dict[str, object]:
    rows = report["mirrored"] + report["one_sided"]  # type: ignore[operator]
    return next(row for row in rows if row["key"] == key)


def _mean_t(values: list[int], low: int, high: int) -> tuple[float, float, float, float]:
    """The side's score on 0-100 with its shown (bounded-mean) interval, and its sample SE."""
    mean = sum(values) / len(values)
    sem = stats.sem(values)
    lo, hi = bounded_interval(values, low, high)
    span = high - low
    return (mean - low) / span * 100, (lo - low) / span * 100, (hi - low) / span * 100, sem


# The week's gaps with a number: one Holm family of three (recommend has too few employees).
GAP_FAMILY = {
    "effort": (EFFORT_EMPLOYEE, EFFORT_CUSTOMER, 1, 7),
    "satisfaction": (CSAT_EMPLOYEE, CSAT_CUSTOMER, 1, 5),
    "onboarding": (ONBOARD_EMPLOYEE, ONBOARD_CUSTOMER, 1, 7),
}


def _family() -> dict[str, tuple[float, float]]:
    """Each gap's (confidence level, Holm-adjusted p), computed by the reference."""
    keys = list(GAP_FAMILY)
    p = [p_value(*GAP_FAMILY[key]) for key in keys]
    return dict(zip(keys, zip(holm_levels(p), holm_adjusted(p), strict=True), strict=True))


def test_effort_means_scores_and_gap_match_scipy(report: dict[str, object]) -> None:
    # Changed with family-wise verdicts: the gap's interval is the reference's (Welch with
    # the honest SEs) at the Holm level of this week's three gaps, no longer scipy's plain
    # 95% Welch interval; the side scores still match scipy exactly.
    dim = _dimension(report, "effort")
    inside, outside = dim["inside"]["score"], dim["outside"]["score"]
    assert inside["n"] == len(EFFORT_EMPLOYEE) and outside["n"] == len(EFFORT_CUSTOMER)
    assert inside["value"]["value"] == pytest.approx(sum(EFFORT_EMPLOYEE) / len(EFFORT_EMPLOYEE))
    score, low, high, _ = _mean_t(EFFORT_EMPLOYEE, 1, 7)
    assert inside["score"]["value"] == pytest.approx(score)
    assert inside["score"]["low"] == pytest.approx(low)
    assert inside["score"]["high"] == pytest.approx(high)
    scale = 100 / 6
    gap = dim["gap"]
    assert gap["verdict"] == "real"
    expected = (sum(EFFORT_EMPLOYEE) / 22 - sum(EFFORT_CUSTOMER) / 23) * scale
    assert gap["estimate"]["value"] == pytest.approx(expected)
    level, adjusted = _family()["effort"]
    assert gap["level"] == pytest.approx(level) and level > 0.95
    assert gap["p_adjusted"] == pytest.approx(adjusted, rel=1e-6) and adjusted < 0.05
    half = half_width(EFFORT_EMPLOYEE, EFFORT_CUSTOMER, 1, 7, level)
    assert gap["estimate"]["low"] == pytest.approx(expected - half, rel=1e-6)
    assert gap["estimate"]["high"] == pytest.approx(expected + half, rel=1e-6)
    welch = stats.ttest_ind(EFFORT_EMPLOYEE, EFFORT_CUSTOMER, equal_var=False)
    plain = welch.confidence_interval(0.95)
    assert gap["estimate"]["low"] < plain.low * scale < plain.high * scale < gap["estimate"]["high"]


def test_every_gap_of_the_week_is_decided_by_holm(report: dict[str, object]) -> None:
    for key, (level, adjusted) in _family().items():
        gap = _dimension(report, key)["gap"]
        assert gap["level"] == pytest.approx(level)
        assert gap["p_adjusted"] == pytest.approx(adjusted, rel=1e-6)
        assert (gap["verdict"] == "real") == (adjusted < 0.05)
        assert (gap["verdict"] == "real") == (
            not gap["estimate"]["low"] <= 0 <= gap["estimate"]["high"]
        )


def test_change_from_last_week_is_welch_on_the_same_side(report: dict[str, object]) -> None:
    # Changed with the pseudo answers: the reference's Welch interval with honest SEs. The
    # week's change family has this one member, so its Holm level is plain 95%.
    dim = _dimension(report, "effort")
    moved = dim["outside"]["change"]
    value = (sum(EFFORT_CUSTOMER) / 23 - sum(EFFORT_CUSTOMER_LAST) / 15) * 100 / 6
    half = half_width(EFFORT_CUSTOMER, EFFORT_CUSTOMER_LAST, 1, 7)
    assert moved["verdict"] == "real"
    assert moved["level"] == pytest.approx(0.95)
    assert moved["p_adjusted"] == pytest.approx(
        p_value(EFFORT_CUSTOMER, EFFORT_CUSTOMER_LAST, 1, 7), rel=1e-6
    )
    assert moved["estimate"]["low"] == pytest.approx(value - half, rel=1e-6)
    assert moved["estimate"]["high"] == pytest.approx(value + half, rel=1e-6)
    # The employees had no answers last week: no change can be stated.
    assert dim["inside"]["change"] == NOT_ENOUGH


def test_csat_is_top_two_box_with_agresti_coull(report: dict[str, object]) -> None:
    outside = _dimension(report, "satisfaction")["outside"]["score"]
    favourable = sum(v >= 4 for v in CSAT_CUSTOMER)
    n = len(CSAT_CUSTOMER)
    n_adj = n + Z**2
    p = (favourable + Z**2 / 2) / n_adj
    half = Z * math.sqrt(p * (1 - p) / n_adj)
    assert outside["value"]["value"] == pytest.approx(100 * favourable / n)
    assert outside["value"]["low"] == pytest.approx(100 * max(0.0, p - half))
    assert outside["value"]["high"] == pytest.approx(100 * min(1.0, p + half))


def test_nps_adjusted_wald_and_shares(report: dict[str, object]) -> None:
    outside = _dimension(report, "recommend")["outside"]["score"]
    n = len(NPS_CUSTOMER)
    promoters = sum(v >= 9 for v in NPS_CUSTOMER)
    detractors = sum(v <= 6 for v in NPS_CUSTOMER)
    p, d = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
    se = math.sqrt((p + d - (p - d) ** 2) / (n + 3))
    assert outside["value"]["value"] == pytest.approx(100 * (promoters - detractors) / n)
    assert outside["value"]["low"] == pytest.approx(100 * (p - d - Z * se))
    assert outside["value"]["high"] == pytest.approx(100 * (p - d + Z * se))
    assert outside["shares"]["promoters"] == pytest.approx(100 * promoters / n)
    assert outside["shares"]["detractors"] == pytest.approx(100 * detractors / n)


def test_a_side_below_the_threshold_carries_no_number(report: dict[str, object]) -> None:
    dim = _dimension(report, "recommend")
    assert dim["inside"] == {
        "side": "employee",
        "item": "recommend.employee",
        "score": None,
        "hidden": "fewer than 5 answers",
        "change": NOT_ENOUGH,
        "asked": True,
        "open_until": None,
    }
    assert dim["gap"] == NOT_ENOUGH


def test_employee_only_items_and_custom_dimensions(report: dict[str, object]) -> None:
    enps = _dimension(report, "enps")["figures"]["score"]
    promoters, detractors = sum(v >= 9 for v in ENPS), sum(v <= 6 for v in ENPS)
    assert enps["value"]["value"] == pytest.approx(100 * (promoters - detractors) / len(ENPS))
    assert {row["key"] for row in report["one_sided"]} == {  # type: ignore[union-attr]
        "internal_service",
        "understanding",
        "enps",
    }
    onboarding = _dimension(report, "onboarding")
    assert onboarding["custom"] is True
    value = (sum(ONBOARD_EMPLOYEE) / 8 - sum(ONBOARD_CUSTOMER) / 9) * 100 / 6
    assert onboarding["gap"]["estimate"]["value"] == pytest.approx(value)
    half = onboarding["gap"]["estimate"]["high"] - value
    # Changed with family-wise verdicts: the reference half-width (never below either side's)
    # at the gap's Holm level, instead of plain 95%.
    level, _ = _family()["onboarding"]
    expected_half = half_width(ONBOARD_EMPLOYEE, ONBOARD_CUSTOMER, 1, 7, level)
    assert half == pytest.approx(expected_half, rel=1e-6)
    sides = [_mean_t(v, 1, 7) for v in (ONBOARD_EMPLOYEE, ONBOARD_CUSTOMER)]
    assert 2 * half >= max(s[2] - s[1] for s in sides)  # never narrower than a side's


def test_response_rates_use_the_largest_item_n(report: dict[str, object]) -> None:
    rates = {row["side"]: row for row in report["response_rates"]}  # type: ignore[union-attr]
    assert rates["employee"]["respondents"] == len(EFFORT_EMPLOYEE)
    assert rates["employee"]["rate"] == pytest.approx(len(EFFORT_EMPLOYEE) / 40)
    assert rates["customer"]["respondents"] == len(EFFORT_CUSTOMER)  # the largest customer n
    assert rates["customer"]["rate"] == pytest.approx(len(EFFORT_CUSTOMER) / 100)


def test_comments_need_enough_people_and_are_seeded_by_week(report: dict[str, object]) -> None:
    comments = {row["side"]: row for row in report["comments"]}  # type: ignore[union-attr]
    assert comments["employee"] == {
        "side": "employee",
        "shown": [],
        "hidden": "comments from fewer than 7 people",
    }
    shown = comments["customer"]["shown"]
    assert len(shown) == 3 and set(shown) <= {f"customer idea {i}" for i in range(8)}
    again = build_report(
        week=WEEK,
        bank=load_bank(custom=CUSTOM),
        data=ReportInput(_data().histograms, list(reversed(_data().comments))),
        anonymity=Anonymity(min_respondents=5, min_commenters=7),
    )
    assert list(next(c for c in again.comments if c.side is Side.CUSTOMER).shown) == shown


def test_long_comments_are_trimmed() -> None:
    data = ReportInput(
        {},
        [CommentRecord("comment.customer", Side.CUSTOMER, WEEK, None, "x" * 1000)] * 7,
    )
    built = build_report(week=WEEK, bank=load_bank(), data=data, anonymity=Anonymity(5, 7))
    shown = next(c for c in built.comments if c.side is Side.CUSTOMER).shown
    assert shown and all(len(text) == 280 and text.endswith("…") for text in shown)


def test_trend_covers_the_last_weeks(report: dict[str, object]) -> None:
    assert report["trend_weeks"] == ["2026-W44", "2026-W45", "2026-W46", "2026-W47"]
    trend = _dimension(report, "effort")["trend"]
    assert [p["week"] for p in trend] == report["trend_weeks"]
    assert [p["gap"]["verdict"] for p in trend] == ["not_enough"] * 3 + ["real"]


def test_an_empty_week_shows_nothing_but_the_threshold() -> None:
    built = build_report(week=WEEK, bank=load_bank(), data=ReportInput({}), anonymity=Anonymity())
    data = built.to_json()
    assert all(row["gap"]["verdict"] == "not_enough" for row in data["mirrored"])  # type: ignore
    assert all(r.respondents is None for r in built.response_rates)
    assert headline(built) == "Not enough answers this week to compare employees and customers"
    text = markdown(built)
    assert "fewer than 5 answers" in text
    shown = re.sub(r"\d{4}-W\d{2}|fewer than 5 answers|fewer than 7 people", "", text)
    assert not re.search(r"\d", shown.split("## Method")[0])


def test_headline_summary_and_markdown_state_the_finding() -> None:
    built = build_report(
        week=WEEK, bank=load_bank(custom=CUSTOM), data=_data(), anonymity=Anonymity(5, 7)
    )
    effort_gap = next(d for d in built.mirrored if d.key == "onboarding").gap
    assert effort_gap.verdict is Verdict.REAL and effort_gap.estimate is not None
    top = max(
        (d for d in built.mirrored if d.gap.verdict is Verdict.REAL),
        key=lambda d: abs(d.gap.estimate.value),  # type: ignore[union-attr]
    )
    points = round(abs(top.gap.estimate.value))  # type: ignore[union-attr]
    assert headline(built) == f"Employees rate {top.title} {points} points better than customers do"
    brief = summary(built)
    assert len(brief.gaps) <= 3 and brief.gaps[0].startswith(top.title)
    assert "fewer than 5" in brief.footnote
    assert headline(built, "de").startswith("Mitarbeitende bewerten")
    text = markdown(built, "de")
    assert "weniger als 5 Antworten" in text and "Lücke" in text
