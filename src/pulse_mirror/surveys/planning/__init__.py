"""Planning without I/O: which items a week asks, when each person gets them, who is sampled.

One import point for the planner; the work is done in :mod:`pulse_mirror.surveys.planning.rotation`,
:mod:`pulse_mirror.surveys.planning.schedule` and :mod:`pulse_mirror.surveys.planning.sampling`.
"""

from __future__ import annotations

from pulse_mirror.surveys.planning.rotation import WeekPlan, mirrored_slots, plan_week
from pulse_mirror.surveys.planning.sampling import (
    Candidate,
    is_eligible,
    sample_customers,
    spread_send_times,
)
from pulse_mirror.surveys.planning.schedule import (
    is_paused,
    local_instant,
    local_send_time,
    local_send_times,
    zone,
)

__all__ = [
    "Candidate",
    "WeekPlan",
    "is_eligible",
    "is_paused",
    "local_instant",
    "local_send_time",
    "local_send_times",
    "mirrored_slots",
    "plan_week",
    "sample_customers",
    "spread_send_times",
    "zone",
]
