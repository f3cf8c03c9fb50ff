"""The one text lookup: English when a language is missing, a KeyError for an unknown key."""

from __future__ import annotations

import pytest

from pulse_mirror.surveys.report.text import TEXTS as REPORT_TEXTS
from pulse_mirror.surveys.texts import Texts, in_language

TEXTS = Texts(
    {
        "greeting": {"en": "Hello {name}", "de": "Hallo {name}"},
        "english_only": {"en": "Only {n}"},
        "empty_german": {"en": "Said in English", "de": ""},
    }
)


def test_a_text_is_filled_in_the_asked_language() -> None:
    assert TEXTS.text("greeting", "de", name="Ada") == "Hallo Ada"
    assert TEXTS.text("greeting", "en", name="Ada") == "Hello Ada"


def test_a_missing_or_empty_translation_falls_back_to_english() -> None:
    assert TEXTS.text("greeting", "fr", name="Ada") == "Hello Ada"
    assert TEXTS.text("english_only", "de", n=2) == "Only 2"
    assert TEXTS.text("empty_german", "de") == "Said in English"
    assert in_language({"en": "yes", "de": "ja"}, "") == "yes"


def test_an_unknown_key_or_a_missing_value_is_an_error() -> None:
    with pytest.raises(KeyError, match="nope"):
        TEXTS.text("nope", "en")
    with pytest.raises(KeyError, match="name"):
        TEXTS.text("greeting", "en")


def test_languages_count_only_non_empty_translations() -> None:
    assert TEXTS.keys() == {"greeting", "english_only", "empty_german"}
    assert TEXTS.languages_of("greeting") == {"en", "de"}
    assert TEXTS.languages_of("empty_german") == {"en"}


def test_every_report_phrase_exists_in_english_and_german() -> None:
    # A phrase missing in German would quietly fall back to English, so the table is checked.
    for key in sorted(REPORT_TEXTS.keys()):
        assert REPORT_TEXTS.languages_of(key) == {"en", "de"}, key
    assert REPORT_TEXTS.text("gap", "de") == "Lücke"
    assert REPORT_TEXTS.text("title", "fr", week=48) == "Pulse Mirror · week 48"
