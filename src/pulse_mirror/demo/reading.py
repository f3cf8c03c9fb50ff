"""Reading a pulse as a person does: which question is asked, and is my answer confirmed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pulse_mirror.surveys.bank import QuestionBank
from pulse_mirror.surveys.model import Item


class Reader:
    """Finds the question in a message's text by its wording, in the person's language."""

    def __init__(self, bank: QuestionBank, *, lang: str) -> None:
        self.lang = lang
        self._items = sorted(
            (item for item in bank.items if not item.is_text),
            key=lambda item: -len(item.text_in(lang)),
        )

    def question(self, lines: Sequence[str]) -> Item | None:
        """The item whose wording is one of ``lines`` (the question still open), if any."""
        for line in lines:
            for item in self._items:
                if item.text_in(self.lang) in line:
                    return item
        return None


def slack_sections(blocks: list[dict[str, Any]]) -> list[str]:
    """The texts of a Slack message's section blocks (where the open question is)."""
    return [
        str((b.get("text") or {}).get("text", "")) for b in blocks if b.get("type") == "section"
    ]


def slack_context(blocks: list[dict[str, Any]]) -> str:
    """The text of a Slack message's context blocks (where answers are confirmed)."""
    return "\n".join(
        str(element.get("text", ""))
        for block in blocks
        if block.get("type") == "context"
        for element in block.get("elements") or []
    )


def slack_buttons(blocks: list[dict[str, Any]]) -> list[str]:
    """The action ids of a Slack message's buttons."""
    return [
        str(element.get("action_id"))
        for block in blocks
        if block.get("type") == "actions"
        for element in block.get("elements") or []
    ]


def telegram_open_lines(text: str) -> list[str]:
    """The lines of a Telegram pulse that are not confirmed answers (✓ ...)."""
    return [line for line in text.splitlines() if not line.startswith("✓")]


def telegram_buttons(markup: dict[str, Any] | None) -> list[str]:
    """The callback data of a Telegram message's inline buttons."""
    rows = (markup or {}).get("inline_keyboard") or []
    return [str(button.get("callback_data")) for row in rows for button in row]
