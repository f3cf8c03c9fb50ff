"""One-line formulas (English and German) to print beside every number a person sees."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pulse_mirror.surveys.model import Metric


class Verdict(enum.StrEnum):
    """Whether a difference is worth talking about."""

    REAL = "real"  # survives Holm in the week's family: its printed interval excludes 0
    NOISE = "noise"  # does not: its printed interval includes 0
    NOT_ENOUGH = "not_enough"  # a side has fewer answers than the anonymity threshold


class Comparison(enum.StrEnum):
    """What a difference of two estimates compares."""

    GAP = "gap"  # inside (employees) - outside (customers), same week
    CHANGE = "change"  # this week - last week, same side


# Keyed by the metric's value (Metric is a StrEnum, so a member finds its own entry): this
# module then imports nothing at load, which keeps the report's chain of imports short.
_METRIC: Mapping[str, Mapping[str, str]] = {
    "nps": {
        "en": "NPS = % 9–10 − % 0–6 (−100 to 100), 95% adjusted-Wald interval "
        "(n + 3, promoters and detractors + 0.75 each)",
        "de": "NPS = % 9–10 − % 0–6 (−100 bis 100), 95-%-Intervall nach adjustiertem Wald "
        "(n + 3, Promotoren und Detraktoren je + 0,75)",
    },
    "csat": {
        "en": "CSAT = % of answers 4–5 on 1–5 (top-2-box), 95% Agresti–Coull interval",
        "de": "CSAT = % der Antworten 4–5 auf 1–5 (Top-2-Box), 95-%-Agresti-Coull-Intervall",
    },
    "mean": {
        "en": "Mean of the answers, 95% Agresti–Coull interval for a bounded mean "
        "(z²/2 extra answers at each end of the scale, clipped to the scale)",
        "de": "Mittelwert der Antworten, 95-%-Agresti-Coull-Intervall für einen beschränkten "
        "Mittelwert (je z²/2 Zusatzantworten an beiden Skalenenden, auf die Skala begrenzt)",
    },
    "agreement": {
        "en": "% favourable = % of answers 4–5 on 1–5, 95% Agresti–Coull interval; "
        "mean with 95% Agresti–Coull interval for a bounded mean",
        "de": "% Zustimmung = % der Antworten 4–5 auf 1–5, 95-%-Agresti-Coull-Intervall; "
        "Mittelwert mit 95-%-Agresti-Coull-Intervall für einen beschränkten Mittelwert",
    },
}

_NORMALISED: Mapping[str, str] = {
    "en": "0–100 score = (mean − min) / (max − min) × 100, interval mapped the same way",
    "de": "0–100-Wert = (Mittelwert − Min) / (Max − Min) × 100, Intervall ebenso umgerechnet",
}

_COMPARISON: Mapping[Comparison, Mapping[str, str]] = {
    Comparison.GAP: {
        "en": "Gap = inside − outside on 0–100, interval ± t(Welch df) × √(SE₁² + SE₂²), "
        "each SE with √n / 4 extra answers spread over the scale and at least one answer's "
        "step / n, never narrower than either side's own interval, clipped to ±100; at the "
        "Holm level of the week's gaps (95% or wider); real if it excludes 0",
        "de": "Lücke = Innen- − Außensicht auf 0–100, Intervall ± t(Welch-FG) × "
        "√(SE₁² + SE₂²), jeder SE mit √n / 4 über die Skala verteilten Zusatzantworten und "
        "mindestens eine Antwortstufe / n, nie schmaler als das Intervall einer Seite, auf ±100 "
        "begrenzt; auf der Holm-Stufe der Lücken der Woche (95 % oder breiter); echt, wenn es "
        "0 ausschließt",
    },
    Comparison.CHANGE: {
        "en": "Change = this week − last week on 0–100, interval ± t(Welch df) × "
        "√(SE₁² + SE₂²), each SE with √n / 4 extra answers spread over the scale and at least "
        "one answer's step / n, never narrower than either week's own interval, clipped to "
        "±100; at the Holm level of the week's changes (95% or wider); real if it excludes 0",
        "de": "Veränderung = diese − letzte Woche auf 0–100, Intervall ± t(Welch-FG) × "
        "√(SE₁² + SE₂²), jeder SE mit √n / 4 über die Skala verteilten Zusatzantworten und "
        "mindestens eine Antwortstufe / n, nie schmaler als das Intervall einer Woche, auf "
        "±100 begrenzt; auf der Holm-Stufe der Veränderungen der Woche (95 % oder breiter); "
        "echt, wenn es 0 ausschließt",
    },
}

_FAMILY: Mapping[str, str] = {
    "en": "The week's gaps are one family and the week's changes another, each adjusted by "
    "Holm's step-down method: at most a 5% chance that any \"real\" among this week's gaps "
    "is a false alarm, and the same for the changes. Each interval is shown at the level of "
    "the Holm step that decided it (the i-th smallest of m p-values at 1 − 5%/(m − i + 1), "
    "never below 95%), so it excludes 0 exactly when the verdict is real; p_adjusted is "
    "Holm's adjusted p-value",
    "de": "Die Lücken der Woche sind eine Familie und die Veränderungen der Woche eine "
    "zweite, jede nach Holms schrittweisem Verfahren korrigiert: höchstens 5 % Risiko, dass "
    "irgendein „echt“ unter den Lücken dieser Woche ein Fehlalarm ist, ebenso für die "
    "Veränderungen. Jedes Intervall steht auf der Stufe des Holm-Schritts, der darüber "
    "entschied (der i-kleinste von m p-Werten zu 1 − 5 %/(m − i + 1), nie unter 95 %), und "
    "schließt 0 genau dann aus, wenn das Urteil echt ist; p_adjusted ist Holms korrigierter "
    "p-Wert",
}


def _pick(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts["en"]


def method_text(metric: Metric, lang: str = "en") -> str:
    """The formula behind a metric's own value, in ``lang`` (English fallback)."""
    if metric not in _METRIC:
        raise ValueError(f"{metric.value} items have no numeric method")
    return _pick(_METRIC[metric], lang)


def normalised_method_text(lang: str = "en") -> str:
    """The formula behind the 0-100 normalised score."""
    return _pick(_NORMALISED, lang)


def comparison_method_text(comparison: Comparison, lang: str = "en") -> str:
    """The formula behind a perception gap or a week-on-week change."""
    return _pick(_COMPARISON[comparison], lang)


def family_method_text(lang: str = "en") -> str:
    """What the week's verdicts control, in plain words: Holm within gaps and within changes."""
    return _pick(_FAMILY, lang)
