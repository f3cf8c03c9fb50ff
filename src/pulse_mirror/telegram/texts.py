"""What only the Telegram bot says, in English and German (customers are addressed as "Sie")."""

from __future__ import annotations

from pulse_mirror.surveys.texts import Table, Texts

_TABLE: Table = {
    "button.yes": {"en": "Yes, ask me", "de": "Ja, fragen Sie mich"},
    "button.no": {"en": "No, thanks", "de": "Nein, danke"},
    "button.delete": {"en": "Yes, delete everything", "de": "Ja, alles löschen"},
    "button.keep": {"en": "No, keep it", "de": "Nein, behalten"},
    "joined": {
        "en": "Thank you! We will ask you now and then, at most once every {days} days. "
        "/stop ends it at any time.",
        "de": "Vielen Dank! Wir fragen Sie ab und zu, höchstens alle {days} Tage. "
        "Mit /stop beenden Sie das jederzeit.",
    },
    "declined": {
        "en": "No problem, we will not ask you. Nothing about you is stored.",
        "de": "Kein Problem, wir fragen Sie nicht. Über Sie wird nichts gespeichert.",
    },
    "resumed": {
        "en": "Welcome back! We will ask you again now and then. /stop ends it at any time.",
        "de": "Willkommen zurück! Wir fragen Sie wieder ab und zu. "
        "Mit /stop beenden Sie das jederzeit.",
    },
    "already_active": {
        "en": "You are already signed up. /stop ends it, /help lists what you can do.",
        "de": "Sie sind bereits angemeldet. /stop beendet das, /help zeigt alle Befehle.",
    },
    "stopped": {
        "en": "Done: we will not ask you anything more. /start resumes, /delete erases your data.",
        "de": "Erledigt: Wir fragen Sie nichts mehr. /start setzt fort, /delete löscht Ihre Daten.",
    },
    "not_signed_up": {
        "en": "You are not signed up, and nothing about you is stored.",
        "de": "Sie sind nicht angemeldet, und über Sie ist nichts gespeichert.",
    },
    "mydata.caption": {
        "en": "Everything we store about you.",
        "de": "Alles, was wir über Sie speichern.",
    },
    "delete.confirm": {
        "en": "Delete everything we store about you, including your answers and comments? "
        "Weekly totals already shared contain nothing about you personally and stay.",
        "de": "Alles löschen, was wir über Sie speichern, auch Ihre Antworten und Kommentare? "
        "Bereits geteilte Wochensummen enthalten nichts Persönliches und bleiben bestehen.",
    },
    "deleted": {
        "en": "Deleted: you, your answers and your comments are gone. /start signs you up again.",
        "de": "Gelöscht: Ihre Daten, Antworten und Kommentare sind entfernt. "
        "Mit /start melden Sie sich neu an.",
    },
    "delete.kept": {
        "en": "Nothing was deleted.",
        "de": "Es wurde nichts gelöscht.",
    },
    "help": {
        "en": "{org} asks its customers a short question now and then.\n"
        "/start — sign up (or resume)\n/stop — no more questions\n"
        "/mydata — everything we store about you\n/delete — erase it\n/help — this text",
        "de": "{org} stellt seinen Kundinnen und Kunden ab und zu eine kurze Frage.\n"
        "/start — anmelden (oder fortsetzen)\n/stop — keine Fragen mehr\n"
        "/mydata — alles, was wir über Sie speichern\n/delete — alles löschen\n"
        "/help — diese Hilfe",
    },
    "text_only": {
        "en": "Sorry, I can only read text. Please use the buttons or /help.",
        "de": "Entschuldigung, ich kann nur Text lesen. Bitte nutzen Sie die Schaltflächen "
        "oder /help.",
    },
    "mydata.later": {
        "en": "Telegram is busy and your data could not be sent just now. Please send /mydata "
        "again in a few minutes.",
        "de": "Telegram ist gerade ausgelastet, Ihre Daten konnten nicht gesendet werden. Bitte "
        "senden Sie /mydata in ein paar Minuten noch einmal.",
    },
    "unknown_command": {
        "en": "I do not know that command. /help lists what you can do.",
        "de": "Diesen Befehl kenne ich nicht. /help zeigt alle Befehle.",
    },
    "use_buttons": {
        "en": "Please answer with the buttons. /help lists what you can do.",
        "de": "Bitte antworten Sie mit den Schaltflächen. /help zeigt alle Befehle.",
    },
    "consent.again": {
        "en": "This button is no longer valid. Please send /start again.",
        "de": "Diese Schaltfläche gilt nicht mehr. Bitte senden Sie /start noch einmal.",
    },
    "reminder": {"en": "A gentle reminder:", "de": "Eine kurze Erinnerung:"},
    "your_answers": {"en": "Your answers:", "de": "Ihre Antworten:"},
    "command.start": {"en": "Sign up for short questions", "de": "Für kurze Fragen anmelden"},
    "command.stop": {"en": "No more questions", "de": "Keine Fragen mehr"},
    "command.delete": {"en": "Erase everything stored about me", "de": "Meine Daten löschen"},
    "command.mydata": {"en": "Everything stored about me", "de": "Meine gespeicherten Daten"},
    "command.help": {"en": "What this bot does", "de": "Was dieser Bot macht"},
}

COMMANDS: tuple[str, ...] = ("start", "stop", "delete", "mydata", "help")


TEXTS = Texts(_TABLE)
"""What only the Telegram bot says."""

text = TEXTS.text
