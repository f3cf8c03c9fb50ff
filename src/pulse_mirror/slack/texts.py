"""What only the Slack side says (App Home, modal, reminders), in English and German ("du")."""

from __future__ import annotations

import datetime as dt

from pulse_mirror.surveys.planning.schedule import zone
from pulse_mirror.surveys.texts import Table, Texts

_TABLE: Table = {
    # The DM keeps no value: Slack keeps messages (and, in some plans, their edits) in
    # exports; the value is shown once in a note only the person sees (``answer.private``).
    "answer.done": {"en": "answered", "de": "beantwortet"},
    "answer.private": {
        "en": "{recorded}. Only you can see this note; your DM keeps no answer.",
        "de": "{recorded}. Nur du siehst diesen Hinweis; deine DM behält keine Antwort.",
    },
    "home.title": {"en": "Pulse Mirror", "de": "Pulse Mirror"},
    "home.what": {
        "en": (
            "Once a week {org} asks a few one-click questions: how you see our customers' "
            "experience. Customers are asked the same questions, and leadership sees where "
            "the two views differ."
        ),
        "de": (
            "Einmal pro Woche stellt {org} dir ein paar Ein-Klick-Fragen: wie du die "
            "Erfahrung unserer Kunden siehst. Kunden bekommen dieselben Fragen, und die "
            "Leitung sieht, wo die beiden Sichten auseinandergehen."
        ),
    },
    "home.anonymous": {
        "en": (
            "*Your answers are anonymous.* They are stored without your name, and nobody — "
            "not HR, not your manager, not the admins — can see what you answered or whether "
            "you answered. Results are only shown for groups of at least {k} people."
        ),
        "de": (
            "*Deine Antworten sind anonym.* Sie werden ohne deinen Namen gespeichert, und "
            "niemand — weder HR noch deine Führungskraft noch die Admins — sieht, was oder ob "
            "du geantwortet hast. Ergebnisse gibt es nur für Gruppen von mindestens {k} Personen."
        ),
    },
    "home.active": {
        "en": "*Status:* active. Your next pulse comes {when}.",
        "de": "*Status:* aktiv. Dein nächster Puls kommt {when}.",
    },
    "home.paused": {
        "en": "*Status:* paused until {until}. Your next pulse comes {when}.",
        "de": "*Status:* pausiert bis {until}. Dein nächster Puls kommt {when}.",
    },
    "home.opted_out": {
        "en": "*Status:* opted out. You will not get pulses until you resume.",
        "de": "*Status:* abgemeldet. Du bekommst keine Pulse, bis du sie wieder aktivierst.",
    },
    "home.blocked": {
        "en": "*Status:* not reachable right now.",
        "de": "*Status:* gerade nicht erreichbar.",
    },
    "home.unknown": {
        "en": "You are not on the pulse roster, so you will not get pulses.",
        "de": "Du bist nicht auf der Liste für Pulse und bekommst daher keine.",
    },
    "home.pause": {"en": "Pause for…", "de": "Pausieren für…"},
    "home.weeks": {"en": "{n} week(s)", "de": "{n} Woche(n)"},
    "home.resume": {"en": "Resume", "de": "Fortsetzen"},
    "home.opt_out": {"en": "Opt out", "de": "Abmelden"},
    "home.opt_out.confirm": {
        "en": "You will get no more pulses until you resume. Opt out?",
        "de": "Du bekommst keine Pulse mehr, bis du sie wieder aktivierst. Abmelden?",
    },
    "home.confirm.yes": {"en": "Opt out", "de": "Abmelden"},
    "home.confirm.no": {"en": "Cancel", "de": "Abbrechen"},
    "home.confirm.title": {"en": "Opt out?", "de": "Abmelden?"},
    "modal.title": {"en": "Add a comment", "de": "Kommentar"},
    "modal.submit": {"en": "Send", "de": "Senden"},
    "modal.cancel": {"en": "Cancel", "de": "Abbrechen"},
    "modal.anonymous": {
        "en": "Comments are anonymous too: stored without your name, shown only in groups.",
        "de": "Auch Kommentare sind anonym: ohne deinen Namen gespeichert, nur in Gruppen gezeigt.",
    },
    "reminder": {
        "en": "A gentle reminder: this week's pulse is still open — one click per question.",
        "de": "Kleine Erinnerung: Der Puls dieser Woche ist noch offen — ein Klick pro Frage.",
    },
}

TEXTS = Texts(_TABLE)
"""What only the Slack side says."""

slack_text = TEXTS.text

_DAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def local_moment(moment: dt.datetime, *, tz: str, lang: str) -> str:
    """A moment as the person reads it in their zone, e.g. ``Tue 24 Nov, 10:00``."""
    try:
        local = moment.astimezone(zone(tz))
    except ValueError:
        local = moment
    day = _DAYS.get(lang, _DAYS["en"])[local.weekday()]
    if lang == "de":
        return f"{day}, {local.day}.{local.month}., {local:%H:%M} Uhr"
    return f"{day} {local.day} {_MONTHS[local.month - 1]}, {local:%H:%M}"
