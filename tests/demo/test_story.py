"""The demo's story, told by the real statistics: real gaps, noise, and the improvement.

Answers are drawn from the story the way the simulated people draw them (a personal lean
plus noise) in the numbers a default demo week gets, and the real report judges them.
"""

from __future__ import annotations

import random

from pulse_mirror.demo.run import FIRST_WEEK
from pulse_mirror.demo.story import IMPROVED, Story
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.planning.rotation import plan_week
from pulse_mirror.surveys.report.build import MirroredDimension, ReportInput, build_report
from pulse_mirror.surveys.stats.gaps import Verdict
from pulse_mirror.surveys.stats.metrics import histogram

WEEKS = 8  # the demo's default
STORY = Story(improvement_week=WEEKS // 2)  # as bot.demo.company builds it
ANSWERS = {Side.EMPLOYEE: 40, Side.CUSTOMER: 50}  # about what a default demo week gets


def _answers(side: Side, dimension: str, *, week: int, rng: random.Random) -> list[int]:
    item = load_bank().item(f"{dimension}.{side.value}")
    lean = 8.0 if side is Side.EMPLOYEE else 10.0  # the spread of people's own views
    return [
        STORY.value(item, week=week, offset=rng.gauss(0.0, lean), rng=rng)
        for _ in range(ANSWERS[side])
    ]


def _mirror(week: int, *, seed: int) -> dict[str, MirroredDimension]:
    rng = random.Random(seed)
    iso = FIRST_WEEK.shift(week)
    keys = [d.key for d in load_bank().mirrored()]
    raw = {
        (iso, side, f"{key}.{side.value}"): histogram(_answers(side, key, week=week, rng=rng))
        for key in keys
        for side in Side
    }
    report = build_report(
        week=iso, bank=load_bank(), data=ReportInput(raw), anonymity=Anonymity(5), trend_weeks=2
    )
    return {d.key: d for d in report.mirrored}


def _verdicts(week: int) -> dict[str, list[Verdict]]:
    found: dict[str, list[Verdict]] = {}
    for seed in range(20):
        for key, dimension in _mirror(week, seed=seed).items():
            found.setdefault(key, []).append(dimension.gap.verdict)
    return found


def _share(verdicts: list[Verdict], wanted: Verdict) -> float:
    return sum(v is wanted for v in verdicts) / len(verdicts)


def test_before_the_fix_effort_and_recommend_are_real_gaps_the_others_noise() -> None:
    verdicts = _verdicts(week=0)
    for key in ("effort", "recommend"):
        assert _share(verdicts[key], Verdict.REAL) == 1.0, key
    for key in ("listening", "satisfaction", "centricity", "personal"):
        assert _share(verdicts[key], Verdict.NOISE) >= 0.7, key


def test_the_fix_moves_the_customers_view_of_effort_and_not_the_employees() -> None:
    before = [_mirror(STORY.improvement_week - 1, seed=s)[IMPROVED] for s in range(10)]
    after = [_mirror(STORY.improvement_week, seed=s)[IMPROVED] for s in range(10)]

    def mean(dims: list[MirroredDimension], attr: str) -> float:
        scores = [getattr(d, attr).score for d in dims]
        assert all(s is not None for s in scores)
        return sum(s.score.value for s in scores if s is not None) / len(scores)

    assert mean(after, "outside") - mean(before, "outside") > 15  # customers: it got easier
    assert abs(mean(after, "inside") - mean(before, "inside")) < 3  # employees: no change
    # The gap shrinks but stays real: employees still think it easier than customers do.
    assert all(d.gap.verdict is Verdict.REAL for d in after)


def test_a_default_demo_asks_effort_before_and_after_the_fix() -> None:
    bank = load_bank()
    asked = [
        week
        for week in range(WEEKS)
        if IMPROVED in plan_week(bank, FIRST_WEEK.shift(week), questions_per_pulse=3,
                                 customer_questions=2).mirrored
    ]  # fmt: skip
    assert any(w < STORY.improvement_week for w in asked)
    assert any(w >= STORY.improvement_week for w in asked)
