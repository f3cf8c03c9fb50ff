"""``slack.rate``: the starting pace of the adaptive workspace pace, and its maximum."""

from __future__ import annotations

import pytest

from pulse_mirror.config.settings import ConfigError, load_config, parse_config
from tests.config.test_config import EXAMPLE, SECRETS


def test_the_example_starts_at_one_a_second_and_caps_at_a_hundred() -> None:
    rate = load_config(EXAMPLE, env=SECRETS).slack.rate

    assert (rate.messages_per_second, rate.max_messages_per_second) == (1.0, 100.0)


def test_a_start_above_the_maximum_names_both_keys() -> None:
    data = {"slack": {"rate": {"messages_per_second": 50, "max_messages_per_second": 20}}}
    with pytest.raises(ConfigError) as info:
        parse_config(data, env=SECRETS)

    [problem] = info.value.problems
    assert problem.startswith("slack.rate.messages_per_second:")
    assert "max_messages_per_second (20.0)" in problem
