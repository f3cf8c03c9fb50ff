"""What the bot says, in English and German, and the one way any table of texts is looked up.

The Slack and Telegram adapters and the report keep their own tables of the same shape (key,
then language, then template) and read them through :class:`Texts`, so the fallback to English
lives here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping

Table = Mapping[str, Mapping[str, str]]
"""Texts by key, then by language code, e.g. ``{"closed": {"en": "...", "de": "..."}}``."""

FALLBACK = "en"


def in_language(translations: Mapping[str, str], lang: str) -> str:
    """The translation for ``lang``, or the English one when it is missing or empty."""
    return translations.get(lang) or translations[FALLBACK]


class Texts:
    """One table of texts and the lookup every part of the bot uses."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def text(self, key: str, lang: str, **values: object) -> str:
        """The text for ``key`` in ``lang`` (English when missing), with ``values`` filled in.

        Raises:
            KeyError: ``key`` is not in the table, or has neither ``lang`` nor English.
        """
        return in_language(self._table[key], lang).format(**values)

    def keys(self) -> frozenset[str]:
        """Every text key, for tests that check both languages are complete."""
        return frozenset(self._table)

    def languages_of(self, key: str) -> frozenset[str]:
        """The languages a text exists in (an empty translation does not count)."""
        return frozenset(lang for lang, template in self._table[key].items() if template)


_TABLE: Table = {
    "intro.employee": {
        "en": (
            "Hi! This is Pulse Mirror, {org}'s short weekly pulse: {count} quick questions, "
            "one click each. Your answers are anonymous by design: they are stored without "
            "your name and only ever shown in groups of at least {k} people."
        ),
        "de": (
            "Hallo! Hier ist Pulse Mirror, der kurze Wochen-Puls von {org}: {count} kurze "
            "Fragen, je ein Klick. Deine Antworten sind anonym: Sie werden ohne deinen Namen "
            "gespeichert und nur in Gruppen von mindestens {k} Personen gezeigt."
        ),
    },
    "intro.customer": {
        "en": (
            "Hello! {org} would like to hear from you now and then: one or two short "
            "questions, at most once every {days} days. /stop ends it at any time, /mydata "
            "shows what we store and /delete erases it. May we ask you?"
        ),
        "de": (
            "Hallo! {org} möchte ab und zu von Ihnen hören: ein oder zwei kurze Fragen, "
            "höchstens alle {days} Tage. Mit /stop beenden Sie das jederzeit, /mydata zeigt, "
            "was wir speichern, und /delete löscht es. Dürfen wir Sie fragen?"
        ),
    },
    "question.header": {"en": "Question {number} of {total}", "de": "Frage {number} von {total}"},
    "answer.recorded": {"en": "Recorded: {value}", "de": "Gespeichert: {value}"},
    "answer.skipped": {"en": "Skipped", "de": "Übersprungen"},
    "button.skip": {"en": "Skip", "de": "Überspringen"},
    "button.comment": {"en": "Add a comment", "de": "Kommentar hinzufügen"},
    "thanks.employee": {
        "en": "Thank you! Leadership sees the week's figures in its weekly report, only for "
        "groups of at least {k} people, never yours alone.",
        "de": "Danke! Die Führung sieht die Zahlen der Woche im Wochenbericht, nur für Gruppen "
        "von mindestens {k} Personen, nie Ihre allein.",
    },
    "thanks.customer": {
        "en": "Thank you, that helps us a lot!",
        "de": "Vielen Dank, das hilft uns sehr!",
    },
    "closed": {
        "en": "This survey has closed. Thank you anyway — the next one comes soon.",
        "de": "Diese Umfrage ist beendet. Trotzdem danke — die nächste kommt bald.",
    },
    "invalid": {
        "en": "This button is no longer valid.",
        "de": "Diese Schaltfläche ist nicht mehr gültig.",
    },
    "not_yours": {
        "en": "This survey was sent to someone else.",
        "de": "Diese Umfrage ging an jemand anderen.",
    },
    "try_again": {
        "en": "Sorry, we could not save that just now. Please try again in a moment.",
        "de": "Das konnten wir gerade nicht speichern. Bitte gleich noch einmal versuchen.",
    },
    "comment.prompt": {
        "en": "Your comment (up to {limit} characters):",
        "de": "Kommentar (bis zu {limit} Zeichen):",
    },
    "comment.too_long": {
        "en": "That is {length} characters; the limit is {limit}. Please shorten it.",
        "de": "Das sind {length} Zeichen; erlaubt sind {limit}. Bitte kürzen.",
    },
    "comment.empty": {
        "en": "The comment is empty.",
        "de": "Der Kommentar ist leer.",
    },
    "comment.saved": {
        "en": "Thanks, your comment is saved.",
        "de": "Danke, der Kommentar ist gespeichert.",
    },
}


TEXTS = Texts(_TABLE)
"""What both platforms say in a pulse conversation."""

text = TEXTS.text
