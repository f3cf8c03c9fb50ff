"""Turn the bank's data format (built-in YAML or the config's own dimensions) into types.

Every problem is collected with the path to the offending value and what is allowed, so an
operator sees all mistakes in one go.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulse_mirror.surveys.model import LANGUAGES, Dimension, Item, Metric, Scale, Side

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_POINTS = 11  # 0-10 is the widest scale a one-click button row stays readable with
MAX_TEXT = 500
MAX_LABEL = 75  # Slack's limit for a button's text
MAX_TITLE = 100

# Metrics whose summary only makes sense on one scale (NPS buckets, top-2-box, 4-5 favourable).
FIXED_SCALES: Mapping[Metric, Scale] = {
    Metric.NPS: Scale(0, 10),
    Metric.CSAT: Scale(1, 5),
    Metric.AGREEMENT: Scale(1, 5),
}
_DIMENSION_KEYS = ("items", "key", "metric", "scale", "title")
_ITEM_KEYS = ("high", "low", "text")


@dataclass
class Parsed:
    """What a list of dimension entries yielded, and every problem found on the way."""

    dimensions: list[Dimension] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_dimensions(
    raw: object, *, path: str, custom: bool, reserved: Sequence[str] = ()
) -> Parsed:
    """Parse a list of dimension entries; ``reserved`` keys may not be used again."""
    parsed = Parsed()
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        parsed.problems.append(f"{path}: must be a list of dimensions, not {_kind(raw)}")
        return parsed
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        where = f"{path}[{index}]"
        if not isinstance(entry, Mapping):
            parsed.problems.append(f"{where}: must be a mapping, not {_kind(entry)}")
            continue
        key = entry.get("key")
        if isinstance(key, str) and key in reserved:
            parsed.problems.append(f"{where}.key: {key!r} is a built-in dimension")
        elif isinstance(key, str) and key in seen:
            parsed.problems.append(f"{where}.key: {key!r} is defined twice")
        if isinstance(key, str):
            seen.add(key)
        _parse_dimension(entry, where=where, custom=custom, into=parsed)
    return parsed


def _parse_dimension(entry: Mapping[Any, Any], *, where: str, custom: bool, into: Parsed) -> None:
    problems = into.problems
    before = len(problems)
    _unknown_keys(entry, allowed=_DIMENSION_KEYS, where=where, problems=problems)
    key = entry.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        problems.append(
            f"{where}.key: {key!r} is not allowed; use 1-40 lowercase letters, digits or _,"
            " starting with a letter"
        )
    metric = _metric(entry.get("metric"), where=f"{where}.metric", problems=problems)
    scale = _scale(entry, metric=metric, where=f"{where}.scale", problems=problems)
    title: Mapping[str, str] = {"en": str(key).replace("_", " ").capitalize()}
    if "title" in entry:
        title = _texts(entry["title"], where=f"{where}.title", limit=MAX_TITLE, problems=problems)
    items = _items(entry.get("items"), where=f"{where}.items", metric=metric, problems=problems)
    if len(problems) > before or metric is None or not isinstance(key, str):
        return
    sides = {side for side, _ in items}
    into.dimensions.append(
        Dimension(
            key=key,
            metric=metric,
            scale=scale,
            title=title,
            mirrored=metric is not Metric.TEXT and sides == {Side.CUSTOMER, Side.EMPLOYEE},
            custom=custom,
        )
    )
    for side, texts in items:
        into.items.append(
            Item(
                key=f"{key}.{side.value}",
                dimension=key,
                side=side,
                metric=metric,
                scale=scale,
                text=texts["text"],
                low_label=texts.get("low", {}),
                high_label=texts.get("high", {}),
                custom=custom,
            )
        )


def _metric(raw: object, *, where: str, problems: list[str]) -> Metric | None:
    allowed = " | ".join(m.value for m in Metric)
    if isinstance(raw, str):
        try:
            return Metric(raw)
        except ValueError:
            pass
    problems.append(f"{where}: {raw!r} is not a metric; use one of {allowed}")
    return None


def _scale(
    entry: Mapping[Any, Any], *, metric: Metric | None, where: str, problems: list[str]
) -> Scale | None:
    raw = entry.get("scale")
    if metric is Metric.TEXT:
        if raw is not None:
            problems.append(f"{where}: not allowed for a text dimension; remove it")
        return None
    fixed = FIXED_SCALES.get(metric) if metric is not None else None
    if raw is None:
        if fixed is None and metric is not None:
            problems.append(f"{where}: required for metric {metric.value}, e.g. [1, 7]")
        return fixed
    if (
        not isinstance(raw, Sequence)
        or isinstance(raw, str)
        or len(raw) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw)
    ):
        problems.append(f"{where}: {raw!r} is not a scale; use two whole numbers [low, high]")
        return None
    low, high = raw
    if low < 0 or high > 99:
        # Buttons carry the value itself as one or two digits.
        problems.append(f"{where}: [{low}, {high}] must lie within 0 to 99")
        return None
    if high <= low:
        problems.append(f"{where}: high must be above low (got [{low}, {high}])")
        return None
    if high - low + 1 > MAX_POINTS:
        problems.append(
            f"{where}: [{low}, {high}] has {high - low + 1} points; at most {MAX_POINTS}"
        )
        return None
    scale = Scale(low, high)
    if fixed is not None and metric is not None and scale != fixed:
        problems.append(
            f"{where}: metric {metric.value} needs the scale [{fixed.low}, {fixed.high}],"
            f" not [{low}, {high}]"
        )
        return None
    return scale


def _items(
    raw: object, *, where: str, metric: Metric | None, problems: list[str]
) -> list[tuple[Side, dict[str, Mapping[str, str]]]]:
    sides = " and/or ".join(s.value for s in Side)
    if not isinstance(raw, Mapping) or not raw:
        problems.append(f"{where}: must map {sides} to an item")
        return []
    result: list[tuple[Side, dict[str, Mapping[str, str]]]] = []
    for name, item in raw.items():
        at = f"{where}.{name}"
        try:
            side = Side(name)
        except ValueError:
            problems.append(f"{at}: unknown side; use {sides}")
            continue
        if not isinstance(item, Mapping):
            problems.append(f"{at}: must be a mapping with text (and low, high)")
            continue
        _unknown_keys(item, allowed=_ITEM_KEYS, where=at, problems=problems)
        texts: dict[str, Mapping[str, str]] = {}
        if "text" not in item:
            problems.append(f"{at}.text: required, e.g. {{en: '...', de: '...'}}")
        else:
            texts["text"] = _texts(
                item["text"], where=f"{at}.text", limit=MAX_TEXT, problems=problems
            )
        for end in ("low", "high"):
            if end not in item:
                continue
            if metric is Metric.TEXT:
                problems.append(f"{at}.{end}: not allowed for a text dimension; remove it")
                continue
            texts[end] = _texts(item[end], where=f"{at}.{end}", limit=MAX_LABEL, problems=problems)
        result.append((side, texts))
    return result


def _texts(raw: object, *, where: str, limit: int, problems: list[str]) -> dict[str, str]:
    langs = ", ".join(LANGUAGES)
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must map languages ({langs}) to text, not {_kind(raw)}")
        return {}
    texts: dict[str, str] = {}
    for lang, text in raw.items():
        if lang not in LANGUAGES:
            problems.append(f"{where}.{lang}: unknown language; use {langs}")
        elif not isinstance(text, str) or not text.strip():
            problems.append(f"{where}.{lang}: must be non-empty text, not {text!r} (quote it)")
        elif len(text) > limit:
            problems.append(f"{where}.{lang}: {len(text)} characters; at most {limit}")
        else:
            texts[lang] = text.strip()
    if "en" not in raw:
        problems.append(f"{where}.en: English text is required")
    return texts


def _unknown_keys(
    raw: Mapping[Any, Any], *, allowed: Sequence[str], where: str, problems: list[str]
) -> None:
    for key in raw:
        if key not in allowed:
            problems.append(f"{where}.{key}: unknown key; allowed: {', '.join(allowed)}")


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__
