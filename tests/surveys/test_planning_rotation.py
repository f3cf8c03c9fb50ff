"""The weekly rotation: deterministic, like for like on both sides, every dimension in turn."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from pulse_mirror.surveys.bank import QuestionBank, load_bank
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.planning import WeekPlan, mirrored_slots, plan_week

START = IsoWeek(2026, 40)
WEEKS = [START.shift(offset) for offset in range(160)]  # crosses 2026-W53 and two new years


@pytest.fixture
def bank() -> QuestionBank:
    return load_bank()


def _dims(items: Any) -> list[str]:
    return [item.dimension for item in items]


@pytest.mark.parametrize("length", [1, 2, 3])
def test_the_plan_depends_on_the_week_alone(bank: QuestionBank, length: int) -> None:
    for week in WEEKS[:20]:
        first = plan_week(bank, week, questions_per_pulse=length)
        again = plan_week(load_bank(), IsoWeek.parse(str(week)), questions_per_pulse=length)
        assert first == again
    assert plan_week(bank, WEEKS[0], questions_per_pulse=length) != plan_week(
        bank, WEEKS[1], questions_per_pulse=length
    )


def test_a_known_week_asks_known_items(bank: QuestionBank) -> None:
    # Pinned so an upgrade cannot silently reshuffle what running deployments ask.
    # 2026-W47 starts on 16 Nov 2026, week 105_705 since 0001-01-01; with 2 mirrored slots
    # the ring of 6 starts at 105_705 * 2 % 6 = 0, the one-sided ring of 3 at 105_705 % 3 = 0.
    assert (dt.date(2026, 11, 16) - dt.date(1, 1, 1)).days // 7 == 105_705
    plan = plan_week(bank, IsoWeek(2026, 47), questions_per_pulse=3)
    assert plan.mirrored == ("recommend", "satisfaction")
    assert [i.key for i in plan.customer_items] == ["recommend.customer", "satisfaction.customer"]
    assert [i.key for i in plan.employee_items] == [
        "recommend.employee",
        "satisfaction.employee",
        "internal_service.employee",
    ]
    following = plan_week(bank, IsoWeek(2026, 48), questions_per_pulse=3)
    assert following.mirrored == ("effort", "listening")
    assert following.employee_items[-1].key == "understanding.employee"


@pytest.mark.parametrize("length", [1, 2, 3])
def test_both_sides_get_the_same_mirrored_dimensions(bank: QuestionBank, length: int) -> None:
    mirrored = {d.key for d in bank.mirrored()}
    for week in WEEKS:
        plan = plan_week(bank, week, questions_per_pulse=length)
        assert plan.week == week
        assert _dims(plan.customer_items) == list(plan.mirrored)
        assert _dims(plan.employee_items)[: len(plan.mirrored)] == list(plan.mirrored)
        assert set(plan.mirrored) <= mirrored
        assert len(set(plan.mirrored)) == len(plan.mirrored) >= 1
        assert {i.side for i in plan.customer_items} <= {Side.CUSTOMER}
        assert {i.side for i in plan.employee_items} == {Side.EMPLOYEE}


@pytest.mark.parametrize("length", [1, 2, 3])
def test_pulses_stay_short_and_comments_are_separate(bank: QuestionBank, length: int) -> None:
    for week in WEEKS:
        plan = plan_week(bank, week, questions_per_pulse=length)
        assert len(plan.employee_items) == length
        assert 1 <= len(plan.customer_items) <= length
        assert len(set(_dims(plan.employee_items))) == length
        for side in Side:
            assert not any(item.is_text for item in plan.items(side))
            comment = plan.comment(side)
            assert comment is not None and comment.is_text and comment.side is side
        assert len(plan.customer_items) == {1: 1, 2: 1, 3: 2}[length]  # customers: shorter


def test_one_question_pulses_ask_only_mirrored_dimensions(bank: QuestionBank) -> None:
    assert mirrored_slots(bank, questions_per_pulse=1) == 1
    for week in WEEKS:
        plan = plan_week(bank, week, questions_per_pulse=1)
        assert _dims(plan.employee_items) == _dims(plan.customer_items) == list(plan.mirrored)


@pytest.mark.parametrize("length", [1, 2, 3])
def test_every_mirrored_dimension_comes_round_within_the_bound(
    bank: QuestionBank, length: int
) -> None:
    """Any ceil(M / k) consecutive weeks ask every one of the M mirrored dimensions."""
    mirrored = {d.key for d in bank.mirrored()}
    slots = mirrored_slots(bank, questions_per_pulse=length)
    bound = math.ceil(len(mirrored) / slots)
    assert bound == {1: 6, 2: 6, 3: 3}[length]
    plans = [plan_week(bank, week, questions_per_pulse=length) for week in WEEKS]
    for start in range(len(plans) - bound + 1):
        seen = {key for plan in plans[start : start + bound] for key in plan.mirrored}
        assert seen == mirrored, (str(plans[start].week), length)
    # and the bound is tight: a shorter run misses one
    seen = {key for plan in plans[: bound - 1] for key in plan.mirrored}
    assert seen != mirrored


@pytest.mark.parametrize("length", [2, 3])
def test_employee_only_dimensions_rotate_in_for_employees(bank: QuestionBank, length: int) -> None:
    one_sided = {d.key for d in bank.one_sided(Side.EMPLOYEE)}
    plans = [plan_week(bank, week, questions_per_pulse=length) for week in WEEKS]
    for plan in plans:
        extra = _dims(plan.employee_items)[len(plan.mirrored) :]
        assert len(extra) == 1 and extra[0] in one_sided
        assert not set(_dims(plan.customer_items)) & one_sided
    for start in range(len(plans) - len(one_sided) + 1):
        seen = {_dims(p.employee_items)[-1] for p in plans[start : start + len(one_sided)]}
        assert seen == one_sided


def test_custom_dimensions_join_the_rotation() -> None:
    mirrored = {
        "key": "delivery",
        "metric": "csat",
        "items": {
            "customer": {"text": {"en": "Happy with delivery?"}},
            "employee": {"text": {"en": "Are customers happy with delivery?"}},
        },
    }
    customer_only = {
        "key": "pricing",
        "metric": "agreement",
        "items": {"customer": {"text": {"en": "Our prices are fair."}}},
    }
    remark = {
        "key": "praise",
        "metric": "text",
        "items": {"employee": {"text": {"en": "Who helped a customer well this week?"}}},
    }
    bank = load_bank(custom=[mirrored, customer_only, remark])
    plans = [plan_week(bank, week, questions_per_pulse=2) for week in WEEKS[:14]]
    assert any("delivery" in plan.mirrored for plan in plans[:7])
    for plan in plans:
        assert _dims(plan.customer_items) == [*plan.mirrored, "pricing"]
        assert "pricing" not in _dims(plan.employee_items)
    comments = {plan.employee_comment.key for plan in plans if plan.employee_comment}
    assert comments == {"comment.employee", "praise.employee"}
    assert {plan.customer_comment.key for plan in plans if plan.customer_comment} == {
        "comment.customer"
    }


def test_week_plan_is_frozen(bank: QuestionBank) -> None:
    plan: WeekPlan = plan_week(bank, START, questions_per_pulse=2)
    with pytest.raises(AttributeError):
        plan.mirrored = ()  # type: ignore[misc]


@pytest.mark.parametrize("length", [0, 4, -1])
def test_pulse_length_outside_one_to_three_is_refused(bank: QuestionBank, length: int) -> None:
    with pytest.raises(ValueError, match="questions_per_pulse must be 1-3"):
        plan_week(bank, START, questions_per_pulse=length)


@pytest.mark.parametrize(("employees", "customers"), [(3, 2), (3, 1), (2, 1), (2, 3), (1, 3)])
def test_different_pulse_lengths_still_ask_both_sides_the_same_mirrored_items(
    employees: int, customers: int
) -> None:
    bank = load_bank()
    for offset in range(12):
        week = IsoWeek(2026, 40).shift(offset)
        plan = plan_week(bank, week, questions_per_pulse=employees, customer_questions=customers)
        inside = [i.dimension for i in plan.employee_items if i.dimension in plan.mirrored]
        outside = [i.dimension for i in plan.customer_items if i.dimension in plan.mirrored]
        assert inside == outside == list(plan.mirrored)
        assert plan.mirrored
        assert 1 <= len(plan.employee_items) <= employees
        assert 1 <= len(plan.customer_items) <= customers
        assert len(plan.mirrored) <= min(employees, customers)
