"""Read a CSV of past answers (week, side, item, value, optional group) and check every row.

A file with any bad row is refused whole: :func:`parse_answers_csv` returns every problem
with its line number, and the caller imports nothing unless the list is empty.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from pulse_mirror.surveys.bank import QuestionBank
from pulse_mirror.surveys.model import Answer, IsoWeek, Side

REQUIRED = ("week", "side", "item", "value")
OPTIONAL = ("group", "team", "segment")


@dataclass(frozen=True)
class ParsedAnswers:
    """The answers of a file, or the problems that refuse it (one line each)."""

    answers: tuple[Answer, ...]
    problems: tuple[str, ...]


def parse_answers_csv(text: str, *, bank: QuestionBank) -> ParsedAnswers:
    """Check every row against the question bank; any problem refuses the whole file."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in REQUIRED + OPTIONAL]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"line 1: missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(
                f"line 1: unknown column(s) {', '.join(unknown)}; allowed: "
                f"{', '.join(REQUIRED + OPTIONAL)}"
            )
        return ParsedAnswers((), tuple(problems))
    reader.fieldnames = header
    items = {item.key: item for item in bank.items if not item.is_text}
    answers: list[Answer] = []
    problems = []
    for row in reader:
        line = reader.line_num
        reasons = []
        cells = {key: (value or "").strip() for key, value in row.items() if key is not None}
        try:
            week = IsoWeek.parse(cells["week"])
        except ValueError as error:
            reasons.append(f"week: {error}")
            week = None
        try:
            side = Side(cells["side"].lower())
        except ValueError:
            reasons.append(f"side: {cells['side']!r} is not customer or employee")
            side = None
        item = items.get(cells["item"])
        if item is None:
            reasons.append(f"item: {cells['item']!r} is not a rated item of the question bank")
        elif side is not None and item.side is not side:
            reasons.append(f"item: {item.key} is asked of {item.side.value}s, not {side.value}s")
        value = _value(cells["value"])
        if value is None:
            reasons.append(f"value: {cells['value']!r} is not a whole number")
        elif item is not None and item.scale is not None and not item.scale.contains(value):
            reasons.append(f"value: {value} is off the {item.scale} scale of {item.key}")
        if reasons:
            problems.append(f"line {line}: " + "; ".join(reasons))
            continue
        assert week is not None and side is not None and item is not None and value is not None
        group = cells.get("group") or cells.get("team") or cells.get("segment") or None
        answers.append(Answer(item=item.key, side=side, week=week, value=value, group=group))
    if not answers and not problems:
        problems.append("the file has no answers")
    return ParsedAnswers(tuple(answers) if not problems else (), tuple(problems))


def _value(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
