"""Issue 18's figures in one JSON line: delivery at the platforms' limits, planning and the
report at size. Runs ``scale_delivery.measure()`` and ``scale_planning.measure(size)`` (see
each for the method) and names the figures so they can be checked by name:
``slack_makespan_ratio``, ``slack_429_share``, ``telegram_rate_fraction``, ``plan_seconds``,
``plan_rss_mb``, ``plan_rerun_seconds``, ``report_ratio_to_scan``, ``duplicates``, ``lost``.
``replicas_rate_fraction`` and ``takeover_seconds`` are null: a pace shared by replicas
through PostgreSQL is not built yet (each Slack replica adapts to its own 429s; see
``tests/outbox/test_slack_delivery.py`` for two replicas sharing one ceiling).
Run: python benchmarks/scale.py [--size small|full]  (full: about 15 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_delivery
import scale_planning


def main() -> None:
    """Run both parts and print the one JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=("small", "full"), default="full")
    size = parser.parse_args().size
    before = scale_planning.machine()["load_average"]
    delivery = scale_delivery.measure()
    planning = scale_planning.measure(size)
    sent = delivery["figures"]
    assert isinstance(sent, dict)
    figures = {
        "slack_makespan_ratio": sent["slack_makespan_ratio"],
        "slack_429_share": sent["slack_429_share"],
        "slack_people": sent["slack_people"],
        "telegram_rate_fraction": sent["telegram_rate_fraction"],
        "telegram_people": sent["telegram_people"],
        "replicas_rate_fraction": None,
        "takeover_seconds": None,
        "plan_seconds": planning["plan_seconds"],
        "plan_rss_mb": planning["plan_rss_mb"],
        "plan_rerun_seconds": planning["plan_rerun_seconds"],
        "report_ratio_to_scan": planning["report_ratio_to_scan"],
        "planning_size": size,
        "duplicates": sent["duplicates"],
        "lost": sent["lost"],
    }
    machine = scale_planning.machine()
    machine["load_average_before"] = before
    print(json.dumps({"benchmark": "scale", "figures": figures, "machine": machine}))


if __name__ == "__main__":
    main()
