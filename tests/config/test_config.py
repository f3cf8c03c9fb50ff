"""The config: the example validates, defaults work, every bad input gets one clear line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from pulse_mirror.config.settings import Config, ConfigError, load_config, parse_config
from pulse_mirror.config.summary import describe

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config.example.yaml"

SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-bot-token-value-1234",
    "SLACK_APP_TOKEN": "xapp-app-token-value-5678",
    "SLACK_SIGNING_SECRET": "signing-secret-value-9abc",
    "TELEGRAM_BOT_TOKEN": "123456:telegram-token-value-def0",
    "TELEGRAM_WEBHOOK_SECRET": "webhook-secret-value-4321",
    "PULSE_DATABASE_PASSWORD": "db-password-value-8765",
}


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(data: Any, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(data, env=SECRETS if env is None else env)
    return info.value.problems


def test_the_example_validates_with_secrets_in_the_environment() -> None:
    config = load_config(EXAMPLE, env=SECRETS)

    assert config.organisation.timezone == "Europe/Berlin"
    assert config.slack.enabled and config.slack.mode == "socket"
    assert config.slack.report_channel == "#leadership-pulse"
    assert config.telegram.segments == {"shop": "retail", "b2b": "business"}
    assert config.surveys.employees.weekdays == [2]
    assert config.surveys.employees.send_time == dt.time(10, 0)
    assert config.surveys.customers.daytime.end == dt.time(18, 0)
    assert config.report.destinations == ["slack"]
    assert config.database_url == f"sqlite+aiosqlite:///{ROOT / 'pulse.db'}"
    assert [d["key"] for d in config.custom_dimensions()] == ["onboarding"]
    assert config.secrets.slack_bot_token == SecretStr(SECRETS["SLACK_BOT_TOKEN"])


def test_the_example_documents_every_option_with_a_comment() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    uncommented = [
        line
        for before, line in zip(["#", *lines], lines, strict=False)
        if ":" in line
        and not line.lstrip().startswith(("#", "-", "en:", "de:"))
        and "#" not in line
        and not line.endswith(":")  # a section heading, not an option
        and not before.lstrip().startswith("#")
    ]
    assert uncommented == []


def test_an_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), env={})

    assert config.anonymity.min_respondents == 5
    assert config.anonymity.min_commenters == 7
    assert config.server.port == 8080 and config.server.host == "127.0.0.1"
    assert config.surveys.customers.sample_fraction == 0.1
    assert config.surveys.customers.sample_size is None
    assert config.surveys.customers.min_days_between == 28
    assert config.report.weekday == 1 and config.report.trend_weeks == 8
    assert config.report.destinations == [] and config.report.language == "en"
    assert config.database_url == f"sqlite+aiosqlite:///{tmp_path / 'pulse.db'}"
    assert config.custom_dimensions() == []


def test_empty_sections_are_the_defaults() -> None:
    config = parse_config({"slack": None, "surveys": None}, env={})
    assert config.slack == Config().slack
    assert config.surveys.employees.questions_per_pulse == 3


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (
            {"surveys": {"customers": {"min_days_between": 0}}},
            "surveys.customers.min_days_between: 0 is not allowed; must be ≥ 1",
        ),
        (
            {"organisation": {"timezone": "Europe/Berln"}},
            "organisation.timezone: 'Europe/Berln' is not a known time zone "
            "(IANA name such as Europe/Berlin)",
        ),
        (
            {"anonymity": {"min_respondents": 2}},
            "anonymity.min_respondents: 2 is not allowed; must be ≥ 3",
        ),
        (
            {"anonymity": {"min_respondents": 6, "min_commenters": 5}},
            "anonymity.min_commenters: 5 is not allowed; must be ≥ min_respondents (6)",
        ),
        (
            {"slack": {"mode": "sockets"}},
            "slack.mode: 'sockets' is not allowed; use socket or http",
        ),
        (
            {"surveys": {"employes": {}}},
            "unknown key surveys.employes (did you mean employees?)",
        ),
        (
            {"organisation": {"language": "fr"}},
            "organisation.language: 'fr' is not allowed; use en or de",
        ),
        (
            {"surveys": {"employees": {"questions_per_pulse": 4}}},
            "surveys.employees.questions_per_pulse: 4 is not allowed; must be ≤ 3",
        ),
        (
            {"surveys": {"employees": {"reminders": 3}}},
            "surveys.employees.reminders: 3 is not allowed; must be ≤ 2",
        ),
        (
            {"surveys": {"employees": {"weekdays": ["tue", "funday"]}}},
            "surveys.employees.weekdays[1]: 'funday' is not a weekday; "
            "use mon, tue, wed, thu, fri, sat, sun or 1-7",
        ),
        (
            {"surveys": {"employees": {"send_time": "25:00"}}},
            "surveys.employees.send_time: '25:00' is not a time of day; use HH:MM such as 10:00",
        ),
        (
            {"surveys": {"employees": {"answer_window_days": "five"}}},
            "surveys.employees.answer_window_days: 'five' is not a whole number",
        ),
        (
            {"surveys": {"customers": {"sample_size": 10, "sample_fraction": 0.5}}},
            "surveys.customers: set either sample_size or sample_fraction, not both",
        ),
        (
            {"surveys": {"customers": {"sample_fraction": 1.5}}},
            "surveys.customers.sample_fraction: 1.5 is not allowed; must be ≤ 1",
        ),
        (
            {"surveys": {"customers": {"daytime": {"start": "18:00", "end": "09:00"}}}},
            "surveys.customers.daytime.end: 09:00 is not allowed; must be after start (18:00)",
        ),
        (
            {"report": {"trend_weeks": 1}},
            "report.trend_weeks: 1 is not allowed; must be ≥ 2",
        ),
        (
            {"report": {"destinations": ["email"]}},
            "report.destinations[0]: 'email' is not allowed; use slack or telegram",
        ),
        (
            {"report": {"destinations": ["slack"]}},
            "report.destinations[0]: 'slack' needs slack.enabled: true and slack.report_channel",
        ),
        (
            {"telegram": {"enabled": True, "mode": "webhook"}},
            "telegram.webhook_url: is required in webhook mode (the public https URL)",
        ),
        (
            {"telegram": {"webhook_url": "http://bot.example.com/hook"}},
            "telegram.webhook_url: 'http://bot.example.com/hook' must use https "
            "(http only for 127.0.0.1/localhost)",
        ),
        (
            {"telegram": {"segments": {"no spaces": "retail"}}},
            "telegram.segments: 'no spaces' is not a deep-link payload; "
            "use 1-64 of A-Z a-z 0-9 _ -",
        ),
        (
            {"telegram": {"segments": {"vip": "x" * 65}}},
            "telegram.segments.vip: '" + "x" * 56 + "...' is not allowed "
            "(String should have at most 64 characters)",
        ),
        (
            {"slack": {"report_channel": "leadership"}},
            "slack.report_channel: 'leadership' is not a channel; "
            "use #name (lowercase) or an id such as C0123ABCD",
        ),
        (
            {"slack": {"roster": {"source": "file"}}},
            "slack.roster.file: is required when source is file (a CSV or YAML file)",
        ),
        (
            {"slack": {"roster": {"source": "file", "file": "people.csv"}}},
            "slack.roster.file: 'people.csv' not found",
        ),
        ({"server": {"port": 70000}}, "server.port: 70000 is not allowed; must be ≤ 65535"),
        ({"slack": {"enabled": "maybe"}}, "slack.enabled: 'maybe' is not true or false"),
        ({"slack": ["enabled"]}, "slack: ['enabled'] must be a mapping of keys to values"),
        (
            {"database": {"url": "mysql://me@host/db"}},
            "database.url: 'mysql' is not supported; use sqlite:///pulse.db "
            "or postgresql://user@host/db",
        ),
        (
            {"colour": "blue"},
            "unknown key colour (allowed here: organisation, anonymity, database, server, "
            "slack, telegram, surveys, report, logging, dimensions)",
        ),
    ],
)
def test_each_bad_input_gets_its_line(data: dict[str, Any], line: str) -> None:
    problems = problems_of(data)
    assert any(p.startswith(line) for p in problems), problems


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (
            {"slack": {"enabled": True}},
            "slack: enabled but SLACK_BOT_TOKEN is not set in the environment",
        ),
        (
            {"slack": {"enabled": True}},
            "slack: socket mode but SLACK_APP_TOKEN is not set in the environment",
        ),
        (
            {"slack": {"enabled": True, "mode": "http"}},
            "slack: http mode but SLACK_SIGNING_SECRET is not set in the environment",
        ),
        (
            {"telegram": {"enabled": True}},
            "telegram: enabled but TELEGRAM_BOT_TOKEN is not set in the environment",
        ),
        (
            {"telegram": {"enabled": True, "mode": "webhook", "webhook_url": "https://x.io/h"}},
            "telegram: webhook mode but TELEGRAM_WEBHOOK_SECRET is not set in the environment",
        ),
    ],
)
def test_an_enabled_platform_needs_its_secrets(data: dict[str, Any], line: str) -> None:
    assert line in problems_of(data, env={})


def test_a_disabled_platform_needs_no_secret() -> None:
    config = parse_config({"slack": {"enabled": False, "mode": "http"}}, env={})
    assert config.secrets.slack_bot_token is None


def test_a_missing_secret_is_reported_even_when_the_section_has_other_errors() -> None:
    problems = problems_of({"slack": {"enabled": True, "mode": "sockets"}}, env={})
    assert "slack.mode: 'sockets' is not allowed; use socket or http" in problems
    assert "slack: enabled but SLACK_BOT_TOKEN is not set in the environment" in problems


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "organisation:\n  timezone: Mars/Olympus\n"
        "anonymity:\n  min_respondents: 1\n"
        "slack:\n  enabled: true\n  mode: sockets\n"
        "surveys:\n  employes: {}\n  customers:\n    min_days_between: 0\n",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert len(info.value.problems) == 6
    assert [
        p.removeprefix("unknown key ").split(":")[0].split(" ")[0] for p in info.value.problems
    ] == [
        "organisation.timezone",
        "anonymity.min_respondents",
        "slack.mode",
        "surveys.customers.min_days_between",
        "surveys.employes",
        "slack",
    ]


@pytest.mark.parametrize(
    ("yaml_text", "line"),
    [
        (
            "slack:\n  token: xoxb-leaked-in-file\n",
            "slack.token: secrets do not belong in the config file; "
            "set SLACK_BOT_TOKEN in the environment",
        ),
        (
            "slack:\n  signing_secret: leaked\n",
            "slack.signing_secret: secrets do not belong in the config file; "
            "set SLACK_SIGNING_SECRET in the environment",
        ),
        (
            "telegram:\n  bot_token: '1:leaked'\n",
            "telegram.bot_token: secrets do not belong in the config file; "
            "set TELEGRAM_BOT_TOKEN in the environment",
        ),
        (
            "database:\n  password: leaked\n",
            "database.password: secrets do not belong in the config file; "
            "set PULSE_DATABASE_PASSWORD in the environment",
        ),
        (
            "database:\n  url: postgresql://me:leaked@db/pulse\n",
            "database.url: contains a password; leave it out and set PULSE_DATABASE_PASSWORD "
            "in the environment",
        ),
    ],
)
def test_a_secret_in_the_file_is_refused_without_showing_it(
    tmp_path: Path, yaml_text: str, line: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, yaml_text), env={})
    assert info.value.problems == [line]
    assert "leaked" not in str(info.value)


def test_secret_values_never_appear_in_errors_or_the_summary(tmp_path: Path) -> None:
    # Operators do paste tokens into the wrong key; the value must still not be echoed.
    text = (
        f"organisation:\n  name: {SECRETS['SLACK_BOT_TOKEN']}\n"
        f"  timezone: {SECRETS['SLACK_APP_TOKEN']}\n"
        f"slack:\n  report_channel: {SECRETS['TELEGRAM_BOT_TOKEN']}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env=SECRETS)
    errors = "\n".join(info.value.problems)
    assert "organisation.timezone" in errors and "slack.report_channel" in errors

    config = load_config(
        write(
            tmp_path,
            "database:\n  url: postgresql://pulse@db.example.com/pulse\n"
            "slack: {enabled: true, report_channel: '#x'}\n"
            "telegram: {enabled: true, mode: webhook, webhook_url: 'https://x.io/h'}\n",
        ),
        env=SECRETS,
    )
    summary = "\n".join(describe(config))
    assert "pulse:***@db.example.com" in summary
    for value in SECRETS.values():
        assert value not in errors
        assert value not in summary
        assert value not in repr(config)


def test_database_password_comes_from_the_environment() -> None:
    data = {"database": {"url": "postgresql://pulse@db.example.com:5432/pulse"}}
    config = parse_config(data, env={"PULSE_DATABASE_PASSWORD": "s3cr:t@"})

    assert config.database_url == "postgresql+psycopg://pulse:s3cr%3At%40@db.example.com:5432/pulse"
    assert config.database_display == "postgresql+psycopg://pulse:***@db.example.com:5432/pulse"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///data/pulse.db", "sqlite+aiosqlite:///{base}/data/pulse.db"),
        ("sqlite:////var/lib/pulse.db", "sqlite+aiosqlite:////var/lib/pulse.db"),
        ("sqlite+aiosqlite://", "sqlite+aiosqlite://"),
        (
            "postgresql://postgres@127.0.0.1:5432/test",
            "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        ),
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
    ],
)
def test_database_urls_are_normalised_to_async_drivers(
    tmp_path: Path, url: str, expected: str
) -> None:
    config = parse_config({"database": {"url": url}}, env={}, base_dir=tmp_path)
    assert config.database_url == expected.format(base=tmp_path)
    assert config.database_display == config.database_url


def test_times_of_day_are_not_read_as_base_60_numbers(tmp_path: Path) -> None:
    # YAML 1.1 reads an unquoted 10:30 as the number 630.
    path = write(tmp_path, "surveys:\n  employees:\n    send_time: 10:30\nreport:\n  time: 7:05\n")
    config = load_config(path, env={})
    assert config.surveys.employees.send_time == dt.time(10, 30)
    assert config.report.time == dt.time(7, 5)


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "slack:\n  enabled: true\n  mode: [socket\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    [line] = info.value.problems
    assert line.startswith(f"{path}: not valid YAML (line 4, column 1):")


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "config.yaml", env={})
    assert info.value.problems == [f"{tmp_path / 'config.yaml'}: file not found"]


def test_a_duplicate_key_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "slack:\n  enabled: false\nslack:\n  enabled: true\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env=SECRETS)
    assert info.value.problems == [f"{path}: line 3: key 'slack' appears twice in one mapping"]


def test_the_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "- slack\n"), env={})
    assert info.value.problems[0].startswith("config: the top level must be a mapping")


def test_weekday_names_and_numbers_are_accepted() -> None:
    data = {"surveys": {"employees": {"weekdays": ["Friday", 1, "mon", "wed"]}}}
    config = parse_config(data, env={})
    assert config.surveys.employees.weekdays == [1, 3, 5]


def test_report_defaults_follow_the_platforms_and_the_organisation() -> None:
    data = {
        "organisation": {"language": "de"},
        "slack": {"enabled": True, "report_channel": "C0123ABCD"},
        "telegram": {"enabled": True, "report_chat_id": "-1001234"},
    }
    config = parse_config(data, env=SECRETS)
    assert config.report.destinations == ["slack", "telegram"]
    assert config.report.language == "de"
    assert config.telegram.report_chat_id == -1001234


def test_api_urls_are_shaped_for_the_client_libraries() -> None:
    data = {
        "slack": {"api_url": "http://127.0.0.1:8001/api"},
        "telegram": {"api_url": "http://127.0.0.1:8002/bot/"},
    }
    config = parse_config(data, env={})
    assert config.slack.api_url == "http://127.0.0.1:8001/api/"
    assert config.telegram.api_url == "http://127.0.0.1:8002/bot"


def test_a_roster_file_is_found_next_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("email,team,timezone\n", encoding="utf-8")
    path = write(tmp_path, "slack:\n  roster: {source: file, file: people.csv}\n")
    config = load_config(path, env={})
    assert config.slack.roster.file is not None
    assert config.resolve_path(config.slack.roster.file) == tmp_path / "people.csv"


DIMENSION = {
    "key": "onboarding",
    "metric": "agreement",
    "scale": [1, 5],
    "title": {"en": "Onboarding", "de": "Einarbeitung"},
    "items": {
        "customer": {"text": {"en": "Getting started was easy."}, "low": {"en": "No"}},
        "employee": {"text": {"en": "Customers find getting started easy."}},
    },
}


def test_custom_dimensions_are_plain_dicts_in_the_bank_format() -> None:
    config = parse_config({"dimensions": [DIMENSION]}, env={})
    assert config.custom_dimensions() == [DIMENSION]


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ({"key": "On-boarding"}, "dimensions[0].key: 'On-boarding' is not a key"),
        ({"metric": "median"}, "dimensions[0].metric: 'median' is not allowed; use nps, csat"),
        ({"metric": "mean", "scale": None}, "dimensions[0].scale: is required for metric mean"),
        ({"metric": "text"}, "dimensions[0].scale: is not allowed for metric text"),
        ({"scale": [5, 1]}, "dimensions[0].scale: [5, 1] is not allowed; high must be above low"),
        ({"scale": [1, 2, 3]}, "dimensions[0].scale: [1, 2, 3] is not allowed; must be two whole"),
        ({"title": {"de": "Nur Deutsch"}}, "dimensions[0].title: needs an English text (en)"),
        (
            {"title": {"fr": "Intégration"}},
            "dimensions[0].title: 'fr' is not allowed; use en or de",
        ),
        ({"items": {}}, "dimensions[0].items: needs a customer item, an employee item or both"),
        ({"items": {"partner": {}}}, "unknown key dimensions[0].items.partner"),
        ({"colour": "red"}, "unknown key dimensions[0].colour (allowed here: key, metric"),
        # These come from the question bank itself.
        ({"key": "effort"}, "dimensions[0].key: 'effort' is a built-in dimension"),
        ({"metric": "nps"}, "dimensions[0].scale: metric nps needs the scale [0, 10]"),
    ],
)
def test_bad_custom_dimensions_get_their_line(change: dict[str, Any], line: str) -> None:
    entry = {k: v for k, v in {**DIMENSION, **change}.items() if v is not None}
    problems = problems_of({"dimensions": [entry]})
    assert any(p.startswith(line) for p in problems), problems


def test_a_dimension_key_used_twice_is_reported() -> None:
    problems = problems_of({"dimensions": [DIMENSION, DIMENSION]})
    assert problems == ["dimensions[1].key: 'onboarding' is used more than once"]


def test_describe_summarises_the_example() -> None:
    lines = describe(load_config(EXAMPLE, env=SECRETS))
    text = "\n".join(lines)
    assert "organisation: Example GmbH (time zone Europe/Berlin)" in lines
    assert "slack: socket mode, report channel #leadership-pulse" in text
    assert "telegram: polling, segments: business, retail (default general)" in text
    assert "employees: asked Tue at 10:00" in text
    assert "customers: 10% of customers a week, each at most once in 28 days" in text
    assert "report: Mon 09:00 (Europe/Berlin), 8-week trend, to slack" in text
    assert "custom dimensions: 1" in lines
    assert "anonymity: nothing shown from fewer than 5 respondents; comments need 7" in lines


@given(st.text(max_size=40))
def test_any_time_zone_text_is_accepted_or_named_in_one_line(name: str) -> None:
    try:
        config = parse_config({"organisation": {"timezone": name}}, env={})
    except ConfigError as exc:
        [line] = exc.problems
        assert line.startswith("organisation.timezone: ")
    else:
        assert config.organisation.timezone == name


@given(st.one_of(st.integers(max_value=10**6), st.text(max_size=8), st.floats(max_value=1e6)))
def test_any_threshold_is_accepted_only_from_three_up(value: object) -> None:
    try:
        config = parse_config(
            {"anonymity": {"min_respondents": value, "min_commenters": 10**9}}, env={}
        )
    except ConfigError as exc:
        assert all(p.startswith("anonymity.min_respondents: ") for p in exc.problems)
    else:
        assert config.anonymity.min_respondents >= 3


def test_comment_threshold_defaults_to_two_above_the_number_threshold() -> None:
    config = parse_config({"anonymity": {"min_respondents": 7}}, env={})
    assert config.anonymity.min_respondents == 7
    assert config.anonymity.min_commenters == 9
    assert parse_config({}, env={}).anonymity.min_commenters == 7


def test_without_tokens_a_missing_secret_is_not_a_problem_but_the_rest_still_is(
    tmp_path: Path,
) -> None:
    data = {"slack": {"enabled": True}, "telegram": {"enabled": True, "mode": "webhook",
            "webhook_url": "https://pulse.example.com/telegram"}}  # fmt: skip
    config = parse_config(data, env={}, tokens=False)
    assert config.slack.enabled and config.secrets.slack_bot_token is None

    with pytest.raises(ConfigError) as refused:
        parse_config({**data, "anonymity": {"min_respondents": 2}}, env={}, tokens=False)
    assert refused.value.problems == ["anonymity.min_respondents: 2 is not allowed; must be ≥ 3"]

    path = tmp_path / "config.yaml"
    path.write_text("slack:\n  enabled: true\n", encoding="utf-8")
    assert load_config(path, env={}, tokens=False).slack.enabled
    with pytest.raises(ConfigError) as demanded:
        load_config(path, env={})
    assert demanded.value.problems == [
        "slack: enabled but SLACK_BOT_TOKEN is not set in the environment",
        "slack: socket mode but SLACK_APP_TOKEN is not set in the environment",
    ]
