"""Read a CSV of past answers (week, side, item, value, optional group) and check every row.

A file with any bad row is refused whole: :func:`parse_answers_csv` returns every problem
with its line number, and the caller imports nothing unless the list is empty.
:func:`import_file` records each imported file by its fingerprint (sha256 of its bytes) in
the same transaction as its answers, so the same file imported twice is refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.answers.recording import DEFAULT_MIN_GROUP_SIZE
from pulse_mirror.storage.store import week_text
from pulse_mirror.storage.tables import answer, new_id
from pulse_mirror.storage.tables import import_file as import_file_table
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


def fingerprint(data: bytes) -> str:
    """The file's fingerprint: sha256 of its bytes, hex."""
    return hashlib.sha256(data).hexdigest()


class ImportedBefore(Exception):
    """The file was imported before: its fingerprint, first name and first import time."""

    def __init__(self, fingerprint: str, name: str, imported_at: dt.datetime) -> None:
        super().__init__(f"{fingerprint} was imported on {imported_at:%Y-%m-%d}")
        self.fingerprint, self.name, self.imported_at = fingerprint, name, imported_at


_CHUNK = 5_000


def reportable_groups(answers: Sequence[Answer], *, min_group_size: int) -> list[Answer]:
    """The answers with each group label kept only where the group is large enough.

    As for answers given in chat, where a team is named only when it has at least
    ``min_group_size`` members: a group's size in a file is the most answers any one of its
    items got in a week, and a group below ``min_group_size`` in a week loses its label for
    that week. Kept, the label of a small team would let a breakdown, or a total minus the
    teams shown, tell its few people's answers.
    """
    largest: dict[tuple[IsoWeek, Side, str], int] = {}
    counts: dict[tuple[IsoWeek, Side, str, str], int] = {}
    for a in answers:
        if a.group is None:
            continue
        key = (a.week, a.side, a.group, a.item)
        counts[key] = counts.get(key, 0) + 1
        group = (a.week, a.side, a.group)
        largest[group] = max(largest.get(group, 0), counts[key])
    return [
        a if a.group is None or largest[(a.week, a.side, a.group)] >= min_group_size
        else replace(a, group=None)
        for a in answers
    ]  # fmt: skip


async def import_file(
    engine: AsyncEngine,
    answers: Sequence[Answer],
    *,
    fingerprint: str,
    name: str,
    now: dt.datetime,
    again: bool = False,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> int:
    """Insert the answers and record the file, in one transaction; all or nothing.

    Group labels of groups smaller than ``min_group_size`` are dropped first (see
    :func:`reportable_groups`). Raises :class:`ImportedBefore` when the fingerprint is known,
    unless ``again``; the first import's record is kept either way.
    """
    answers = reportable_groups(answers, min_group_size=min_group_size)
    rows = [
        {"id": new_id(), "item": a.item, "side": a.side.value, "week": week_text(a.week),
         "value": a.value, "group": a.group, "respondent_id": None}
        for a in answers
    ]  # fmt: skip
    table = import_file_table
    async with engine.begin() as connection:
        found = (
            await connection.execute(
                sa.select(table.c.name, table.c.imported_at).where(
                    table.c.fingerprint == fingerprint
                )
            )
        ).first()
        if found is not None and not again:
            raise ImportedBefore(fingerprint, found.name, found.imported_at)
        if found is None:
            await connection.execute(
                sa.insert(table),
                {"fingerprint": fingerprint, "name": name[:512], "answers": len(rows),
                 "imported_at": now},
            )  # fmt: skip
        for start in range(0, len(rows), _CHUNK):
            await connection.execute(sa.insert(answer), rows[start : start + _CHUNK])
    return len(rows)
