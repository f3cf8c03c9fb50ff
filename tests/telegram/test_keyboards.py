"""Pure keyboard builders: scale layouts, labelled ends, compact callback data."""

from __future__ import annotations

import datetime as dt

import pytest

from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.callbacks import MAX_BYTES, Choice, CommentRequest, Skip, parse
from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.customers import Customers
from pulse_mirror.surveys.model import Scale, Side
from pulse_mirror.surveys.records import DeliveryKind
from pulse_mirror.telegram import keyboards
from pulse_mirror.telegram import texts as tg_texts
from pulse_mirror.telegram.consent import ConsentSeal, consent_key

TOKEN = "A" * 32  # the longest token the codec accepts


@pytest.mark.parametrize(
    ("scale", "rows"),
    [
        (Scale(0, 10), [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]),
        (Scale(1, 5), [[1, 2, 3, 4, 5]]),
        (Scale(1, 7), [[1, 2, 3, 4, 5, 6, 7]]),
    ],
)
def test_scales_are_laid_out_in_rows(scale: Scale, rows: list[list[int]]) -> None:
    assert keyboards.scale_rows(scale) == rows


def test_every_button_fits_telegrams_64_bytes_and_parses_back() -> None:
    bank = load_bank()
    for item in bank.items_for(Side.CUSTOMER):
        if item.scale is None:
            continue
        markup = keyboards.scale_keyboard(item, token=TOKEN, index=2, lang="de")
        for row in markup.inline_keyboard:
            for button in row:
                data = button.callback_data
                assert isinstance(data, str) and len(data.encode()) <= MAX_BYTES
                parsed = parse(data)
                assert isinstance(parsed, Choice | Skip) and parsed.token == TOKEN
    ref = Customers.segment_ref("a segment name that is rather long " * 3)
    seal = ConsentSeal(consent_key("123456789:" + "x" * 35))
    biggest = -(2**52)  # Telegram's ids have at most 52 significant bits
    later = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)  # the most digits a day number gets
    opt_in = seal.issue(chat_id=biggest, segment_ref=ref, now=later)
    consent = keyboards.consent_keyboard("en", opt_in=opt_in)
    assert all(len(str(b.callback_data).encode()) <= MAX_BYTES for b in consent.inline_keyboard[0])


def _state(**changes: object) -> PulseState:
    bank = load_bank()
    base = PulseState(
        token=TOKEN,
        side=Side.CUSTOMER,
        lang="de",
        items=(bank.item("recommend.customer"), bank.item("effort.customer")),
        closes_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    return PulseState(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_render_names_both_ends_and_the_progress_in_german() -> None:
    shown = keyboards.render_pulse(_state())
    assert "Frage 1 von 2" in shown.text
    assert "0 = Sehr unwahrscheinlich · 10 = Sehr wahrscheinlich" in shown.text
    assert shown.markup is not None and shown.markup.inline_keyboard[-1][0].text == "Überspringen"


def test_render_after_the_last_answer_offers_the_comment_once() -> None:
    done = keyboards.render_pulse(_state(answers={0: 9, 1: 6}))
    assert "Vielen Dank" in done.text and "— 9" in done.text and "— 6" in done.text
    assert done.markup is not None
    assert parse(str(done.markup.inline_keyboard[0][0].callback_data)) == CommentRequest(TOKEN)
    commented = keyboards.render_pulse(_state(answers={0: 9, 1: 6}, commented=True))
    assert commented.markup is None


def test_a_reminder_says_so() -> None:
    shown = keyboards.render_pulse(_state(lang="en"), kind=DeliveryKind.REMINDER_2)
    assert shown.text.startswith("A gentle reminder:")


def test_telegram_texts_exist_in_both_languages() -> None:
    for key in sorted(tg_texts.TEXTS.keys()):
        assert tg_texts.text(key, "de", org="Acme", days=28) != ""
        assert tg_texts.text(key, "de", org="Acme", days=28) != tg_texts.text(
            key, "en", org="Acme", days=28
        ), key
