"""A short demo inside the test suite: the real app, both stand-ins, a virtual clock.

Its outputs are checked against what the simulated people did: the files, every figure of
report.json, the anonymity threshold, and that nobody got a message twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa

from pulse_mirror.demo.run import DemoOptions, DemoResult, run_demo
from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.reports.aggregates import answer_histograms, pulse_items
from pulse_mirror.storage.tables import delivery, person
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import IsoWeek, Metric, Side

K = 3
WEEKS = 2
PNG = b"\x89PNG\r\n\x1a\n"
FILES = ("report.png", "trend.png", "nps.png", "report.md", "report.json")
POSTED = ("slack-chart.png", "slack-summary.txt", "telegram-caption.txt", "telegram-photo.png")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """One short demo run shared by the tests of this module."""
    out = tmp_path_factory.mktemp("demo")
    options = DemoOptions(weeks=WEEKS, employees=12, customers=40, seed=11, out=out,
                          min_respondents=K, customer_fraction=0.5)  # fmt: skip
    return await run_demo(options)


def _report(demo: DemoResult, week: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((demo.out / week / "report.json").read_text("utf-8"))
    return data


def _sides(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for dim in report["mirrored"]:
        yield dim["inside"]
        yield dim["outside"]
    for dim in report["one_sided"]:
        yield dim["figures"]


def _expected_value(metric: Metric, counts: dict[int, int]) -> float:
    """The metric computed here, independently of the product's code."""
    n = sum(counts.values())
    if metric is Metric.MEAN:
        return sum(v * c for v, c in counts.items()) / n
    if metric is Metric.NPS:
        promoters = sum(c for v, c in counts.items() if v >= 9)
        detractors = sum(c for v, c in counts.items() if v <= 6)
        return 100.0 * (promoters - detractors) / n
    return 100.0 * sum(c for v, c in counts.items() if v >= 4) / n  # CSAT, agreement


@pytest.mark.asyncio(loop_scope="module")
async def test_every_week_has_its_report_files_and_the_posts(demo: DemoResult) -> None:
    assert demo.weeks == ["2026-W10", "2026-W11"]
    for week in demo.weeks:
        folder = demo.out / week
        for name in FILES:
            assert (folder / name).stat().st_size > 0, (week, name)
        for name in ("report.png", "trend.png", "nps.png"):
            assert (folder / name).read_bytes().startswith(PNG)
        for name in POSTED:
            assert (folder / "posted" / name).stat().st_size > 0, (week, name)
        # The same mirror chart reached Slack as a file and Telegram as a photo.
        chart = (folder / "posted" / "slack-chart.png").read_bytes()
        assert chart.startswith(PNG)
        assert chart == (folder / "posted" / "telegram-photo.png").read_bytes()
        assert chart == (folder / "report.png").read_bytes()  # the week's chart is what was posted
        assert chart == (folder / "report.png").read_bytes()
        assert week in (folder / "posted" / "telegram-caption.txt").read_text(encoding="utf-8")
        assert week in (folder / "report.md").read_text(encoding="utf-8")
    summary = json.loads((demo.out / "summary.json").read_text(encoding="utf-8"))
    assert summary["weeks"] == demo.weeks
    assert summary["unconfirmed_clicks"] == 0


@pytest.mark.asyncio(loop_scope="module")
async def test_the_reports_figures_are_what_the_people_answered(demo: DemoResult) -> None:
    bank = load_bank()
    compared: Counter[Side] = Counter()
    for week in demo.weeks:
        report = _report(demo, week)
        answered = demo.snapshots[week]
        for figures in _sides(report):
            item = bank.item(figures["item"])
            counts = answered.get((week, item.side, item.key), {})
            n = sum(counts.values())
            if n < K:
                assert figures["score"] is None and figures["hidden"], (week, item.key)
                continue
            score = figures["score"]
            assert score["n"] == n, (week, item.key)
            assert score["value"]["value"] == pytest.approx(_expected_value(item.metric, counts))
            compared[item.side] += 1
        for rate in report["response_rates"]:
            side = Side(rate["side"])
            respondents = max(
                (sum(c.values()) for (w, s, _), c in answered.items() if w == week and s is side),
                default=0,
            )
            assert rate["respondents"] == (respondents if respondents >= K else None)
    assert compared[Side.EMPLOYEE] >= 4 and compared[Side.CUSTOMER] >= 2


@pytest.mark.asyncio(loop_scope="module")
async def test_the_database_holds_exactly_the_confirmed_answers(demo: DemoResult) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{demo.out / 'pulse-demo.db'}")
    try:
        stored = await answer_histograms(
            engine, first=IsoWeek.parse(demo.weeks[0]), last=IsoWeek.parse(demo.weeks[-1]).shift(1)
        )
    finally:
        await engine.dispose()
    found = {(str(week), side, item): dict(sorted(c.items())) for (week, side, item), c in
             stored.items()}  # fmt: skip
    assert found == demo.ledger.histograms()
    assert sum(sum(c.values()) for c in found.values()) > 50


@pytest.mark.asyncio(loop_scope="module")
async def test_nothing_below_the_threshold_is_shown(demo: DemoResult) -> None:
    for week in demo.weeks:
        report = _report(demo, week)
        assert report["min_respondents"] == K
        for figures in _sides(report):
            if figures["score"] is not None:
                assert figures["score"]["n"] >= K
            elif figures["asked"]:
                assert figures["hidden"] == f"fewer than {K} answers"
            else:
                assert figures["hidden"] == "not asked this week"
        for comments in report["comments"]:
            side = Side(comments["side"])
            writers = {who for (who, s), n in demo.ledger.comments.items() if s is side and n}
            if comments["shown"]:
                assert len(writers) >= report["min_commenters"]
        text = (demo.out / week / "report.md").read_text(encoding="utf-8")
        for n in range(1, K):
            assert f"n = {n}," not in text and f"n = {n}\n" not in text


@pytest.mark.asyncio(loop_scope="module")
async def test_not_asked_is_what_the_weeks_pulses_left_out(demo: DemoResult) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{demo.out / 'pulse-demo.db'}")
    try:
        pulsed = {week: await pulse_items(engine, IsoWeek.parse(week)) for week in demo.weeks}
    finally:
        await engine.dispose()
    answered = demo.ledger.histograms()
    not_asked = 0
    for week in demo.weeks:
        for figures in _sides(_report(demo, week)):
            side, item = Side(figures["side"]), figures["item"]
            included = item in pulsed[week][side] or (week, side, item) in answered
            assert figures["asked"] is included, (week, item)
            not_asked += not included
    assert not_asked > 0  # the rotation leaves dimensions out every week


@pytest.mark.asyncio(loop_scope="module")
async def test_nobody_got_a_message_twice(demo: DemoResult) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{demo.out / 'pulse-demo.db'}")
    statement = (
        sa.select(delivery.c.pulse_id, person.c.platform_user_id, delivery.c.kind,
                  delivery.c.platform_message_id)
        .join(person, person.c.id == delivery.c.person_id)
        .where(delivery.c.status == "sent")
    )  # fmt: skip
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
    finally:
        await engine.dispose()
    keys = [(r.pulse_id, r.platform_user_id, r.kind) for r in rows]
    assert len(keys) == len(set(keys)) > 0
    refs = [r.platform_message_id for r in rows if r.platform_message_id is not None]
    assert len(refs) == len(set(refs))  # closed windows keep no message reference at all
    # Questions only: a closed window deletes its reminders (they would tell who answered).
    per_person = Counter(r.platform_user_id for r in rows if r.kind == "question")
    arrived: Counter[str] = Counter()
    for (who, _week), count in demo.ledger.received.items():
        arrived[who] += count > 0  # the first message of a week is its question
    gone = demo.ledger.deleted
    assert {w: n for w, n in arrived.items() if w not in gone} == {
        w: n for w, n in per_person.items() if w not in gone
    }
    assert sum(1 for w in per_person if w.startswith("U")) >= 10  # employees were asked


@pytest.mark.asyncio(loop_scope="module")
async def test_people_left_paused_and_commented_through_the_stand_ins(demo: DemoResult) -> None:
    moves = demo.ledger.moves
    assert moves["joined"] == 40
    assert sum(demo.ledger.comments.values()) > 0
    assert demo.sent["employee"] > 0 and demo.sent["customer"] > 0


def test_the_company_is_the_same_for_the_same_seed() -> None:
    from pulse_mirror.demo.company import build_company

    first = build_company(seed=5, employees=30, customers=100, weeks=8, lang="en")
    again = build_company(seed=5, employees=30, customers=100, weeks=8, lang="en")
    other = build_company(seed=6, employees=30, customers=100, weeks=8, lang="en")
    assert first == again
    assert first != other
    zones = {e.time_zone for e in first.employees}
    assert zones >= {"Europe/Berlin", "America/New_York", "Asia/Tokyo"}
    assert {c.payload for c in first.customers} == set(first.segments)


async def test_the_same_seed_gives_the_same_figures(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    runs: list[dict[str, str]] = []
    for run in range(2):
        out = tmp_path_factory.mktemp(f"again{run}")
        options = DemoOptions(weeks=2, employees=8, customers=24, seed=4, out=out,
                              min_respondents=K, customer_fraction=0.5)  # fmt: skip
        result = await run_demo(options)
        files = {"summary.json": (out / "summary.json").read_text(encoding="utf-8")}
        for week in result.weeks:
            for name in ("report.json", "report.md"):
                files[f"{week}/{name}"] = (out / week / name).read_text(encoding="utf-8")
        runs.append(files)
    assert len(runs[0]) == 5  # the summary, and two files for each of the two weeks
    for name, first in runs[0].items():
        assert runs[1][name] == first, name
    assert '"n": ' in runs[0][f"{result.weeks[0]}/report.json"]
