"""The short human summary of a config that ``pulse check-config`` prints, without secrets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pulse_mirror.config.secrets import scrub
from pulse_mirror.config.sections import WEEKDAYS

if TYPE_CHECKING:
    from pulse_mirror.config.settings import Config


def describe(config: Config) -> list[str]:
    """A short human summary of the config, without any secret."""
    return [scrub(line, config.secrets.values()) for line in summary_lines(config)]


def _days(numbers: list[int]) -> str:
    return ", ".join(WEEKDAYS[n - 1].capitalize() for n in numbers)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary_lines(config: Config) -> list[str]:
    """One line per area: organisation, privacy, storage, platforms, schedule, dimensions."""
    org, tz = config.organisation, config.organisation.timezone
    employees = config.surveys.employees
    report = config.report
    lines = [
        f"organisation: {org.name} (time zone {tz})",
        f"languages: questions in en and de, default {org.language}, report in {report.language}",
        f"anonymity: nothing shown from fewer than {config.anonymity.min_respondents} "
        f"respondents; comments need {config.anonymity.min_commenters}",
        f"database: {config.database_display}",
        _slack_line(config),
        _telegram_line(config),
        f"employees: asked {_days(employees.weekdays)} at {employees.send_time:%H:%M} in each "
        f"person's own time zone; {_plural(employees.questions_per_pulse, 'question')}, "
        f"{employees.answer_window_days}-day window, {_plural(employees.reminders, 'reminder')}",
        _customers_line(config),
        f"report: {_days([report.weekday])} {report.time:%H:%M} ({tz}), "
        f"{report.trend_weeks}-week trend, to "
        + (", ".join(report.destinations or []) or "nowhere yet (no destination set)"),
        f"custom dimensions: {len(config.dimensions)}",
    ]
    if (config.slack.enabled and config.slack.mode == "http") or (
        config.telegram.enabled and config.telegram.mode == "webhook"
    ):
        lines.append(f"server: listens on {config.server.host}:{config.server.port}")
    return lines


def _slack_line(config: Config) -> str:
    slack = config.slack
    if not slack.enabled:
        return "slack: disabled (no employee pulses)"
    roster = slack.roster
    source = "the workspace" if roster.source == "workspace" else f"file {roster.file}"
    guests = "with guests" if roster.include_guests else "without guests"
    parts = [
        f"slack: {slack.mode} mode",
        f"report channel {slack.report_channel or 'not set'}",
        f"roster from {source} ({guests}, {len(roster.exclude)} excluded)",
    ]
    if slack.api_url:
        parts.append(f"API at {slack.api_url}")
    return ", ".join(parts)


def _telegram_line(config: Config) -> str:
    telegram = config.telegram
    if not telegram.enabled:
        return "telegram: disabled (no customer pulses)"
    mode = "polling" if telegram.mode == "polling" else f"webhook at {telegram.webhook_url}"
    segments = sorted(set(telegram.segments.values()))
    parts = [
        f"telegram: {mode}",
        f"segments: {', '.join(segments) or 'none'} (default {telegram.default_segment})",
        f"report chat {'not set' if telegram.report_chat_id is None else telegram.report_chat_id}",
    ]
    if telegram.api_url:
        parts.append(f"API at {telegram.api_url}")
    return ", ".join(parts)


def _customers_line(config: Config) -> str:
    customers = config.surveys.customers
    if customers.sample_size is not None:
        sample = f"{customers.sample_size} customers a week"
    else:
        sample = f"{(customers.sample_fraction or 0) * 100:g}% of customers a week"
    daytime = customers.daytime
    return (
        f"customers: {sample}, each at most once in {customers.min_days_between} days, "
        f"between {daytime.start:%H:%M} and {daytime.end:%H:%M} "
        f"({config.organisation.timezone}); "
        f"{_plural(customers.questions_per_pulse, 'question')}, "
        f"{customers.answer_window_days}-day window"
    )
