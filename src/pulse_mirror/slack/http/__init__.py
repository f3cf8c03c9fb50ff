"""Slack HTTP mode: the gate every request passes, and the intake that acks clicks early."""
