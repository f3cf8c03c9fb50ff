"""Holm's step-down over one family of p-values: family-wise error at most ``alpha``.

Each week tests up to six gaps (one per mirrored dimension) and up to fifteen changes. Tested
one by one at 5%, a week with no true difference anywhere headlined a "real" gap about a
third of the time. Holm (1979) keeps the chance that *any* "real" in a family is a false
alarm at or under 5%, whatever the dependence between the tests, and calls real everything
Bonferroni does and more.

Holm has no simple simultaneous intervals (Strassburger & Bretz 2008), so each member is
shown at the level of the Holm step that decided it: the i-th smallest of m p-values is
tested at alpha / (m - i + 1), and once a step fails, it and every later member are shown at
that step's level. Every interval is then at least the (1 - alpha) one, and it excludes 0
exactly when Holm calls the member real. Pure arithmetic: imports nothing of the project.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["holm", "holm_steps"]


def holm(p_values: Sequence[float]) -> tuple[float, ...]:
    """Holm's adjusted p-values in the order given: the running max of (m - rank) x p."""
    m = len(p_values)
    adjusted = [1.0] * m
    running = 0.0
    for rank, index in enumerate(_ascending(p_values)):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return tuple(adjusted)


def holm_steps(p_values: Sequence[float], *, alpha: float) -> tuple[float, ...]:
    """The error rate each member is decided (and its interval shown) at, in the order given.

    alpha / (m - rank) while every smaller p-value was below its step; from the first that
    is not, that step's rate for it and all after it. A member is real exactly when its
    p-value is below its rate, which is Holm's step-down.
    """
    m = len(p_values)
    steps = [alpha] * m
    stopped: float | None = None
    for rank, index in enumerate(_ascending(p_values)):
        step = alpha / (m - rank) if stopped is None else stopped
        if stopped is None and not p_values[index] < step:
            stopped = step
        steps[index] = step
    return tuple(steps)


def _ascending(p_values: Sequence[float]) -> list[int]:
    return sorted(range(len(p_values)), key=lambda i: p_values[i])
