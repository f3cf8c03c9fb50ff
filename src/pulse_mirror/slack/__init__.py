"""Employees answer pulses in Slack: the messenger, listeners, App Home, roster and runtime."""
