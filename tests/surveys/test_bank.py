"""The question bank: built-in dimensions in English and German, custom ones merged in."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulse_mirror.surveys import bank as bank_package
from pulse_mirror.surveys.bank import BankError, QuestionBank, load_bank
from pulse_mirror.surveys.model import Metric, Scale, Side

# PRODUCT.md's table: key -> (metric, scale, sides)
PRODUCT_TABLE: dict[str, tuple[Metric, Scale | None, set[Side]]] = {
    "recommend": (Metric.NPS, Scale(0, 10), {Side.CUSTOMER, Side.EMPLOYEE}),
    "satisfaction": (Metric.CSAT, Scale(1, 5), {Side.CUSTOMER, Side.EMPLOYEE}),
    "effort": (Metric.MEAN, Scale(1, 7), {Side.CUSTOMER, Side.EMPLOYEE}),
    "listening": (Metric.AGREEMENT, Scale(1, 5), {Side.CUSTOMER, Side.EMPLOYEE}),
    "centricity": (Metric.AGREEMENT, Scale(1, 5), {Side.CUSTOMER, Side.EMPLOYEE}),
    "personal": (Metric.AGREEMENT, Scale(1, 5), {Side.CUSTOMER, Side.EMPLOYEE}),
    "internal_service": (Metric.AGREEMENT, Scale(1, 5), {Side.EMPLOYEE}),
    "understanding": (Metric.AGREEMENT, Scale(1, 5), {Side.EMPLOYEE}),
    "enps": (Metric.NPS, Scale(0, 10), {Side.EMPLOYEE}),
    "comment": (Metric.TEXT, None, {Side.CUSTOMER, Side.EMPLOYEE}),
}
MIRRORED = ("recommend", "satisfaction", "effort", "listening", "centricity", "personal")


@pytest.fixture
def bank() -> QuestionBank:
    return load_bank()


def test_builtin_bank_covers_every_dimension_of_the_product(bank: QuestionBank) -> None:
    assert [d.key for d in bank.dimensions] == list(PRODUCT_TABLE)
    for key, (metric, scale, sides) in PRODUCT_TABLE.items():
        dimension = bank.dimension(key)
        assert (dimension.metric, dimension.scale) == (metric, scale), key
        assert {item.side for item in bank.items_of(key)} == sides, key
        assert not dimension.custom


def test_mirrored_dimensions_are_the_numeric_pairs(bank: QuestionBank) -> None:
    assert tuple(d.key for d in bank.mirrored()) == MIRRORED
    assert bank.dimension("comment").mirrored is False
    assert [d.key for d in bank.one_sided(Side.EMPLOYEE)] == [
        "internal_service",
        "understanding",
        "enps",
    ]
    assert bank.one_sided(Side.CUSTOMER) == ()


def test_mirrored_pairs_share_scale_and_metric(bank: QuestionBank) -> None:
    for dimension in bank.mirrored():
        customer = bank.item(f"{dimension.key}.customer")
        employee = bank.item(f"{dimension.key}.employee")
        assert customer.scale == employee.scale == dimension.scale
        assert customer.metric == employee.metric == dimension.metric
        assert customer.text_in("en") != employee.text_in("en")


def test_every_text_exists_in_english_and_german(bank: QuestionBank) -> None:
    for dimension in bank.dimensions:
        assert dimension.title["en"] and dimension.title["de"], dimension.key
    for item in bank.items:
        assert item.text["en"] and item.text["de"], item.key
        assert item.text["en"] != item.text["de"], item.key
        if item.is_text:
            assert item.labels_in("en") == ("", "")
            continue
        for lang in ("en", "de"):
            low, high = item.low_label[lang], item.high_label[lang]
            assert low and high and low != high, (item.key, lang)


def test_german_register_is_sie_for_customers_and_du_for_employees(bank: QuestionBank) -> None:
    formal = re.compile(r"\b(Sie|Ihr|Ihre|Ihnen|Ihrem|Ihren)\b")
    informal = re.compile(r"\b(du|dich|dir|dein\w*)\b", re.IGNORECASE)
    for item in bank.items_for(Side.EMPLOYEE):
        assert not formal.search(item.text["de"]), item.key
    for item in bank.items_for(Side.CUSTOMER):
        assert not informal.search(item.text["de"]), item.key
    addressing = [i for i in bank.items_for(Side.CUSTOMER) if formal.search(i.text["de"])]
    assert len(addressing) >= 3  # questions that speak to the customer do so with "Sie"
    assert informal.search(bank.item("enps.employee").text["de"])


def test_item_keys_name_dimension_and_side(bank: QuestionBank) -> None:
    for item in bank.items:
        assert item.key == f"{item.dimension}.{item.side.value}"
        assert bank.item(item.key) is item
    assert [i.key for i in bank.items_of("effort")] == ["effort.customer", "effort.employee"]
    customer_keys = {i.key for i in bank.items_for(Side.CUSTOMER)}
    assert "enps.employee" not in customer_keys
    assert "comment.customer" in customer_keys
    assert [i.key for i in bank.text_items(Side.EMPLOYEE)] == ["comment.employee"]


def test_unknown_keys_raise_a_clear_key_error(bank: QuestionBank) -> None:
    with pytest.raises(KeyError, match=r"no dimension 'speed'.*known: recommend"):
        bank.dimension("speed")
    with pytest.raises(KeyError, match=r"no item 'effort'.*effort\.customer"):
        bank.item("effort")
    with pytest.raises(KeyError, match="no dimension 'speed'"):
        bank.items_of("speed")


def _delivery(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": "delivery",
        "metric": "csat",
        "title": {"en": "Delivery", "de": "Lieferung"},
        "items": {
            "customer": {
                "text": {"en": "How happy are you with our delivery times?"},
                "low": {"en": "Very unhappy"},
                "high": {"en": "Very happy"},
            },
            "employee": {
                "text": {"en": "How happy are customers with our delivery times?"},
                "low": {"en": "Very unhappy"},
                "high": {"en": "Very happy"},
            },
        },
    }
    entry.update(overrides)
    return entry


def test_custom_dimensions_merge_in_after_the_builtin_ones() -> None:
    onboarding = {
        "key": "onboarding",
        "metric": "mean",
        "scale": [1, 10],
        "items": {"employee": {"text": {"en": "How good was your onboarding?", "de": "Wie gut?"}}},
    }
    bank = load_bank(custom=[_delivery(), onboarding])
    assert [d.key for d in bank.dimensions][-2:] == ["delivery", "onboarding"]
    delivery = bank.dimension("delivery")
    assert delivery.custom and delivery.mirrored
    assert delivery.scale == Scale(1, 5)  # csat's scale may be left out
    assert [d.key for d in bank.mirrored()] == [*MIRRORED, "delivery"]
    item = bank.item("delivery.customer")
    assert item.custom and item.metric is Metric.CSAT
    assert item.text_in("de") == "How happy are you with our delivery times?"  # falls back
    assert item.labels_in("de") == ("Very unhappy", "Very happy")
    assert bank.dimension("onboarding").title_in("de") == "Onboarding"
    assert bank.item("onboarding.employee").scale == Scale(1, 10)
    assert [d.key for d in bank.one_sided(Side.EMPLOYEE)][-1] == "onboarding"
    assert bank.items[-1].key == "onboarding.employee"


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (_delivery(scale=[5, 1], metric="mean"), "dimensions[0].scale: high must be above low"),
        (
            _delivery(scale=[-3, 3], metric="mean"),
            "dimensions[0].scale: [-3, 3] must lie within 0 to 99",
        ),
        (_delivery(scale=[95, 105], metric="mean"), "must lie within 0 to 99"),
        (_delivery(key="effort"), "dimensions[0].key: 'effort' is a built-in dimension"),
        (_delivery(key="Bad Key"), "dimensions[0].key: 'Bad Key' is not allowed"),
        (_delivery(metric="median"), "dimensions[0].metric: 'median' is not a metric; use one"),
        (_delivery(metric="mean"), "dimensions[0].scale: required for metric mean"),
        (_delivery(metric="nps", scale=[1, 10]), "metric nps needs the scale [0, 10]"),
        (_delivery(metric="mean", scale=[0, 20]), "has 21 points; at most 11"),
        (_delivery(metric="mean", scale="1-7"), "dimensions[0].scale: '1-7' is not a scale"),
        (_delivery(metric="text", scale=[1, 5]), "scale: not allowed for a text dimension"),
        (_delivery(metric="text"), "items.customer.low: not allowed for a text dimension"),
        (_delivery(colour="red"), "dimensions[0].colour: unknown key; allowed: items, key"),
        (_delivery(items={}), "dimensions[0].items: must map customer and/or employee"),
        (_delivery(items={"manager": {"text": {"en": "?"}}}), "items.manager: unknown side"),
        (_delivery(title={"de": "Lieferung"}), "dimensions[0].title.en: English text is required"),
        (_delivery(title={"en": "X", "fr": "Y"}), "title.fr: unknown language; use en, de"),
        (_delivery(title={"en": False}), "title.en: must be non-empty text, not False"),
        (_delivery(title={"en": "x" * 101}), "title.en: 101 characters; at most 100"),
        (
            _delivery(items={"customer": {"low": {"en": "Low"}}}),
            "items.customer.text: required",
        ),
        (
            _delivery(items={"customer": {"text": {"en": "?"}, "hint": {"en": "!"}}}),
            "items.customer.hint: unknown key; allowed: high, low, text",
        ),
        ("delivery", "dimensions[0]: must be a mapping, not str"),
    ],
)
def test_bad_custom_data_names_the_path_and_what_is_allowed(entry: Any, problem: str) -> None:
    with pytest.raises(BankError) as caught:
        load_bank(custom=[entry])
    assert any(problem in line for line in caught.value.problems), caught.value.problems
    assert isinstance(caught.value, ValueError)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(BankError) as caught:
        load_bank(custom=[_delivery(), _delivery(metric="median"), _delivery(key="effort")])
    problems = caught.value.problems
    assert "dimensions[1].key: 'delivery' is defined twice" in problems
    assert any(p.startswith("dimensions[1].metric:") for p in problems)
    assert "dimensions[2].key: 'effort' is a built-in dimension" in problems
    assert not any(p.startswith("dimensions[0]") for p in problems)


def test_custom_problems_can_carry_the_config_path() -> None:
    with pytest.raises(BankError) as caught:
        load_bank(custom=[_delivery(key="effort")], custom_path="surveys.dimensions")
    assert caught.value.problems == ["surveys.dimensions[0].key: 'effort' is a built-in dimension"]


def test_bank_is_frozen(bank: QuestionBank) -> None:
    with pytest.raises(AttributeError):
        bank.items = ()  # type: ignore[misc]


def test_the_format_documented_in_the_data_file_is_the_one_accepted() -> None:
    header = (Path(bank_package.__file__).parent / "builtin.yaml").read_text(encoding="utf-8")
    lines = header.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("#   - key: effort"))
    example = []
    for line in lines[start:]:
        if line == "#":
            break
        example.append(line[1:])
    documented = yaml.safe_load(textwrap.dedent("\n".join(example)))
    documented[0]["key"] = "effort_example"
    bank = load_bank(custom=documented)
    assert bank.dimension("effort_example").scale == Scale(1, 7)
    assert bank.item("effort_example.customer").labels_in("de") == (
        "Sehr schwierig",
        "Sehr einfach",
    )
    assert bank.dimension("effort_example").mirrored
