"""Pure builders of what a Telegram message shows: question texts and inline keyboards.

No I/O: each function turns a ``PulseState`` (or a language) into text and an
``InlineKeyboardMarkup`` with compact ``callback_data`` (at most 64 bytes).
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from pulse_mirror.surveys.callbacks import Choice, CommentRequest, Skip, encode
from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.model import Item, Scale
from pulse_mirror.surveys.records import DeliveryKind
from pulse_mirror.surveys.texts import text
from pulse_mirror.telegram.consent import PREFIX
from pulse_mirror.telegram.texts import text as tg_text

OPT_IN = PREFIX  # "Yes, ask me"; its payload is sealed (telegram/consent.py)
DECLINE = "n"
DELETE_YES = "d:y"
DELETE_NO = "d:n"
_MAX_ROW = 8  # Telegram shows at most 8 buttons in a row


@dataclass(frozen=True)
class Rendered:
    """A message as it is sent or edited: its text and its keyboard (None: no keyboard)."""

    text: str
    markup: InlineKeyboardMarkup | None


def scale_rows(scale: Scale) -> list[list[int]]:
    """The values of a scale split into rows: 0-10 in two rows, short scales in one."""
    values = list(scale.values)
    if len(values) <= _MAX_ROW:
        return [values]
    half = (len(values) + 1) // 2
    return [values[:half], values[half:]]


def scale_keyboard(
    item: Item, *, token: str, index: int, lang: str, skip: bool = True
) -> InlineKeyboardMarkup:
    """The buttons of one rated question: its scale's values and an optional Skip."""
    if item.scale is None:
        raise ValueError(f"{item.key} takes text, not a value on a scale")
    rows = [
        [
            InlineKeyboardButton(str(value), callback_data=encode(Choice(token, index, value)))
            for value in row
        ]
        for row in scale_rows(item.scale)
    ]
    if skip:
        label = text("button.skip", lang)
        rows.append([InlineKeyboardButton(label, callback_data=encode(Skip(token, index)))])
    return InlineKeyboardMarkup(rows)


def scale_ends(item: Item, lang: str) -> str:
    """The line that names both ends of a question's scale, e.g. ``0 = Not at all likely``."""
    if item.scale is None:
        return ""
    low, high = item.labels_in(lang)
    if not low and not high:
        return ""
    return f"{item.scale.low} = {low} · {item.scale.high} = {high}"


def render_pulse(state: PulseState, *, kind: DeliveryKind = DeliveryKind.QUESTION) -> Rendered:
    """The pulse as one message: answers so far, then the next question or the thanks."""
    lang = state.lang
    lines: list[str] = []
    if kind in (DeliveryKind.REMINDER_1, DeliveryKind.REMINDER_2):
        lines.append(tg_text("reminder", lang))
    given = [
        f"✓ {item.text_in(lang)} — {state.answers[index]}"
        for index, item in enumerate(state.items)
        if index in state.answers
    ]
    if given:
        lines += [tg_text("your_answers", lang), *given, ""]
    current = state.current
    if current is None:
        lines.append(text("thanks.customer", lang))
        if state.commented:
            lines.append(text("comment.saved", lang))
            return Rendered("\n".join(lines), None)
        button = InlineKeyboardButton(
            text("button.comment", lang), callback_data=encode(CommentRequest(state.token))
        )
        return Rendered("\n".join(lines), InlineKeyboardMarkup([[button]]))
    item = state.items[current]
    if state.total > 1:
        lines.append(text("question.header", lang, number=current + 1, total=state.total))
    lines.append(item.text_in(lang))
    ends = scale_ends(item, lang)
    if ends:
        lines.append(ends)
    markup = scale_keyboard(item, token=state.token, index=current, lang=lang)
    return Rendered("\n".join(lines), markup)


def consent_keyboard(lang: str, *, opt_in: str) -> InlineKeyboardMarkup:
    """ "Yes, ask me" (carrying ``opt_in``, the sealed consent payload) and "No, thanks"."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(tg_text("button.yes", lang), callback_data=opt_in),
                InlineKeyboardButton(tg_text("button.no", lang), callback_data=DECLINE),
            ]
        ]
    )


def delete_keyboard(lang: str) -> InlineKeyboardMarkup:
    """The confirmation asked before deleting a customer's data."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(tg_text("button.delete", lang), callback_data=DELETE_YES),
                InlineKeyboardButton(tg_text("button.keep", lang), callback_data=DELETE_NO),
            ]
        ]
    )
